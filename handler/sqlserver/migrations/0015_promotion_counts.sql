-- A promotion without a usage limit keeps no counters: its used and
-- reserved are counted from promotion_redemptions by status, so that
-- checkouts of a popular promotion write only their own redemption rows
-- and never queue on the promotion's row (sqlstore/promotionredeem.go).
-- used and reserved stay on promotions for a promotion with a limit,
-- recounted from the redemptions when a limit is added. The file runs in
-- one transaction under the schema lock.
CREATE INDEX ix_promotion_redemptions_status ON promotion_redemptions (promotion_id, status);
