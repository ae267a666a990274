package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"shopfn/handler/commerce"
)

var _ commerce.ShopifyStock = (*InventoryStore)(nil)

// The states of a Shopify order in shopify_orders. The order's row is the
// key that decides each action once: create inserts it as committed;
// cancel and fulfil move it from committed, or insert it in their own
// state when create has not come (so that a late create finds it and
// commits nothing).
const (
	shopifyCommitted = "committed"
	shopifyCancelled = "cancelled"
	shopifyFulfilled = "fulfilled"
)

// ApplyShopifyOrder applies one action to a Shopify order, in one
// transaction with the stock it changes, and reports whether it applied.
func (s *InventoryStore) ApplyShopifyOrder(ctx context.Context, e commerce.ShopifyOrderEvent) (bool, error) {
	if e.OrderID == "" {
		return false, commerce.Invalidf(commerce.CodeInvalidRequest, "a Shopify order needs an id")
	}
	applied := false
	err := s.db.tx(ctx, "apply shopify order", func(tx *sql.Tx) error {
		var err error
		switch e.Action {
		case commerce.ShopifyCreate:
			applied, err = s.shopifyCreate(ctx, tx, e)
		case commerce.ShopifyCancel:
			applied, err = s.shopifyMove(ctx, tx, e.OrderID, shopifyCancelled)
		case commerce.ShopifyFulfil:
			applied, err = s.shopifyMove(ctx, tx, e.OrderID, shopifyFulfilled)
		default:
			return commerce.Invalidf(commerce.CodeInvalidRequest, "Shopify order action %q is not create, cancel or fulfil", e.Action)
		}
		return err
	})
	return applied, err
}

// shopifyCreate commits a Shopify order's units, once: the insert of its
// row decides. Each SKU commits what Shopify sold, or as much as shopfn
// still has available when that is less; the rest is the line's
// shortfall. Units held by shopfn's own checkouts and orders are never
// taken, so neither side oversells the other.
func (s *InventoryStore) shopifyCreate(ctx context.Context, tx *sql.Tx, e commerce.ShopifyOrderEvent) (bool, error) {
	now := s.now().UnixNano()
	_, err := s.db.exec(ctx, tx, `INSERT INTO shopify_orders (order_id, status, created_at, updated_at) VALUES (?, ?, ?, ?)`,
		e.OrderID, shopifyCommitted, now, now)
	if s.db.d.IsUnique(err) {
		return false, nil // delivered before, or cancelled or shipped before it came
	}
	if err != nil {
		return false, err
	}
	for _, l := range e.Lines {
		r, err := s.shopifyCommit(ctx, tx, l)
		if err != nil {
			return false, withSKU(err, l.SKU)
		}
		if _, err := s.db.exec(ctx, tx, `INSERT INTO shopify_order_lines (order_id, sku, ordered, committed, shortfall, unknown) VALUES (?, ?, ?, ?, ?, ?)`,
			e.OrderID, r.SKU, r.Ordered, r.Committed, r.Shortfall, boolInt(r.Unknown)); err != nil {
			return false, withSKU(err, l.SKU)
		}
	}
	return true, nil
}

// shopifyCommit commits up to l.Quantity units of l.SKU within tx. The
// locked read proposes how many; the conditional update decides, so a
// concurrent reservation can never be undercut (it then fails, and the
// transaction is run again by the message's redelivery).
func (s *InventoryStore) shopifyCommit(ctx context.Context, tx *sql.Tx, l commerce.ShopifyLine) (commerce.ShopifyLineResult, error) {
	r := commerce.ShopifyLineResult{SKU: l.SKU, Ordered: l.Quantity}
	var avail int64
	err := s.db.queryRow(ctx, tx, `SELECT on_hand - committed - reserved FROM inventory `+s.db.d.LockRows+` WHERE sku = ?`, l.SKU).Scan(&avail)
	if errors.Is(err, sql.ErrNoRows) || l.SKU == "" {
		r.Unknown, r.Shortfall = true, l.Quantity
		return r, nil
	}
	if err != nil {
		return r, err
	}
	take := min(max(avail, 0), l.Quantity)
	if take > 0 {
		n, err := s.db.exec(ctx, tx, `UPDATE inventory SET committed = committed + ?, updated_at = ? WHERE sku = ? AND on_hand - committed - reserved >= ?`,
			take, s.now().UnixNano(), l.SKU, take)
		if err != nil {
			return r, err
		}
		if n == 0 {
			return r, commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "stock of %s changed while a Shopify order committed it; try again", l.SKU)
		}
	}
	r.Committed, r.Shortfall = take, l.Quantity-take
	return r, nil
}

// shopifyMove cancels or ships a Shopify order (to is shopifyCancelled or
// shopifyFulfilled), once. An order committed here gives back (cancel) or
// ships (fulfil) the units its create committed, never its shortfall. An
// order never seen is recorded in state to, so that its create, should it
// come late, commits nothing.
func (s *InventoryStore) shopifyMove(ctx context.Context, tx *sql.Tx, orderID, to string) (bool, error) {
	now := s.now().UnixNano()
	_, err := s.db.exec(ctx, tx, `INSERT INTO shopify_orders (order_id, status, created_at, updated_at) VALUES (?, ?, ?, ?)`,
		orderID, to, now, now)
	if err == nil {
		return true, nil // before its create: nothing is committed
	}
	if !s.db.d.IsUnique(err) {
		return false, err
	}
	n, err := s.db.exec(ctx, tx, `UPDATE shopify_orders SET status = ?, updated_at = ? WHERE order_id = ? AND status = ?`,
		to, now, orderID, shopifyCommitted)
	if err != nil || n == 0 {
		return false, err // cancelled or shipped already
	}
	onHand := `inventory.on_hand`
	if to == shopifyFulfilled {
		onHand = `CASE WHEN inventory.on_hand >= l.committed THEN inventory.on_hand - l.committed ELSE 0 END`
	}
	// Each line's units go back (or leave) once; the guard keeps committed
	// from going below zero should a count have been forced under it.
	if _, err := s.db.exec(ctx, tx, `UPDATE inventory SET
			on_hand = (SELECT `+onHand+` FROM shopify_order_lines l WHERE l.order_id = ? AND l.sku = inventory.sku),
			committed = committed - (SELECT l.committed FROM shopify_order_lines l WHERE l.order_id = ? AND l.sku = inventory.sku),
			updated_at = ?
		WHERE sku IN (SELECT sku FROM shopify_order_lines WHERE order_id = ? AND committed > 0)
			AND committed >= (SELECT l.committed FROM shopify_order_lines l WHERE l.order_id = ? AND l.sku = inventory.sku)`,
		orderID, orderID, now, orderID, orderID); err != nil {
		return false, fmt.Errorf("release shopify order: %w", err)
	}
	return true, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
