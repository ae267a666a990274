package memstore

import (
	"context"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// MarkPaid moves a pending or requires_action checkout to paid with
// paymentID, stores resp as its first response if it has none, frees its
// client slot and stores placed in the outbox. A released (expired,
// declined or failed) checkout claims its cart and reserves its stock
// again first; when either is gone it is recorded as refunded with
// paymentID instead, holding nothing, and MarkPaid returns KindConflict
// "checkout_refunded" (listing the short SKUs, if stock was short). A
// refunded checkout stays refunded: MarkPaid returns "checkout_refunded"
// again. It reports whether the checkout changed (false when it was already
// paid), and returns "not_found" for an unknown checkout.
func (s *CheckoutStore) MarkPaid(ctx context.Context, id, paymentID string, placed commerce.Message, resp *commerce.StoredResponse) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.checkouts[id]
	if !ok {
		return false, commerce.NotFoundf("checkout %s not found", id)
	}
	switch row.c.Status {
	case commerce.CheckoutPending, commerce.CheckoutRequiresAction:
	case commerce.CheckoutExpired, commerce.CheckoutDeclined, commerce.CheckoutFailed:
		// Paid after its reservation was released: claim cart and stock
		// again, or record the refund that follows.
		err := s.db.checkClaim(row.c.CartID)
		promos, customer := s.db.releasedRedemptions(id)
		if err == nil {
			err = s.db.checkRedemptions(promos, customer)
		}
		if err == nil {
			err = s.db.reserveAgain(row, s.Allocation)
		}
		if err != nil {
			row.c.Status, row.c.PaymentID, row.c.LeaseUntil = commerce.CheckoutRefunded, paymentID, zeroTime
			s.db.unclaim(row, true)
			return false, errRefunded(id, err)
		}
		s.db.carts[row.c.CartID] = id
		s.db.holdRedemptions(id, promos, customer, "released")
	case commerce.CheckoutRefunded:
		return false, errRefunded(id, nil)
	default:
		return false, nil
	}
	row.c.Status, row.c.PaymentID, row.c.LeaseUntil = commerce.CheckoutPaid, paymentID, zeroTime
	row.setResponse(resp)
	s.db.unclaim(row, false)
	s.db.useRedemptions(id)
	s.db.addOutbox([]commerce.Message{placed})
	return true, nil
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

// reserveAgain reserves the released lines of a checkout, all or none: it
// returns "insufficient_stock" listing the short SKUs and changes nothing
// when any is short. The caller holds db.mu.
func (db *DB) reserveAgain(row *checkoutRow, strategy commerce.AllocationStrategy) error {
	want := map[string]int{}
	for sku, r := range row.reservations {
		if r.status == released {
			want[sku] = r.quantity
		}
	}
	if len(want) == 0 {
		return nil
	}
	plan, err := db.plan(row.c.Address.Country, want, strategy)
	if err != nil {
		return err
	}
	row.c.Allocations = allocations(plan)
	for sku := range want {
		r := row.reservations[sku]
		r.status, r.at = held, plan[sku]
		db.change(sku, r.unitsAt(), func(l *commerce.StockLevel, q int64) { l.Reserved += q })
	}
	return nil
}

// Release moves a pending or requires_action checkout to status (declined,
// expired or failed), drops its lease, stores resp as its first response if
// it has none, and releases its reservation, its cart and its client slot.
// It reports whether the checkout changed; another status is an error.
func (s *CheckoutStore) Release(ctx context.Context, id string, status commerce.CheckoutStatus, resp *commerce.StoredResponse) (bool, error) {
	if status != commerce.CheckoutDeclined && status != commerce.CheckoutExpired && status != commerce.CheckoutFailed {
		return false, fmt.Errorf("memstore: release checkout %s: bad status %q", id, status)
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.checkouts[id]
	if !ok || !row.open() {
		return false, nil
	}
	row.c.Status, row.c.LeaseUntil = status, zeroTime
	row.setResponse(resp)
	s.db.unclaim(row, true)
	s.db.releaseHeld(row)
	return true, nil
}

// Resume moves a failed checkout back to pending, leased until leaseUntil
// and reserved until reservedUntil, making it its cart's live checkout and
// reserving its stock again, and stores outbox, all or nothing. It returns
// KindConflict "checkout_in_progress" when the checkout is not failed (or
// unknown), "cart_closed" and "insufficient_stock" as BeginCheckout does.
func (s *CheckoutStore) Resume(ctx context.Context, id string, leaseUntil, reservedUntil time.Time, outbox []commerce.Message) error {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.checkouts[id]
	if !ok || row.c.Status != commerce.CheckoutFailed {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeCheckoutInProgress, "checkout %s is being retried; retry shortly", id)
	}
	if err := s.db.checkClaim(row.c.CartID); err != nil {
		return err
	}
	promos, customer := s.db.releasedRedemptions(id)
	if err := s.db.checkRedemptions(promos, customer); err != nil {
		return err
	}
	if err := s.db.reserveAgain(row, s.Allocation); err != nil {
		return err
	}
	s.db.holdRedemptions(id, promos, customer, "released")
	row.c.Status, row.c.LeaseUntil, row.c.ReservedUntil = commerce.CheckoutPending, stamp(leaseUntil), stamp(reservedUntil)
	s.db.carts[row.c.CartID] = id
	s.db.addOutbox(outbox)
	return nil
}

// Abandon deletes a pending checkout that was never charged (no payment,
// no response), releasing its reservation, its cart and its client slot.
// It reports whether it deleted it.
func (s *CheckoutStore) Abandon(ctx context.Context, id string) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.checkouts[id]
	if !ok || row.c.Status != commerce.CheckoutPending || row.c.PaymentID != "" || row.c.Response != nil {
		return false, nil
	}
	s.db.unclaim(row, true)
	s.db.releaseHeld(row)
	delete(s.db.checkouts, id)
	delete(s.db.byKey, row.c.IdempotencyKey)
	delete(s.db.byOrder, row.c.OrderID)
	return true, nil
}

// releaseHeld gives back the units a checkout holds. The caller holds db.mu.
func (db *DB) releaseHeld(row *checkoutRow) {
	db.releaseRedemptions(row.c.ID)
	for sku, r := range row.reservations {
		if r.status == held {
			r.status = released
			db.change(sku, r.unitsAt(), func(l *commerce.StockLevel, q int64) { l.Reserved -= q })
		}
	}
}
