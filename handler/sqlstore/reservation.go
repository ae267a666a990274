package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// MarkPaid moves a checkout to paid and stores its OrderPlaced message.
// Each step is a conditional update, so that two concurrent calls cannot
// both move the checkout, even where transactions read committed data only.
// A released checkout whose stock or cart is gone is recorded as refunded
// in the same transaction that finds it out.
func (s *CheckoutStore) MarkPaid(ctx context.Context, id, paymentID string, placed commerce.Message, resp *commerce.StoredResponse) (bool, error) {
	changed := false
	var refunded error
	err := s.db.tx(ctx, "mark paid", func(tx *sql.Tx) error {
		changed, refunded = false, nil // a retried transaction starts afresh
		pay := func(from string) (bool, error) {
			n, err := s.db.exec(ctx, tx, `UPDATE checkouts SET status = 'paid', payment_id = ?, lease_until = 0 WHERE id = ? AND status IN (`+from+`)`, paymentID, id)
			return n == 1, err
		}
		ok, err := pay(`'pending', 'requires_action'`)
		if err != nil {
			return err
		}
		if !ok {
			var status commerce.CheckoutStatus
			var doc []byte
			err := s.db.queryRow(ctx, tx, `SELECT status, doc FROM checkouts WHERE id = ?`, id).Scan(&status, &doc)
			if errors.Is(err, sql.ErrNoRows) {
				return commerce.NotFoundf("checkout %s not found", id)
			}
			if err != nil || status == commerce.CheckoutPaid {
				return err
			}
			if status == commerce.CheckoutRefunded {
				refunded = errRefunded(id, nil)
				return nil
			}
			// Paid after its reservation was released. Take the transition
			// first, so that a concurrent call finds it taken and changes
			// nothing; then claim the cart and reserve again, or record
			// the refund that follows, in this same transaction.
			if ok, err = pay(`'expired', 'declined', 'failed'`); err != nil {
				return err
			}
			if !ok {
				err := s.db.queryRow(ctx, tx, `SELECT status FROM checkouts WHERE id = ?`, id).Scan(&status)
				if err == nil && status == commerce.CheckoutRefunded {
					refunded = errRefunded(id, nil)
				}
				return err
			}
			var d checkoutDoc
			if err := json.Unmarshal(doc, &d); err != nil {
				return err
			}
			err = s.claim(ctx, tx, id, d.CartID)
			if err == nil {
				err = s.reserveAgain(ctx, tx, id)
			}
			if k := commerce.ErrorKind(err); k == commerce.KindConflict {
				refunded = errRefunded(id, err)
				return s.recordRefund(ctx, tx, id)
			} else if err != nil {
				return err
			}
		}
		if err := s.setResponse(ctx, tx, id, resp); err != nil {
			return err
		}
		changed = true
		if err := s.db.unclaim(ctx, tx, id, false); err != nil {
			return err
		}
		if err := s.db.useRedemptions(ctx, tx, id); err != nil {
			return err
		}
		return s.db.addOutbox(ctx, tx, []commerce.Message{placed})
	})
	if err == nil && refunded != nil {
		return false, refunded
	}
	return changed, err
}

// errRefunded is MarkPaid's error for a refunded checkout, saying why when
// this call decided it (cause: "insufficient_stock" or "cart_closed").
func errRefunded(id string, cause error) error {
	e := commerce.Errorf(commerce.KindConflict, commerce.CodeCheckoutRefunded, "checkout %s was paid after its reservation was released and is refunded", id)
	if cause != nil {
		e.Message += " (" + cause.Error() + ")"
		e.SKUs = commerce.ErrorSKUs(cause)
	}
	return e
}

// recordRefund undoes what MarkPaid claimed of a released checkout it just
// moved to paid, and records it as refunded instead, for good.
func (s *CheckoutStore) recordRefund(ctx context.Context, tx *sql.Tx, id string) error {
	if err := s.db.releaseHeld(ctx, tx, id); err != nil {
		return err
	}
	if err := s.db.unclaim(ctx, tx, id, true); err != nil {
		return err
	}
	_, err := s.db.exec(ctx, tx, `UPDATE checkouts SET status = 'refunded' WHERE id = ? AND status = 'paid'`, id)
	return err
}

// reserveAgain reserves the released lines of a checkout, all or none,
// wherever they ship from now (allocation.go).
func (s *CheckoutStore) reserveAgain(ctx context.Context, tx *sql.Tx, id string) error {
	if err := s.db.holdRedemptionsAgain(ctx, tx, id); err != nil {
		return err
	}
	return s.reallocate(ctx, tx, id)
}

// Release ends an open checkout with status and releases its reservation.
func (s *CheckoutStore) Release(ctx context.Context, id string, status commerce.CheckoutStatus, resp *commerce.StoredResponse) (bool, error) {
	if status != commerce.CheckoutDeclined && status != commerce.CheckoutExpired && status != commerce.CheckoutFailed {
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
		if err := s.db.unclaim(ctx, tx, id, true); err != nil {
			return err
		}
		return s.db.releaseHeld(ctx, tx, id)
	})
	return changed, err
}

// Resume moves a failed checkout back to pending and claims again what it held.
func (s *CheckoutStore) Resume(ctx context.Context, id string, leaseUntil, reservedUntil time.Time, outbox []commerce.Message) error {
	return s.db.tx(ctx, "resume checkout", func(tx *sql.Tx) error {
		n, err := s.db.exec(ctx, tx, `UPDATE checkouts SET status = 'pending', lease_until = ?, reserved_until = ? WHERE id = ? AND status = 'failed'`,
			unix(leaseUntil), unix(reservedUntil), id)
		if err != nil {
			return err
		}
		if n == 0 {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeCheckoutInProgress, "checkout %s is being retried; retry shortly", id)
		}
		// Read the cart in this transaction, never through the pool: on
		// SQL Server, reads and writes share one pool, and a transaction
		// that waits for a second connection while holding one stalls the
		// instance once as many retries as connections run at once.
		var doc []byte
		if err := s.db.queryRow(ctx, tx, `SELECT doc FROM checkouts WHERE id = ?`, id).Scan(&doc); err != nil {
			return err
		}
		var d checkoutDoc
		if err := json.Unmarshal(doc, &d); err != nil {
			return err
		}
		if err := s.claim(ctx, tx, id, d.CartID); err != nil {
			return err
		}
		if err := s.reserveAgain(ctx, tx, id); err != nil {
			return err
		}
		return s.db.addOutbox(ctx, tx, outbox)
	})
}

// Abandon deletes a pending checkout that was never charged.
func (s *CheckoutStore) Abandon(ctx context.Context, id string) (bool, error) {
	deleted := false
	err := s.db.tx(ctx, "abandon checkout", func(tx *sql.Tx) error {
		n, err := s.db.exec(ctx, tx, `UPDATE checkouts SET status = 'abandoned' WHERE id = ? AND status = 'pending' AND payment_id = '' AND response_status = 0`, id)
		if err != nil || n == 0 {
			return err
		}
		if err := s.db.unclaim(ctx, tx, id, true); err != nil {
			return err
		}
		if err := s.db.releaseHeld(ctx, tx, id); err != nil {
			return err
		}
		if _, err := s.db.exec(ctx, tx, `DELETE FROM reservations WHERE checkout_id = ?`, id); err != nil {
			return err
		}
		if _, err := s.db.exec(ctx, tx, `DELETE FROM allocations WHERE checkout_id = ?`, id); err != nil {
			return err
		}
		_, err = s.db.exec(ctx, tx, `DELETE FROM checkouts WHERE id = ?`, id)
		deleted = err == nil
		return err
	})
	return deleted, err
}

// releaseHeld gives back the units a checkout holds, and writes the
// changed levels to the event log.
func (db *DB) releaseHeld(ctx context.Context, tx *sql.Tx, checkoutID string) error {
	if err := db.releaseRedemptions(ctx, tx, checkoutID); err != nil {
		return err
	}
	skus, err := db.heldSKUs(ctx, tx, checkoutID)
	if err != nil || len(skus) == 0 {
		return err
	}
	if _, err := db.exec(ctx, tx, `UPDATE inventory SET reserved = reserved - (
			SELECT r.quantity - r.elsewhere FROM reservations r WHERE r.checkout_id = ? AND r.sku = inventory.sku AND r.status = 'held')
		WHERE sku IN (SELECT sku FROM reservations WHERE checkout_id = ? AND status = 'held' AND quantity > elsewhere)`, checkoutID, checkoutID); err != nil {
		return err
	}
	if err := db.moveAllocations(ctx, tx, checkoutID, "held", "released", `reserved = reserved - a.quantity`); err != nil {
		return err
	}
	if _, err := db.exec(ctx, tx, `UPDATE reservations SET status = 'released' WHERE checkout_id = ? AND status = 'held'`, checkoutID); err != nil {
		return err
	}
	return db.appendStockEvents(ctx, tx, skus)
}
