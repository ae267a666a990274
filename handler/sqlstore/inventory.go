package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"shopfn/handler/commerce"
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
	one, err := db.read.PrepareContext(ctx, db.d.Rebind(`SELECT sku, on_hand, committed, reserved FROM inventory WHERE sku = ?`))
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
		rows, err = s.one.QueryContext(ctx, skus[0])
	} else {
		q := `SELECT sku, on_hand, committed, reserved FROM inventory WHERE sku IN (` + strings.TrimSuffix(strings.Repeat("?,", len(skus)), ",") + `)`
		rows, err = s.db.read.QueryContext(ctx, s.db.d.Rebind(q), args...)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: stock levels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l commerce.StockLevel
		if err := rows.Scan(&l.SKU, &l.OnHand, &l.Committed, &l.Reserved); err != nil {
			return nil, fmt.Errorf("sqlstore: stock levels: %w", err)
		}
		out[l.SKU] = l
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
	l := commerce.StockLevel{SKU: sku}
	err := s.db.tx(ctx, "set on hand "+sku, func(tx *sql.Tx) error {
		if err := s.setOnHand(ctx, tx, sku, onHand, true); err != nil {
			return err
		}
		return s.db.queryRow(ctx, tx, `SELECT on_hand, committed, reserved FROM inventory WHERE sku = ?`, sku).Scan(&l.OnHand, &l.Committed, &l.Reserved)
	})
	return l, err
}

// WriteOff drops a SKU's on-hand count to what is committed and reserved.
func (s *InventoryStore) WriteOff(ctx context.Context, sku string) (commerce.StockLevel, error) {
	l := commerce.StockLevel{SKU: sku}
	err := s.db.tx(ctx, "write off "+sku, func(tx *sql.Tx) error {
		if _, err := s.db.exec(ctx, tx, `UPDATE inventory SET on_hand = committed + reserved, updated_at = ? WHERE sku = ? AND on_hand > committed + reserved`,
			s.now().UnixNano(), sku); err != nil {
			return err
		}
		err := s.db.queryRow(ctx, tx, `SELECT on_hand, committed, reserved FROM inventory WHERE sku = ?`, sku).Scan(&l.OnHand, &l.Committed, &l.Reserved)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return l, err
}

// setOnHand sets a SKU's on-hand count within tx, creating its row if
// needed. With atLeastHeld, a count below committed + reserved is refused.
func (s *InventoryStore) setOnHand(ctx context.Context, tx *sql.Tx, sku string, onHand int64, atLeastHeld bool) error {
	now := s.now().UnixNano()
	q, args := `UPDATE inventory SET on_hand = ?, updated_at = ? WHERE sku = ?`, []any{onHand, now, sku}
	if atLeastHeld {
		q, args = q+` AND committed + reserved <= ?`, append(args, onHand)
	}
	n, err := s.db.exec(ctx, tx, q, args...)
	if err != nil || n == 1 {
		return err
	}
	_, err = s.db.exec(ctx, tx, `INSERT INTO inventory (sku, on_hand, reserved, committed, updated_at) VALUES (?, ?, 0, 0, ?)`, sku, onHand, now)
	if s.db.d.IsUnique(err) {
		var held int64
		if err := s.db.queryRow(ctx, tx, `SELECT committed + reserved FROM inventory WHERE sku = ?`, sku).Scan(&held); err != nil {
			return err
		}
		e := commerce.Errorf(commerce.KindConflict, commerce.CodeStockBelowHeld,
			"on hand %d is below the %d units of %s that orders and checkouts hold", onHand, held, sku)
		e.SKUs = []string{sku}
		return e
	}
	return err
}

// ApplyStockLevel sets a SKU's on-hand count from a source (an ERP or a
// warehouse) unless that source already sent a count with a sequence at
// least as high: messages from one source may arrive out of order.
func (s *InventoryStore) ApplyStockLevel(ctx context.Context, sku string, onHand int64, source string, sequence int64) (bool, error) {
	if onHand < 0 || onHand > commerce.MaxOnHand {
		return false, commerce.Invalidf(commerce.CodeInvalidRequest, "onHand must be 0-%d", commerce.MaxOnHand)
	}
	applied := false
	err := s.db.tx(ctx, "apply stock level "+sku, func(tx *sql.Tx) error {
		var last int64
		err := s.db.queryRow(ctx, tx, `SELECT sequence FROM stock_sources WHERE sku = ? AND source = ?`, sku, source).Scan(&last)
		switch {
		case err == nil && sequence <= last:
			return nil
		case err == nil:
			_, err = s.db.exec(ctx, tx, `UPDATE stock_sources SET sequence = ? WHERE sku = ? AND source = ?`, sequence, sku, source)
		case errors.Is(err, sql.ErrNoRows):
			_, err = s.db.exec(ctx, tx, `INSERT INTO stock_sources (sku, source, sequence) VALUES (?, ?, ?)`, sku, source, sequence)
		}
		if err != nil {
			return err
		}
		applied = true
		// A physical count is applied as counted, even below what is
		// held: available then shows 0 until stock arrives.
		return s.setOnHand(ctx, tx, sku, onHand, false)
	})
	return applied, err
}
