-- The customer of each signed-in buyer's order (a guest's has no row),
-- written with its checkout or by a claim; indexed for the order history.
CREATE TABLE order_customers (
    order_id    NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_order_customers PRIMARY KEY,
    customer_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at  BIGINT       NOT NULL
);

CREATE INDEX order_customers_customer ON order_customers (customer_id, order_id);

-- The erasures of customers whose orders were redacted: the audit that
-- outlives the customer.
CREATE TABLE customer_erasures (
    customer_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_customer_erasures PRIMARY KEY,
    orders      INT          NOT NULL,
    erased_at   BIGINT       NOT NULL
);
