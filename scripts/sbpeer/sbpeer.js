// sbpeer: a small AMQP 1.0 peer that answers the azservicebus Go SDK the way
// Azure Service Bus does, for shopfn's tests. It is test infrastructure, not
// a broker: everything is in memory and one process serves one test run.
//
// What it does: CBS put-token (every token is accepted), queues named on the
// command line and their $DeadLetterQueue sub-queues, send and batch send,
// peek-lock receive with lock tokens as delivery tags (16 bytes in .NET Guid
// byte order, also in the x-opt-lock-token annotation), complete (accepted),
// abandon (modified: delivery count + 1, with properties to modify),
// release (released: count kept),
// dead-letter (rejected with com.microsoft:dead-letter and DeadLetterReason /
// DeadLetterErrorDescription), dead-lettering after --max-delivery deliveries,
// lock expiry after --lock-ms (a late settlement gets
// com.microsoft:message-lock-lost), scheduled enqueue, the x-opt-* message
// annotations, the $management operations schedule-message,
// cancel-scheduled-message, peek-message, renew-lock and update-disposition,
// and duplicate detection by message ID over --dup-window-ms (by the peer's
// clock; 0 turns it off), as on queues created with it.
//
// Limits (real Service Bus has these, this peer does not): no sessions,
// transactions, topics or filters, TTL expiry, defer,
// receive-and-delete mode, or the admin (HTTPS) API; no authentication.
//
// Usage: node sbpeer.js [--port 0] [--queues orders,inventory]
// [--lock-ms 30000] [--max-delivery 10] [--dup-window-ms 600000]. It listens on 127.0.0.1 and prints
// one JSON line {"amqp": port, "control": port}. The control port is plain
// HTTP for tests: POST /advance?ms=N moves the peer's clock forward, GET /now
// reads it (ms since the epoch), POST /reset empties every queue and sets
// the clock back, GET /pending?queue=Q counts Q's messages that are not
// completed or dead-lettered (scheduled and locked ones included).
"use strict";
const http = require("http");
const crypto = require("crypto");
const rhea = require("rhea");
const { types, message: amqpmsg } = rhea;

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? acc.concat([[a.slice(2), all[i + 1]]]) : acc), []));
const lockMs = Number(args["lock-ms"] || 30000);
const maxDelivery = Number(args["max-delivery"] || 10);
const dupWindowMs = Number(args["dup-window-ms"] ?? 600000);
const batchFormat = 0x80013700;
const dlqSuffix = "/$DeadLetterQueue";
let offset = 0;
const now = () => Date.now() + offset;

// queues maps a queue name to its messages and dead letters, each ordered by
// sequence number. A record is {seq, msg, enqueuedAt, scheduledAt, count,
// lock: {tag, until, delivery} | null}. As in Service Bus, count is the
// deliveries that failed (abandoned or lock expired); it goes out as the
// AMQP header's delivery-count, and the SDK adds one.
const queues = new Map();
let seq = 0;
function reset() {
  queues.clear();
  for (const q of (args.queues || "orders,inventory").split(",")) queues.set(q, { active: [], dead: [], seen: new Map() });
}
reset();

// entity resolves an address ("orders", "orders/$DeadLetterQueue") to its
// record list, or undefined for an unknown entity.
function entity(address) {
  const dead = address.endsWith(dlqSuffix);
  const q = queues.get(dead ? address.slice(0, -dlqSuffix.length) : address);
  return q && (dead ? q.dead : q.active);
}

// seenOf returns the duplicate-detection record of the queue at address
// (a sub-queue has none of its own).
function seenOf(address) {
  const q = queues.get(address);
  return q ? q.seen : new Map();
}

// enqueue adds a message to an active list, unless a message with its ID
// was accepted less than the duplicate window ago (seen maps IDs to when):
// then, as Service Bus, it accepts the send and drops the message.
function enqueue(list, seen, msg, at) {
  const id = msg.message_id === undefined ? undefined : String(msg.message_id);
  if (dupWindowMs > 0 && id !== undefined) {
    const first = seen.get(id);
    if (first !== undefined && at - first < dupWindowMs) return { seq: ++seq };
    seen.set(id, at);
  }
  const ann = msg.message_annotations || {};
  const sched = ann["x-opt-scheduled-enqueue-time"];
  const rec = { seq: ++seq, msg, enqueuedAt: at, scheduledAt: sched ? new Date(sched).getTime() : 0, count: 0, lock: null };
  list.push(rec);
  return rec;
}

// deadLetter moves a record to its queue's dead letters, setting props
// (DeadLetterReason, DeadLetterErrorDescription and any properties to
// modify) as application properties.
function deadLetter(address, rec, props) {
  const list = entity(address);
  list.splice(list.indexOf(rec), 1);
  rec.msg.application_properties = Object.assign({}, rec.msg.application_properties, props);
  rec.deadSource = address;
  rec.lock = null;
  rec.seq = ++seq;
  queues.get(address).dead.push(rec);
}

// annotate stamps the broker's annotations on a record's message.
function annotate(rec, state) {
  const ann = Object.assign({}, rec.msg.message_annotations);
  ann["x-opt-sequence-number"] = types.wrap_long(rec.seq);
  ann["x-opt-enqueued-time"] = types.wrap_timestamp(rec.enqueuedAt);
  ann["x-opt-message-state"] = types.wrap_int(state);
  if (rec.scheduledAt) ann["x-opt-scheduled-enqueue-time"] = types.wrap_timestamp(rec.scheduledAt);
  if (rec.lock) ann["x-opt-locked-until"] = types.wrap_timestamp(rec.lock.until);
  if (rec.deadSource) ann["x-opt-deadletter-source"] = rec.deadSource;
  rec.msg.message_annotations = ann;
  rec.msg.delivery_count = rec.count;
  return rec.msg;
}

const maxExceeded = () => ({ DeadLetterReason: "MaxDeliveryCountExceeded", DeadLetterErrorDescription: "Message could not be consumed after " + maxDelivery + " delivery attempts." });

// guid swaps the first three groups of a 16-byte id between RFC 4122 and
// .NET Guid byte order (the swap is its own inverse).
function guid(b) {
  const s = Buffer.from(b);
  s.subarray(0, 4).reverse(); s.subarray(4, 6).reverse(); s.subarray(6, 8).reverse();
  return s;
}

// links maps a queue address to the sender links that receive from it.
const links = new Map();

// credit is what a link may still take: rhea lowers link.credit only when
// it writes a transfer, not on send, so the peer counts its own sends.
const credit = (l) => l.credit + l.delivery_count - (l.sbSent || 0);

// pump expires locks and hands due messages to receivers with credit.
function pump() {
  const t = now();
  for (const [name, q] of queues) {
    for (const rec of q.active.concat(q.dead)) {
      if (rec.lock && rec.lock.until <= t) {
        rec.lock = null;
        if (++rec.count >= maxDelivery && !rec.deadSource) deadLetter(name, rec, maxExceeded());
      }
    }
    for (const [address, list] of [[name, q.active], [name + dlqSuffix, q.dead]]) {
      const receivers = (links.get(address) || []).filter((l) => l.is_open());
      for (const rec of list) {
        if (rec.lock || rec.scheduledAt > t) continue;
        const link = receivers.find((l) => credit(l) > 0);
        if (!link) break;
        const tag = crypto.randomBytes(16);
        rec.lock = { tag: tag.toString("hex"), until: t + lockMs };
        const msg = annotate(rec, 0);
        msg.delivery_annotations = { "x-opt-lock-token": types.wrap_uuid(guid(tag)) };
        link.sbSent = (link.sbSent || 0) + 1;
        rec.lock.delivery = link.send(msg, tag);
        rec.lock.address = address;
      }
    }
  }
}

// locked finds the record whose live lock has the tag (hex), or undefined.
function locked(tag) {
  const t = now();
  for (const [name, q] of queues) {
    for (const [address, list] of [[name, q.active], [name + dlqSuffix, q.dead]]) {
      const rec = list.find((r) => r.lock && r.lock.tag === tag);
      if (rec && rec.lock.until > t) return { rec, address, list };
    }
  }
  return undefined;
}

// settle applies an outcome to the message locked under tag, with props
// to set on it (an abandon's or a dead-lettering's properties to modify);
// it returns false when the lock was lost.
function settle(tag, kind, props) {
  const found = locked(tag);
  if (!found) return false;
  const { rec, address, list } = found;
  switch (kind) {
    case "completed":
      list.splice(list.indexOf(rec), 1);
      break;
    case "released":
      rec.lock = null;
      break;
    case "abandoned":
      rec.lock = null;
      rec.msg.application_properties = Object.assign({}, rec.msg.application_properties, props);
      if (++rec.count >= maxDelivery && !address.endsWith(dlqSuffix)) deadLetter(address, rec, maxExceeded());
      break;
    case "suspended":
      if (address.endsWith(dlqSuffix)) list.splice(list.indexOf(rec), 1);
      else deadLetter(address, rec, Object.assign({ DeadLetterReason: "", DeadLetterErrorDescription: "" }, props));
      break;
  }
  return true;
}

const lockLost = () => amqpmsg.rejected({ error: { condition: "com.microsoft:message-lock-lost", description: "The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue." } }).described();

function onOutcome(kind) {
  return (ctx) => {
    const d = ctx.delivery;
    let props = {};
    const state = d.remote_state || {};
    if (kind === "suspended") {
      const err = state.error || {};
      if (err.condition !== "com.microsoft:dead-letter") kind = "abandoned"; // a plain reject
      props = err.info || {};
    }
    if (kind === "abandoned" && state.undeliverable_here) kind = "released"; // defer is not supported
    if (kind === "abandoned" && state.message_annotations) props = state.message_annotations;
    const ok = settle(Buffer.from(d.tag).toString("hex"), kind, props);
    // Settle with the client's outcome, but never echo a rejected state:
    // the SDK would take it for a failure of the dead-lettering.
    if (!ok) d.update(true, lockLost());
    else d.update(true, kind === "suspended" ? undefined : d.remote_state.described());
    pump();
  };
}

// reply answers a request on the client's reply link.
function reply(conn, req, status, body) {
  const link = conn.find_sender((s) => s.remote.attach && s.remote.attach.target && s.remote.attach.target.address === req.reply_to);
  if (!link) return;
  const res = { correlation_id: req.message_id, application_properties: { "status-code": types.wrap_int(status), "status-description": status < 300 ? "OK" : "failed" } };
  if (body !== undefined) res.body = body;
  link.send(res);
}

// manage answers a $management request about the entity at address.
function manage(conn, address, req) {
  const op = (req.application_properties || {}).operation;
  const list = entity(address);
  const body = req.body || {};
  if (!list) return reply(conn, req, 404);
  switch (op) {
    case "com.microsoft:schedule-message": {
      const seqs = body.messages.map((m) => enqueue(list, seenOf(address), amqpmsg.decode(m.message), now()).seq);
      return reply(conn, req, 200, { "sequence-numbers": types.wrap_array(seqs, 0x81) });
    }
    case "com.microsoft:cancel-scheduled-message": {
      const drop = new Set(body["sequence-numbers"].map(Number));
      for (const rec of list.filter((r) => drop.has(r.seq) && !r.lock && r.count === 0)) list.splice(list.indexOf(rec), 1);
      return reply(conn, req, 200, {});
    }
    case "com.microsoft:peek-message": {
      const from = Number(body["from-sequence-number"] || 0);
      const found = list.filter((r) => r.seq >= from).sort((a, b) => a.seq - b.seq).slice(0, Number(body["message-count"] || 1));
      if (!found.length) return reply(conn, req, 204);
      const messages = found.map((r) => ({ message: amqpmsg.encode(annotate(r, r.scheduledAt > now() ? 2 : 0)) }));
      return reply(conn, req, 200, { messages });
    }
    case "com.microsoft:renew-lock": {
      const until = [];
      for (const token of body["lock-tokens"]) {
        const found = locked(guid(token).toString("hex"));
        if (!found) return reply(conn, req, 410, undefined);
        found.rec.lock.until = now() + lockMs;
        until.push(found.rec.lock.until);
      }
      return reply(conn, req, 200, { expirations: types.wrap_array(until, 0x83) });
    }
    case "com.microsoft:update-disposition": {
      for (const token of body["lock-tokens"]) {
        const props = Object.assign({}, body["properties-to-modify"]);
        if (body["disposition-status"] === "suspended") Object.assign(props, { DeadLetterReason: body["deadletter-reason"] || "", DeadLetterErrorDescription: body["deadletter-description"] || "" });
        if (!settle(guid(token).toString("hex"), body["disposition-status"], props)) return reply(conn, req, 410);
      }
      pump();
      return reply(conn, req, 200, {});
    }
    default:
      return reply(conn, req, 501);
  }
}

const container = rhea.create_container({ id: "sbpeer" });
container.on("sender_open", (ctx) => {
  const link = ctx.sender;
  const address = link.remote.attach.source && link.remote.attach.source.address;
  link.set_source({ address: link.remote.attach.source && link.remote.attach.source.address });
  link.set_target({ address: link.remote.attach.target && link.remote.attach.target.address });
  link.local.attach.snd_settle_mode = link.remote.attach.snd_settle_mode;
  link.local.attach.rcv_settle_mode = link.remote.attach.rcv_settle_mode;
  if (address === "$cbs" || address.endsWith("/$management")) return; // a reply link
  if (!entity(address)) return link.close({ condition: "amqp:not-found", description: "The messaging entity '" + address + "' could not be found." });
  links.set(address, (links.get(address) || []).concat(link));
});
container.on("receiver_open", (ctx) => {
  const link = ctx.receiver;
  const address = link.remote.attach.target && link.remote.attach.target.address;
  link.set_source({ address: link.remote.attach.source && link.remote.attach.source.address });
  link.set_target({ address: link.remote.attach.target && link.remote.attach.target.address });
  link.local.attach.max_message_size = 1024 * 1024;
  if (address === "$cbs" || address.endsWith("/$management")) return;
  if (!entity(address)) link.close({ condition: "amqp:not-found", description: "The messaging entity '" + address + "' could not be found." });
});
container.on("message", (ctx) => {
  const address = ctx.receiver.remote.attach.target.address;
  if (address === "$cbs") return reply(ctx.connection, ctx.message, 200);
  if (address.endsWith("/$management")) return manage(ctx.connection, address.slice(0, -"/$management".length), ctx.message);
  const list = entity(address);
  const msgs = ctx.format === batchFormat ? [].concat(amqpmsg.decode(ctx.message).body.content).map((b) => amqpmsg.decode(b)) : [ctx.message];
  for (const m of msgs) enqueue(list, seenOf(address), m, now());
  pump();
});
container.on("sendable", pump);
for (const [event, kind] of [["accepted", "completed"], ["released", "released"], ["modified", "abandoned"], ["rejected", "suspended"]]) {
  container.on(event, onOutcome(kind));
}
container.on("sender_close", (ctx) => {
  for (const [address, list] of links) links.set(address, list.filter((l) => l !== ctx.sender));
});
container.on("disconnected", () => {});
container.on("error", (err) => console.error("sbpeer:", err));
setInterval(() => { try { pump(); } catch (e) { console.error("sbpeer pump:", e); } }, 50);

const server = container.listen({ port: Number(args.port || 0), host: "127.0.0.1", treat_modified_as_released: false, autoaccept: true, tcp_no_delay: true });
server.on("listening", () => {
  const control = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (req.method === "POST" && url.pathname === "/advance") {
      offset += Number(url.searchParams.get("ms") || 0);
      pump();
    } else if (req.method === "POST" && url.pathname === "/reset") {
      reset();
      offset = 0;
    } else if (req.method === "GET" && url.pathname === "/pending") {
      const q = queues.get(url.searchParams.get("queue"));
      return res.end(String(q ? q.active.length : -1));
    } else if (!(req.method === "GET" && url.pathname === "/now")) {
      res.writeHead(404);
      return res.end();
    }
    res.end(String(now()));
  });
  control.listen(0, "127.0.0.1", () => console.log(JSON.stringify({ amqp: server.address().port, control: control.address().port })));
});
