package memstore

import (
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// DB is the in-memory relational store that InventoryStore, CheckoutStore,
// OrderStore and the outbox share, as they share one database elsewhere.
// Every method of those stores holds mu for its whole run: that is its
// transaction.
type DB struct {
	mu  sync.Mutex
	now func() time.Time

	stock   map[string]commerce.StockLevel // by SKU; absent means never stocked
	sources map[sourceKey]int64            // the last sequence applied per SKU and source
}

// sourceKey names one source's stock counts of one SKU.
type sourceKey struct{ sku, source string }

// NewDB returns an empty DB whose stores stamp changes with now.
func NewDB(now func() time.Time) *DB {
	return &DB{
		now:     now,
		stock:   map[string]commerce.StockLevel{},
		sources: map[sourceKey]int64{},
	}
}
