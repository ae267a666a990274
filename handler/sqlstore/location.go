package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"shopfn/handler/commerce"
)

// Locations: the default location's levels are the inventory table's rows,
// as they were before locations, so that its statements, the hot path of
// every checkout with one location, are today's; every other location's
// levels are rows of location_stock, keyed by SKU and location.

var _ commerce.LocationStore = (*InventoryStore)(nil)

const locationColumns = `id, name, priority, countries, status`

func scanLocation(row interface{ Scan(...any) error }) (commerce.Location, error) {
	var l commerce.Location
	var countries string
	if err := row.Scan(&l.ID, &l.Name, &l.Priority, &countries, &l.Status); err != nil {
		return l, err
	}
	l.Countries = []string{}
	if countries != "" {
		l.Countries = strings.Split(countries, ",")
	}
	return l, nil
}

// PutLocation creates or replaces a location. The bound on how many there
// are is checked by the insert's own condition.
func (s *InventoryStore) PutLocation(ctx context.Context, l commerce.Location) (commerce.Location, error) {
	if err := l.Validate(); err != nil {
		return commerce.Location{}, err
	}
	if l.Countries == nil {
		l.Countries = []string{}
	}
	countries := strings.Join(l.Countries, ",")
	err := s.db.tx(ctx, "put location", func(tx *sql.Tx) error {
		for attempt := 0; attempt < 2; attempt++ {
			n, err := s.db.exec(ctx, tx, `UPDATE locations SET name = ?, priority = ?, countries = ?, status = ?, updated_at = ? WHERE id = ?`,
				l.Name, l.Priority, countries, l.Status, s.now().UnixNano(), l.ID)
			if err != nil || n == 1 {
				return err
			}
			n, err = s.db.exec(ctx, tx, `INSERT INTO locations (id, name, priority, countries, status, updated_at)
				SELECT ?, ?, ?, ?, ?, ? WHERE (SELECT COUNT(*) FROM locations) < ?`,
				l.ID, l.Name, l.Priority, countries, l.Status, s.now().UnixNano(), commerce.MaxLocations)
			if s.db.d.IsUnique(err) {
				continue // created meanwhile: replace it
			}
			if err != nil {
				return err
			}
			if n == 0 {
				return commerce.Errorf(commerce.KindConflict, commerce.CodeTooManyLocations, "there are %d locations already", commerce.MaxLocations)
			}
			return nil
		}
		return fmt.Errorf("location %s: created and gone again", l.ID)
	})
	if err != nil {
		return commerce.Location{}, fmt.Errorf("sqlstore: put location: %w", err)
	}
	return l, nil
}

// Location returns a location.
func (s *InventoryStore) Location(ctx context.Context, id string) (commerce.Location, error) {
	l, err := scanLocation(s.db.readRow(ctx, `SELECT `+locationColumns+` FROM locations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return l, commerce.NotFoundf("location %q not found", id)
	}
	if err != nil {
		return l, fmt.Errorf("sqlstore: read location: %w", err)
	}
	return l, nil
}

// Locations returns every location, by priority then ID.
func (s *InventoryStore) Locations(ctx context.Context) ([]commerce.Location, error) {
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(`SELECT `+locationColumns+` FROM locations ORDER BY priority, id`))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list locations: %w", err)
	}
	defer rows.Close()
	var out []commerce.Location
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list locations: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list locations: %w", err)
	}
	return out, nil
}

// LocationLevels returns a SKU's level at every location.
func (s *InventoryStore) LocationLevels(ctx context.Context, sku string) ([]commerce.LocationLevel, error) {
	locs, err := s.Locations(ctx)
	if err != nil {
		return nil, err
	}
	at := map[string]commerce.StockLevel{}
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(`SELECT ?, on_hand, committed, reserved FROM inventory WHERE sku = ?
		UNION ALL SELECT location_id, on_hand, committed, reserved FROM location_stock WHERE sku = ?`), commerce.DefaultLocation, sku, sku)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: location levels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		l := commerce.StockLevel{SKU: sku}
		if err := rows.Scan(&id, &l.OnHand, &l.Committed, &l.Reserved); err != nil {
			return nil, fmt.Errorf("sqlstore: location levels: %w", err)
		}
		at[id] = l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: location levels: %w", err)
	}
	out := make([]commerce.LocationLevel, len(locs))
	for i, loc := range locs {
		l, ok := at[loc.ID]
		if !ok {
			l = commerce.StockLevel{SKU: sku}
		}
		out[i] = commerce.LocationLevel{StockLevel: l, LocationID: loc.ID}
	}
	return out, nil
}

var (
	// upsertLocationOnHand is upsertOnHandAtLeastHeld at a location.
	upsertLocationOnHand = Upsert{
		Table: "location_stock", Key: []string{"sku", "location_id"},
		Columns:   []string{"sku", "location_id", "on_hand", "reserved", "committed", "updated_at"},
		Update:    []string{"on_hand", "updated_at"},
		UpdateIf:  "OLD.committed + OLD.reserved <= NEW.on_hand",
		Returning: []string{"on_hand", "committed", "reserved"},
	}
	// upsertLocationCount is upsertOnHand at a location: a physical count,
	// applied even below what is held.
	upsertLocationCount = Upsert{
		Table: "location_stock", Key: []string{"sku", "location_id"},
		Columns:   []string{"sku", "location_id", "on_hand", "reserved", "committed", "updated_at"},
		Update:    []string{"on_hand", "updated_at"},
		Returning: []string{"on_hand", "committed", "reserved"},
	}
	// upsertLocationSequence is upsertSequence at a location.
	upsertLocationSequence = Upsert{
		Table: "location_sources", Key: []string{"sku", "location_id", "source"},
		Columns:   []string{"sku", "location_id", "source", "sequence"},
		Update:    []string{"sequence"},
		UpdateIf:  "OLD.sequence < NEW.sequence",
		Returning: []string{"sequence"},
	}
)

// knownLocation returns KindNotFound unless the location exists. Locations
// are never deleted, so what this finds stays true for the transaction.
func (s *InventoryStore) knownLocation(ctx context.Context, tx *sql.Tx, id string) error {
	return s.db.knownLocation(ctx, tx, id)
}

// knownLocation returns KindNotFound unless the location exists.
func (db *DB) knownLocation(ctx context.Context, tx *sql.Tx, id string) error {
	var n int
	if err := db.queryRow(ctx, tx, `SELECT COUNT(*) FROM locations WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return commerce.NotFoundf("location %q not found", id)
	}
	return nil
}

// SetLocationOnHand sets a SKU's on-hand count at a location, refused below
// what is held there by the upsert's own condition.
func (s *InventoryStore) SetLocationOnHand(ctx context.Context, sku, locationID string, onHand int64) (commerce.LocationLevel, error) {
	if locationID == commerce.DefaultLocation {
		l, err := s.SetOnHand(ctx, sku, onHand)
		return commerce.LocationLevel{StockLevel: l, LocationID: locationID}, err
	}
	if onHand < 0 || onHand > commerce.MaxOnHand {
		return commerce.LocationLevel{}, commerce.Invalidf(commerce.CodeInvalidRequest, "onHand must be 0-%d", commerce.MaxOnHand)
	}
	var l commerce.LocationLevel
	err := s.db.tx(ctx, "set location on hand", func(tx *sql.Tx) error {
		l = commerce.LocationLevel{StockLevel: commerce.StockLevel{SKU: sku}, LocationID: locationID}
		if err := s.knownLocation(ctx, tx, locationID); err != nil {
			return err
		}
		err := s.db.queryRow(ctx, tx, s.db.d.Upsert(upsertLocationOnHand), sku, locationID, onHand, 0, 0, s.now().UnixNano()).
			Scan(&l.OnHand, &l.Committed, &l.Reserved)
		if err == nil {
			return s.db.appendStockEvents(ctx, tx, []string{sku})
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var held int64
		if err := s.db.queryRow(ctx, tx, `SELECT committed + reserved FROM location_stock WHERE sku = ? AND location_id = ?`, sku, locationID).Scan(&held); err != nil {
			return err
		}
		e := commerce.Errorf(commerce.KindConflict, commerce.CodeStockBelowHeld,
			"on hand %d is below the %d units of %s that orders and checkouts hold at %s", onHand, held, sku, locationID)
		e.SKUs = []string{sku}
		return e
	})
	return l, withSKU(err, sku)
}

// ApplyLocationStockLevel applies a source's count at a location unless
// the source sent one with a sequence at least as high for that SKU and
// location: one conditional upsert of the sequence decides.
func (s *InventoryStore) ApplyLocationStockLevel(ctx context.Context, sku, locationID string, onHand int64, source string, sequence int64) (bool, error) {
	if locationID == commerce.DefaultLocation {
		return s.ApplyStockLevel(ctx, sku, onHand, source, sequence)
	}
	if onHand < 0 || onHand > commerce.MaxOnHand {
		return false, commerce.Invalidf(commerce.CodeInvalidRequest, "onHand must be 0-%d", commerce.MaxOnHand)
	}
	applied := false
	err := s.db.tx(ctx, "apply location stock level", func(tx *sql.Tx) error {
		applied = false
		if err := s.knownLocation(ctx, tx, locationID); err != nil {
			return err
		}
		var seq int64
		err := s.db.queryRow(ctx, tx, s.db.d.Upsert(upsertLocationSequence), sku, locationID, source, sequence).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		var l commerce.StockLevel
		if err := s.db.queryRow(ctx, tx, s.db.d.Upsert(upsertLocationCount), sku, locationID, onHand, 0, 0, s.now().UnixNano()).
			Scan(&l.OnHand, &l.Committed, &l.Reserved); err != nil {
			return err
		}
		applied = true
		return s.db.appendStockEvents(ctx, tx, []string{sku})
	})
	return applied, withSKU(err, sku)
}

// activeLevels is the query of the levels of the SKUs that match cond (a
// condition on sku, "= ?" or "IN (...)", whose arguments are given twice)
// at every active location: a row per SKU and location holding it.
func activeLevels(cond string) string {
	return `SELECT sku, on_hand, committed, reserved FROM inventory WHERE sku ` + cond + `
		AND EXISTS (SELECT 1 FROM locations WHERE id = 'default' AND status = 'active')
		UNION ALL SELECT s.sku, s.on_hand, s.committed, s.reserved FROM location_stock s JOIN locations l ON l.id = s.location_id
		WHERE s.sku ` + cond + ` AND l.status = 'active'`
}

// totals sums the levels of SKUs over locations. A SKU at one location keeps
// that location's level as it is; only a second location makes it a total.
type totals struct {
	rows map[string]int // rows added per SKU
}

// add adds a location's level l of a SKU to out[l.SKU].
func (t *totals) add(out map[string]commerce.StockLevel, l commerce.StockLevel) {
	if t.rows == nil {
		t.rows = map[string]int{}
	}
	t.rows[l.SKU]++
	switch t.rows[l.SKU] {
	case 1:
		out[l.SKU] = l
	case 2:
		out[l.SKU] = commerce.StockLevel{}.Add(out[l.SKU]).Add(l)
	default:
		out[l.SKU] = out[l.SKU].Add(l)
	}
}
