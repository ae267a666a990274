package memstore

import (
	"context"

	"shopfn/handler/commerce"
)

// InventoryStore is the in-memory commerce.InventoryStore and
// commerce.StockLevelSetter, on a DB.
type InventoryStore struct {
	db *DB
}

var (
	_ commerce.InventoryStore   = (*InventoryStore)(nil)
	_ commerce.StockLevelSetter = (*InventoryStore)(nil)
)

// NewInventoryStore returns an InventoryStore on db.
func NewInventoryStore(db *DB) *InventoryStore { return &InventoryStore{db: db} }

// StockLevels returns the stock levels of the given SKUs, keyed by SKU; a
// SKU never stocked has a zero level.
func (s *InventoryStore) StockLevels(ctx context.Context, skus []string) (map[string]commerce.StockLevel, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	out := make(map[string]commerce.StockLevel, len(skus))
	for _, sku := range skus {
		out[sku] = s.db.activeLevel(sku)
	}
	return out, nil
}

// SetOnHand sets a SKU's on-hand count, creating its level if needed, and
// returns the new level. It returns "invalid_request" for a count outside
// 0..MaxOnHand, and KindConflict "stock_below_held", changing nothing, for
// a count below what is committed and reserved.
func (s *InventoryStore) SetOnHand(ctx context.Context, sku string, onHand int64) (commerce.StockLevel, error) {
	if err := checkOnHand(onHand); err != nil {
		return commerce.StockLevel{}, err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	l := s.db.level(sku)
	if held := l.Committed + l.Reserved; onHand < held {
		e := commerce.Errorf(commerce.KindConflict, commerce.CodeStockBelowHeld,
			"on hand %d is below the %d units of %s that orders and checkouts hold", onHand, held, sku)
		e.SKUs = []string{sku}
		return commerce.StockLevel{}, e
	}
	l.OnHand = onHand
	s.db.stock[sku] = l
	return l, nil
}

// WriteOff drops a SKU's on-hand count to what is committed and reserved
// and returns the new level (a zero level for a SKU never stocked).
func (s *InventoryStore) WriteOff(ctx context.Context, sku string) (commerce.StockLevel, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	l, ok := s.db.stock[sku]
	if !ok {
		return commerce.StockLevel{SKU: sku}, nil
	}
	l.OnHand = min(l.OnHand, l.Committed+l.Reserved)
	s.db.stock[sku] = l
	return l, nil
}

// ApplyStockLevel sets a SKU's on-hand count as counted by source, even
// below what is held, unless source already sent a count for that SKU with
// a sequence at least as high. It reports whether it applied, and returns
// "invalid_request" for a count outside 0..MaxOnHand.
func (s *InventoryStore) ApplyStockLevel(ctx context.Context, sku string, onHand int64, source string, sequence int64) (bool, error) {
	if err := checkOnHand(onHand); err != nil {
		return false, err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	k := sourceKey{sku, source}
	if last, ok := s.db.sources[k]; ok && sequence <= last {
		return false, nil
	}
	s.db.sources[k] = sequence
	l := s.db.level(sku)
	l.OnHand = onHand
	s.db.stock[sku] = l
	return true, nil
}

// level returns a SKU's stock level, zero when it was never stocked. The
// caller holds db.mu.
func (db *DB) level(sku string) commerce.StockLevel {
	if l, ok := db.stock[sku]; ok {
		return l
	}
	return commerce.StockLevel{SKU: sku}
}

// checkOnHand refuses an on-hand count outside 0..MaxOnHand.
func checkOnHand(n int64) error {
	if n < 0 || n > commerce.MaxOnHand {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "onHand must be 0-%d", commerce.MaxOnHand)
	}
	return nil
}
