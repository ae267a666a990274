package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"shopfn/handler/commerce"
)

// MarkPaid moves a checkout to paid and stores its OrderPlaced message.
// Each step is a conditional update, so that two concurrent calls cannot
// both move the checkout, even where transactions read committed data only.
func (s *CheckoutStore) MarkPaid(ctx context.Context, id, paymentID string, placed commerce.Message, resp *commerce.StoredResponse) (bool, error) {
	changed := false
	err := s.db.tx(ctx, "mark paid", func(tx *sql.Tx) error {
		changed = false
		pay := func(from string) (bool, error) {
			n, err := s.db.exec(ctx, tx, `UPDATE checkouts SET status = 'paid', payment_id = ?, lease_until = 0 WHERE id = ? AND status IN (`+from+`)`, paymentID, id)
			return n == 1, err
		}
		ok, err := pay(`'pending', 'requires_action'`)
		if err != nil {
			return err
		}
		if !ok {
			// Paid after its reservation was released: the conditional
			// update decides which caller moves it, then that caller
			// reserves again, or fails and rolls the move back.
			if ok, err = pay(`'expired', 'declined'`); err != nil {
				return err
			}
			if !ok {
				var status commerce.CheckoutStatus
				err := s.db.queryRow(ctx, tx, `SELECT status FROM checkouts WHERE id = ?`, id).Scan(&status)
				if errors.Is(err, sql.ErrNoRows) {
					return commerce.NotFoundf("checkout %s not found", id)
				}
				return err // paid already, or refunded: nothing to do
			}
			if err := s.reserveAgain(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := s.setResponse(ctx, tx, id, resp); err != nil {
			return err
		}
		changed = true
		return s.db.addOutbox(ctx, tx, []commerce.Message{placed})
	})
	return changed, err
}

// reserveAgain reserves the released lines of a checkout, all or none.
func (s *CheckoutStore) reserveAgain(ctx context.Context, tx *sql.Tx, id string) error {
	rows, err := tx.QueryContext(ctx, s.db.d.Rebind(`SELECT sku, quantity FROM reservations WHERE checkout_id = ? AND status = 'released' ORDER BY sku`), id)
	if err != nil {
		return err
	}
	type line struct {
		sku string
		q   int
	}
	var lines []line
	for rows.Next() {
		var l line
		if err := rows.Scan(&l.sku, &l.q); err != nil {
			rows.Close()
			return err
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var short []string
	for _, l := range lines {
		ok, err := s.reserve(ctx, tx, id, l.sku, l.q)
		if err != nil {
			return err
		}
		if !ok {
			short = append(short, l.sku)
		}
	}
	if len(short) > 0 {
		return insufficient(short)
	}
	return nil
}

// Release ends an open checkout with status and releases its reservation.
func (s *CheckoutStore) Release(ctx context.Context, id string, status commerce.CheckoutStatus, resp *commerce.StoredResponse) (bool, error) {
	if status != commerce.CheckoutDeclined && status != commerce.CheckoutExpired {
		return false, fmt.Errorf("sqlstore: release checkout %s: bad status %q", id, status)
	}
	changed := false
	err := s.db.tx(ctx, "release checkout", func(tx *sql.Tx) error {
		changed = false
		n, err := s.db.exec(ctx, tx, `UPDATE checkouts SET status = ?, lease_until = 0 WHERE id = ? AND status IN ('pending', 'requires_action')`, status, id)
		if err != nil || n == 0 {
			return err
		}
		changed = true
		if err := s.setResponse(ctx, tx, id, resp); err != nil {
			return err
		}
		return s.db.releaseHeld(ctx, tx, id)
	})
	return changed, err
}

// releaseHeld gives back the units a checkout holds.
func (db *DB) releaseHeld(ctx context.Context, tx *sql.Tx, checkoutID string) error {
	if _, err := db.exec(ctx, tx, `UPDATE inventory SET reserved = reserved - (
			SELECT r.quantity FROM reservations r WHERE r.checkout_id = ? AND r.sku = inventory.sku AND r.status = 'held')
		WHERE sku IN (SELECT sku FROM reservations WHERE checkout_id = ? AND status = 'held')`, checkoutID, checkoutID); err != nil {
		return err
	}
	_, err := db.exec(ctx, tx, `UPDATE reservations SET status = 'released' WHERE checkout_id = ? AND status = 'held'`, checkoutID)
	return err
}
