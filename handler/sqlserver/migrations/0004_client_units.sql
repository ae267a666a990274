-- The units one client holds in checkouts waiting for 3-D Secure, per SKU
-- and in all (sku '*'), each a row that one conditional update bounds; and
-- the checkouts counted there, so that their units are taken off once.
CREATE TABLE client_units (
    client NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    sku    NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    units  INT           NOT NULL,
    CONSTRAINT pk_client_units PRIMARY KEY (client, sku)
);

CREATE TABLE client_held (
    checkout_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_client_held PRIMARY KEY,
    client      NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL
);
