-- Stock locations: warehouses and stores. The default location always
-- exists and serves every country; the inventory table's rows, today's one
-- level per SKU, are its levels where they are, so nothing moves and
-- nothing a client does changes meaning. Other locations' levels are rows
-- of location_stock, and their ERP counts' sequences rows of
-- location_sources. The file runs in one transaction under the schema lock.
CREATE TABLE locations (
    id         NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NOT NULL CONSTRAINT pk_locations PRIMARY KEY,
    name       NVARCHAR(200) COLLATE Latin1_General_100_BIN2  NOT NULL,
    priority   INT                                            NOT NULL,
    countries  NVARCHAR(1000) COLLATE Latin1_General_100_BIN2 NOT NULL,
    status     NVARCHAR(16) COLLATE Latin1_General_100_BIN2   NOT NULL CONSTRAINT ck_locations_status CHECK (status IN ('active', 'inactive')),
    updated_at BIGINT                                         NOT NULL
);

INSERT INTO locations (id, name, priority, countries, status, updated_at) VALUES ('default', 'Default', 0, '', 'active', 0);

CREATE TABLE location_stock (
    sku         NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    location_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    on_hand     BIGINT NOT NULL CONSTRAINT ck_location_stock_on_hand CHECK (on_hand >= 0),
    reserved    BIGINT NOT NULL CONSTRAINT ck_location_stock_reserved CHECK (reserved >= 0),
    committed   BIGINT NOT NULL CONSTRAINT ck_location_stock_committed CHECK (committed >= 0),
    updated_at  BIGINT NOT NULL,
    CONSTRAINT pk_location_stock PRIMARY KEY (sku, location_id)
);

CREATE TABLE location_sources (
    sku         NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    location_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    source      NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    sequence    BIGINT        NOT NULL,
    CONSTRAINT pk_location_sources PRIMARY KEY (sku, location_id, source)
);

-- Allocation: a checkout's units of a SKU at locations other than the
-- default (held, committed, released, restocked or shipped with the line),
-- and on its reservation how many of the line's units are there
-- (elsewhere); the rest are at the default location, as before.
ALTER TABLE reservations ADD elsewhere INT NOT NULL CONSTRAINT df_reservations_elsewhere DEFAULT 0;

CREATE TABLE allocations (
    checkout_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    sku         NVARCHAR(255) COLLATE Latin1_General_100_BIN2 NOT NULL,
    location_id NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    quantity    INT           NOT NULL,
    status      NVARCHAR(16) COLLATE Latin1_General_100_BIN2  NOT NULL,
    CONSTRAINT pk_allocations PRIMARY KEY (checkout_id, sku, location_id)
);
