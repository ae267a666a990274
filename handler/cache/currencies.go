package cache

import (
	"context"
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// currencyPage is how many products one catalog read of a currency scan
// returns; rescanAfter is how soon a miss may scan the catalog again.
const (
	currencyPage = 500
	rescanAfter  = time.Second
)

// Currencies knows which currencies active products are priced in, from a
// scan of the catalog that it keeps until a write through its Catalog or
// the Catalog's ttl (at least a second) retires it. A currency it does not know rescans, at
// most once a second, so that asking for unknown currencies cannot keep
// the catalog busy.
type Currencies struct {
	catalog *Catalog

	mu    sync.Mutex
	gen   uint64
	built time.Time
	set   map[string]bool
}

// NewCurrencies returns the Currencies of c's products.
func NewCurrencies(c *Catalog) *Currencies { return &Currencies{catalog: c} }

// Sells reports whether some active product is priced in currency (its
// variants' price or one of their prices).
func (s *Currencies) Sells(ctx context.Context, currency string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.catalog.now()
	// Even with the catalog cache off (ttl 0) a scan serves a second, so
	// that carts in other currencies never scan the catalog each.
	fresh := s.set != nil && s.gen == s.catalog.gen.Load() && now.Sub(s.built) < max(s.catalog.ttl, rescanAfter)
	if fresh && (s.set[currency] || now.Sub(s.built) < rescanAfter) {
		return s.set[currency], nil
	}
	gen := s.catalog.gen.Load()
	set, err := s.scan(ctx)
	if err != nil {
		return false, err
	}
	s.set, s.gen, s.built = set, gen, now
	return set[currency], nil
}

// scan reads every active product's currencies.
func (s *Currencies) scan(ctx context.Context) (map[string]bool, error) {
	set := map[string]bool{}
	f := commerce.ProductFilter{Status: commerce.StatusActive, Limit: currencyPage}
	for {
		page, err := s.catalog.ListProducts(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			for _, v := range p.Variants {
				set[v.Price.Currency] = true
				for _, m := range v.Prices {
					set[m.Currency] = true
				}
			}
		}
		if len(page) < currencyPage {
			return set, nil
		}
		f.After = page[len(page)-1].ID
	}
}
