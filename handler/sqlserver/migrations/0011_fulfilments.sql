-- Partial fulfilment: shipments of orders, each from one location
-- (idem_key is the request's Idempotency-Key, or the fulfilment's ID
-- without one), and what has shipped of an order's units of a SKU at a
-- location, which one conditional UPDATE keeps within what is allocated
-- there. The file runs in one transaction under the schema lock.
CREATE TABLE fulfilments (
    id              NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_fulfilments PRIMARY KEY,
    order_id        NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    idem_key        NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    request_hash    NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    location_id     NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    lines           NVARCHAR(MAX) NOT NULL,
    tracking_number NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    carrier         NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at      BIGINT        NOT NULL,
    CONSTRAINT uq_fulfilments_key UNIQUE (order_id, idem_key)
);

CREATE TABLE shipped_units (
    order_id    NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    sku         NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    location_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    quantity    INT NOT NULL CONSTRAINT ck_shipped_units_quantity CHECK (quantity >= 0),
    CONSTRAINT pk_shipped_units PRIMARY KEY (order_id, sku, location_id)
);
