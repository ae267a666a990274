-- Shopify orders applied to the stock pool (POST /api/webhooks/shopify):
-- the order's row is the key that decides each action (create, cancel,
-- fulfil) once; its lines say what create committed, and what Shopify
-- sold that shopfn did not have (shortfall) or never stocked (unknown).
CREATE TABLE shopify_orders (
    order_id   NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_shopify_orders PRIMARY KEY,
    status     NVARCHAR(16) COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL
);

CREATE TABLE shopify_order_lines (
    order_id  NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    sku       NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    ordered   BIGINT        NOT NULL,
    committed BIGINT        NOT NULL,
    shortfall BIGINT        NOT NULL,
    unknown   BIT           NOT NULL,
    CONSTRAINT pk_shopify_order_lines PRIMARY KEY (order_id, sku)
);
