// Package cache keeps catalog reads in memory in front of a catalog store.
package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/telemetry"
)

// maxVariants bounds the cached SKUs; unknown SKUs are cached too, so the
// keys come from clients.
const maxVariants = 100_000

// Catalog is a commerce.CatalogStore that answers variant lookups from
// memory. Writes through it retire every cached entry at once; ttl bounds how
// long an entry lives, and so how stale it can be after a write made by
// another instance. Other methods go straight to the store.
type Catalog struct {
	commerce.CatalogStore
	ttl time.Duration
	now func() time.Time
	gen atomic.Uint64

	mu       sync.RWMutex
	variants map[string]variantEntry

	// Metrics counts hits and misses; nil counts nothing.
	Metrics *telemetry.Metrics
}

var _ commerce.CatalogStore = (*Catalog)(nil)

type variantEntry struct {
	gen     uint64
	expires time.Time
	ref     commerce.VariantRef
	found   bool
}

// NewCatalog returns a Catalog in front of store. A ttl of zero turns the
// cache off.
func NewCatalog(store commerce.CatalogStore, ttl time.Duration, now func() time.Time) *Catalog {
	return &Catalog{CatalogStore: store, ttl: ttl, now: now, variants: make(map[string]variantEntry)}
}

// Variants returns the variants with the given SKUs, from memory where it can.
func (c *Catalog) Variants(ctx context.Context, skus []string) (map[string]commerce.VariantRef, error) {
	if c.ttl <= 0 {
		return c.CatalogStore.Variants(ctx, skus)
	}
	out := make(map[string]commerce.VariantRef, len(skus))
	gen, now := c.gen.Load(), c.now()
	var missing []string
	c.mu.RLock()
	for _, sku := range skus {
		e, ok := c.variants[sku]
		if !ok || e.gen != gen || !now.Before(e.expires) {
			missing = append(missing, sku)
		} else if e.found {
			out[sku] = e.ref
		}
	}
	c.mu.RUnlock()
	c.Metrics.CacheLookups("variants", len(skus)-len(missing), len(missing))
	if len(missing) == 0 {
		return out, nil
	}
	found, err := c.CatalogStore.Variants(ctx, missing)
	if err != nil {
		return nil, err
	}
	expires := now.Add(c.ttl)
	c.mu.Lock()
	if len(c.variants)+len(missing) > maxVariants {
		clear(c.variants)
	}
	for _, sku := range missing {
		ref, ok := found[sku]
		c.variants[sku] = variantEntry{gen: gen, expires: expires, ref: ref, found: ok}
		if ok {
			out[sku] = ref
		}
	}
	c.mu.Unlock()
	return out, nil
}

// CreateProduct creates a product and retires the cache.
func (c *Catalog) CreateProduct(ctx context.Context, p *commerce.Product) error {
	defer c.gen.Add(1)
	return c.CatalogStore.CreateProduct(ctx, p)
}

// ReplaceProduct replaces a product and retires the cache.
func (c *Catalog) ReplaceProduct(ctx context.Context, p *commerce.Product, ifMatch string) error {
	defer c.gen.Add(1)
	return c.CatalogStore.ReplaceProduct(ctx, p, ifMatch)
}

// DeleteProduct deletes a product and retires the cache.
func (c *Catalog) DeleteProduct(ctx context.Context, id string) error {
	defer c.gen.Add(1)
	return c.CatalogStore.DeleteProduct(ctx, id)
}
