-- Order emails, one row per event and recipient (a hash of the address):
-- claimed before the send (status sending, claimed_until), marked sent or
-- failed after it, so that an event delivered again sends nothing twice.
CREATE TABLE email_sends (
    event_id      NVARCHAR(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
    recipient     NVARCHAR(64)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    status        NVARCHAR(16)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    claimed_until BIGINT        NOT NULL,
    attempts      INT           NOT NULL,
    reason        NVARCHAR(MAX) NOT NULL,
    updated_at    BIGINT        NOT NULL,
    CONSTRAINT pk_email_sends PRIMARY KEY (event_id, recipient)
);
