// Package cosmos holds shopfn's Cosmos DB adapters: the catalog
// (commerce.CatalogStore), carts (commerce.CartStore) and customers
// (commerce.CustomerStore) on azcosmos.
//
// # Containers
//
// Three containers in one database: products (partition key /category),
// carts (partition key /id, default time to live = the cart lifetime) and
// customers (partition key /id). Open
// creates the database and containers when they are missing and the
// identity may create them (a key may; a data-plane role may not), and
// otherwise fails with an error that names what to create.
//
// # The shape of the catalog
//
// Cosmos DB enforces uniqueness only per logical partition, the Go SDK
// cannot run cross-partition ORDER BY, TOP or aggregates, and transactional
// batches hold one logical partition. So the products container holds six
// kinds of documents, told apart by their "type":
//
//   - product: the product itself, id = product ID, category = its real
//     category. It is the truth; everything else points at it.
//   - key: one per product ID ("id:P"), handle ("handle:H") and SKU
//     ("sku:S"), each alone in its own logical partition, whose partition key
//     value is "~" + its id (real categories are slugs of a-z, 0-9 and '-',
//     so they never start with "~"). A key names its product and, as a hint,
//     the product's category; the id key's category is authoritative.
//   - count: "~count" in each category's partition: how many products and
//     active products the category has.
//   - moving: a product being moved to another category (see below).
//   - category: "~category" in a category's partition: its name and
//     position (category.go). Deleting it is one batch that also rewrites
//     the count document conditionally on its ETag, so it never succeeds
//     while the category has products.
//   - event: "~event:" + an event ID in a product's category partition: the
//     pending product.* event of a write, the last operation of that
//     write's batch, until the relay has appended it to the relational
//     event log (event.go). A customer's customer.created rides in its
//     document ("event") the same way.
//
// Finding a product by ID or handle reads its key, then the product: two
// point reads, and one once this instance knows where the product lives
// (a bounded in-memory map from key to location). A hit is always checked
// against the product document itself (present, still holding that handle
// or SKU), and a miss falls back to the key, so the map is never trusted for
// anything but a guess. Variants reads the SKU keys and products the same
// way; it never queries across partitions.
//
// Handle and SKU uniqueness hold across any number of instances because
// claiming a key is a create: of two writers racing for one handle, Cosmos
// DB answers 409 to one. A writer claims every new key before it writes the
// product and releases the keys it claimed when the write fails; after a
// successful write it releases the keys the product no longer holds (each
// delete conditional on the key's ETag, so a key someone else took over is
// never deleted). A key left behind by a crash is taken over by the next
// claimant once its product no longer holds it, with a replace conditional on
// the key's ETag (again, one of two racers wins). A key whose product does
// not exist yet is honoured for claimGrace after its creation, so a writer
// in the middle of a create is not robbed; a writer that takes longer than
// claimDeadline between claiming and writing gives up instead of writing.
//
// A product write and its category's count change commit together in one
// transactional batch in the category's partition: the product is created,
// replaced or deleted (replaced and deleted conditionally on its ETag) and
// the count document replaced conditionally on its ETag, so counts never
// drift and optimistic concurrency holds (a stale If-Match is 412,
// precondition_failed). Categories and CountProducts read the count
// documents with one cross-partition query that needs no ORDER BY or
// aggregate (sorted and summed here).
//
// A replace that changes the category cannot be one batch. It first turns
// the old document into a "moving" document holding the new product
// (conditional on the ETag, with the old category's count lowered, in one
// batch), then creates the product in its new partition with that count
// raised (one batch; a 409 means it is already there), points the id key at
// the new category and deletes the moving document. Whoever meets a moving
// document, reader or writer, finishes the move first, so a crash between
// the steps never loses the product; listings skip moving documents.
//
// Listing is keyset paging on product ID, the cursor being the last ID seen,
// so pages stay stable while products are added. Sorting by price or title
// pages on a sort string that holds the key and the ID together
// (sortPrice.<currency>, sortTitle), so that one ORDER BY property served by
// the default range index gives a total order; filters read the document's
// prices and terms (see productDoc). With a category it is one
// single-partition query (ORDER BY id with TOP, which single-partition
// queries support). Without one it runs that query in every category's
// partition and merges the results, so a page costs one query per category
// holding products: fine for a catalog of tens of categories, to be revised
// (a change-feed-fed listing container) for thousands.
//
// # Carts
//
// A cart is one document in its own logical partition (id = partition
// key), replaced with IfMatchEtag. The container's default time to live is
// the cart lifetime, counted by Cosmos DB from the last write, so carts
// expire without a sweeper; the stored expiresAt is still what the cart
// service checks on every read (an expired cart is 404 before Cosmos DB has
// removed it), and DeleteExpiredCarts removes by expiresAt for callers that
// want it (one cross-partition query, then point deletes).
//
// # Customers
//
// A customer is one document (id = customer ID, type "customer") holding
// its profile, groups and addresses, replaced with IfMatchEtag. Beside it,
// each alone in its logical partition, a subject key "sub:" + the hash of
// issuer and subject names the customer, and an email key "email:" + the
// hash of the lower-cased email lists the customers with that email. Hashes
// keep issuer URLs (which hold '/', not allowed in ids), subjects and
// emails out of ids and request paths.
//
// CreateCustomer claims the subject key first (a create: of concurrent
// first sign-ins, Cosmos DB answers 409 to all but one, and those read the
// winner's customer), adds the customer to its email key, then creates the
// customer document. A subject key whose customer does not exist is
// honoured for customerClaimGrace after it was written (a sign-in is
// creating it; one that took longer than customerClaimDeadline gives up),
// then taken over with a replace conditional on its ETag, as the catalog's
// keys are. DeleteCustomer deletes the customer document first, then its
// email entry and subject key, so that a failure half-way leaves only keys
// naming a customer that is gone: readers check every key against the
// customer document.
//
// ListCustomers by email reads the email key and the customers it lists
// (point reads); without an email it is one cross-partition query for the
// customers after the cursor, sorted here, which reads every later customer:
// fine for thousands, to be revised (a listing fed by the change feed) for
// millions.
//
// # Errors and limits
//
// Status codes are translated at this boundary: 404 -> not_found, 409 ->
// conflict (or handle_taken / sku_taken), 412 -> precondition_failed, 429 ->
// retried by the pipeline honouring x-ms-retry-after-ms (up to
// maxThrottleRetries times), then unavailable. 503, 408 and transport
// failures are retried by retryPolicy as far as sending again cannot write
// twice (its doc says which requests), a lost create or replace is told
// from another writer's by reading the item back (createItem,
// replaceItem), and what remains is unavailable too; other failures are
// wrapped and become internal errors. The faults themselves are tested
// through faultproxy in front of the local peer (retry_test.go).
//
// # What was tested against what
//
// The conformance suites run against @vercel/cosmosdb-server (a look-alike:
// CRUD, ETags, queries, but no TTL expiry and non-atomic batches, with two
// patches in scripts/cosmospeer/start.js) and against real Cosmos DB when
// SHOPFN_TEST_COSMOS_ENDPOINT is set (not run while this was written). The
// reading of batch results as the service gives them (one failed operation,
// 424 for the others), throttling, the TTL asked of the carts container and
// the recovery from writers that crashed between steps are tests of this
// package's logic; batch atomicity and TTL expiry in the service itself are
// covered only by the real-Cosmos run.
package cosmos
