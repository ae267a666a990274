-- The event log (package events) and the low-stock threshold: the T-SQL
-- twin of handler/sqlite/schema.go's events tables.
-- A SKU's low-stock threshold (-1: none) and whether its available count is
-- at or below it (inventory.low_stock fires on the crossing).
ALTER TABLE inventory ADD low_stock_threshold BIGINT NOT NULL CONSTRAINT df_inventory_low_stock_threshold DEFAULT -1;
ALTER TABLE inventory ADD low_stock INT NOT NULL CONSTRAINT df_inventory_low_stock DEFAULT 0;

-- position is global and gap-free: each writing transaction takes it from
-- event_head by one MERGE, whose lock it holds until it commits, so
-- positions become visible in order and a reader past position p never
-- misses a later commit below p.
CREATE TABLE events (
    position   BIGINT        NOT NULL CONSTRAINT pk_events PRIMARY KEY,
    id         NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT uq_events_id UNIQUE,
    type       NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    subject    NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL,
    sequence   BIGINT        NOT NULL,
    created_at BIGINT        NOT NULL,
    body       NVARCHAR(MAX) NOT NULL
);
CREATE INDEX ix_events_type ON events (type, position);
CREATE INDEX ix_events_created ON events (created_at);

CREATE TABLE event_head (
    id       INT    NOT NULL CONSTRAINT pk_event_head PRIMARY KEY,
    position BIGINT NOT NULL
);

CREATE TABLE event_subjects (
    subject  NVARCHAR(300) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_event_subjects PRIMARY KEY,
    sequence BIGINT        NOT NULL
);

CREATE TABLE event_consumers (
    name        NVARCHAR(200) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_event_consumers PRIMARY KEY,
    position    BIGINT        NOT NULL,
    updated_at  BIGINT        NOT NULL,
    lease_owner NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT df_event_consumers_lease_owner DEFAULT '',
    lease_until BIGINT        NOT NULL CONSTRAINT df_event_consumers_lease_until DEFAULT 0
);

-- Webhook subscriptions (package webhook): secrets sealed with the webhook
-- sealing key; old_secret signs too until old_until (a rotation's overlap).
CREATE TABLE webhook_subscriptions (
    id              NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_webhook_subscriptions PRIMARY KEY,
    url             NVARCHAR(2000) COLLATE Latin1_General_100_BIN2 NOT NULL,
    events          NVARCHAR(MAX)  NOT NULL,
    description     NVARCHAR(MAX)  NOT NULL,
    secret          NVARCHAR(400) COLLATE Latin1_General_100_BIN2  NOT NULL,
    old_secret      NVARCHAR(400) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT df_webhook_subscriptions_old_secret DEFAULT '',
    old_until       BIGINT         NOT NULL CONSTRAINT df_webhook_subscriptions_old_until DEFAULT 0,
    created_at      BIGINT         NOT NULL,
    failing_since   BIGINT         NOT NULL CONSTRAINT df_webhook_subscriptions_failing_since DEFAULT 0,
    disabled_at     BIGINT         NOT NULL CONSTRAINT df_webhook_subscriptions_disabled_at DEFAULT 0,
    disabled_reason NVARCHAR(400) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT df_webhook_subscriptions_disabled_reason DEFAULT ''
);

CREATE TABLE webhook_deliveries (
    id               NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT pk_webhook_deliveries PRIMARY KEY,
    subscription_id  NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    event_id         NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    event_type       NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    body             NVARCHAR(MAX) NOT NULL,
    status           NVARCHAR(16) COLLATE Latin1_General_100_BIN2 NOT NULL,
    attempts         INT           NOT NULL CONSTRAINT df_webhook_deliveries_attempts DEFAULT 0,
    first_attempt_at BIGINT        NOT NULL CONSTRAINT df_webhook_deliveries_first DEFAULT 0,
    next_attempt_at  BIGINT        NOT NULL,
    lease_until      BIGINT        NOT NULL CONSTRAINT df_webhook_deliveries_lease DEFAULT 0,
    last_status      INT           NOT NULL CONSTRAINT df_webhook_deliveries_last_status DEFAULT 0,
    last_error       NVARCHAR(MAX) NOT NULL CONSTRAINT df_webhook_deliveries_last_error DEFAULT '',
    last_duration_ms BIGINT        NOT NULL CONSTRAINT df_webhook_deliveries_duration DEFAULT 0,
    created_at       BIGINT        NOT NULL,
    CONSTRAINT uq_webhook_deliveries_event UNIQUE (subscription_id, event_id)
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at);
