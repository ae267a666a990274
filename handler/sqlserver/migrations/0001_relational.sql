-- shopfn's relational tables on Azure SQL / SQL Server: the T-SQL twin of
-- handler/sqlite/schema.go's relational part. Times are Unix nanoseconds.
-- Text that keys or filters is NVARCHAR, as go-mssqldb sends Go strings;
-- JSON documents are NVARCHAR(MAX), opaque bodies VARBINARY(MAX).
-- Every key and filter column compares in binary (Latin1_General_100_BIN2),
-- as SQLite and Cosmos DB do: SKUs, IDs and idempotency keys are
-- case-sensitive, so "LAMP-1" and "lamp-1" never share a stock row, and
-- ID order is code-point order, the order keyset paging expects.
CREATE TABLE inventory (
    sku        NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_inventory PRIMARY KEY,
    on_hand    BIGINT        NOT NULL CONSTRAINT ck_inventory_on_hand CHECK (on_hand >= 0),
    reserved   BIGINT        NOT NULL CONSTRAINT ck_inventory_reserved CHECK (reserved >= 0),
    committed  BIGINT        NOT NULL CONSTRAINT df_inventory_committed DEFAULT 0
                                      CONSTRAINT ck_inventory_committed CHECK (committed >= 0),
    updated_at BIGINT        NOT NULL
);

CREATE TABLE stock_sources (
    sku      NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    source   NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    sequence BIGINT        NOT NULL,
    CONSTRAINT pk_stock_sources PRIMARY KEY (sku, source)
);

CREATE TABLE checkouts (
    id              NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NOT NULL CONSTRAINT pk_checkouts PRIMARY KEY,
    idempotency_key NVARCHAR(255) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT uq_checkouts_key UNIQUE,
    order_id        NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NOT NULL CONSTRAINT uq_checkouts_order UNIQUE,
    status          NVARCHAR(32) COLLATE Latin1_General_100_BIN2   NOT NULL,
    payment_id      NVARCHAR(255) COLLATE Latin1_General_100_BIN2  NOT NULL,
    next_action     NVARCHAR(MAX)  NOT NULL,
    lease_until     BIGINT         NOT NULL,
    response_status INT            NOT NULL,
    response_body   VARBINARY(MAX) NULL,
    reserved_until  BIGINT         NOT NULL,
    created_at      BIGINT         NOT NULL,
    updated_at      BIGINT         NOT NULL,
    doc             NVARCHAR(MAX)  NOT NULL
);

CREATE INDEX checkouts_status ON checkouts (status, reserved_until);

CREATE TABLE reservations (
    checkout_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    sku         NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    quantity    INT           NOT NULL,
    status      NVARCHAR(16) COLLATE Latin1_General_100_BIN2  NOT NULL,
    CONSTRAINT pk_reservations PRIMARY KEY (checkout_id, sku)
);

CREATE TABLE outbox (
    seq          BIGINT IDENTITY (1, 1) NOT NULL CONSTRAINT pk_outbox PRIMARY KEY,
    queue        NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NOT NULL,
    message_id   NVARCHAR(255) COLLATE Latin1_General_100_BIN2  NOT NULL,
    type         NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NOT NULL,
    body         VARBINARY(MAX) NOT NULL,
    scheduled_at BIGINT         NOT NULL
);

CREATE TABLE orders (
    id           NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_orders PRIMARY KEY,
    checkout_id  NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT uq_orders_checkout UNIQUE,
    status       NVARCHAR(32) COLLATE Latin1_General_100_BIN2  NOT NULL,
    restocked    INT           NOT NULL,
    created_at   BIGINT        NOT NULL,
    cancelled_at BIGINT        NOT NULL,
    fulfilled_at BIGINT        NOT NULL CONSTRAINT df_orders_fulfilled DEFAULT 0,
    doc          NVARCHAR(MAX) NOT NULL
);

CREATE INDEX orders_status ON orders (status, id);
