// Starts @vercel/cosmosdb-server, a Cosmos DB look-alike kept in memory, on
// 127.0.0.1 and the port given as the first argument (0: any free port), and
// prints "listening on PORT" once it accepts connections. shopfn's tests run
// it as a local peer (see LOCAL-PEERS.md).
//
// Three patches, all making it answer as the real service does:
//
// Reading a missing document (or one in another partition) makes
// the server's read-document handler throw a TypeError, answered as 500. The
// real service answers 404 NotFound; this wrapper does the same. It replaces
// the handler's default export before the server module loads its routes.
//
// A transactional batch names its partition in the x-ms-documentdb-partitionkey
// header (as azcosmos sends it), but the server reads a partitionKey from
// each operation and fails without one. The wrapper around its body parser
// copies the header into operations that have none.
//
// The service's ETags are quoted ("\"00000000-...\""), valid HTTP entity tags;
// the server's are bare UUIDs. It makes them with crypto.randomUUID (used
// elsewhere only for x-ms-activity-id), which the wrapper quotes.
"use strict";

const crypto = require("crypto");
const randomUUID = crypto.randomUUID;
crypto.randomUUID = (...args) => `"${randomUUID(...args)}"`;

const json = require("@vercel/cosmosdb-server/lib/json");
const parse = json.default;
json.default = async (req) => {
  const body = await parse(req);
  const pk = req.headers["x-ms-documentdb-partitionkey"];
  if (Array.isArray(body) && pk && req.headers["x-ms-cosmos-is-batch-request"]) {
    for (const op of body) if (op && op.partitionKey === undefined) op.partitionKey = pk;
  }
  return body;
};

const readDocument = require("@vercel/cosmosdb-server/lib/handler/read-document");
const original = readDocument.default;
readDocument.default = (account, req, res, params) => {
  try {
    return original(account, req, res, params);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    res.statusCode = 404;
    return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
  }
};

const { createHttpServer } = require("@vercel/cosmosdb-server");
const port = Number(process.argv[2] || 0);
const server = createHttpServer();
server.listen(port, "127.0.0.1", () => {
  console.log(`listening on ${server.address().port}`);
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close(() => process.exit(0)));
