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
	"shopfn/handler/events"
)

// Fulfilment. A shipment of part of an order is a fulfilments row; what
// has shipped of each (SKU, location) is a shipped_units row, raised only
// by one conditional statement that keeps it within what is allocated
// there: the reservation's units at the default location (quantity -
// elsewhere), an allocations row's elsewhere. Every statement of one
// fulfilment runs in one transaction, after a conditional UPDATE of the
// order row that orders concurrent fulfilments of one order.

// Fulfil ships f's lines of a placed or partially fulfilled order from
// f.LocationID at now; see commerce.OrderStore.
func (s *OrderStore) Fulfil(ctx context.Context, id string, f commerce.FulfilmentRequest, now time.Time) (*commerce.Order, error) {
	err := s.db.tx(ctx, "fulfil", func(tx *sql.Tx) error {
		n, err := s.db.exec(ctx, tx, `UPDATE orders SET status = 'partially_fulfilled' WHERE id = ? AND status IN ('placed', 'partially_fulfilled')`, id)
		if err != nil {
			return err
		}
		o, err := scanOrder(s.db.queryRow(ctx, tx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is not placed yet", id)
		} else if err != nil {
			return err
		}
		if f.IdempotencyKey != "" {
			var hash string
			err := s.db.queryRow(ctx, tx, `SELECT request_hash FROM fulfilments WHERE order_id = ? AND idem_key = ?`, id, f.IdempotencyKey).Scan(&hash)
			if err == nil {
				if hash != f.RequestHash {
					return commerce.IdempotencyReused()
				}
				return nil // a replay: it shipped
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := s.db.knownLocation(ctx, tx, f.LocationID); err != nil {
			return err
		}
		if len(f.Lines) == 0 && (n == 1 || o.Status == commerce.OrderFulfilled) {
			// Everything left at the location: nothing left where units
			// were allocated is done already.
			if n == 0 {
				return nil
			}
			shipped, err := s.shippedUnits(ctx, tx, id)
			if err != nil {
				return err
			}
			if f.Lines = leftAt(o, shipped, f.LocationID); len(f.Lines) == 0 {
				if slices.ContainsFunc(commerce.AllocationsOf(o.Allocations, o.Items), func(a commerce.Allocation) bool { return a.LocationID == f.LocationID }) {
					return nil
				}
				return commerce.Errorf(commerce.KindConflict, commerce.CodeNotAllocated, "order %s has no units allocated at %s", id, f.LocationID)
			}
		}
		if n == 0 {
			switch o.Status {
			case commerce.OrderCancelling:
				return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderCancelling, "order %s is being cancelled; it cannot be fulfilled", id)
			case commerce.OrderFulfilled:
				return commerce.Errorf(commerce.KindConflict, commerce.CodeNotAllocated, "order %s is fulfilled: nothing is left to ship", id)
			}
			return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is %s, not placed", id, o.Status)
		}
		skus := make([]string, 0, len(f.Lines))
		for _, l := range f.Lines {
			ok, err := s.shipAt(ctx, tx, o, l.SKU, f.LocationID, l.Quantity)
			if err != nil {
				return err
			}
			if !ok {
				return commerce.NotAllocated(id, l.SKU, f.LocationID, l.Quantity)
			}
			skus = append(skus, l.SKU)
		}
		fl := commerce.Fulfilment{ID: commerce.NewFulfilmentID(now), LocationID: f.LocationID, Lines: f.Lines,
			TrackingNumber: f.TrackingNumber, Carrier: f.Carrier, CreatedAt: now}
		if err := s.addFulfilment(ctx, tx, id, f.IdempotencyKey, f.RequestHash, fl); err != nil {
			return err
		}
		var shipped int
		if err := s.db.queryRow(ctx, tx, `SELECT COALESCE(SUM(quantity), 0) FROM shipped_units WHERE order_id = ?`, id).Scan(&shipped); err != nil {
			return err
		}
		total := 0
		for _, l := range o.Items {
			total += l.Quantity
		}
		if shipped < total {
			return s.db.appendStockEvents(ctx, tx, skus)
		}
		if _, err := s.db.exec(ctx, tx, `UPDATE orders SET status = 'fulfilled', fulfilled_at = ? WHERE id = ? AND status = 'partially_fulfilled'`, unix(now), id); err != nil {
			return err
		}
		if _, err := s.db.exec(ctx, tx, `UPDATE allocations SET status = 'shipped' WHERE checkout_id = ? AND status = 'committed'`, o.CheckoutID); err != nil {
			return err
		}
		o.Status, o.FulfilledAt = commerce.OrderFulfilled, &now
		e, err := s.db.NewEvent(events.OrderFulfilled, id, now, events.OrderFulfilledData{Order: events.OrderFrom(*o),
			Fulfillment: events.Fulfillment{TrackingNumber: f.TrackingNumber, Carrier: f.Carrier, FulfilledAt: now.UTC()}})
		if err != nil {
			return err
		}
		return s.db.appendStockEvents(ctx, tx, skus, e)
	})
	if err != nil {
		return nil, err
	}
	return s.Order(ctx, id)
}

// shipAt ships q units of sku from loc for order o, in two statements: the
// first records them shipped only while what shipped stays within what is
// allocated there, and reports false otherwise; the second takes them off
// on hand and committed there.
func (s *OrderStore) shipAt(ctx context.Context, tx *sql.Tx, o *commerce.Order, sku, loc string, q int) (bool, error) {
	if _, err := s.db.exec(ctx, tx, `INSERT INTO shipped_units (order_id, sku, location_id, quantity)
		SELECT ?, ?, ?, 0 WHERE NOT EXISTS (SELECT 1 FROM shipped_units WHERE order_id = ? AND sku = ? AND location_id = ?)`,
		o.ID, sku, loc, o.ID, sku, loc); err != nil {
		return false, err
	}
	allocated := `COALESCE((SELECT a.quantity FROM allocations a WHERE a.checkout_id = ? AND a.sku = ? AND a.location_id = ? AND a.status = 'committed'), 0)`
	args := []any{q, o.ID, sku, loc, q, o.CheckoutID, sku, loc}
	if loc == commerce.DefaultLocation {
		allocated = `COALESCE((SELECT r.quantity - r.elsewhere FROM reservations r WHERE r.checkout_id = ? AND r.sku = ? AND r.status = 'committed'), 0)`
		args = args[:len(args)-1]
	}
	n, err := s.db.exec(ctx, tx, `UPDATE shipped_units SET quantity = quantity + ?
		WHERE order_id = ? AND sku = ? AND location_id = ? AND quantity + ? <= `+allocated, args...)
	if err != nil || n == 0 {
		return false, err
	}
	set := `on_hand = CASE WHEN on_hand >= ? THEN on_hand - ? ELSE 0 END, committed = committed - ?`
	if loc == commerce.DefaultLocation {
		_, err = s.db.exec(ctx, tx, `UPDATE inventory SET `+set+` WHERE sku = ? AND committed >= ?`, q, q, q, sku, q)
	} else {
		_, err = s.db.exec(ctx, tx, `UPDATE location_stock SET `+set+` WHERE sku = ? AND location_id = ? AND committed >= ?`, q, q, q, sku, loc, q)
	}
	return err == nil, err
}

// shipRemainder ships what is left of a partially fulfilled order, one
// fulfilment per location, and returns the SKUs it shipped.
func (s *OrderStore) shipRemainder(ctx context.Context, tx *sql.Tx, o *commerce.Order, now time.Time) ([]string, error) {
	shipped, err := s.shippedUnits(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	var skus []string
	for _, f := range remainder(o, shipped) {
		for _, l := range f.Lines {
			ok, err := s.shipAt(ctx, tx, o, l.SKU, f.LocationID, l.Quantity)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("order %s: %d units of %s at %s are not allocated", o.ID, l.Quantity, l.SKU, f.LocationID)
			}
			skus = append(skus, l.SKU)
		}
		f.ID, f.CreatedAt = commerce.NewFulfilmentID(now), now
		if err := s.addFulfilment(ctx, tx, o.ID, "", "", f); err != nil {
			return nil, err
		}
	}
	_, err = s.db.exec(ctx, tx, `UPDATE allocations SET status = 'shipped' WHERE checkout_id = ? AND status = 'committed'`, o.CheckoutID)
	return skus, err
}

// shippedUnits returns what has shipped of an order, by (SKU, location).
func (s *OrderStore) shippedUnits(ctx context.Context, tx *sql.Tx, orderID string) (map[[2]string]int, error) {
	rows, err := s.db.queryRows(ctx, tx, `SELECT sku, location_id, quantity FROM shipped_units WHERE order_id = ?`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	shipped := map[[2]string]int{}
	for rows.Next() {
		var sku, loc string
		var q int
		if err := rows.Scan(&sku, &loc, &q); err != nil {
			return nil, err
		}
		shipped[[2]string{sku, loc}] = q
	}
	return shipped, rows.Err()
}

// leftAt returns the lines of an order left to ship from loc, given what
// shipped.
func leftAt(o *commerce.Order, shipped map[[2]string]int, loc string) []commerce.FulfilmentLine {
	for _, f := range remainder(o, shipped) {
		if f.LocationID == loc {
			return f.Lines
		}
	}
	return nil
}

// remainder returns what is left to ship of an order, given what shipped
// by (SKU, location), as one fulfilment per location, by location then SKU.
func remainder(o *commerce.Order, shipped map[[2]string]int) []commerce.Fulfilment {
	var out []commerce.Fulfilment
	allocs := slices.Clone(commerce.AllocationsOf(o.Allocations, o.Items))
	slices.SortFunc(allocs, func(a, b commerce.Allocation) int {
		if c := strings.Compare(a.LocationID, b.LocationID); c != 0 {
			return c
		}
		return strings.Compare(a.SKU, b.SKU)
	})
	for _, a := range allocs {
		q := a.Quantity - shipped[[2]string{a.SKU, a.LocationID}]
		if q <= 0 {
			continue
		}
		if len(out) == 0 || out[len(out)-1].LocationID != a.LocationID {
			out = append(out, commerce.Fulfilment{LocationID: a.LocationID})
		}
		last := &out[len(out)-1]
		last.Lines = append(last.Lines, commerce.FulfilmentLine{SKU: a.SKU, Quantity: q})
	}
	return out
}

// addFulfilment stores a fulfilment of an order under key (its ID when
// the request had none).
func (s *OrderStore) addFulfilment(ctx context.Context, tx *sql.Tx, orderID, key, hash string, f commerce.Fulfilment) error {
	if key == "" {
		key = f.ID
	}
	lines, err := json.Marshal(f.Lines)
	if err != nil {
		return err
	}
	_, err = s.db.exec(ctx, tx, `INSERT INTO fulfilments (id, order_id, idem_key, request_hash, location_id, lines, tracking_number, carrier, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, orderID, key, hash, f.LocationID, string(lines), f.TrackingNumber, f.Carrier, unix(f.CreatedAt))
	return err
}

// fulfilments returns the fulfilments of orders, by order, oldest first.
func (s *OrderStore) fulfilments(ctx context.Context, ids []string) (map[string][]commerce.Fulfilment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(`SELECT order_id, id, location_id, lines, tracking_number, carrier, created_at FROM fulfilments
		WHERE order_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+`) ORDER BY order_id, created_at, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read fulfilments: %w", err)
	}
	defer rows.Close()
	out := map[string][]commerce.Fulfilment{}
	for rows.Next() {
		var orderID string
		var f commerce.Fulfilment
		var lines []byte
		var created int64
		if err := rows.Scan(&orderID, &f.ID, &f.LocationID, &lines, &f.TrackingNumber, &f.Carrier, &created); err != nil {
			return nil, fmt.Errorf("sqlstore: read fulfilments: %w", err)
		}
		if err := json.Unmarshal(lines, &f.Lines); err != nil {
			return nil, fmt.Errorf("sqlstore: read fulfilments: %w", err)
		}
		f.CreatedAt = fromUnix(created)
		out[orderID] = append(out[orderID], f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: read fulfilments: %w", err)
	}
	return out, nil
}

// withFulfilments sets the fulfilments of orders that shipped, in whole
// or in part (a cancelled order may have shipped part before).
func (s *OrderStore) withFulfilments(ctx context.Context, orders []commerce.Order) error {
	var ids []string
	for _, o := range orders {
		if o.Status == commerce.OrderFulfilled || o.Status == commerce.OrderPartiallyFulfilled || o.Status == commerce.OrderCancelled {
			ids = append(ids, o.ID)
		}
	}
	byOrder, err := s.fulfilments(ctx, ids)
	if err != nil {
		return err
	}
	for i := range orders {
		orders[i].Fulfilments = byOrder[orders[i].ID]
	}
	return nil
}
