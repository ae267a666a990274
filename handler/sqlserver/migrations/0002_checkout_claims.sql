-- A cart's one live checkout, and the slots of checkouts waiting for 3-D
-- Secure that one client holds: each decided by a primary key.
CREATE TABLE cart_checkouts (
    cart_id     NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_cart_checkouts PRIMARY KEY,
    checkout_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT uq_cart_checkouts_checkout UNIQUE
);

CREATE TABLE client_slots (
    client      NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    slot        INT           NOT NULL,
    checkout_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT uq_client_slots_checkout UNIQUE,
    CONSTRAINT pk_client_slots PRIMARY KEY (client, slot)
);
