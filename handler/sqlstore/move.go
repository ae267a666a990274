package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

// Moving allocations. An order's unshipped units of a SKU move from one
// location to another in one transaction: a conditional UPDATE of the
// order row orders it against fulfilments and cancellation of the order;
// one conditional statement takes the units off what is allocated at the
// source and not shipped (the reservation's default units, or an
// allocations row); one gives them back to committed there; and one
// commits them at the destination only while its available stays at or
// above zero, the same condition a checkout's reservation there runs
// under, so a move racing checkouts never oversells. The two stock rows
// are updated in location order, as checkouts lock them.

// MoveAllocation moves m's units of an order's line from m.From to m.To
// at now; see commerce.OrderStore.
func (s *OrderStore) MoveAllocation(ctx context.Context, id string, m commerce.AllocationMove, now time.Time) (*commerce.Order, error) {
	err := s.db.tx(ctx, "move allocation", func(tx *sql.Tx) error {
		n, err := s.db.exec(ctx, tx, `UPDATE orders SET status = status WHERE id = ? AND status IN ('placed', 'partially_fulfilled')`, id)
		if err != nil {
			return err
		}
		o, err := scanOrder(s.db.queryRow(ctx, tx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is not placed yet", id)
		} else if err != nil {
			return err
		}
		if m.IdempotencyKey != "" {
			var hash string
			err := s.db.queryRow(ctx, tx, `SELECT request_hash FROM allocation_moves WHERE order_id = ? AND idem_key = ?`, id, m.IdempotencyKey).Scan(&hash)
			if err == nil {
				if hash != m.RequestHash {
					return commerce.Errorf(commerce.KindRule, commerce.CodeIdempotencyKeyReused, "this Idempotency-Key was used for another move of this order")
				}
				return nil // a replay: it moved
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if n == 0 {
			switch o.Status {
			case commerce.OrderCancelling:
				return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderCancelling, "order %s is being cancelled; its allocations cannot move", id)
			case commerce.OrderFulfilled:
				return commerce.Errorf(commerce.KindConflict, commerce.CodeNotAllocated, "order %s is fulfilled: nothing is left to move", id)
			}
			return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is %s, not placed", id, o.Status)
		}
		if err := s.db.knownLocation(ctx, tx, m.From); err != nil {
			return err
		}
		to, err := scanLocation(s.db.queryRow(ctx, tx, `SELECT `+locationColumns+` FROM locations WHERE id = ?`, m.To))
		if errors.Is(err, sql.ErrNoRows) {
			return commerce.NotFoundf("location %q not found", m.To)
		} else if err != nil {
			return err
		}
		switch {
		case to.Status != commerce.LocationActive:
			return commerce.CannotShipFrom(id, m.SKU, m.To, "the location is inactive")
		case !to.Serves(o.ShippingAddress.Country):
			return commerce.CannotShipFrom(id, m.SKU, m.To, "the location does not ship to "+o.ShippingAddress.Country)
		}
		if ok, err := s.unallocate(ctx, tx, o, m.SKU, m.From, m.Quantity); err != nil || !ok {
			if err == nil {
				err = commerce.Errorf(commerce.KindConflict, commerce.CodeNotAllocated, "order %s has fewer than %d unshipped units of %s allocated at %s", id, m.Quantity, m.SKU, m.From)
			}
			return err
		}
		if err := s.allocateAt(ctx, tx, o, m.SKU, m.To, m.Quantity); err != nil {
			return err
		}
		for _, loc := range sortedPair(m.From, m.To) {
			if loc == m.From {
				if err := s.releaseCommitted(ctx, tx, m.SKU, m.From, m.Quantity); err != nil {
					return err
				}
			} else if ok, err := s.commitAt(ctx, tx, m.SKU, m.To, m.Quantity); err != nil || !ok {
				if err == nil {
					err = commerce.ShortAt(m.SKU, m.To, m.Quantity)
				}
				return err
			}
		}
		if err := s.setOrderAllocations(ctx, tx, o); err != nil {
			return err
		}
		moveID := "m" + commerce.NewProductID(now)[1:]
		key := m.IdempotencyKey
		if key == "" {
			key = moveID
		}
		if _, err := s.db.exec(ctx, tx, `INSERT INTO allocation_moves (id, order_id, idem_key, request_hash, sku, from_location, to_location, quantity, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, moveID, id, key, m.RequestHash, m.SKU, m.From, m.To, m.Quantity, unix(now)); err != nil {
			return err
		}
		return s.db.appendStockEvents(ctx, tx, []string{m.SKU})
	})
	if err != nil {
		return nil, err
	}
	return s.Order(ctx, id)
}

// sortedPair returns a and b in order.
func sortedPair(a, b string) []string {
	if a > b {
		return []string{b, a}
	}
	return []string{a, b}
}

// unallocate takes q units of sku at loc off what order o has allocated
// there, in one statement that keeps it at or above what has shipped from
// there, and reports false when fewer are left.
func (s *OrderStore) unallocate(ctx context.Context, tx *sql.Tx, o *commerce.Order, sku, loc string, q int) (bool, error) {
	shipped := `COALESCE((SELECT su.quantity FROM shipped_units su WHERE su.order_id = ? AND su.sku = ? AND su.location_id = ?), 0)`
	var n int64
	var err error
	if loc == commerce.DefaultLocation {
		n, err = s.db.exec(ctx, tx, `UPDATE reservations SET elsewhere = elsewhere + ?
			WHERE checkout_id = ? AND sku = ? AND status = 'committed' AND quantity - elsewhere - `+shipped+` >= ?`,
			q, o.CheckoutID, sku, o.ID, sku, loc, q)
	} else {
		n, err = s.db.exec(ctx, tx, `UPDATE allocations SET quantity = quantity - ?
			WHERE checkout_id = ? AND sku = ? AND location_id = ? AND status = 'committed' AND quantity - `+shipped+` >= ?`,
			q, o.CheckoutID, sku, loc, o.ID, sku, loc, q)
		if err == nil && n == 1 {
			_, err = s.db.exec(ctx, tx, `DELETE FROM allocations WHERE checkout_id = ? AND sku = ? AND location_id = ? AND quantity = 0`, o.CheckoutID, sku, loc)
		}
	}
	return n == 1, err
}

// allocateAt adds q units of sku at loc to what order o has allocated
// there.
func (s *OrderStore) allocateAt(ctx context.Context, tx *sql.Tx, o *commerce.Order, sku, loc string, q int) error {
	if loc == commerce.DefaultLocation {
		n, err := s.db.exec(ctx, tx, `UPDATE reservations SET elsewhere = elsewhere - ? WHERE checkout_id = ? AND sku = ? AND status = 'committed' AND elsewhere >= ?`,
			q, o.CheckoutID, sku, q)
		if err == nil && n == 0 {
			err = fmt.Errorf("order %s: %d units of %s are not elsewhere", o.ID, q, sku)
		}
		return err
	}
	n, err := s.db.exec(ctx, tx, `UPDATE allocations SET quantity = quantity + ? WHERE checkout_id = ? AND sku = ? AND location_id = ? AND status = 'committed'`,
		q, o.CheckoutID, sku, loc)
	if err != nil || n == 1 {
		return err
	}
	_, err = s.db.exec(ctx, tx, `INSERT INTO allocations (checkout_id, sku, location_id, quantity, status) VALUES (?, ?, ?, ?, 'committed')`, o.CheckoutID, sku, loc, q)
	return err
}

// releaseCommitted gives q committed units of sku at loc back to sale.
func (s *OrderStore) releaseCommitted(ctx context.Context, tx *sql.Tx, sku, loc string, q int) error {
	var n int64
	var err error
	if loc == commerce.DefaultLocation {
		n, err = s.db.exec(ctx, tx, `UPDATE inventory SET committed = committed - ? WHERE sku = ? AND committed >= ?`, q, sku, q)
	} else {
		n, err = s.db.exec(ctx, tx, `UPDATE location_stock SET committed = committed - ? WHERE sku = ? AND location_id = ? AND committed >= ?`, q, sku, loc, q)
	}
	if err == nil && n == 0 {
		err = fmt.Errorf("%s has fewer than %d units of %s committed", loc, q, sku)
	}
	return err
}

// commitAt commits q units of sku at an active loc if they are available
// there, in one statement, and reports whether it did.
func (s *OrderStore) commitAt(ctx context.Context, tx *sql.Tx, sku, loc string, q int) (bool, error) {
	active := ` AND EXISTS (SELECT 1 FROM locations l WHERE l.id = ? AND l.status = 'active')`
	var n int64
	var err error
	if loc == commerce.DefaultLocation {
		n, err = s.db.exec(ctx, tx, `UPDATE inventory SET committed = committed + ? WHERE sku = ? AND on_hand - committed - reserved >= ?`+active, q, sku, q, loc)
	} else {
		n, err = s.db.exec(ctx, tx, `UPDATE location_stock SET committed = committed + ? WHERE sku = ? AND location_id = ? AND on_hand - committed - reserved >= ?`+active, q, sku, loc, q, loc)
	}
	return n == 1, err
}

// setOrderAllocations writes an order's allocations, as its reservations
// and allocations rows now hold them, into its document.
func (s *OrderStore) setOrderAllocations(ctx context.Context, tx *sql.Tx, o *commerce.Order) error {
	rows, err := s.db.queryRows(ctx, tx, `SELECT sku, 'default', quantity - elsewhere FROM reservations WHERE checkout_id = ? AND status = 'committed' AND quantity > elsewhere
		UNION ALL SELECT sku, location_id, quantity FROM allocations WHERE checkout_id = ? AND status = 'committed' AND quantity > 0`, o.CheckoutID, o.CheckoutID)
	if err != nil {
		return err
	}
	var all []commerce.Allocation
	for rows.Next() {
		var a commerce.Allocation
		if err := rows.Scan(&a.SKU, &a.LocationID, &a.Quantity); err != nil {
			rows.Close()
			return err
		}
		all = append(all, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	slices.SortFunc(all, func(a, b commerce.Allocation) int {
		if c := strings.Compare(a.SKU, b.SKU); c != 0 {
			return c
		}
		return strings.Compare(a.LocationID, b.LocationID)
	})
	var doc []byte
	if err := s.db.queryRow(ctx, tx, `SELECT doc FROM orders WHERE id = ?`, o.ID).Scan(&doc); err != nil {
		return err
	}
	var d orderDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return fmt.Errorf("sqlstore: decode order %s: %w", o.ID, err)
	}
	d.Allocations = storedAllocations(all)
	if doc, err = json.Marshal(d); err != nil {
		return fmt.Errorf("sqlstore: encode order %s: %w", o.ID, err)
	}
	_, err = s.db.exec(ctx, tx, `UPDATE orders SET doc = ? WHERE id = ?`, string(doc), o.ID)
	return err
}
