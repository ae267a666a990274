package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"shopfn/handler/commerce"
)

// Allocation. A checkout's units of a SKU are reserved at the active
// locations that ship to its address's country, in the transaction that
// reserves them. The reservation row keeps the line's quantity and, in
// elsewhere, how many of its units are at locations other than the
// default; an allocations row holds each of those. The rest of the line is
// at the default location, in the inventory table, as before locations:
// with the default location alone, a checkout runs today's statements.

// storedAllocations returns the allocations a document keeps: none when
// every unit is at the default location.
func storedAllocations(a []commerce.Allocation) []commerce.Allocation {
	if !slices.ContainsFunc(a, func(a commerce.Allocation) bool { return a.LocationID != commerce.DefaultLocation }) {
		return nil
	}
	return a
}

// shipTo returns the active locations that ship to country, by priority.
func (s *CheckoutStore) shipTo(ctx context.Context, tx *sql.Tx, country string) ([]commerce.Location, error) {
	rows, err := s.db.queryRows(ctx, tx, `SELECT `+locationColumns+` FROM locations WHERE status = 'active' ORDER BY priority, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []commerce.Location
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, err
		}
		if l.Serves(country) {
			out = append(out, l)
		}
	}
	return out, rows.Err()
}

// allocate reserves a checkout's lines where they ship from and records
// where (again: the lines have released reservations). It returns the
// allocations, or KindConflict "insufficient_stock" listing every SKU the
// locations that ship to country cannot cover.
func (s *CheckoutStore) allocate(ctx context.Context, tx *sql.Tx, id, country string, lines []commerce.OrderLine, again bool) ([]commerce.Allocation, error) {
	lines = slices.Clone(lines)
	slices.SortFunc(lines, func(a, b commerce.OrderLine) int { return strings.Compare(a.SKU, b.SKU) })
	locs, err := s.shipTo(ctx, tx, country)
	if err != nil {
		return nil, err
	}
	if len(locs) == 1 && locs[0].ID == commerce.DefaultLocation {
		// One location: today's path, statement for statement.
		var short []string
		for _, l := range lines {
			ok, err := s.reserve(ctx, tx, id, l.SKU, l.Quantity, again)
			if err != nil {
				return nil, err
			}
			if !ok {
				short = append(short, l.SKU)
			}
		}
		if len(short) > 0 {
			return nil, insufficient(short)
		}
		return commerce.AllocationsOf(nil, lines), nil
	}
	skus := make([]string, len(lines))
	for i, l := range lines {
		skus[i] = l.SKU
	}
	avail, err := s.availableAt(ctx, tx, skus)
	if err != nil {
		return nil, err
	}
	plan, short := commerce.Allocate(lines, locs, avail, s.Allocation)
	if len(short) > 0 {
		return nil, insufficient(short)
	}
	// Each reservation is a conditional statement: one a concurrent
	// checkout beat (the plan read before it committed) is made up from
	// the locations in priority order, each take again conditional.
	taken := map[string]map[string]int{}
	deficit := map[string]int{}
	take := func(sku, loc string, q int) (bool, error) {
		ok, err := s.reserveAt(ctx, tx, sku, loc, q)
		if ok {
			if taken[sku] == nil {
				taken[sku] = map[string]int{}
			}
			taken[sku][loc] += q
		}
		return ok, err
	}
	for _, a := range plan {
		ok, err := take(a.SKU, a.LocationID, a.Quantity)
		if err != nil {
			return nil, err
		}
		if !ok {
			deficit[a.SKU] += a.Quantity
		}
	}
	for _, sku := range skus {
		need := deficit[sku]
		for _, l := range locs {
			for attempt := 0; attempt < 3 && need > 0; attempt++ {
				fresh, err := s.availableAt(ctx, tx, []string{sku})
				if err != nil {
					return nil, err
				}
				q := int(min(int64(need), fresh[l.ID][sku]))
				if q <= 0 {
					break
				}
				ok, err := take(sku, l.ID, q)
				if err != nil {
					return nil, err
				}
				if ok {
					need -= q
				}
			}
		}
		if need > 0 {
			short = append(short, sku)
		}
	}
	if len(short) > 0 {
		return nil, insufficient(short)
	}
	var out []commerce.Allocation
	for _, l := range lines {
		elsewhere := l.Quantity - taken[l.SKU][commerce.DefaultLocation]
		if err := s.holdLine(ctx, tx, id, l.SKU, l.Quantity, elsewhere, again); err != nil {
			return nil, err
		}
		for loc, q := range taken[l.SKU] {
			out = append(out, commerce.Allocation{SKU: l.SKU, LocationID: loc, Quantity: q})
			if loc == commerce.DefaultLocation {
				continue
			}
			if _, err := s.db.exec(ctx, tx, `INSERT INTO allocations (checkout_id, sku, location_id, quantity, status) VALUES (?, ?, ?, ?, 'held')`, id, l.SKU, loc, q); err != nil {
				return nil, err
			}
		}
	}
	slices.SortFunc(out, func(a, b commerce.Allocation) int {
		if c := strings.Compare(a.SKU, b.SKU); c != 0 {
			return c
		}
		return strings.Compare(a.LocationID, b.LocationID)
	})
	return out, nil
}

// availableAt returns what every location can sell of skus, by location
// and SKU, never below zero.
func (s *CheckoutStore) availableAt(ctx context.Context, tx *sql.Tx, skus []string) (map[string]map[string]int64, error) {
	in := strings.TrimSuffix(strings.Repeat("?,", len(skus)), ",")
	args := make([]any, 0, 2*len(skus))
	for _, sku := range skus {
		args = append(args, sku)
	}
	args = append(args, args...)
	rows, err := s.db.queryRows(ctx, tx, `SELECT 'default', sku, on_hand - committed - reserved FROM inventory WHERE sku IN (`+in+`)
		UNION ALL SELECT location_id, sku, on_hand - committed - reserved FROM location_stock WHERE sku IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]int64{}
	for rows.Next() {
		var loc, sku string
		var n int64
		if err := rows.Scan(&loc, &sku, &n); err != nil {
			return nil, err
		}
		if out[loc] == nil {
			out[loc] = map[string]int64{}
		}
		out[loc][sku] = max(0, n)
	}
	return out, rows.Err()
}

// reserveAt holds q units of sku at a location if they are available there.
func (s *CheckoutStore) reserveAt(ctx context.Context, tx *sql.Tx, sku, loc string, q int) (bool, error) {
	var n int64
	var err error
	if loc == commerce.DefaultLocation {
		n, err = s.db.exec(ctx, tx, `UPDATE inventory SET reserved = reserved + ? WHERE sku = ? AND on_hand - committed - reserved >= ?`, q, sku, q)
	} else {
		n, err = s.db.exec(ctx, tx, `UPDATE location_stock SET reserved = reserved + ? WHERE sku = ? AND location_id = ? AND on_hand - committed - reserved >= ?`, q, sku, loc, q)
	}
	return n == 1, err
}

// holdLine marks a checkout's line held, elsewhere of its units at
// locations other than the default; again, its released row is there.
func (s *CheckoutStore) holdLine(ctx context.Context, tx *sql.Tx, id, sku string, q, elsewhere int, again bool) error {
	if again {
		n, err := s.db.exec(ctx, tx, `UPDATE reservations SET status = 'held', elsewhere = ? WHERE checkout_id = ? AND sku = ?`, elsewhere, id, sku)
		if err != nil || n == 1 {
			return err
		}
	}
	_, err := s.db.exec(ctx, tx, `INSERT INTO reservations (checkout_id, sku, quantity, status, elsewhere) VALUES (?, ?, ?, 'held', ?)`, id, sku, q, elsewhere)
	return err
}

// setDoc stores a checkout's document.
func (s *CheckoutStore) setDoc(ctx context.Context, tx *sql.Tx, id string, d *checkoutDoc) error {
	doc, err := json.Marshal(d)
	if err != nil {
		return err
	}
	_, err = s.db.exec(ctx, tx, `UPDATE checkouts SET doc = ? WHERE id = ?`, string(doc), id)
	return err
}

// reallocate reserves a checkout's released lines again, wherever they
// ship from now, all or none.
func (s *CheckoutStore) reallocate(ctx context.Context, tx *sql.Tx, id string) error {
	var doc []byte
	if err := s.db.queryRow(ctx, tx, `SELECT doc FROM checkouts WHERE id = ?`, id).Scan(&doc); err != nil {
		return err
	}
	var d checkoutDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return err
	}
	rows, err := s.db.queryRows(ctx, tx, `SELECT sku, quantity FROM reservations WHERE checkout_id = ? AND status = 'released' ORDER BY sku`, id)
	if err != nil {
		return err
	}
	var lines []commerce.OrderLine
	for rows.Next() {
		var l commerce.OrderLine
		if err := rows.Scan(&l.SKU, &l.Quantity); err != nil {
			rows.Close()
			return err
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(lines) == 0 {
		return nil
	}
	if _, err := s.db.exec(ctx, tx, `UPDATE reservations SET elsewhere = 0 WHERE checkout_id = ? AND status = 'released'`, id); err != nil {
		return err
	}
	if _, err := s.db.exec(ctx, tx, `DELETE FROM allocations WHERE checkout_id = ? AND status = 'released'`, id); err != nil {
		return err
	}
	a, err := s.allocate(ctx, tx, id, d.Address.Country, lines, true)
	if err != nil {
		return err
	}
	if stored := storedAllocations(a); stored != nil || d.Allocations != nil {
		d.Allocations = stored // none: now all at the default location
		if err := s.setDoc(ctx, tx, id, &d); err != nil {
			return err
		}
	}
	return s.db.appendStockEvents(ctx, tx, lineSKUs(lines))
}

// moveAllocations applies to every allocations row of a checkout in
// status from the stock change set (an assignment on location_stock, in
// terms of a.quantity, the row's units), and moves the rows to status to.
func (db *DB) moveAllocations(ctx context.Context, tx *sql.Tx, checkoutID, from, to, set string) error {
	match := `FROM allocations a WHERE a.checkout_id = ? AND a.sku = location_stock.sku AND a.location_id = location_stock.location_id AND a.status = ?`
	set = strings.ReplaceAll(set, "a.quantity", `(SELECT a.quantity `+match+`)`)
	args := []any{}
	for range strings.Count(set, "SELECT a.quantity") {
		args = append(args, checkoutID, from)
	}
	if _, err := db.exec(ctx, tx, `UPDATE location_stock SET `+set+` WHERE EXISTS (SELECT 1 `+match+`)`, append(args, checkoutID, from)...); err != nil {
		return err
	}
	_, err := db.exec(ctx, tx, `UPDATE allocations SET status = ? WHERE checkout_id = ? AND status = ?`, to, checkoutID, from)
	return err
}

// defaultUnits returns, per SKU, how many of a checkout's units are at the
// default location; ok is false for a checkout without reservations (an
// order placed before them), whose units are all there.
func (db *DB) defaultUnits(ctx context.Context, tx *sql.Tx, checkoutID string) (map[string]int, bool, error) {
	rows, err := db.queryRows(ctx, tx, `SELECT sku, quantity - elsewhere FROM reservations WHERE checkout_id = ?`, checkoutID)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var sku string
		var n int
		if err := rows.Scan(&sku, &n); err != nil {
			return nil, false, err
		}
		out[sku] = n
	}
	return out, len(out) > 0, rows.Err()
}

// atDefault applies set to the order's units at locations other than the
// default (moving their allocations from status from to to, see
// moveAllocations) and returns its items with the quantities at the
// default location, for the caller to apply there.
func (s *OrderStore) atDefault(ctx context.Context, tx *sql.Tx, o *commerce.Order, from, to, set string) ([]commerce.OrderLine, error) {
	units, ok, err := s.db.defaultUnits(ctx, tx, o.CheckoutID)
	if err != nil || !ok {
		return o.Items, err
	}
	if err := s.db.moveAllocations(ctx, tx, o.CheckoutID, from, to, set); err != nil {
		return nil, err
	}
	out := make([]commerce.OrderLine, len(o.Items))
	for i, l := range o.Items {
		l.Quantity = units[l.SKU]
		out[i] = l
	}
	return out, nil
}

// queryRows runs a query in tx, prepared once where it can be.
func (db *DB) queryRows(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if st := db.cached(db.write, query); st != nil {
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.QueryContext(ctx, db.d.Rebind(query), args...)
}
