package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"shopfn/handler/commerce"
)

// What one client holds in checkouts waiting for the buyer (requires_action)
// is counted in client_units: a row per client and SKU, and one per client
// under allSKUs for the units in all. client_held marks the checkouts
// counted there, and for which client, so that a checkout's units are
// added once and taken off once, whatever the bounds are meanwhile.

// allSKUs is the client_units row of a client's units in all; no SKU has
// this shape.
const allSKUs = "*"

// countUnits adds checkout id's lines (d) to what its client holds, per SKU
// and in all, within hold.Units and hold.TotalUnits, and marks the checkout
// counted. Each addition is one conditional update of the client's row, so
// concurrent checkouts of one client on any number of instances never pass
// a bound; it returns KindConflict "too_many_held_units" when one would be
// passed, and the caller's transaction then changes nothing.
func (s *CheckoutStore) countUnits(ctx context.Context, tx *sql.Tx, id string, d checkoutDoc, hold commerce.Hold) error {
	if _, err := s.db.exec(ctx, tx, `INSERT INTO client_held (checkout_id, client) VALUES (?, ?)`, id, d.Client); err != nil {
		if s.db.d.IsUnique(err) {
			return nil // counted by a concurrent SetPayment of this checkout
		}
		return err
	}
	lines := slices.Clone(d.Lines)
	slices.SortFunc(lines, func(a, b orderLineDoc) int { return strings.Compare(a.SKU, b.SKU) })
	total := 0
	for _, l := range lines {
		if err := s.addUnits(ctx, tx, d.Client, l.SKU, l.Quantity, hold.Units); err != nil {
			return err
		}
		total += l.Quantity
	}
	return s.addUnits(ctx, tx, d.Client, allSKUs, total, hold.TotalUnits)
}

// addUnits adds q units to client's row for sku when the sum stays within
// bound (0: unbounded), creating the row when there is none.
func (s *CheckoutStore) addUnits(ctx context.Context, tx *sql.Tx, client, sku string, q, bound int) error {
	update, args := `UPDATE client_units SET units = units + ? WHERE client = ? AND sku = ?`, []any{q, client, sku}
	if bound > 0 {
		update, args = update+` AND units + ? <= ?`, append(args, q, bound)
	}
	for attempt := 0; attempt < 3; attempt++ {
		n, err := s.db.exec(ctx, tx, update, args...)
		if err != nil || n == 1 {
			return err
		}
		if bound > 0 && q > bound {
			break
		}
		// No row, or the bound: a row appears only if there was none.
		n, err = s.db.exec(ctx, tx, `INSERT INTO client_units (client, sku, units) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM client_units WHERE client = ? AND sku = ?)`,
			client, sku, q, client, sku)
		if s.db.d.IsUnique(err) {
			continue // another checkout of the client made it first: add to it
		}
		if err != nil || n == 1 {
			return err
		}
		break // the row is there: the bound refused
	}
	return tooManyUnits(sku, bound)
}

func tooManyUnits(sku string, bound int) error {
	if sku == allSKUs {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeTooManyHeldUnits,
			"this client would hold more than %d units in checkouts waiting for authentication; finish or abandon one first", bound)
	}
	e := commerce.Errorf(commerce.KindConflict, commerce.CodeTooManyHeldUnits,
		"this client would hold more than %d units of %s in checkouts waiting for authentication; finish or abandon one first", bound, sku)
	e.SKUs = []string{sku}
	return e
}

// freeUnits takes checkout id's units off what its client holds, if they
// were counted, once. Rows that reach zero are removed.
func (db *DB) freeUnits(ctx context.Context, tx *sql.Tx, id string) error {
	var client string
	err := db.queryRow(ctx, tx, `SELECT client FROM client_held WHERE checkout_id = ?`, id).Scan(&client)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	n, err := db.exec(ctx, tx, `DELETE FROM client_held WHERE checkout_id = ?`, id)
	if err != nil || n == 0 {
		return err // freed by a concurrent transaction
	}
	if _, err := db.exec(ctx, tx, `UPDATE client_units SET units = units - (
			SELECT r.quantity FROM reservations r WHERE r.checkout_id = ? AND r.sku = client_units.sku)
		WHERE client = ? AND sku IN (SELECT sku FROM reservations WHERE checkout_id = ?)`, id, client, id); err != nil {
		return err
	}
	if _, err := db.exec(ctx, tx, `UPDATE client_units SET units = units - (
			SELECT SUM(r.quantity) FROM reservations r WHERE r.checkout_id = ?)
		WHERE client = ? AND sku = ?`, id, client, allSKUs); err != nil {
		return err
	}
	_, err = db.exec(ctx, tx, `DELETE FROM client_units WHERE client = ? AND units <= 0`, client)
	return err
}
