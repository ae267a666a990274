package memstore

import (
	"context"
	"fmt"

	"shopfn/handler/commerce"
)

// MarkPaid moves a pending, requires_action, expired or declined checkout
// to paid with paymentID, stores resp as its first response if it has none,
// and stores placed in the outbox. A released checkout's stock is reserved
// again first; when it is no longer there MarkPaid returns
// "insufficient_stock" and changes nothing. It reports whether the checkout
// changed (false when it was already paid), and returns "not_found" for an
// unknown checkout.
func (s *CheckoutStore) MarkPaid(ctx context.Context, id, paymentID string, placed commerce.Message, resp *commerce.StoredResponse) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.checkouts[id]
	if !ok {
		return false, commerce.NotFoundf("checkout %s not found", id)
	}
	switch row.c.Status {
	case commerce.CheckoutPending, commerce.CheckoutRequiresAction:
	case commerce.CheckoutExpired, commerce.CheckoutDeclined:
		// Paid after its reservation was released: reserve again, or refuse.
		if err := s.db.reserveAgain(row); err != nil {
			return false, err
		}
	default:
		return false, nil
	}
	row.c.Status, row.c.PaymentID = commerce.CheckoutPaid, paymentID
	row.c.LeaseUntil = zeroTime
	row.setResponse(resp)
	s.db.addOutbox([]commerce.Message{placed})
	return true, nil
}

// reserveAgain reserves the released lines of a checkout, all or none: it
// returns "insufficient_stock" listing the short SKUs and changes nothing
// when any is short. The caller holds db.mu.
func (db *DB) reserveAgain(row *checkoutRow) error {
	want := map[string]int{}
	for sku, r := range row.reservations {
		if r.status == released {
			want[sku] = r.quantity
		}
	}
	if err := db.checkAvailable(want); err != nil {
		return err
	}
	for sku, q := range want {
		row.reservations[sku].status = held
		db.addReserved(sku, int64(q))
	}
	return nil
}

// Release moves a pending or requires_action checkout to status (declined
// or expired), drops its lease, stores resp as its first response if it
// has none, and releases its reservation. It reports whether the checkout
// changed; another status is an error.
func (s *CheckoutStore) Release(ctx context.Context, id string, status commerce.CheckoutStatus, resp *commerce.StoredResponse) (bool, error) {
	if status != commerce.CheckoutDeclined && status != commerce.CheckoutExpired {
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
	s.db.releaseHeld(row)
	return true, nil
}

// releaseHeld gives back the units a checkout holds. The caller holds db.mu.
func (db *DB) releaseHeld(row *checkoutRow) {
	for sku, r := range row.reservations {
		if r.status == held {
			r.status = released
			db.addReserved(sku, -int64(r.quantity))
		}
	}
}
