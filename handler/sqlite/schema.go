package sqlite

// documentSchema holds the catalog, the carts, the customers and the
// embedded queue.
var documentSchema = []string{
	`CREATE TABLE IF NOT EXISTS products (
		id       TEXT PRIMARY KEY,
		handle   TEXT NOT NULL UNIQUE,
		category TEXT NOT NULL,
		status   TEXT NOT NULL,
		search   TEXT NOT NULL,
		version  INTEGER NOT NULL,
		doc      TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS products_status_category ON products (status, category, id)`,
	`CREATE TABLE IF NOT EXISTS variants (
		sku        TEXT PRIMARY KEY,
		product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE
	)`,
	`CREATE INDEX IF NOT EXISTS variants_product ON variants (product_id)`,
	// The listing's indexes of each product (written with it, see
	// indexProduct): its lowest price per currency, its attribute and
	// option terms (commerce.Product.Terms) and its title key, so that
	// sorting and filtering read indexes, not documents.
	`CREATE TABLE IF NOT EXISTS product_prices (
		currency   TEXT NOT NULL,
		product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
		amount     INTEGER NOT NULL,
		PRIMARY KEY (currency, product_id)
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS product_prices_amount ON product_prices (currency, amount, product_id)`,
	`CREATE INDEX IF NOT EXISTS product_prices_product ON product_prices (product_id)`,
	`CREATE TABLE IF NOT EXISTS product_terms (
		term       TEXT NOT NULL,
		product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
		PRIMARY KEY (term, product_id)
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS product_terms_product ON product_terms (product_id)`,
	`CREATE TABLE IF NOT EXISTS product_titles (
		product_id TEXT PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
		title_key  TEXT NOT NULL
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS product_titles_key ON product_titles (title_key, product_id)`,
	// Words of each product's title and description for q: English
	// stemming (porter) over unicode61 with case and diacritics folded.
	`CREATE VIRTUAL TABLE IF NOT EXISTS product_text USING fts5(
		product_id UNINDEXED, title, description,
		tokenize = 'porter unicode61 remove_diacritics 2'
	)`,
	`CREATE TABLE IF NOT EXISTS carts (
		id         TEXT PRIMARY KEY,
		version    INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		doc        TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS carts_expires_at ON carts (expires_at)`,
	// Customers: subject_key is the hash of issuer and subject (one customer
	// per pair), email_key the hash of the lower-cased email ('' for none).
	`CREATE TABLE IF NOT EXISTS customers (
		id          TEXT PRIMARY KEY,
		subject_key TEXT NOT NULL UNIQUE,
		email_key   TEXT NOT NULL,
		version     INTEGER NOT NULL,
		doc         TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS customers_email ON customers (email_key, id)`,
	// Category documents: names and order (category.go).
	`CREATE TABLE IF NOT EXISTS categories (
		id       TEXT PRIMARY KEY,
		name     TEXT NOT NULL,
		position INTEGER NOT NULL
	)`,
	// Price lists: one JSON document each (pricelist.go).
	`CREATE TABLE IF NOT EXISTS price_lists (
		id      TEXT PRIMARY KEY,
		version INTEGER NOT NULL,
		doc     TEXT NOT NULL
	)`,
	// Shipping options and tax rates (by country): one JSON document
	// each (shipping.go).
	`CREATE TABLE IF NOT EXISTS shipping_options (
		id      TEXT PRIMARY KEY,
		version INTEGER NOT NULL,
		doc     TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS tax_rates (
		id      TEXT PRIMARY KEY,
		version INTEGER NOT NULL,
		doc     TEXT NOT NULL
	)`,
	// The embedded queue (queue.go). Times are Unix nanoseconds. visible_at
	// is when a message is next due: its scheduled time, or its lock expiry.
	`CREATE TABLE IF NOT EXISTS queue_messages (
		seq            INTEGER PRIMARY KEY AUTOINCREMENT,
		queue          TEXT NOT NULL,
		message_id     TEXT NOT NULL,
		type           TEXT NOT NULL,
		body           BLOB,
		attributes     TEXT,
		enqueued_at    INTEGER NOT NULL,
		scheduled_at   INTEGER,
		visible_at     INTEGER NOT NULL,
		delivery_count INTEGER NOT NULL DEFAULT 0,
		lock_token     TEXT
	)`,
	`CREATE INDEX IF NOT EXISTS queue_messages_due ON queue_messages (queue, visible_at, seq)`,
	`CREATE UNIQUE INDEX IF NOT EXISTS queue_messages_lock ON queue_messages (lock_token)`,
	`CREATE TABLE IF NOT EXISTS queue_deadletters (
		seq              INTEGER PRIMARY KEY AUTOINCREMENT,
		queue            TEXT NOT NULL,
		message_id       TEXT NOT NULL,
		type             TEXT NOT NULL,
		body             BLOB,
		attributes       TEXT,
		delivery_count   INTEGER NOT NULL,
		reason           TEXT NOT NULL,
		enqueued_at      INTEGER NOT NULL,
		dead_lettered_at INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS queue_deadletters_queue ON queue_deadletters (queue, seq)`,
	`CREATE TABLE IF NOT EXISTS queue_dedup (
		queue       TEXT NOT NULL,
		message_id  TEXT NOT NULL,
		accepted_at INTEGER NOT NULL,
		PRIMARY KEY (queue, message_id)
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS queue_dedup_accepted ON queue_dedup (accepted_at)`,
}

// addedColumns are columns added to tables after their first release: a
// file made before gets them at open.
var addedColumns = []struct{ table, column, decl string }{
	{"queue_messages", "attributes", "TEXT"},
	{"queue_deadletters", "attributes", "TEXT"},
	// A file made before committed stock and fulfilment gets their columns.
	{"inventory", "committed", "INTEGER NOT NULL DEFAULT 0 CHECK (committed >= 0)"},
	{"orders", "fulfilled_at", "INTEGER NOT NULL DEFAULT 0"},
	// The outbox's trace attributes and write time (telemetry).
	{"outbox", "attributes", "TEXT"},
	{"outbox", "created_at", "INTEGER NOT NULL DEFAULT 0"},
	// A message its queue refused for good is parked (a dead letter of
	// the outbox) until staff re-drive it.
	{"outbox", "parked_at", "INTEGER NOT NULL DEFAULT 0"},
	{"outbox", "park_reason", "TEXT"},
	// A SKU's low-stock threshold (-1: none) and whether its available
	// count is at or below it (inventory.low_stock fires on the crossing).
	{"inventory", "low_stock_threshold", "INTEGER NOT NULL DEFAULT -1"},
	{"inventory", "low_stock", "INTEGER NOT NULL DEFAULT 0"},
}

// relationalSchema holds the tables package sqlstore writes: inventory,
// checkouts, reservations, the outbox and orders. Times are Unix nanoseconds.
var relationalSchema = []string{
	`CREATE TABLE IF NOT EXISTS inventory (
		sku        TEXT PRIMARY KEY,
		on_hand    INTEGER NOT NULL CHECK (on_hand >= 0),
		reserved   INTEGER NOT NULL CHECK (reserved >= 0),
		committed  INTEGER NOT NULL DEFAULT 0 CHECK (committed >= 0),
		updated_at INTEGER NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS stock_sources (
		sku      TEXT NOT NULL,
		source   TEXT NOT NULL,
		sequence INTEGER NOT NULL,
		PRIMARY KEY (sku, source)
	)`,
	`CREATE TABLE IF NOT EXISTS checkouts (
		id              TEXT PRIMARY KEY,
		idempotency_key TEXT NOT NULL UNIQUE,
		order_id        TEXT NOT NULL UNIQUE,
		status          TEXT NOT NULL,
		payment_id      TEXT NOT NULL,
		next_action     TEXT NOT NULL,
		lease_until     INTEGER NOT NULL,
		response_status INTEGER NOT NULL,
		response_body   BLOB,
		reserved_until  INTEGER NOT NULL,
		created_at      INTEGER NOT NULL,
		updated_at      INTEGER NOT NULL,
		doc             TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS checkouts_status ON checkouts (status, reserved_until)`,
	`CREATE TABLE IF NOT EXISTS reservations (
		checkout_id TEXT NOT NULL,
		sku         TEXT NOT NULL,
		quantity    INTEGER NOT NULL,
		status      TEXT NOT NULL,
		PRIMARY KEY (checkout_id, sku)
	)`,
	`CREATE TABLE IF NOT EXISTS cart_checkouts (
		cart_id     TEXT PRIMARY KEY,
		checkout_id TEXT NOT NULL UNIQUE
	)`,
	`CREATE TABLE IF NOT EXISTS client_slots (
		client      TEXT NOT NULL,
		slot        INTEGER NOT NULL,
		checkout_id TEXT NOT NULL UNIQUE,
		PRIMARY KEY (client, slot)
	)`,
	// The units one client holds in checkouts waiting for the buyer, per
	// SKU and in all (sku '*'), and the checkouts counted there.
	`CREATE TABLE IF NOT EXISTS client_units (
		client TEXT NOT NULL,
		sku    TEXT NOT NULL,
		units  INTEGER NOT NULL,
		PRIMARY KEY (client, sku)
	)`,
	`CREATE TABLE IF NOT EXISTS client_held (
		checkout_id TEXT PRIMARY KEY,
		client      TEXT NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS outbox (
		seq          INTEGER PRIMARY KEY AUTOINCREMENT,
		queue        TEXT NOT NULL,
		message_id   TEXT NOT NULL,
		type         TEXT NOT NULL,
		body         BLOB NOT NULL,
		scheduled_at INTEGER NOT NULL,
		attributes   TEXT,
		created_at   INTEGER NOT NULL DEFAULT 0,
		parked_at    INTEGER NOT NULL DEFAULT 0,
		park_reason  TEXT
	)`,
	`CREATE TABLE IF NOT EXISTS orders (
		id           TEXT PRIMARY KEY,
		checkout_id  TEXT NOT NULL UNIQUE,
		status       TEXT NOT NULL,
		restocked    INTEGER NOT NULL,
		created_at   INTEGER NOT NULL,
		cancelled_at INTEGER NOT NULL,
		fulfilled_at INTEGER NOT NULL DEFAULT 0,
		doc          TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS orders_status ON orders (status, id)`,
	// Shipments of orders, each from one location; idem_key is the
	// request's Idempotency-Key, or the fulfilment's ID without one.
	`CREATE TABLE IF NOT EXISTS fulfilments (
		id              TEXT PRIMARY KEY,
		order_id        TEXT NOT NULL,
		idem_key        TEXT NOT NULL,
		request_hash    TEXT NOT NULL,
		location_id     TEXT NOT NULL,
		lines           TEXT NOT NULL,
		tracking_number TEXT NOT NULL,
		carrier         TEXT NOT NULL,
		created_at      INTEGER NOT NULL,
		UNIQUE (order_id, idem_key)
	)`,
	// What has shipped of an order's units of a SKU at a location.
	`CREATE TABLE IF NOT EXISTS shipped_units (
		order_id    TEXT NOT NULL,
		sku         TEXT NOT NULL,
		location_id TEXT NOT NULL,
		quantity    INTEGER NOT NULL CHECK (quantity >= 0),
		PRIMARY KEY (order_id, sku, location_id)
	)`,
	// Refunds of orders: key is the provider's idempotency key; status is
	// pending until the provider answers, then succeeded or failed
	// (failure_code says why); attempts counts calls that got no answer.
	`CREATE TABLE IF NOT EXISTS refunds (
		id           TEXT PRIMARY KEY,
		order_id     TEXT NOT NULL,
		payment_id   TEXT NOT NULL,
		amount       INTEGER NOT NULL CHECK (amount > 0),
		currency     TEXT NOT NULL,
		reason       TEXT NOT NULL,
		idem_key     TEXT NOT NULL UNIQUE,
		status       TEXT NOT NULL,
		failure_code TEXT NOT NULL DEFAULT '',
		attempts     INTEGER NOT NULL DEFAULT 0,
		created_at   INTEGER NOT NULL,
		settled_at   INTEGER NOT NULL DEFAULT 0
	)`,
	`CREATE INDEX IF NOT EXISTS refunds_order ON refunds (order_id, created_at)`,
	// Shopify orders applied to the stock pool: the row is the key that
	// decides each action once; its lines say what create committed, and
	// what Shopify sold that shopfn did not have (shortfall) or never
	// stocked (unknown).
	`CREATE TABLE IF NOT EXISTS shopify_orders (
		order_id   TEXT PRIMARY KEY,
		status     TEXT NOT NULL,
		created_at INTEGER NOT NULL,
		updated_at INTEGER NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS shopify_order_lines (
		order_id  TEXT NOT NULL,
		sku       TEXT NOT NULL,
		ordered   INTEGER NOT NULL,
		committed INTEGER NOT NULL,
		shortfall INTEGER NOT NULL,
		unknown   INTEGER NOT NULL,
		PRIMARY KEY (order_id, sku)
	)`,
	// Order emails, one row per event and recipient (a hash of the
	// address): claimed before the send (status sending, claimed_until),
	// marked sent or failed after it.
	`CREATE TABLE IF NOT EXISTS email_sends (
		event_id      TEXT NOT NULL,
		recipient     TEXT NOT NULL,
		status        TEXT NOT NULL,
		claimed_until INTEGER NOT NULL,
		attempts      INTEGER NOT NULL,
		reason        TEXT NOT NULL,
		updated_at    INTEGER NOT NULL,
		PRIMARY KEY (event_id, recipient)
	)`,
	// The customer of each signed-in buyer's order (a guest's has no row),
	// written with its checkout or by a claim; indexed for the history.
	`CREATE TABLE IF NOT EXISTS order_customers (
		order_id    TEXT PRIMARY KEY,
		customer_id TEXT NOT NULL,
		created_at  INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS order_customers_customer ON order_customers (customer_id, order_id)`,
	// Pending product and customer events, when the event log is in
	// another database (Azure SQL): written in the transaction of the
	// change, relayed to the log in seq order, then deleted (Outbox).
	`CREATE TABLE IF NOT EXISTS document_events (
		seq     INTEGER PRIMARY KEY AUTOINCREMENT,
		id      TEXT NOT NULL UNIQUE,
		subject TEXT NOT NULL,
		body    TEXT NOT NULL
	)`,
	// The erasures of customers whose orders were redacted: the audit
	// that outlives the customer.
	`CREATE TABLE IF NOT EXISTS customer_erasures (
		customer_id TEXT PRIMARY KEY,
		orders      INTEGER NOT NULL,
		erased_at   INTEGER NOT NULL
	)`,
	// The event log (package events): position is global and gap-free,
	// taken from event_head in the transaction that writes the event;
	// event_subjects holds each subject's last sequence; event_consumers
	// each consumer's durable position.
	`CREATE TABLE IF NOT EXISTS events (
		position   INTEGER PRIMARY KEY,
		id         TEXT NOT NULL UNIQUE,
		type       TEXT NOT NULL,
		subject    TEXT NOT NULL,
		sequence   INTEGER NOT NULL,
		created_at INTEGER NOT NULL,
		body       TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS events_type ON events (type, position)`,
	`CREATE INDEX IF NOT EXISTS events_created ON events (created_at)`,
	`CREATE TABLE IF NOT EXISTS event_head (
		id       INTEGER PRIMARY KEY,
		position INTEGER NOT NULL
	)`,
	`CREATE TABLE IF NOT EXISTS event_subjects (
		subject  TEXT PRIMARY KEY,
		sequence INTEGER NOT NULL
	) WITHOUT ROWID`,
	`CREATE TABLE IF NOT EXISTS event_consumers (
		name        TEXT PRIMARY KEY,
		position    INTEGER NOT NULL,
		updated_at  INTEGER NOT NULL,
		lease_owner TEXT NOT NULL DEFAULT '',
		lease_until INTEGER NOT NULL DEFAULT 0
	) WITHOUT ROWID`,
	// Webhook subscriptions (package webhook): secrets sealed with the
	// webhook sealing key; old_secret signs too until old_until (a
	// rotation's overlap). failing_since is when every delivery began
	// failing (0: the last succeeded).
	`CREATE TABLE IF NOT EXISTS webhook_subscriptions (
		id              TEXT PRIMARY KEY,
		url             TEXT NOT NULL,
		events          TEXT NOT NULL,
		description     TEXT NOT NULL,
		secret          TEXT NOT NULL,
		old_secret      TEXT NOT NULL DEFAULT '',
		old_until       INTEGER NOT NULL DEFAULT 0,
		created_at      INTEGER NOT NULL,
		failing_since   INTEGER NOT NULL DEFAULT 0,
		disabled_at     INTEGER NOT NULL DEFAULT 0,
		disabled_reason TEXT NOT NULL DEFAULT ''
	)`,
	// One delivery per subscription and event: its attempts, its outcome
	// and when it is next due.
	`CREATE TABLE IF NOT EXISTS webhook_deliveries (
		id              TEXT PRIMARY KEY,
		subscription_id TEXT NOT NULL,
		event_id        TEXT NOT NULL,
		event_type      TEXT NOT NULL,
		body            TEXT NOT NULL,
		status          TEXT NOT NULL,
		attempts        INTEGER NOT NULL DEFAULT 0,
		first_attempt_at INTEGER NOT NULL DEFAULT 0,
		next_attempt_at INTEGER NOT NULL,
		lease_until     INTEGER NOT NULL DEFAULT 0,
		last_status     INTEGER NOT NULL DEFAULT 0,
		last_error      TEXT NOT NULL DEFAULT '',
		last_duration_ms INTEGER NOT NULL DEFAULT 0,
		created_at      INTEGER NOT NULL,
		UNIQUE (subscription_id, event_id)
	)`,
	`CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)`,
	`CREATE INDEX IF NOT EXISTS webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at)`,
	// Promotions (sqlstore/promotion.go): code_key is the code in lower
	// case ("#" and the ID without one), unique, so that two promotions
	// never share a code; used and reserved count the redemptions of a
	// promotion with a usage_limit, which one conditional UPDATE each
	// keeps within it. Without a limit they are not kept (no hot row):
	// the redemptions are counted instead (promotionredeem.go).
	`CREATE TABLE IF NOT EXISTS promotions (
		id                 TEXT PRIMARY KEY,
		code_key           TEXT NOT NULL UNIQUE,
		version            INTEGER NOT NULL,
		usage_limit        INTEGER,
		per_customer_limit INTEGER,
		refundable         INTEGER NOT NULL,
		used               INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
		reserved           INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
		doc                TEXT NOT NULL
	)`,
	// The redemption of a promotion by a checkout: reserved, used (paid),
	// released (never paid) or returned (a refundable order cancelled);
	// each transition is one conditional UPDATE of this row, so that a
	// redelivered message moves a counter once.
	`CREATE TABLE IF NOT EXISTS promotion_redemptions (
		checkout_id  TEXT NOT NULL,
		promotion_id TEXT NOT NULL,
		customer_id  TEXT NOT NULL,
		status       TEXT NOT NULL,
		PRIMARY KEY (checkout_id, promotion_id)
	)`,
	// Counts a promotion's redemptions by status.
	`CREATE INDEX IF NOT EXISTS promotion_redemptions_status ON promotion_redemptions (promotion_id, status)`,
	// What each customer holds of a promotion with a per-customer limit:
	// reserved and used redemptions, kept within the limit by one
	// conditional UPDATE.
	`CREATE TABLE IF NOT EXISTS promotion_customers (
		promotion_id TEXT NOT NULL,
		customer_id  TEXT NOT NULL,
		uses         INTEGER NOT NULL CHECK (uses >= 0),
		PRIMARY KEY (promotion_id, customer_id)
	)`,
}
