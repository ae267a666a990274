package memstore

import (
	"context"

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
