package cache

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
)

// Charges is a commerce.ShippingOptionStore and commerce.TaxRateStore that
// keeps every option and rate in memory, indexed for pricing checkouts:
// one read of each per ttl (at most commerce.MaxShippingOptions options
// and one rate per country), never a query per checkout or per line.
// Writes through it retire the index at once; ttl bounds how stale it is
// after a write made by another instance.
type Charges struct {
	Options commerce.ShippingOptionStore
	Rates   commerce.TaxRateStore
	ttl     time.Duration
	now     func() time.Time
	gen     atomic.Uint64

	mu      sync.Mutex // held while the index is rebuilt, so one read serves all waiters
	current atomic.Pointer[chargesEntry]
}

type chargesEntry struct {
	gen     uint64
	expires time.Time
	charges *pricing.Charges
}

var (
	_ commerce.ShippingOptionStore = (*Charges)(nil)
	_ commerce.TaxRateStore        = (*Charges)(nil)
)

// NewCharges returns a Charges in front of options and rates. A ttl of
// zero reads them on every call.
func NewCharges(options commerce.ShippingOptionStore, rates commerce.TaxRateStore, ttl time.Duration, now func() time.Time) *Charges {
	return &Charges{Options: options, Rates: rates, ttl: ttl, now: now}
}

// Charges returns the shipping options and tax rates indexed for pricing.
func (c *Charges) Charges(ctx context.Context) (*pricing.Charges, error) {
	if e := c.fresh(); e != nil {
		return e.charges, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.fresh(); e != nil {
		return e.charges, nil
	}
	gen := c.gen.Load()
	options, err := c.Options.ShippingOptions(ctx)
	if err != nil {
		return nil, err
	}
	rates, err := c.Rates.TaxRates(ctx)
	if err != nil {
		return nil, err
	}
	e := &chargesEntry{gen: gen, expires: c.now().Add(c.ttl), charges: pricing.NewCharges(options, rates)}
	c.current.Store(e)
	return e.charges, nil
}

// fresh returns the current index when it is still good, or nil.
func (c *Charges) fresh() *chargesEntry {
	e := c.current.Load()
	if e == nil || e.gen != c.gen.Load() || !c.now().Before(e.expires) {
		return nil
	}
	return e
}

// PutShippingOption writes through and retires the index.
func (c *Charges) PutShippingOption(ctx context.Context, o *commerce.ShippingOption, ifMatch string) error {
	defer c.gen.Add(1)
	return c.Options.PutShippingOption(ctx, o, ifMatch)
}

// ShippingOption reads through.
func (c *Charges) ShippingOption(ctx context.Context, id string) (*commerce.ShippingOption, error) {
	return c.Options.ShippingOption(ctx, id)
}

// ShippingOptions reads through.
func (c *Charges) ShippingOptions(ctx context.Context) ([]commerce.ShippingOption, error) {
	return c.Options.ShippingOptions(ctx)
}

// DeleteShippingOption deletes through and retires the index.
func (c *Charges) DeleteShippingOption(ctx context.Context, id string) error {
	defer c.gen.Add(1)
	return c.Options.DeleteShippingOption(ctx, id)
}

// PutTaxRate writes through and retires the index.
func (c *Charges) PutTaxRate(ctx context.Context, t *commerce.TaxRate, ifMatch string) error {
	defer c.gen.Add(1)
	return c.Rates.PutTaxRate(ctx, t, ifMatch)
}

// TaxRate reads through.
func (c *Charges) TaxRate(ctx context.Context, country string) (*commerce.TaxRate, error) {
	return c.Rates.TaxRate(ctx, country)
}

// TaxRates reads through.
func (c *Charges) TaxRates(ctx context.Context) ([]commerce.TaxRate, error) {
	return c.Rates.TaxRates(ctx)
}

// DeleteTaxRate deletes through and retires the index.
func (c *Charges) DeleteTaxRate(ctx context.Context, country string) error {
	defer c.gen.Add(1)
	return c.Rates.DeleteTaxRate(ctx, country)
}
