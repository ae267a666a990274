package cache

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"shopfn/handler/commerce"
)

// Promotions is a commerce.PromotionStore that keeps the active promotions
// in memory for pricing carts: one read of all promotions per ttl (at most
// commerce.MaxPromotions), never a query per cart or per line. Writes
// through it retire the copy at once; ttl bounds how stale it is after a
// write made by another instance. The counters of the copy are as stale:
// limits are decided by the store when a checkout reserves a redemption,
// never from this copy.
type Promotions struct {
	commerce.PromotionStore
	ttl time.Duration
	now func() time.Time
	gen atomic.Uint64

	mu      sync.Mutex // held while the copy is read again, so one read serves all waiters
	current atomic.Pointer[promotionsEntry]
}

// ActivePromotions are the active promotions, and those with a code by
// code in lower case. Read-only once built, and safe to share.
type ActivePromotions struct {
	All    []commerce.Promotion
	byCode map[string]*commerce.Promotion
}

// ByCode returns the active promotion with code, in any case, or nil.
func (a *ActivePromotions) ByCode(code string) *commerce.Promotion {
	if a == nil {
		return nil
	}
	return a.byCode[strings.ToLower(code)]
}

type promotionsEntry struct {
	gen     uint64
	expires time.Time
	active  *ActivePromotions
}

var _ commerce.PromotionStore = (*Promotions)(nil)

// PricingLister is a promotion store that lists promotions for pricing
// more cheaply than Promotions: the counters of those without a usage
// limit, which pricing never reads, left at 0 rather than counted
// (sqlstore.PromotionStore). Active uses it when the store has it.
type PricingLister interface {
	PricingPromotions(ctx context.Context) ([]commerce.Promotion, error)
}

// NewPromotions returns a Promotions in front of store. A ttl of zero
// reads the promotions on every call.
func NewPromotions(store commerce.PromotionStore, ttl time.Duration, now func() time.Time) *Promotions {
	return &Promotions{PromotionStore: store, ttl: ttl, now: now}
}

// Active returns the active promotions (drafts left out; dates are
// checked when pricing).
func (c *Promotions) Active(ctx context.Context) (*ActivePromotions, error) {
	if e := c.fresh(); e != nil {
		return e.active, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.fresh(); e != nil {
		return e.active, nil
	}
	gen := c.gen.Load()
	list := c.PromotionStore.Promotions
	if l, ok := c.PromotionStore.(PricingLister); ok {
		list = l.PricingPromotions
	}
	all, err := list(ctx)
	if err != nil {
		return nil, err
	}
	a := &ActivePromotions{byCode: map[string]*commerce.Promotion{}}
	for _, p := range all {
		if p.Status == commerce.PricingActive {
			a.All = append(a.All, p)
		}
	}
	for i := range a.All {
		if p := &a.All[i]; len(p.Code) > 0 {
			a.byCode[strings.ToLower(p.Code)] = p
		}
	}
	e := &promotionsEntry{gen: gen, expires: c.now().Add(c.ttl), active: a}
	c.current.Store(e)
	return a, nil
}

// All returns the active promotions (cart.Pricing's Promotions).
func (c *Promotions) All(ctx context.Context) ([]commerce.Promotion, error) {
	a, err := c.Active(ctx)
	if err != nil {
		return nil, err
	}
	return a.All, nil
}

// fresh returns the current copy when it is still good, or nil.
func (c *Promotions) fresh() *promotionsEntry {
	e := c.current.Load()
	if e == nil || e.gen != c.gen.Load() || !c.now().Before(e.expires) {
		return nil
	}
	return e
}

// CreatePromotion writes through and retires the copy.
func (c *Promotions) CreatePromotion(ctx context.Context, p *commerce.Promotion) error {
	defer c.gen.Add(1)
	return c.PromotionStore.CreatePromotion(ctx, p)
}

// UpdatePromotion writes through and retires the copy.
func (c *Promotions) UpdatePromotion(ctx context.Context, p *commerce.Promotion, ifMatch string) error {
	defer c.gen.Add(1)
	return c.PromotionStore.UpdatePromotion(ctx, p, ifMatch)
}
