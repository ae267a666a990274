-- Moves of an order's unshipped units between locations (idem_key is the
-- request's Idempotency-Key, or the move's ID without one). The file runs
-- in one transaction under the schema lock.
CREATE TABLE allocation_moves (
    id            NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_allocation_moves PRIMARY KEY,
    order_id      NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    idem_key      NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    request_hash  NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    sku           NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    from_location NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    to_location   NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    quantity      INT           NOT NULL,
    created_at    BIGINT        NOT NULL,
    CONSTRAINT uq_allocation_moves_key UNIQUE (order_id, idem_key)
);
