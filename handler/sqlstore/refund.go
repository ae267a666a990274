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

// Refunds. Every refund of an order is a refunds row: a cancelled order's
// refund in full (recorded by CancelOrder once the provider refunded,
// succeeded) and the refund of a partially fulfilled order's unshipped
// remainder (recorded pending by CancelRemainder, executed by the orders
// function from its RefundRequested message, settled by SettleRefund).
// The row's idem_key is the provider's idempotency key: a redelivered
// message, or two workers on one, refund once.

var _ commerce.RefundStore = (*OrderStore)(nil)

const refundColumns = `id, order_id, payment_id, amount, currency, reason, idem_key, status, failure_code, attempts, created_at`

func scanRefund(row interface{ Scan(...any) error }) (*commerce.Refund, error) {
	var r commerce.Refund
	var created int64
	if err := row.Scan(&r.ID, &r.OrderID, &r.PaymentID, &r.Amount.Amount, &r.Amount.Currency, &r.Reason, &r.Key,
		&r.Status, &r.FailureCode, &r.Attempts, &created); err != nil {
		return nil, err
	}
	r.CreatedAt = fromUnix(created)
	return &r, nil
}

// CancelRemainder cancels a partially fulfilled order's unshipped units
// and records their refund; see commerce.RefundStore.
func (s *OrderStore) CancelRemainder(ctx context.Context, id string, now time.Time) (bool, error) {
	changed := false
	err := s.db.tx(ctx, "cancel remainder", func(tx *sql.Tx) error {
		changed = false
		// The conditional UPDATE decides against a concurrent fulfilment,
		// which moves the order only while it is placed or partially
		// fulfilled; restocked is set, so that no OrderCancelled message
		// ever releases the units a second time.
		n, err := s.db.exec(ctx, tx, `UPDATE orders SET status = 'cancelled', cancelled_at = ?, restocked = 1 WHERE id = ? AND status = 'partially_fulfilled'`, unix(now), id)
		if err != nil || n == 0 {
			return err
		}
		o, err := scanOrder(s.db.queryRow(ctx, tx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, id))
		if err != nil {
			return err
		}
		shipped, err := s.shippedUnits(ctx, tx, id)
		if err != nil {
			return err
		}
		skus, err := s.releaseUnshipped(ctx, tx, o, shipped)
		if err != nil {
			return err
		}
		bySKU := map[string]int{}
		for k, q := range shipped {
			bySKU[k[0]] += q
		}
		amount := commerce.RemainderValue(o, bySKU)
		refunded := commerce.Money{Currency: amount.Currency}
		if o.PaymentID != "" {
			refunded = amount
		}
		e, err := s.db.NewEvent(events.OrderCancelled, id, now, events.OrderCancelledData{Order: events.OrderFrom(*o), CancelledAt: now.UTC(), UnshippedRefund: &refunded})
		if err != nil {
			return err
		}
		if o.PaymentID != "" && amount.Amount > 0 {
			r := commerce.Refund{ID: commerce.NewRefundID(now), OrderID: id, PaymentID: o.PaymentID, Amount: amount,
				Reason: commerce.RefundReasonUnshipped, Status: commerce.RefundPending, CreatedAt: now}
			r.Key = r.ID
			if err := s.insertRefund(ctx, tx, r, time.Time{}); err != nil {
				return err
			}
			body, err := json.Marshal(commerce.RefundRequestedEvent{Type: commerce.MsgRefundRequested, RefundID: r.ID})
			if err != nil {
				return err
			}
			if err := s.db.addOutbox(ctx, tx, []commerce.Message{{ID: "refund-" + r.ID, Type: commerce.MsgRefundRequested, Body: body}}); err != nil {
				return err
			}
		}
		changed = true
		return s.db.appendStockEvents(ctx, tx, skus, e)
	})
	return changed, err
}

// releaseUnshipped gives back to sale the units of order o that are
// allocated and did not ship, where they are allocated (committed drops
// there), marks its allocations restocked, and returns the SKUs it
// released. Where units are allocated is read from the tables that
// fulfilment ships against: the reservations for the default location,
// the committed allocations rows elsewhere.
func (s *OrderStore) releaseUnshipped(ctx context.Context, tx *sql.Tx, o *commerce.Order, shipped map[[2]string]int) ([]string, error) {
	allocated := map[[2]string]int{}
	units, ok, err := s.db.defaultUnits(ctx, tx, o.CheckoutID)
	if err != nil {
		return nil, err
	}
	if !ok { // an order placed before reservations: all at the default location
		for _, l := range o.Items {
			units[l.SKU] += l.Quantity
		}
	}
	for sku, q := range units {
		allocated[[2]string{sku, commerce.DefaultLocation}] = q
	}
	rows, err := s.db.queryRows(ctx, tx, `SELECT sku, location_id, quantity FROM allocations WHERE checkout_id = ? AND status = 'committed'`, o.CheckoutID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var sku, loc string
		var q int
		if err := rows.Scan(&sku, &loc, &q); err != nil {
			rows.Close()
			return nil, err
		}
		allocated[[2]string{sku, loc}] += q
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	keys := make([][2]string, 0, len(allocated))
	for k := range allocated {
		keys = append(keys, k)
	}
	// By SKU then location: the order in which every writer locks stock rows.
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	var skus []string
	for _, k := range keys {
		q := allocated[k] - shipped[k]
		if q <= 0 {
			continue
		}
		sku, loc := k[0], k[1]
		if loc == commerce.DefaultLocation {
			n, err := s.db.exec(ctx, tx, `UPDATE inventory SET committed = committed - ? WHERE sku = ? AND committed >= ?`, q, sku, q)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				// An order placed before committed stock existed took its
				// units off on hand: put them back there, as Restock does.
				if _, err := s.db.exec(ctx, tx, `UPDATE inventory SET on_hand = on_hand + ? WHERE sku = ?`, q, sku); err != nil {
					return nil, err
				}
			}
		} else {
			n, err := s.db.exec(ctx, tx, `UPDATE location_stock SET committed = committed - ? WHERE sku = ? AND location_id = ? AND committed >= ?`, q, sku, loc, q)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, fmt.Errorf("order %s: %d units of %s committed at %s are not there to release", o.ID, q, sku, loc)
			}
		}
		if !slices.Contains(skus, sku) {
			skus = append(skus, sku)
		}
	}
	_, err = s.db.exec(ctx, tx, `UPDATE allocations SET status = 'restocked' WHERE checkout_id = ? AND status = 'committed'`, o.CheckoutID)
	return skus, err
}

// insertRefund records r, settled at settled (zero while pending).
func (s *OrderStore) insertRefund(ctx context.Context, tx *sql.Tx, r commerce.Refund, settled time.Time) error {
	_, err := s.db.exec(ctx, tx, `INSERT INTO refunds (id, order_id, payment_id, amount, currency, reason, idem_key, status, failure_code, attempts, created_at, settled_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?, ?)`, r.ID, r.OrderID, r.PaymentID, r.Amount.Amount, r.Amount.Currency, r.Reason, r.Key, string(r.Status), unix(r.CreatedAt), unix(settled))
	return err
}

// refundedInFull records that cancelled order o's payment was refunded in
// full at now, under the order's ID as key: its refund row, pending or
// failed while the provider could not or would not refund, becomes
// succeeded; without one, a succeeded row is added.
func (s *OrderStore) refundedInFull(ctx context.Context, tx *sql.Tx, o *commerce.Order, now time.Time) error {
	n, err := s.db.exec(ctx, tx, `UPDATE refunds SET status = 'succeeded', failure_code = '', settled_at = ? WHERE idem_key = ? AND order_id = ?`, unix(now), o.ID, o.ID)
	if err != nil || n > 0 {
		return err
	}
	return s.insertRefund(ctx, tx, commerce.Refund{ID: commerce.NewRefundID(now), OrderID: o.ID, PaymentID: o.PaymentID, Amount: o.Total,
		Reason: commerce.RefundReasonCancelled, Key: o.ID, Status: commerce.RefundSucceeded, CreatedAt: now}, now)
}

// NoteCancelRefund records that the provider did not refund cancelling
// order id in full: the order's refund row (keyed by the order's ID) is
// pending with one more attempt, or failed when the provider refused it
// (refused), with the error's code, so that the order lists why it is
// still cancelling. A failed refund takes the order out of the sweep
// (CancellingOrders); sending the cancel again tries again.
func (s *OrderStore) NoteCancelRefund(ctx context.Context, id string, refused bool, code string, now time.Time) error {
	status := commerce.RefundPending
	if refused {
		status = commerce.RefundFailed
	}
	return s.db.tx(ctx, "note cancel refund", func(tx *sql.Tx) error {
		n, err := s.db.exec(ctx, tx, `UPDATE refunds SET status = ?, failure_code = ?, attempts = attempts + 1 WHERE idem_key = ? AND order_id = ? AND status <> 'succeeded'`,
			string(status), code, id, id)
		if err != nil || n > 0 {
			return err
		}
		o, err := scanOrder(s.db.queryRow(ctx, tx, `SELECT `+orderColumns+` FROM orders WHERE id = ? AND status = 'cancelling'`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return nil // cancelled meanwhile, or never claimed
		} else if err != nil {
			return err
		}
		if o.PaymentID == "" || o.Total.Amount <= 0 {
			return nil
		}
		_, err = s.db.exec(ctx, tx, `INSERT INTO refunds (id, order_id, payment_id, amount, currency, reason, idem_key, status, failure_code, attempts, created_at, settled_at)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, 0 WHERE NOT EXISTS (SELECT 1 FROM refunds WHERE idem_key = ?)`,
			commerce.NewRefundID(now), id, o.PaymentID, o.Total.Amount, o.Total.Currency, commerce.RefundReasonCancelled, id, string(status), code, unix(now), id)
		if s.db.d.IsUnique(err) {
			return nil // a concurrent note added the row: that attempt is counted
		}
		return err
	})
}

// Refund returns a refund, or "not_found".
func (s *OrderStore) Refund(ctx context.Context, id string) (*commerce.Refund, error) {
	r, err := scanRefund(s.db.readRow(ctx, `SELECT `+refundColumns+` FROM refunds WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, commerce.NotFoundf("refund %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("sqlstore: read refund %s: %w", id, err)
	}
	return r, nil
}

// SettleRefund moves a pending refund to status at now, once; see
// commerce.RefundStore.
func (s *OrderStore) SettleRefund(ctx context.Context, id string, status commerce.RefundStatus, failureCode string, now time.Time) (bool, error) {
	if status != commerce.RefundSucceeded && status != commerce.RefundFailed {
		return false, fmt.Errorf("sqlstore: settle refund %s: %q is not a settled status", id, status)
	}
	changed := false
	err := s.db.tx(ctx, "settle refund", func(tx *sql.Tx) error {
		changed = false
		n, err := s.db.exec(ctx, tx, `UPDATE refunds SET status = ?, failure_code = ?, settled_at = ? WHERE id = ? AND status = 'pending'`,
			string(status), failureCode, unix(now), id)
		if err != nil || n == 0 {
			return err
		}
		changed = true
		if status != commerce.RefundSucceeded {
			return nil
		}
		r, err := scanRefund(s.db.queryRow(ctx, tx, `SELECT `+refundColumns+` FROM refunds WHERE id = ?`, id))
		if err != nil {
			return err
		}
		o, err := scanOrder(s.db.queryRow(ctx, tx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, r.OrderID))
		if err != nil {
			return err
		}
		e, err := s.db.NewEvent(events.OrderRefunded, r.OrderID, now, events.OrderRefundedData{Order: events.OrderFrom(*o),
			Refund: events.Refund{Amount: r.Amount, RefundedAt: now.UTC()}})
		if err != nil {
			return err
		}
		return s.db.AppendEvents(ctx, tx, e)
	})
	return changed, err
}

// NoteRefundAttempt counts a provider call for a pending refund that got
// no answer, with its error's code.
func (s *OrderStore) NoteRefundAttempt(ctx context.Context, id, code string) error {
	return s.db.tx(ctx, "note refund attempt", func(tx *sql.Tx) error {
		_, err := s.db.exec(ctx, tx, `UPDATE refunds SET attempts = attempts + 1, failure_code = ? WHERE id = ? AND status = 'pending'`, code, id)
		return err
	})
}

// withRefunds sets the refunds of cancelled and cancelling orders, oldest
// first.
func (s *OrderStore) withRefunds(ctx context.Context, orders []commerce.Order) error {
	var args []any
	for _, o := range orders {
		if o.Status == commerce.OrderCancelled || o.Status == commerce.OrderCancelling {
			args = append(args, o.ID)
		}
	}
	if len(args) == 0 {
		return nil
	}
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(`SELECT `+refundColumns+` FROM refunds
		WHERE order_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`) ORDER BY order_id, created_at, id`), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: read refunds: %w", err)
	}
	defer rows.Close()
	byOrder := map[string][]commerce.Refund{}
	for rows.Next() {
		r, err := scanRefund(rows)
		if err != nil {
			return fmt.Errorf("sqlstore: read refunds: %w", err)
		}
		byOrder[r.OrderID] = append(byOrder[r.OrderID], *r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlstore: read refunds: %w", err)
	}
	for i := range orders {
		orders[i].Refunds = byOrder[orders[i].ID]
	}
	return nil
}
