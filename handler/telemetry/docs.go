package telemetry

// MetricDoc documents one metric shopfn exports: what its labels take and
// what it counts (Markdown).
type MetricDoc struct {
	Name   string // the Prometheus name
	Labels string
	What   string
}

// MetricDocs documents every metric shopfn exports, in the README's order.
// README.md's metrics table is generated from it together with each
// metric's type as scraped (TestReadmeReference in package main), which
// fails when a metric is exported without a doc here, or documented here
// and not exported.
var MetricDocs = []MetricDoc{
	{Name: "shopfn_http_requests_total", Labels: "`route` (template, e.g. `/api/products/{idOrHandle}`), `method`, `status_class` (`2xx`..`5xx`)",
		What: "HTTP requests; a request whose client closed the connection before the answer, and whose work stopped because of it, is recorded as 499 (`4xx`, as in the access log), so that clients giving up do not page as server errors"},
	{Name: "shopfn_http_request_duration_seconds", Labels: "same",
		What: "HTTP latency (buckets 1 ms to 10 s)"},
	{Name: "shopfn_checkouts_total", Labels: "`outcome`: `paid`, `requires_action`, `processing`, `declined`, `insufficient_stock`, `cart_closed`, `price_changed`, `rejected` (other 4xx, and 499), `error` (5xx)",
		What: "checkout requests (replays not counted again)"},
	{Name: "shopfn_reservations_total", Labels: "`event`: `made`, `released` (declined), `expired`",
		What: "stock reservations (one per checkout)"},
	{Name: "shopfn_orders_placed_total", Labels: "",
		What: "orders placed by the `orders` function"},
	{Name: "shopfn_queue_messages_total", Labels: "`queue`, `type`, `result`: `handled`, `retried`, `dead_lettered`",
		What: "deliveries to the queue functions; `dead_lettered` is a failure on the last allowed delivery (`SHOPFN_MAX_DELIVERY_COUNT`)"},
	{Name: "shopfn_outbox_backlog", Labels: "",
		What: "outbox messages not yet published"},
	{Name: "shopfn_outbox_oldest_age_seconds", Labels: "",
		What: "age of the oldest of them (0 when none)"},
	{Name: "shopfn_outbox_parked", Labels: "",
		What: "outbox messages the relay parked (a message the queue refused): dead letters waiting for staff to re-drive (`GET /api/admin/deadletters`)"},
	{Name: "shopfn_catalog_cache_lookups_total", Labels: "`cache`: `responses`, `variants`; `result`: `hit`, `miss`",
		What: "catalog cache lookups"},
	{Name: "shopfn_store_calls_total", Labels: "`operation` (e.g. `sqlstore.mark paid`, `sqlite.read cart`, `cosmos.read carts`), `outcome`: `ok`, `error` (the database failed or could not be reached; a store's answer, such as not found, out of stock or a changed ETag, is `ok`)",
		What: "relational store transactions, SQLite document store calls, Cosmos DB requests (see below)"},
	{Name: "shopfn_store_call_duration_seconds", Labels: "`operation`",
		What: "their latency"},
	{Name: "shopfn_store_request_charge_total", Labels: "`operation` (`cosmos.…`)",
		What: "Cosmos DB request units, from each response's `x-ms-request-charge`"},
}
