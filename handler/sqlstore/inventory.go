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

// InventoryStore is the relational commerce.InventoryStore.
type InventoryStore struct {
	db  *DB
	now func() time.Time
	// one reads one SKU's level: the hot path of adding to a cart.
	one *sql.Stmt
}

var (
	_ commerce.InventoryStore   = (*InventoryStore)(nil)
	_ commerce.StockLevelSetter = (*InventoryStore)(nil)
)

// NewInventoryStore returns an InventoryStore on db.
func NewInventoryStore(ctx context.Context, db *DB) (*InventoryStore, error) {
	one, err := db.read.PrepareContext(ctx, db.d.Rebind(activeLevels("= ?")))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: prepare: %w", err)
	}
	return &InventoryStore{db: db, now: time.Now, one: one}, nil
}

// StockLevels returns the levels of the given SKUs; unstocked SKUs are zero.
func (s *InventoryStore) StockLevels(ctx context.Context, skus []string) (map[string]commerce.StockLevel, error) {
	out := make(map[string]commerce.StockLevel, len(skus))
	if len(skus) == 0 {
		return out, nil
	}
	args := make([]any, len(skus))
	for i, sku := range skus {
		args[i] = sku
		out[sku] = commerce.StockLevel{SKU: sku}
	}
	var rows *sql.Rows
	var err error
	if len(skus) == 1 {
		err = s.db.unavailable(ctx, s.db.again(ctx, func() error {
			var qerr error
			rows, qerr = s.one.QueryContext(ctx, skus[0], skus[0])
			return qerr
		}))
	} else {
		q := activeLevels(`IN (` + strings.TrimSuffix(strings.Repeat("?,", len(skus)), ",") + `)`)
		rows, err = s.db.readRows(ctx, s.db.d.Rebind(q), append(args, args...)...)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: stock levels: %w", err)
	}
	defer rows.Close()
	var t totals
	for rows.Next() {
		var l commerce.StockLevel
		if err := rows.Scan(&l.SKU, &l.OnHand, &l.Committed, &l.Reserved); err != nil {
			return nil, fmt.Errorf("sqlstore: stock levels: %w", err)
		}
		t.add(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: stock levels: %w", err)
	}
	return out, nil
}

// SetOnHand sets a SKU's on-hand count and returns its new level. A count
// below what is committed and reserved is refused ("stock_below_held"): the
// update is conditional, so no concurrent reservation slips under it.
func (s *InventoryStore) SetOnHand(ctx context.Context, sku string, onHand int64) (commerce.StockLevel, error) {
	if onHand < 0 || onHand > commerce.MaxOnHand {
		return commerce.StockLevel{}, commerce.Invalidf(commerce.CodeInvalidRequest, "onHand must be 0-%d", commerce.MaxOnHand)
	}
	var l commerce.StockLevel
	err := s.db.tx(ctx, "set on hand", func(tx *sql.Tx) error {
		l = commerce.StockLevel{SKU: sku}
		err := s.setOnHand(ctx, tx, upsertOnHandAtLeastHeld, sku, onHand).Scan(&l.OnHand, &l.Committed, &l.Reserved)
		if err == nil {
			return s.db.appendStockEvents(ctx, tx, []string{sku})
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The upsert wrote nothing: the SKU holds more than onHand. Read
		// how much, for the message only; the decision is made.
		var held int64
		if err := s.db.queryRow(ctx, tx, `SELECT committed + reserved FROM inventory WHERE sku = ?`, sku).Scan(&held); err != nil {
			return err
		}
		e := commerce.Errorf(commerce.KindConflict, commerce.CodeStockBelowHeld,
			"on hand %d is below the %d units of %s that orders and checkouts hold", onHand, held, sku)
		e.SKUs = []string{sku}
		return e
	})
	return l, withSKU(err, sku)
}

// WriteOff drops a SKU's on-hand count to what is committed and reserved.
func (s *InventoryStore) WriteOff(ctx context.Context, sku string) (commerce.StockLevel, error) {
	l := commerce.StockLevel{SKU: sku}
	err := s.db.tx(ctx, "write off", func(tx *sql.Tx) error {
		l = commerce.StockLevel{SKU: sku}
		n, err := s.db.exec(ctx, tx, `UPDATE inventory SET on_hand = committed + reserved, updated_at = ? WHERE sku = ? AND on_hand > committed + reserved`,
			s.now().UnixNano(), sku)
		if err != nil {
			return err
		}
		err = s.db.queryRow(ctx, tx, `SELECT on_hand, committed, reserved FROM inventory WHERE sku = ?`, sku).Scan(&l.OnHand, &l.Committed, &l.Reserved)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil || n == 0 {
			return err
		}
		return s.db.appendStockEvents(ctx, tx, []string{sku})
	})
	return l, withSKU(err, sku)
}

// setOnHand sets a SKU's on-hand count within tx with u, one of the
// upsertOnHand statements: two writers of a new SKU cannot both insert it.
// The row holds the SKU's new on-hand, committed and reserved counts; there
// is none when u's condition kept the row as it was.
func (s *InventoryStore) setOnHand(ctx context.Context, tx *sql.Tx, u Upsert, sku string, onHand int64) *sql.Row {
	return s.db.queryRow(ctx, tx, s.db.d.Upsert(u), sku, onHand, 0, 0, s.now().UnixNano())
}

var (
	// upsertOnHand applies a physical count as counted, even below what is
	// held: available then shows 0 until stock arrives.
	upsertOnHand = Upsert{
		Table: "inventory", Key: []string{"sku"},
		Columns:   []string{"sku", "on_hand", "reserved", "committed", "updated_at"},
		Update:    []string{"on_hand", "updated_at"},
		Returning: []string{"on_hand", "committed", "reserved"},
	}
	// upsertOnHandAtLeastHeld refuses a count below what orders and
	// checkouts hold, in the same statement, so no concurrent reservation
	// slips under it.
	upsertOnHandAtLeastHeld = Upsert{
		Table: "inventory", Key: []string{"sku"},
		Columns:   []string{"sku", "on_hand", "reserved", "committed", "updated_at"},
		Update:    []string{"on_hand", "updated_at"},
		UpdateIf:  "OLD.committed + OLD.reserved <= NEW.on_hand",
		Returning: []string{"on_hand", "committed", "reserved"},
	}
	// upsertSequence records a source's sequence for a SKU unless the
	// source already sent one at least as high; it returns the row only
	// when it wrote.
	upsertSequence = Upsert{
		Table: "stock_sources", Key: []string{"sku", "source"},
		Columns:   []string{"sku", "source", "sequence"},
		Update:    []string{"sequence"},
		UpdateIf:  "OLD.sequence < NEW.sequence",
		Returning: []string{"sequence"},
	}
)

// ApplyStockLevel sets a SKU's on-hand count from a source (an ERP or a
// warehouse) unless that source already sent a count with a sequence at
// least as high: messages from one source may arrive out of order. The
// decision is one conditional upsert of the source's sequence, never a read
// followed by a write, so concurrent counts from one source apply in order.
func (s *InventoryStore) ApplyStockLevel(ctx context.Context, sku string, onHand int64, source string, sequence int64) (bool, error) {
	if onHand < 0 || onHand > commerce.MaxOnHand {
		return false, commerce.Invalidf(commerce.CodeInvalidRequest, "onHand must be 0-%d", commerce.MaxOnHand)
	}
	applied := false
	err := s.db.tx(ctx, "apply stock level", func(tx *sql.Tx) error {
		applied = false
		var seq int64
		err := s.db.queryRow(ctx, tx, s.db.d.Upsert(upsertSequence), sku, source, sequence).Scan(&seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // not newer than the last count from this source
		}
		if err != nil {
			return err
		}
		var l commerce.StockLevel
		if err := s.setOnHand(ctx, tx, upsertOnHand, sku, onHand).Scan(&l.OnHand, &l.Committed, &l.Reserved); err != nil {
			return err
		}
		applied = true
		return s.db.appendStockEvents(ctx, tx, []string{sku})
	})
	return applied, withSKU(err, sku)
}

// SetLowStockThreshold sets the available count at or below which a SKU
// is low on stock (inventory.low_stock fires when it falls there), or
// clears it when threshold is negative. A SKU never stocked gets a zero
// level. The new threshold is judged at once: a SKU already at or below it
// gets its inventory.low_stock in this transaction.
func (s *InventoryStore) SetLowStockThreshold(ctx context.Context, sku string, threshold int64) error {
	if threshold > commerce.MaxOnHand {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "lowStockThreshold must be 0-%d", commerce.MaxOnHand)
	}
	threshold = max(threshold, -1)
	err := s.db.tx(ctx, "set low stock threshold", func(tx *sql.Tx) error {
		n, err := s.db.exec(ctx, tx, `UPDATE inventory SET low_stock_threshold = ?, low_stock = 0 WHERE sku = ? AND low_stock_threshold <> ?`, threshold, sku, threshold)
		if err != nil {
			return err
		}
		if n == 0 {
			// No row, or the threshold unchanged: insert the row if none,
			// its count zero (the key decides against a concurrent insert).
			if _, err := s.db.exec(ctx, tx, `INSERT INTO inventory (sku, on_hand, reserved, committed, updated_at, low_stock_threshold, low_stock)
				SELECT ?, 0, 0, 0, ?, ?, 0 WHERE NOT EXISTS (SELECT 1 FROM inventory WHERE sku = ?)`, sku, s.now().UnixNano(), threshold, sku); err != nil {
				return err
			}
		}
		evs, err := s.db.stockEvents(ctx, tx, []string{sku})
		if err != nil {
			return err
		}
		// Only the crossing is news: the level did not change.
		return s.db.AppendEvents(ctx, tx, slices.DeleteFunc(evs, func(e events.Event) bool { return e.Type == events.InventoryLevelChanged })...)
	})
	return withSKU(err, sku)
}

// LowStockThreshold returns a SKU's low-stock threshold, or -1 when it has
// none.
func (s *InventoryStore) LowStockThreshold(ctx context.Context, sku string) (int64, error) {
	var t int64
	err := s.db.readRow(ctx, `SELECT low_stock_threshold FROM inventory WHERE sku = ?`, sku).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return -1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sqlstore: low stock threshold: %w", withSKU(err, sku))
	}
	return t, nil
}

// withSKU names the SKU in a store error; the transaction's name does not,
// as it is also a metric label.
func withSKU(err error, sku string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w (sku %s)", err, sku)
}
