// Package memstore holds in-memory adapters of shopfn's store interfaces
// and of its queue, for fast unit tests of the rules packages (cart,
// checkout). They pass the same storetest conformance suites as the SQLite,
// Cosmos DB and SQL Server adapters, with the same error codes (the queue
// suite's durability case aside: memory does not outlive the Queue). Every
// method takes its store's mutex for its whole run, so each call is one
// atomic, conditional decision, as one transaction or one conditional
// statement is on a real store, and a refused call changes nothing.
//
// Documents (products, carts) are kept JSON-encoded, as the document stores
// keep them, so that a caller never shares memory with the store and values
// round-trip exactly as they do through SQLite or Cosmos DB. The relational
// stores (inventory, checkouts, orders, outbox) share one DB, as they share
// one database elsewhere: a checkout's reservation, its outbox messages and
// its order's stock commit change together under one lock.
//
// Nothing in production is wired to memstore; the data lives only as long
// as the process.
package memstore
