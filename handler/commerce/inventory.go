package commerce

import "context"

// MaxOnHand is the largest stock level a SKU can have.
const MaxOnHand = 1_000_000_000

// StockLevel is the stock of one SKU. OnHand is what the warehouse holds;
// Reserved is what checkouts hold for buyers who have not yet been shipped.
type StockLevel struct {
	SKU      string `json:"sku"`
	OnHand   int64  `json:"onHand"`
	Reserved int64  `json:"reserved"`
}

// Available returns how many units can still be sold: on hand minus reserved,
// and never less than zero (a stock count may drop below what is reserved).
func (s StockLevel) Available() int64 { return max(0, s.OnHand-s.Reserved) }

// InventoryStore holds stock levels in the relational store. Implementations:
// sqlstore.InventoryStore (SQLite and Azure SQL); storetest.TestInventoryStore
// holds them to the same behaviour.
type InventoryStore interface {
	// StockLevels returns the stock levels of the given SKUs, keyed by SKU.
	// A SKU that was never stocked has a zero level in the map.
	StockLevels(ctx context.Context, skus []string) (map[string]StockLevel, error)

	// SetOnHand sets a SKU's on-hand count, creating its level if needed, and
	// returns the new level. Reservations are left as they are.
	SetOnHand(ctx context.Context, sku string, onHand int64) (StockLevel, error)
}
