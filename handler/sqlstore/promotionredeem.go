package sqlstore

import (
	"context"
	"database/sql"
	"slices"

	"shopfn/handler/commerce"
)

// Redemptions. A checkout with discounts holds one redemption of each
// discount's promotion, reserved in the transaction that reserves its
// stock: a row of promotion_redemptions keyed by (checkout, promotion),
// the promotion's reserved counter moved by one conditional UPDATE within
// its usage limit, and, for a signed-in buyer, the customer's uses moved
// by one conditional UPDATE within the per-customer limit. Every later
// transition moves the redemption row first, conditionally on the status
// it leaves, and the counters only when that row moved: a redelivered
// message, or two transactions racing for one checkout, move each counter
// once.

// reserveRedemptions reserves a redemption of every promotion c's
// discounts name, in promotion ID order (so that concurrent checkouts
// lock the counters in one order). It returns KindConflict
// "promotion_exhausted" or "promotion_limit_reached"; the caller's
// transaction then rolls back, reserving nothing.
func (db *DB) reserveRedemptions(ctx context.Context, tx *sql.Tx, c *commerce.Checkout) error {
	ids := make([]string, 0, len(c.Discounts))
	for _, d := range c.Discounts {
		if !slices.Contains(ids, d.PromotionID) {
			ids = append(ids, d.PromotionID)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		if _, err := db.exec(ctx, tx, `INSERT INTO promotion_redemptions (checkout_id, promotion_id, customer_id, status) VALUES (?, ?, ?, 'reserved')`,
			c.ID, id, c.CustomerID); err != nil {
			return err
		}
		if err := db.holdRedemption(ctx, tx, id, c.CustomerID); err != nil {
			return err
		}
	}
	return nil
}

// holdRedemption counts one held redemption of promotion id, for
// customerID when not "": one conditional UPDATE per counter.
func (db *DB) holdRedemption(ctx context.Context, tx *sql.Tx, id, customerID string) error {
	n, err := db.exec(ctx, tx, `UPDATE promotions SET reserved = reserved + 1 WHERE id = ? AND (usage_limit IS NULL OR used + reserved < usage_limit)`, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return commerce.Errorf(commerce.KindConflict, commerce.CodePromotionExhausted, "promotion %s has been used as often as it may be; nothing was reserved", id)
	}
	if customerID == "" {
		return nil
	}
	_, err = db.exec(ctx, tx, `INSERT INTO promotion_customers (promotion_id, customer_id, uses) SELECT ?, ?, 0
		WHERE NOT EXISTS (SELECT 1 FROM promotion_customers WHERE promotion_id = ? AND customer_id = ?)`, id, customerID, id, customerID)
	if err != nil && !db.d.IsUnique(err) {
		return err
	}
	n, err = db.exec(ctx, tx, `UPDATE promotion_customers SET uses = uses + 1 WHERE promotion_id = ? AND customer_id = ?
		AND uses < COALESCE((SELECT per_customer_limit FROM promotions WHERE id = ?), uses + 1)`, id, customerID, id)
	if err != nil {
		return err
	}
	if n == 0 {
		// Undo the count above: MarkPaid goes on after this refusal (to
		// record a refund), so the counters must stay as they were.
		if _, err := db.exec(ctx, tx, `UPDATE promotions SET reserved = reserved - 1 WHERE id = ?`, id); err != nil {
			return err
		}
		return commerce.Errorf(commerce.KindConflict, commerce.CodePromotionLimitReached, "you have used promotion %s as often as one customer may; nothing was reserved", id)
	}
	return nil
}

// redemptions returns the promotions a checkout holds or held a
// redemption of, and for whom, in promotion ID order.
func (db *DB) redemptions(ctx context.Context, tx *sql.Tx, checkoutID string) (ids []string, customer string, err error) {
	rows, err := tx.QueryContext(ctx, db.d.Rebind(`SELECT promotion_id, customer_id FROM promotion_redemptions WHERE checkout_id = ? ORDER BY promotion_id`), checkoutID)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id, &customer); err != nil {
			return nil, "", err
		}
		ids = append(ids, id)
	}
	return ids, customer, rows.Err()
}

// moveRedemptions moves a checkout's redemptions from status from to to,
// each by one conditional UPDATE of its row, and runs counters for each
// that moved.
func (db *DB) moveRedemptions(ctx context.Context, tx *sql.Tx, checkoutID, from, to string, counters func(id, customer string) error) error {
	ids, customer, err := db.redemptions(ctx, tx, checkoutID)
	if err != nil || len(ids) == 0 {
		return err
	}
	for _, id := range ids {
		n, err := db.exec(ctx, tx, `UPDATE promotion_redemptions SET status = ? WHERE checkout_id = ? AND promotion_id = ? AND status = ?`, to, checkoutID, id, from)
		if err != nil {
			return err
		}
		if n == 1 {
			if err := counters(id, customer); err != nil {
				return err
			}
		}
	}
	return nil
}

// useRedemptions makes a paid checkout's held redemptions used.
func (db *DB) useRedemptions(ctx context.Context, tx *sql.Tx, checkoutID string) error {
	return db.moveRedemptions(ctx, tx, checkoutID, "reserved", "used", func(id, _ string) error {
		_, err := db.exec(ctx, tx, `UPDATE promotions SET reserved = reserved - 1, used = used + 1 WHERE id = ?`, id)
		return err
	})
}

// releaseRedemptions gives back the redemptions a checkout holds and
// never paid for.
func (db *DB) releaseRedemptions(ctx context.Context, tx *sql.Tx, checkoutID string) error {
	return db.moveRedemptions(ctx, tx, checkoutID, "reserved", "released", func(id, customer string) error {
		if _, err := db.exec(ctx, tx, `UPDATE promotions SET reserved = reserved - 1 WHERE id = ?`, id); err != nil {
			return err
		}
		return db.uncount(ctx, tx, id, customer)
	})
}

// holdRedemptionsAgain reserves again the redemptions a checkout released
// (a failed checkout resumed, or one paid after it expired), within the
// limits as they stand.
func (db *DB) holdRedemptionsAgain(ctx context.Context, tx *sql.Tx, checkoutID string) error {
	return db.moveRedemptions(ctx, tx, checkoutID, "released", "reserved", func(id, customer string) error {
		err := db.holdRedemption(ctx, tx, id, customer)
		if commerce.ErrorKind(err) == commerce.KindConflict {
			// Not held: the row says so again, for MarkPaid's refund.
			if _, uerr := db.exec(ctx, tx, `UPDATE promotion_redemptions SET status = 'released' WHERE checkout_id = ? AND promotion_id = ?`, checkoutID, id); uerr != nil {
				return uerr
			}
		}
		return err
	})
}

// returnRedemptions gives back the used redemptions of a cancelled
// order's checkout, of the promotions that are refundable only.
func (db *DB) returnRedemptions(ctx context.Context, tx *sql.Tx, checkoutID string) error {
	ids, customer, err := db.redemptions(ctx, tx, checkoutID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		n, err := db.exec(ctx, tx, `UPDATE promotion_redemptions SET status = 'returned' WHERE checkout_id = ? AND promotion_id = ? AND status = 'used'
			AND EXISTS (SELECT 1 FROM promotions WHERE id = ? AND refundable = 1)`, checkoutID, id, id)
		if err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		if _, err := db.exec(ctx, tx, `UPDATE promotions SET used = used - 1 WHERE id = ?`, id); err != nil {
			return err
		}
		if err := db.uncount(ctx, tx, id, customer); err != nil {
			return err
		}
	}
	return nil
}

// uncount gives a customer's use of a promotion back.
func (db *DB) uncount(ctx context.Context, tx *sql.Tx, id, customer string) error {
	if customer == "" {
		return nil
	}
	_, err := db.exec(ctx, tx, `UPDATE promotion_customers SET uses = uses - 1 WHERE promotion_id = ? AND customer_id = ? AND uses > 0`, id, customer)
	return err
}
