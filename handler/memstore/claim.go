package memstore

import (
	"context"
	"maps"
	"slices"

	"shopfn/handler/commerce"
)

// checkClaim returns "cart_closed" when cartID has a live checkout. The
// caller holds db.mu.
func (db *DB) checkClaim(cartID string) error {
	if _, ok := db.carts[cartID]; ok {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeCartClosed, "cart %s is being checked out or was checked out", cartID)
	}
	return nil
}

// unclaim frees a checkout's client slot and, with cart, its cart. The
// caller holds db.mu.
func (db *DB) unclaim(row *checkoutRow, cart bool) {
	if cart && db.carts[row.c.CartID] == row.c.ID {
		delete(db.carts, row.c.CartID)
	}
	for k, id := range db.slots {
		if id == row.c.ID {
			delete(db.slots, k)
		}
	}
	db.uncount(row)
}

// uncount takes row's units off what its client holds, if they were
// counted. The caller holds db.mu.
func (db *DB) uncount(row *checkoutRow) {
	if client, ok := db.held[row.c.ID]; ok {
		delete(db.held, row.c.ID)
		for sku, q := range row.quantities() {
			db.addUnits(unitKey{client, sku}, -q)
			db.addUnits(unitKey{client, allSKUs}, -q)
		}
	}
}

// quantities returns the quantity of each SKU a checkout reserves.
func (row *checkoutRow) quantities() map[string]int {
	want := map[string]int{}
	for _, l := range row.c.Lines {
		want[l.SKU] += l.Quantity
	}
	return want
}

// addUnits adds n (which may be negative) to what k counts, forgetting
// counts that reach zero. The caller holds db.mu.
func (db *DB) addUnits(k unitKey, n int) {
	if db.units[k] += n; db.units[k] <= 0 {
		delete(db.units, k)
	}
}

// countUnits adds row's units to what its client holds, per SKU and in all,
// unless they are counted already or it has no client. It returns
// KindConflict "too_many_held_units", changing nothing, when that would
// pass hold.Units or hold.TotalUnits. The caller holds db.mu.
func (db *DB) countUnits(row *checkoutRow, hold commerce.Hold) error {
	client := row.c.Client
	if _, ok := db.held[row.c.ID]; ok || client == "" {
		return nil
	}
	want := row.quantities()
	total := 0
	for _, sku := range slices.Sorted(maps.Keys(want)) {
		if hold.Units > 0 && db.units[unitKey{client, sku}]+want[sku] > hold.Units {
			e := commerce.Errorf(commerce.KindConflict, commerce.CodeTooManyHeldUnits,
				"this client would hold more than %d units of %s in checkouts waiting for authentication; finish or abandon one first", hold.Units, sku)
			e.SKUs = []string{sku}
			return e
		}
		total += want[sku]
	}
	if hold.TotalUnits > 0 && db.units[unitKey{client, allSKUs}]+total > hold.TotalUnits {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeTooManyHeldUnits,
			"this client would hold more than %d units in checkouts waiting for authentication; finish or abandon one first", hold.TotalUnits)
	}
	db.held[row.c.ID] = client
	for sku, q := range want {
		db.addUnits(unitKey{client, sku}, q)
		db.addUnits(unitKey{client, allSKUs}, q)
	}
	return nil
}

// takeSlot takes the lowest free of maxHeld slots of row's client for it,
// unless it holds one, maxHeld is 0 or it has no client. It returns
// KindConflict "too_many_checkouts" when all are taken. The caller holds
// db.mu.
func (db *DB) takeSlot(row *checkoutRow, maxHeld int) error {
	if maxHeld <= 0 || row.c.Client == "" {
		return nil
	}
	for _, id := range db.slots {
		if id == row.c.ID {
			return nil
		}
	}
	for slot := range maxHeld {
		k := slotKey{row.c.Client, slot}
		if _, taken := db.slots[k]; !taken {
			db.slots[k] = row.c.ID
			return nil
		}
	}
	return commerce.Errorf(commerce.KindConflict, commerce.CodeTooManyCheckouts,
		"this client has %d checkouts waiting for authentication already; finish or abandon one first", maxHeld)
}

// CartCheckout returns a copy of the live checkout of a cart (pending,
// requires_action or paid), or "not_found" when the cart is open.
func (s *CheckoutStore) CartCheckout(ctx context.Context, cartID string) (*commerce.Checkout, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	id, ok := s.db.carts[cartID]
	if !ok {
		return nil, commerce.NotFoundf("cart %s has no live checkout", cartID)
	}
	return s.db.checkout(id)
}
