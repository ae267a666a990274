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

var _ commerce.CustomerOrderStore = (*OrderStore)(nil)

// addOrderCustomer records in tx that a checkout's order is its
// customer's; a guest's checkout records nothing.
func (db *DB) addOrderCustomer(ctx context.Context, tx *sql.Tx, c *commerce.Checkout) error {
	if c.CustomerID == "" {
		return nil
	}
	_, err := db.exec(ctx, tx, `INSERT INTO order_customers (order_id, customer_id, created_at) VALUES (?, ?, ?)`,
		c.OrderID, c.CustomerID, unix(c.CreatedAt))
	return err
}

// placedOrPaid is the condition that order_customers row oc names an order
// buyers see: stored, or paid and not stored yet (processing).
const placedOrPaid = `(EXISTS (SELECT 1 FROM orders o WHERE o.id = oc.order_id)
	OR EXISTS (SELECT 1 FROM checkouts k WHERE k.order_id = oc.order_id AND k.status = 'paid'))`

// CustomerOrders returns a customer's orders, newest first (order IDs sort
// by creation time), read one by one after one query on the index.
func (s *OrderStore) CustomerOrders(ctx context.Context, customerID, before string, limit int) ([]commerce.Order, error) {
	if before == "" {
		before = "~" // after every ID
	}
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(`SELECT oc.order_id FROM order_customers oc
		WHERE oc.customer_id = ? AND oc.order_id < ? AND `+placedOrPaid+` ORDER BY oc.order_id DESC`)), customerID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list customer orders: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: list customer orders: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list customer orders: %w", err)
	}
	out := make([]commerce.Order, 0, len(ids))
	for _, id := range ids {
		o, err := s.Order(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *o)
	}
	return out, nil
}

// CountCustomerOrders counts a customer's orders on the index.
func (s *OrderStore) CountCustomerOrders(ctx context.Context, customerID string) (int, error) {
	var n int
	err := s.db.readRow(ctx, `SELECT COUNT(*) FROM order_customers oc WHERE oc.customer_id = ? AND `+placedOrPaid, customerID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: count customer orders: %w", err)
	}
	return n, nil
}

// OrderCustomer returns the customer of an order, or "".
func (s *OrderStore) OrderCustomer(ctx context.Context, orderID string) (string, error) {
	var id string
	err := s.db.readRow(ctx, `SELECT customer_id FROM order_customers WHERE order_id = ?`, orderID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("sqlstore: read order customer: %w", err)
	}
	return id, nil
}

// ClaimOrder inserts the order's row unless it has one, and reads whose
// it is, in one transaction.
func (s *OrderStore) ClaimOrder(ctx context.Context, orderID, customerID string, now time.Time) (bool, error) {
	if _, err := s.Order(ctx, orderID); err != nil {
		return false, err
	}
	mine := false
	err := s.db.tx(ctx, "claim order", func(tx *sql.Tx) error {
		if _, err := s.db.exec(ctx, tx, `INSERT INTO order_customers (order_id, customer_id, created_at)
			SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM order_customers WHERE order_id = ?)`,
			orderID, customerID, unix(now), orderID); err != nil && !s.db.d.IsUnique(err) {
			return err
		}
		var owner string
		if err := s.db.queryRow(ctx, tx, `SELECT customer_id FROM order_customers WHERE order_id = ?`, orderID).Scan(&owner); err != nil {
			return err
		}
		mine = owner == customerID
		return nil
	})
	return mine, err
}

// RedactCustomerOrders redacts, in one transaction, the documents of a
// customer's checkouts and orders and records the erasure.
func (s *OrderStore) RedactCustomerOrders(ctx context.Context, customerID string, now time.Time) (int, error) {
	n := 0
	err := s.db.tx(ctx, "redact customer orders", func(tx *sql.Tx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, s.db.d.Rebind(`SELECT order_id FROM order_customers WHERE customer_id = ? ORDER BY order_id`), customerID)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			changed, err := s.redact(ctx, tx, `SELECT doc FROM checkouts WHERE order_id = ?`, `UPDATE checkouts SET doc = ? WHERE order_id = ?`, id, "address")
			if err != nil {
				return err
			}
			placed, err := s.redact(ctx, tx, `SELECT doc FROM orders WHERE id = ?`, `UPDATE orders SET doc = ? WHERE id = ?`, id, "shippingAddress")
			if err != nil {
				return err
			}
			if changed || placed {
				n++
			}
		}
		_, err = s.db.exec(ctx, tx, `INSERT INTO customer_erasures (customer_id, orders, erased_at)
			SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM customer_erasures WHERE customer_id = ?)`,
			customerID, len(ids), unix(now), customerID)
		return err
	})
	return n, err
}

// redact replaces the email and the address (under addressKey) of the one
// document read reads, keeping every other field as stored, and reports
// whether it changed it (false when there is none or it is redacted).
func (s *OrderStore) redact(ctx context.Context, tx *sql.Tx, read, write, id, addressKey string) (bool, error) {
	var doc []byte
	err := s.db.queryRow(ctx, tx, read, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var d map[string]json.RawMessage
	if err := json.Unmarshal(doc, &d); err != nil {
		return false, fmt.Errorf("sqlstore: redact %s: %w", id, err)
	}
	marker, _ := json.Marshal(commerce.Redacted)
	if string(d["email"]) == string(marker) {
		return false, nil
	}
	address, _ := json.Marshal(addressDoc{Name: commerce.Redacted, Line1: commerce.Redacted, Line2: commerce.Redacted,
		City: commerce.Redacted, PostalCode: commerce.Redacted, Country: commerce.Redacted})
	d["email"], d[addressKey] = marker, address
	out, err := json.Marshal(d)
	if err != nil {
		return false, fmt.Errorf("sqlstore: redact %s: %w", id, err)
	}
	_, err = s.db.exec(ctx, tx, write, string(out), id)
	return err == nil, err
}
