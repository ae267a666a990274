-- Refunds of orders: a cancelled order's refund in full, or the refund of
-- the unshipped remainder of a partially fulfilled order. idem_key is the
-- payment provider's idempotency key; status is pending until the provider
-- answers, then succeeded or failed (failure_code says why); attempts
-- counts calls that got no answer. The file runs in one transaction under
-- the schema lock.
CREATE TABLE refunds (
    id           NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_refunds PRIMARY KEY,
    order_id     NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    payment_id   NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    amount       BIGINT        NOT NULL CONSTRAINT ck_refunds_amount CHECK (amount > 0),
    currency     NVARCHAR(3) COLLATE Latin1_General_100_BIN2   NOT NULL,
    reason       NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    idem_key     NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT uq_refunds_key UNIQUE,
    status       NVARCHAR(16) COLLATE Latin1_General_100_BIN2  NOT NULL,
    failure_code NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT df_refunds_failure DEFAULT '',
    attempts     INT           NOT NULL CONSTRAINT df_refunds_attempts DEFAULT 0,
    created_at   BIGINT        NOT NULL,
    settled_at   BIGINT        NOT NULL CONSTRAINT df_refunds_settled DEFAULT 0
);

CREATE INDEX ix_refunds_order ON refunds (order_id, created_at);
