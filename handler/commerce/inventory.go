package commerce

import "context"

// MaxOnHand is the largest stock level a SKU can have.
const MaxOnHand = 1_000_000_000

// StockLevel is the stock of one SKU. OnHand is the physical count in the
// warehouse; Committed is what placed orders hold that has not shipped yet
// (still on the shelf, so still in OnHand); Reserved is what checkouts hold
// for buyers who have not paid yet.
type StockLevel struct {
	SKU       string `json:"sku"`
	OnHand    int64  `json:"onHand"`
	Committed int64  `json:"committed"`
	Reserved  int64  `json:"reserved"`
	// Shortfall is, in a total over several locations, how many units
	// locations hold beyond their on-hand counts (an ERP count below what
	// is held): Available adds it back, so that one location's shortfall
	// does not hide another's stock. It is zero at one location.
	Shortfall int64 `json:"-"`
}

// Available returns how many units can still be sold: on hand minus
// committed minus reserved, and never less than zero (a physical count sent
// by an ERP may be below what is committed and reserved).
func (s StockLevel) Available() int64 {
	return max(0, s.OnHand-s.Committed-s.Reserved+s.Shortfall)
}

// Add returns s, a total over locations, with one more location's level l
// added.
func (s StockLevel) Add(l StockLevel) StockLevel {
	return StockLevel{
		SKU: l.SKU, OnHand: s.OnHand + l.OnHand, Committed: s.Committed + l.Committed, Reserved: s.Reserved + l.Reserved,
		Shortfall: s.Shortfall + max(0, l.Committed+l.Reserved-l.OnHand),
	}
}

// InventoryStore holds stock levels in the relational store. Implementations:
// sqlstore.InventoryStore (SQLite and Azure SQL); storetest.TestInventoryStore
// holds them to the same behaviour.
type InventoryStore interface {
	// StockLevels returns the stock levels of the given SKUs, keyed by SKU.
	// A SKU that was never stocked has a zero level in the map.
	StockLevels(ctx context.Context, skus []string) (map[string]StockLevel, error)

	// SetOnHand sets a SKU's on-hand count, creating its level if needed, and
	// returns the new level. Reservations are left as they are. It returns
	// KindConflict "stock_below_held" (changing nothing) when onHand is below
	// what is committed and reserved.
	SetOnHand(ctx context.Context, sku string, onHand int64) (StockLevel, error)

	// WriteOff drops a SKU's on-hand count to what is committed and
	// reserved, so that none of it is left to sell: its product is being
	// deleted, and a new product reusing the SKU must not inherit its
	// stock. It returns the new level.
	WriteOff(ctx context.Context, sku string) (StockLevel, error)
}
