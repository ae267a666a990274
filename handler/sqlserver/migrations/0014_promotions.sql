-- Promotions and their redemptions. code_key is the code in lower case
-- ("#" and the ID for a promotion without one), unique, so that two
-- promotions never share a code in any case; used and reserved count
-- redemptions, which one conditional UPDATE each keeps within
-- usage_limit. A redemption row moves reserved -> used | released, and
-- used -> returned, each by one conditional UPDATE, so that a redelivered
-- message moves a counter once. promotion_customers holds what each
-- customer has of a promotion with a per-customer limit. The file runs in
-- one transaction under the schema lock.
CREATE TABLE promotions (
    id                 NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_promotions PRIMARY KEY,
    code_key           NVARCHAR(80) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT uq_promotions_code UNIQUE,
    version            BIGINT        NOT NULL,
    usage_limit        BIGINT        NULL,
    per_customer_limit BIGINT        NULL,
    refundable         INT           NOT NULL,
    used               BIGINT        NOT NULL CONSTRAINT df_promotions_used DEFAULT 0 CONSTRAINT ck_promotions_used CHECK (used >= 0),
    reserved           BIGINT        NOT NULL CONSTRAINT df_promotions_reserved DEFAULT 0 CONSTRAINT ck_promotions_reserved CHECK (reserved >= 0),
    doc                NVARCHAR(MAX) NOT NULL
);

CREATE TABLE promotion_redemptions (
    checkout_id  NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    promotion_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    customer_id  NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    status       NVARCHAR(16) COLLATE Latin1_General_100_BIN2 NOT NULL,
    CONSTRAINT pk_promotion_redemptions PRIMARY KEY (checkout_id, promotion_id)
);

CREATE TABLE promotion_customers (
    promotion_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    customer_id  NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    uses         BIGINT NOT NULL CONSTRAINT ck_promotion_customers_uses CHECK (uses >= 0),
    CONSTRAINT pk_promotion_customers PRIMARY KEY (promotion_id, customer_id)
);
