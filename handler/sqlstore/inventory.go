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
	one, err := db.read.PrepareContext(ctx, db.d.Rebind(`SELECT sku, on_hand, reserved FROM inventory WHERE sku = ?`))
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
		q := `SELECT sku, on_hand, reserved FROM inventory WHERE sku IN (` + strings.TrimSuffix(strings.Repeat("?,", len(skus)), ",") + `)`
		rows, err = s.db.read.QueryContext(ctx, s.db.d.Rebind(q), args...)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: stock levels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l commerce.StockLevel
		if err := rows.Scan(&l.SKU, &l.OnHand, &l.Reserved); err != nil {
			return nil, fmt.Errorf("sqlstore: stock levels: %w", err)
		}
		out[l.SKU] = l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: stock levels: %w", err)
	}
	return out, nil
}

// SetOnHand sets a SKU's on-hand count and returns its new level.
func (s *InventoryStore) SetOnHand(ctx context.Context, sku string, onHand int64) (commerce.StockLevel, error) {
	if onHand < 0 || onHand > commerce.MaxOnHand {
		return commerce.StockLevel{}, commerce.Invalidf(commerce.CodeInvalidRequest, "onHand must be 0-%d", commerce.MaxOnHand)
	}
	l := commerce.StockLevel{SKU: sku}
	err := s.db.tx(ctx, "set on hand", func(tx *sql.Tx) error {
		if err := s.setOnHand(ctx, tx, sku, onHand); err != nil {
			return err
		}
		return s.db.queryRow(ctx, tx, `SELECT on_hand, reserved FROM inventory WHERE sku = ?`, sku).Scan(&l.OnHand, &l.Reserved)
	})
	if err != nil {
		return l, fmt.Errorf("%w (sku %s)", err, sku)
	}
	return l, nil
}

// setOnHand sets a SKU's on-hand count within tx, creating its row if needed.
func (s *InventoryStore) setOnHand(ctx context.Context, tx *sql.Tx, sku string, onHand int64) error {
	now := s.now().UnixNano()
	n, err := s.db.exec(ctx, tx, `UPDATE inventory SET on_hand = ?, updated_at = ? WHERE sku = ?`, onHand, now, sku)
	if err != nil || n == 1 {
		return err
	}
	_, err = s.db.exec(ctx, tx, `INSERT INTO inventory (sku, on_hand, reserved, updated_at) VALUES (?, ?, 0, ?)`, sku, onHand, now)
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
	err := s.db.tx(ctx, "apply stock level", func(tx *sql.Tx) error {
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
		return s.setOnHand(ctx, tx, sku, onHand)
	})
	if err != nil {
		return false, fmt.Errorf("%w (sku %s)", err, sku)
	}
	return applied, nil
}
