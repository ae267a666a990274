package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
)

// PriceLists is a commerce.PriceListStore that keeps every price list in
// memory, indexed by SKU, for pricing carts: one read of all lists per ttl
// (at most commerce.MaxPriceLists of commerce.MaxListPrices prices), never
// a query per cart or per line. Writes through it retire the index at
// once; ttl bounds how stale it is after a write made by another instance.
type PriceLists struct {
	commerce.PriceListStore
	ttl time.Duration
	now func() time.Time
	gen atomic.Uint64

	mu      sync.Mutex // held while the index is rebuilt, so one read serves all waiters
	current atomic.Pointer[listsEntry]
}

type listsEntry struct {
	gen     uint64
	expires time.Time
	lists   *pricing.Lists
}

var _ commerce.PriceListStore = (*PriceLists)(nil)

// NewPriceLists returns a PriceLists in front of store. A ttl of zero reads
// the lists on every call.
func NewPriceLists(store commerce.PriceListStore, ttl time.Duration, now func() time.Time) *PriceLists {
	return &PriceLists{PriceListStore: store, ttl: ttl, now: now}
}

// Lists returns the price lists indexed for pricing.
func (c *PriceLists) Lists(ctx context.Context) (*pricing.Lists, error) {
	if e := c.fresh(); e != nil {
		return e.lists, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.fresh(); e != nil {
		return e.lists, nil
	}
	gen := c.gen.Load()
	all, err := c.PriceListStore.PriceLists(ctx)
	if err != nil {
		return nil, err
	}
	e := &listsEntry{gen: gen, expires: c.now().Add(c.ttl), lists: pricing.NewLists(all)}
	c.current.Store(e)
	return e.lists, nil
}

// fresh returns the current index when it is still good, or nil.
func (c *PriceLists) fresh() *listsEntry {
	e := c.current.Load()
	if e == nil || e.gen != c.gen.Load() || !c.now().Before(e.expires) {
		return nil
	}
	return e
}

// PutPriceList writes through and retires the index.
func (c *PriceLists) PutPriceList(ctx context.Context, l *commerce.PriceList, ifMatch string) error {
	defer c.gen.Add(1)
	return c.PriceListStore.PutPriceList(ctx, l, ifMatch)
}

// DeletePriceList deletes through and retires the index.
func (c *PriceLists) DeletePriceList(ctx context.Context, id string) error {
	defer c.gen.Add(1)
	return c.PriceListStore.DeletePriceList(ctx, id)
}
