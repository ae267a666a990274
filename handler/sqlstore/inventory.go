package sqlstore

import (
	"context"
	"database/sql"
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

var _ commerce.InventoryStore = (*InventoryStore)(nil)

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
	tx, err := s.db.write.BeginTx(ctx, nil)
	if err != nil {
		return commerce.StockLevel{}, fmt.Errorf("sqlstore: set on hand %s: %w", sku, err)
	}
	defer tx.Rollback()
	now := s.now().UnixNano()
	res, err := tx.ExecContext(ctx, s.db.d.Rebind(`UPDATE inventory SET on_hand = ?, updated_at = ? WHERE sku = ?`), onHand, now, sku)
	if err != nil {
		return commerce.StockLevel{}, fmt.Errorf("sqlstore: set on hand %s: %w", sku, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err := tx.ExecContext(ctx, s.db.d.Rebind(`INSERT INTO inventory (sku, on_hand, reserved, updated_at) VALUES (?, ?, 0, ?)`), sku, onHand, now)
		if err != nil {
			return commerce.StockLevel{}, fmt.Errorf("sqlstore: set on hand %s: %w", sku, err)
		}
	}
	l := commerce.StockLevel{SKU: sku}
	err = tx.QueryRowContext(ctx, s.db.d.Rebind(`SELECT on_hand, reserved FROM inventory WHERE sku = ?`), sku).Scan(&l.OnHand, &l.Reserved)
	if err != nil {
		return commerce.StockLevel{}, fmt.Errorf("sqlstore: set on hand %s: %w", sku, err)
	}
	if err := tx.Commit(); err != nil {
		return commerce.StockLevel{}, fmt.Errorf("sqlstore: set on hand %s: %w", sku, err)
	}
	return l, nil
}
