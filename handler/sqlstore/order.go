package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// OrderStore is the relational commerce.OrderStore.
type OrderStore struct {
	db        *DB
	checkouts *CheckoutStore
}

var _ commerce.OrderStore = (*OrderStore)(nil)

// NewOrderStore returns an OrderStore on db.
func NewOrderStore(db *DB) *OrderStore { return &OrderStore{db: db, checkouts: NewCheckoutStore(db)} }

// PlaceOrder stores a paid checkout's order and commits its reservation.
func (s *OrderStore) PlaceOrder(ctx context.Context, orderID string, now time.Time) (bool, error) {
	placed := false
	err := s.db.tx(ctx, "place order", func(tx *sql.Tx) error {
		placed = false
		c, err := scanCheckout(s.db.queryRow(ctx, tx, `SELECT `+checkoutColumns+` FROM checkouts `+s.db.d.LockRows+` WHERE order_id = ?`, orderID))
		if errors.Is(err, sql.ErrNoRows) {
			return commerce.NotFoundf("no checkout for order %s", orderID)
		} else if err != nil {
			return err
		}
		if c.Status != commerce.CheckoutPaid {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeNotPaid, "checkout %s of order %s is %s", c.ID, orderID, c.Status)
		}
		order := orderFromCheckout(c, commerce.OrderPlaced, now)
		doc, err := encodeOrder(order)
		if err != nil {
			return err
		}
		// The order's primary key decides: a redelivered message, or a
		// concurrent one, finds the order there and changes nothing.
		_, err = s.db.exec(ctx, tx, `INSERT INTO orders (id, checkout_id, status, restocked, created_at, cancelled_at, fulfilled_at, doc) VALUES (?, ?, 'placed', 0, ?, 0, 0, ?)`,
			orderID, c.ID, unix(now), string(doc))
		if s.db.d.IsUnique(err) {
			return nil
		}
		if err != nil {
			return err
		}
		skus, err := s.db.heldSKUs(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		// Commit the reservation: the held units stay on the shelf, sold,
		// until fulfilment ships them.
		if _, err := s.db.exec(ctx, tx, `UPDATE inventory SET
				committed = committed + (SELECT r.quantity - r.elsewhere FROM reservations r WHERE r.checkout_id = ? AND r.sku = inventory.sku AND r.status = 'held'),
				reserved  = reserved  - (SELECT r.quantity - r.elsewhere FROM reservations r WHERE r.checkout_id = ? AND r.sku = inventory.sku AND r.status = 'held')
			WHERE sku IN (SELECT sku FROM reservations WHERE checkout_id = ? AND status = 'held' AND quantity > elsewhere)`, c.ID, c.ID, c.ID); err != nil {
			return err
		}
		if err := s.db.moveAllocations(ctx, tx, c.ID, "held", "committed", `committed = committed + a.quantity, reserved = reserved - a.quantity`); err != nil {
			return err
		}
		if _, err := s.db.exec(ctx, tx, `UPDATE reservations SET status = 'committed' WHERE checkout_id = ? AND status = 'held'`, c.ID); err != nil {
			return err
		}
		e, err := s.db.NewEvent(events.OrderPlaced, orderID, now, events.OrderPlacedData{Order: events.OrderFrom(*order)})
		if err != nil {
			return err
		}
		placed = true
		return s.db.appendStockEvents(ctx, tx, skus, e)
	})
	return placed, err
}

// orderFromCheckout builds the order a checkout pays for.
func orderFromCheckout(c *commerce.Checkout, status commerce.OrderStatus, created time.Time) *commerce.Order {
	return &commerce.Order{
		ID: c.OrderID, CheckoutID: c.ID, Status: status, Email: c.Email, Items: c.Lines,
		Subtotal: c.Subtotal, Shipping: c.Shipping, Tax: c.Tax, Total: c.Total,
		ShippingAddress: c.Address, BillingAddress: c.BillingAddress, PaymentID: c.PaymentID, CreatedAt: created, TokenHash: c.OrderTokenHash,
		Allocations: c.Allocations, ShippingOptionID: c.ShippingOptionID, TaxLines: c.TaxLines, TaxIncluded: c.TaxIncluded,
		Discounts: c.Discounts, DiscountTotal: discountTotal(c),
	}
}

// discountTotal returns what promotions took off a checkout, or nil when
// none applied.
func discountTotal(c *commerce.Checkout) *commerce.Money {
	if len(c.Discounts) == 0 {
		return nil
	}
	m := c.DiscountTotal
	return &m
}

const orderColumns = `id, status, created_at, cancelled_at, fulfilled_at, doc`

func scanOrder(row interface{ Scan(...any) error }) (*commerce.Order, error) {
	var o commerce.Order
	var id string
	var status commerce.OrderStatus
	var created, cancelled, fulfilled int64
	var doc []byte
	if err := row.Scan(&id, &status, &created, &cancelled, &fulfilled, &doc); err != nil {
		return nil, err
	}
	if err := decodeOrder(doc, &o); err != nil {
		return nil, err
	}
	o.ID, o.Status, o.CreatedAt = id, status, fromUnix(created)
	// A cancelling order's cancelled_at is when it was claimed: not a
	// cancellation yet.
	if cancelled != 0 && status == commerce.OrderCancelled {
		t := fromUnix(cancelled)
		o.CancelledAt = &t
	}
	if fulfilled != 0 {
		t := fromUnix(fulfilled)
		o.FulfilledAt = &t
	}
	return &o, nil
}

// Order returns an order, or a paid checkout's order as processing, with
// its customer.
func (s *OrderStore) Order(ctx context.Context, id string) (*commerce.Order, error) {
	o, err := s.order(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.CustomerID, err = s.OrderCustomer(ctx, id); err != nil {
		return nil, err
	}
	one := []commerce.Order{*o}
	if err := s.withFulfilments(ctx, one); err != nil {
		return nil, err
	}
	if err := s.withRefunds(ctx, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// order returns an order, or a paid checkout's order as processing.
func (s *OrderStore) order(ctx context.Context, id string) (*commerce.Order, error) {
	o, err := scanOrder(s.db.readRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
	if err == nil {
		return o, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlstore: read order: %w", err)
	}
	c, err := s.checkouts.CheckoutByOrder(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status != commerce.CheckoutPaid {
		return nil, commerce.NotFoundf("order %s not found", id)
	}
	return orderFromCheckout(c, commerce.OrderProcessing, c.UpdatedAt), nil
}

// Orders returns orders in ID order: stored ones, and paid checkouts whose
// order is not stored yet as processing (so that one whose OrderPlaced
// message was lost or dead-lettered is in the list).
func (s *OrderStore) Orders(ctx context.Context, f commerce.OrderFilter) ([]commerce.Order, error) {
	var out []commerce.Order
	if f.Status == "" || f.Status == commerce.OrderProcessing {
		var err error
		if out, err = s.processing(ctx, f); err != nil {
			return nil, err
		}
		if f.Status != "" {
			return out, nil
		}
	}
	stored, err := s.stored(ctx, f)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return stored, nil
	}
	out = append(out, stored...)
	slices.SortFunc(out, func(a, b commerce.Order) int { return strings.Compare(a.ID, b.ID) })
	return out[:min(len(out), f.Limit)], nil
}

// processing returns paid checkouts with no stored order, as orders.
func (s *OrderStore) processing(ctx context.Context, f commerce.OrderFilter) ([]commerce.Order, error) {
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(`SELECT `+checkoutColumns+` FROM checkouts
		WHERE status = 'paid' AND order_id > ? AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = checkouts.order_id)
		ORDER BY order_id`)), f.After, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list processing orders: %w", err)
	}
	defer rows.Close()
	var out []commerce.Order
	for rows.Next() {
		c, err := scanCheckout(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list processing orders: %w", err)
		}
		out = append(out, *orderFromCheckout(c, commerce.OrderProcessing, c.UpdatedAt))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list processing orders: %w", err)
	}
	return out, nil
}

// stored returns stored orders in ID order.
func (s *OrderStore) stored(ctx context.Context, f commerce.OrderFilter) ([]commerce.Order, error) {
	q, args := `SELECT `+orderColumns+` FROM orders WHERE id > ?`, []any{f.After}
	if f.Status != "" {
		q, args = q+` AND status = ?`, append(args, f.Status)
	}
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(q+` ORDER BY id`)), append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list orders: %w", err)
	}
	defer rows.Close()
	var out []commerce.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list orders: %w", err)
		}
		out = append(out, *o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list orders: %w", err)
	}
	rows.Close()
	if err := s.withFulfilments(ctx, out); err != nil {
		return nil, err
	}
	if err := s.withRefunds(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ClaimCancel moves a placed order to cancelling, claimed at now. The one
// conditional UPDATE decides against a concurrent FulfilOrder, which moves
// the order only while it is placed.
func (s *OrderStore) ClaimCancel(ctx context.Context, id string, now time.Time) (bool, error) {
	var n int64
	err := s.db.tx(ctx, "claim cancel", func(tx *sql.Tx) (err error) {
		n, err = s.db.exec(ctx, tx, `UPDATE orders SET status = 'cancelling', cancelled_at = ? WHERE id = ? AND status = 'placed'`, unix(now), id)
		return err
	})
	return n == 1, err
}

// CancellingOrders returns up to limit orders claimed for cancelling before
// before, the oldest claim first.
func (s *OrderStore) CancellingOrders(ctx context.Context, before time.Time, limit int) ([]string, error) {
	// An order whose refund the provider refused is left to staff
	// (NoteCancelRefund): retrying cannot help.
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(`SELECT id FROM orders
		WHERE status = 'cancelling' AND cancelled_at < ?
		AND NOT EXISTS (SELECT 1 FROM refunds f WHERE f.idem_key = orders.id AND f.status = 'failed') ORDER BY cancelled_at`)), unix(before), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: cancelling orders: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlstore: cancelling orders: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: cancelling orders: %w", err)
	}
	return ids, nil
}

// CancelOrder cancels a cancelling order and stores its OrderCancelled message.
func (s *OrderStore) CancelOrder(ctx context.Context, id string, now time.Time, cancelled commerce.Message) (bool, error) {
	changed := false
	err := s.db.tx(ctx, "cancel order", func(tx *sql.Tx) error {
		changed = false
		n, err := s.db.exec(ctx, tx, `UPDATE orders SET status = 'cancelled', cancelled_at = ? WHERE id = ? AND status = 'cancelling'`, unix(now), id)
		if err != nil || n == 0 {
			return err
		}
		changed = true
		if err := s.db.addOutbox(ctx, tx, []commerce.Message{cancelled}); err != nil {
			return err
		}
		o, err := scanOrder(s.db.queryRow(ctx, tx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if err := s.db.returnRedemptions(ctx, tx, o.CheckoutID); err != nil {
			return err
		}
		data := events.OrderFrom(*o)
		evs := make([]events.Event, 0, 2)
		e, err := s.db.NewEvent(events.OrderCancelled, id, now, events.OrderCancelledData{Order: data, CancelledAt: now.UTC()})
		if err != nil {
			return err
		}
		evs = append(evs, e)
		// A cancelled order with a payment was refunded in full before it
		// got here (checkout.Service.Cancel), under the order's ID as key.
		if o.PaymentID != "" {
			if err := s.refundedInFull(ctx, tx, o, now); err != nil {
				return err
			}
			e, err := s.db.NewEvent(events.OrderRefunded, id, now, events.OrderRefundedData{Order: data, Refund: events.Refund{Amount: o.Total, RefundedAt: now.UTC()}})
			if err != nil {
				return err
			}
			evs = append(evs, e)
		}
		return s.db.AppendEvents(ctx, tx, evs...)
	})
	return changed, err
}

// Restock gives a cancelled order's committed units back to sale, once.
func (s *OrderStore) Restock(ctx context.Context, orderID string) (bool, error) {
	done := false
	err := s.db.tx(ctx, "restock", func(tx *sql.Tx) error {
		done = false
		n, err := s.db.exec(ctx, tx, `UPDATE orders SET restocked = 1 WHERE id = ? AND status = 'cancelled' AND restocked = 0`, orderID)
		if err != nil || n == 0 {
			return err
		}
		o, err := scanOrder(s.db.queryRow(ctx, tx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, orderID))
		if err != nil {
			return err
		}
		at, err := s.atDefault(ctx, tx, o, "committed", "restocked", `committed = committed - a.quantity`)
		if err != nil {
			return err
		}
		for _, l := range at {
			if l.Quantity == 0 {
				continue
			}
			n, err := s.db.exec(ctx, tx, `UPDATE inventory SET committed = committed - ? WHERE sku = ? AND committed >= ?`, l.Quantity, l.SKU, l.Quantity)
			if err != nil {
				return err
			}
			if n == 0 {
				// An order placed before committed stock existed took its
				// units off on hand: put them back there.
				if _, err := s.db.exec(ctx, tx, `UPDATE inventory SET on_hand = on_hand + ? WHERE sku = ?`, l.Quantity, l.SKU); err != nil {
					return err
				}
			}
		}
		done = true
		return s.db.appendStockEvents(ctx, tx, lineSKUs(o.Items))
	})
	return done, err
}

// FulfilOrder ships a placed order: its committed units leave the shelf
// (on hand and committed both drop), once.
func (s *OrderStore) FulfilOrder(ctx context.Context, id string, now time.Time) (bool, error) {
	done := false
	err := s.db.tx(ctx, "fulfil order", func(tx *sql.Tx) error {
		done = false
		n, err := s.db.exec(ctx, tx, `UPDATE orders SET status = 'fulfilled', fulfilled_at = ? WHERE id = ? AND status = 'placed'`, unix(now), id)
		if err != nil {
			return err
		}
		o, err := scanOrder(s.db.queryRow(ctx, tx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is not placed yet", id)
		} else if err != nil {
			return err
		}
		if n == 0 && o.Status == commerce.OrderPartiallyFulfilled {
			return s.fulfilRemainder(ctx, tx, o, now, &done)
		}
		if n == 0 {
			switch o.Status {
			case commerce.OrderFulfilled:
				return nil
			case commerce.OrderCancelling:
				return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderCancelling, "order %s is being cancelled; it cannot be fulfilled", id)
			}
			return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is %s, not placed", id, o.Status)
		}
		at, err := s.atDefault(ctx, tx, o, "committed", "shipped", `on_hand = CASE WHEN on_hand >= a.quantity THEN on_hand - a.quantity ELSE 0 END, committed = committed - a.quantity`)
		if err != nil {
			return err
		}
		for _, l := range at {
			if l.Quantity == 0 {
				continue
			}
			// An order placed before committed stock existed has no
			// committed units: its units already left on hand.
			if _, err := s.db.exec(ctx, tx, `UPDATE inventory SET on_hand = CASE WHEN on_hand >= ? THEN on_hand - ? ELSE 0 END, committed = committed - ?
				WHERE sku = ? AND committed >= ?`, l.Quantity, l.Quantity, l.Quantity, l.SKU, l.Quantity); err != nil {
				return err
			}
		}
		// Record what shipped: one fulfilment per location.
		for _, f := range remainder(o, nil) {
			f.ID, f.CreatedAt = commerce.NewFulfilmentID(now), now
			if err := s.addFulfilment(ctx, tx, id, "", "", f); err != nil {
				return err
			}
		}
		done = true
		o.Status, o.FulfilledAt = commerce.OrderFulfilled, &now
		e, err := s.db.NewEvent(events.OrderFulfilled, id, now, events.OrderFulfilledData{Order: events.OrderFrom(*o), Fulfillment: events.Fulfillment{FulfilledAt: now.UTC()}})
		if err != nil {
			return err
		}
		return s.db.appendStockEvents(ctx, tx, lineSKUs(o.Items), e)
	})
	return done, err
}

// fulfilRemainder ships the rest of a partially fulfilled order o and
// moves it to fulfilled, unless a concurrent call did.
func (s *OrderStore) fulfilRemainder(ctx context.Context, tx *sql.Tx, o *commerce.Order, now time.Time, done *bool) error {
	n, err := s.db.exec(ctx, tx, `UPDATE orders SET status = 'fulfilled', fulfilled_at = ? WHERE id = ? AND status = 'partially_fulfilled'`, unix(now), o.ID)
	if err != nil || n == 0 {
		return err
	}
	skus, err := s.shipRemainder(ctx, tx, o, now)
	if err != nil {
		return err
	}
	*done = true
	o.Status, o.FulfilledAt = commerce.OrderFulfilled, &now
	e, err := s.db.NewEvent(events.OrderFulfilled, o.ID, now, events.OrderFulfilledData{Order: events.OrderFrom(*o), Fulfillment: events.Fulfillment{FulfilledAt: now.UTC()}})
	if err != nil {
		return err
	}
	return s.db.appendStockEvents(ctx, tx, skus, e)
}

// lineSKUs returns the SKUs of an order's lines.
func lineSKUs(lines []commerce.OrderLine) []string {
	skus := make([]string, len(lines))
	for i, l := range lines {
		skus[i] = l.SKU
	}
	return skus
}
