-- A message its queue refuses for good (over the size limit, an invalid
-- ID) is parked instead of blocking the relay: parked_at says when (0:
-- pending), park_reason why. Staff list parked messages among the dead
-- letters and re-drive them (parked_at back to 0).
ALTER TABLE outbox ADD parked_at BIGINT NOT NULL CONSTRAINT df_outbox_parked_at DEFAULT 0;
ALTER TABLE outbox ADD park_reason NVARCHAR(MAX) NULL;
