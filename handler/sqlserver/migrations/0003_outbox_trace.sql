-- The outbox keeps each message's attributes (the W3C traceparent that
-- links the orders function to the checkout's trace), as a JSON object, and
-- when it was written, for the backlog's age (shopfn_outbox_oldest_age_seconds).
ALTER TABLE outbox ADD attributes NVARCHAR(MAX) NULL;
ALTER TABLE outbox ADD created_at BIGINT NOT NULL CONSTRAINT df_outbox_created_at DEFAULT 0;
