package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"shopfn/handler/commerce"
)

// Redemptions. A checkout with discounts holds one redemption of each
// discount's promotion, reserved in the transaction that reserves its
// stock: a row of promotion_redemptions keyed by (checkout, promotion)
// whose status moves reserved -> used | released, released -> reserved
// and used -> returned, each by one conditional UPDATE, so that a
// redelivered message moves it once.
//
// Only a promotion with a usage limit keeps counters (used, reserved) on
// its row, moved with its redemptions by one conditional UPDATE within the
// limit: its row is the one place where concurrent checkouts can be
// counted, and is hot by nature. A promotion without a limit keeps none:
// a checkout writes only its own redemption row, and the counters an
// admin reads are counted from the rows (promotion.go). Limited-ness is
// decided in SQL on every move, never from a cached promotion, as an
// admin may add or remove a limit at any time; a PATCH that adds one
// recounts the counters from the rows (UpdatePromotion).
//
// Each move is two statements, in this order:
//
//  1. UPDATE promotions SET <counters> WHERE id = ? AND usage_limit IS NOT
//     NULL [AND within the limit] [AND the row is at the status it
//     leaves]: a limited promotion's counters move, under its row's
//     exclusive lock (held to commit), and then its redemption row, with
//     no other condition.
//  2. When 1 touched no row: the redemption row moves (or is inserted)
//     only WHERE EXISTS (SELECT 1 FROM promotions WITH (HOLDLOCK) WHERE id
//     = ? AND usage_limit IS NULL).
//
// Why this holds on SQL Server (READ COMMITTED SNAPSHOT, many instances):
// statement 1 reads the promotion row under an update (U) lock, released
// at once when the row does not qualify, as for a promotion without a
// limit. Statement 2's HOLDLOCK makes its read a locking one despite the
// snapshot, taking a shared (S) lock on the promotion row kept to commit.
// S is compatible with S and with U, so checkouts of one unlimited
// promotion neither wait for one another nor for statement 1 of others:
// no hot row. A PATCH of the promotion (UPDATE promotions ... WHERE id =
// ?) needs the row's exclusive (X) lock, so it waits until every
// checkout holding S has committed, and every later checkout's
// statement 1 (U) or 2 (S) waits for the PATCH: no move of an unlimited
// redemption row straddles the PATCH, and its recount, read after its X
// lock is granted (its own statement, UpdatePromotion), sees them all.
// A checkout between its statements 1 and 2 when a limit is added finds
// statement 2 refused: a new redemption is then refused (as if the limit
// had come a moment sooner), and a move of an existing one runs
// statement 1 again, now counting.
//
// Lock conversions: in the common path a transaction never takes S on a
// promotion row and then asks for U or X on it, as statement 1 (U, then
// X) comes first; two transactions both holding S and both wanting X
// (the conversion deadlock) would need statement 2 before statement 1 of
// the same promotion in one transaction. That happens only in MarkPaid
// of a checkout paid after its reservation was released (its redemption
// held again, then used or released, in one transaction), or when a
// limit is added or removed between a move's two statements, each racing
// a PATCH or a counted move of the same promotion; SQL Server then picks
// a deadlock victim (1205), whose transaction db.tx runs again, with
// nothing half done. A refused hold, which may hold S on a promotion at
// its limit, is never tried again in its transaction: the checkout rolls
// back (or MarkPaid records a refund) at once. SQLite has one writer at a
// time: the same statements, with no hint, are trivially serial, and a
// move there tries statement 2 first (Dialect.OneWriter): one statement
// for a promotion without a limit.

// redemptionStep is one move of a redemption row and, for a promotion
// with a usage limit, of its counters.
type redemptionStep struct {
	// from is the status the row leaves; "" inserts it.
	from, to string
	// counters is the SET clause moving a limited promotion's counters,
	// and within the condition they must meet first ("" none).
	counters, within string
	// refundable moves the redemptions of refundable promotions only.
	refundable bool
}

var (
	stepHold      = redemptionStep{to: "reserved", counters: "reserved = reserved + 1", within: " AND used + reserved < usage_limit"}
	stepHoldAgain = redemptionStep{from: "released", to: "reserved", counters: "reserved = reserved + 1", within: " AND used + reserved < usage_limit"}
	stepUse       = redemptionStep{from: "reserved", to: "used", counters: "reserved = reserved - 1, used = used + 1"}
	stepRelease   = redemptionStep{from: "reserved", to: "released", counters: "reserved = reserved - 1"}
	stepReturn    = redemptionStep{from: "used", to: "returned", counters: "used = used - 1", refundable: true}
)

// moveResult is what a redemptionStep did.
type moveResult int

const (
	stayed  moveResult = iota // the row is not at from, or the promotion not refundable: nothing moved
	moved                     // the row moved; the promotion keeps no counters
	counted                   // the row and the promotion's counters moved
	refused                   // the promotion's limit refused it (or it does not exist)
)

// moveRedemption takes step st of the redemption of promotion id by
// checkoutID (for customer, written when st inserts the row).
func (db *DB) moveRedemption(ctx context.Context, tx *sql.Tx, checkoutID, id, customer string, st redemptionStep) (moveResult, error) {
	refundable := ""
	if st.refundable {
		refundable = " AND refundable = 1"
	}
	guard := `EXISTS (SELECT 1 FROM promotions ` + db.d.ShareRows + ` WHERE id = ? AND usage_limit IS NULL` + refundable + `)`
	for attempt := 1; ; attempt++ {
		if db.d.OneWriter {
			// Nothing changes between the statements: statement 2 first,
			// the only one a promotion without a limit needs.
			m, err := db.putRedemption(ctx, tx, checkoutID, id, customer, st, guard)
			if err != nil || m == 1 {
				return moved, err
			}
		}
		q, args := `UPDATE promotions SET `+st.counters+` WHERE id = ? AND usage_limit IS NOT NULL`+st.within+refundable, []any{id}
		if st.from != "" {
			q += ` AND EXISTS (SELECT 1 FROM promotion_redemptions WHERE checkout_id = ? AND promotion_id = ? AND status = ?)`
			args = append(args, checkoutID, id, st.from)
		}
		n, err := db.exec(ctx, tx, q, args...)
		if err != nil {
			return stayed, err
		}
		if n == 1 {
			// The counters moved under the row's X lock: the row follows.
			m, err := db.putRedemption(ctx, tx, checkoutID, id, customer, st, "")
			if err != nil {
				return stayed, err
			}
			if m != 1 {
				return stayed, fmt.Errorf("sqlstore: redemption of %s by %s is no longer %q", id, checkoutID, st.from)
			}
			return counted, nil
		}
		if !db.d.OneWriter {
			m, err := db.putRedemption(ctx, tx, checkoutID, id, customer, st, guard)
			if err != nil || m == 1 {
				return moved, err
			}
		}
		// Neither: the limit refused it, or the row is not at from (or
		// the promotion not refundable), or a limit was added or removed
		// between the two statements. A hold is then refused, as if the
		// limit had come a moment sooner: trying statement 1 again while
		// statement 2's shared lock is held would take the lock
		// conversion that deadlocks with a counted move of a promotion
		// at its limit (a release freeing a redemption of a sold-out
		// one). Any other move must happen: it goes round again.
		if st.from == "" {
			return refused, nil
		}
		var status string
		var isRefundable int
		err = db.queryRow(ctx, tx, `SELECT r.status, p.refundable FROM promotion_redemptions r JOIN promotions p ON p.id = r.promotion_id
			WHERE r.checkout_id = ? AND r.promotion_id = ?`, checkoutID, id).Scan(&status, &isRefundable)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (status != st.from || (st.refundable && isRefundable == 0))) {
			return stayed, nil
		}
		if err != nil {
			return stayed, err
		}
		if st.within != "" {
			return refused, nil
		}
		if attempt == 3 {
			return stayed, fmt.Errorf("sqlstore: the usage limit of promotion %s changed on every attempt to move its redemption by %s", id, checkoutID)
		}
	}
}

// putRedemption inserts or moves the redemption row of st, when guard
// (an SQL condition on id's promotion, "" none) holds.
func (db *DB) putRedemption(ctx context.Context, tx *sql.Tx, checkoutID, id, customer string, st redemptionStep, guard string) (int64, error) {
	if st.from == "" {
		if guard == "" {
			return db.exec(ctx, tx, `INSERT INTO promotion_redemptions (checkout_id, promotion_id, customer_id, status) VALUES (?, ?, ?, ?)`,
				checkoutID, id, customer, st.to)
		}
		return db.exec(ctx, tx, `INSERT INTO promotion_redemptions (checkout_id, promotion_id, customer_id, status) SELECT ?, ?, ?, ? WHERE `+guard,
			checkoutID, id, customer, st.to, id)
	}
	q, args := `UPDATE promotion_redemptions SET status = ? WHERE checkout_id = ? AND promotion_id = ? AND status = ?`, []any{st.to, checkoutID, id, st.from}
	if guard != "" {
		q, args = q+` AND `+guard, append(args, id)
	}
	return db.exec(ctx, tx, q, args...)
}

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
		if err := db.holdRedemption(ctx, tx, c.ID, id, c.CustomerID, stepHold); err != nil {
			return err
		}
	}
	return nil
}

// holdRedemption holds checkoutID's redemption of promotion id (step
// stepHold or stepHoldAgain) within its usage limit and, for customerID
// when not "", within its per-customer limit: one conditional UPDATE per
// limit. The per-customer uses are per (promotion, customer): not hot.
func (db *DB) holdRedemption(ctx context.Context, tx *sql.Tx, checkoutID, id, customerID string, st redemptionStep) error {
	r, err := db.moveRedemption(ctx, tx, checkoutID, id, customerID, st)
	if err != nil || r == stayed {
		return err
	}
	if r == refused {
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
	n, err := db.exec(ctx, tx, `UPDATE promotion_customers SET uses = uses + 1 WHERE promotion_id = ? AND customer_id = ?
		AND uses < COALESCE((SELECT per_customer_limit FROM promotions WHERE id = ?), uses + 1)`, id, customerID, id)
	if err != nil {
		return err
	}
	if n == 0 {
		// Undo the count above: MarkPaid goes on after this refusal (to
		// record a refund), so the counters must stay as they were (its
		// caller moves the row back).
		if r == counted {
			if _, err := db.exec(ctx, tx, `UPDATE promotions SET reserved = reserved - 1 WHERE id = ?`, id); err != nil {
				return err
			}
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

// moveRedemptions takes step st of each of a checkout's redemptions, in
// promotion ID order, and gives the customer's use back for each that
// moved when uncount is set.
func (db *DB) moveRedemptions(ctx context.Context, tx *sql.Tx, checkoutID string, st redemptionStep, uncount bool) error {
	ids, customer, err := db.redemptions(ctx, tx, checkoutID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		r, err := db.moveRedemption(ctx, tx, checkoutID, id, customer, st)
		if err != nil {
			return err
		}
		if uncount && (r == moved || r == counted) {
			if err := db.uncount(ctx, tx, id, customer); err != nil {
				return err
			}
		}
	}
	return nil
}

// useRedemptions makes a paid checkout's held redemptions used.
func (db *DB) useRedemptions(ctx context.Context, tx *sql.Tx, checkoutID string) error {
	return db.moveRedemptions(ctx, tx, checkoutID, stepUse, false)
}

// releaseRedemptions gives back the redemptions a checkout holds and
// never paid for.
func (db *DB) releaseRedemptions(ctx context.Context, tx *sql.Tx, checkoutID string) error {
	return db.moveRedemptions(ctx, tx, checkoutID, stepRelease, true)
}

// returnRedemptions gives back the used redemptions of a cancelled
// order's checkout, of the promotions that are refundable only.
func (db *DB) returnRedemptions(ctx context.Context, tx *sql.Tx, checkoutID string) error {
	return db.moveRedemptions(ctx, tx, checkoutID, stepReturn, true)
}

// holdRedemptionsAgain reserves again the redemptions a checkout released
// (a failed checkout resumed, or one paid after it expired), within the
// limits as they stand.
func (db *DB) holdRedemptionsAgain(ctx context.Context, tx *sql.Tx, checkoutID string) error {
	ids, customer, err := db.redemptions(ctx, tx, checkoutID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := db.holdRedemption(ctx, tx, checkoutID, id, customer, stepHoldAgain)
		if commerce.ErrorKind(err) == commerce.KindConflict {
			// Not held: the row says so again, for MarkPaid's refund.
			if _, uerr := db.exec(ctx, tx, `UPDATE promotion_redemptions SET status = 'released' WHERE checkout_id = ? AND promotion_id = ?`, checkoutID, id); uerr != nil {
				return uerr
			}
		}
		if err != nil {
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
