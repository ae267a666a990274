// Package cart holds the cart rules: what may be added, how much, in which
// currency, and how a cart is priced from the catalog whenever it is read.
package cart

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
)

// VariantSource looks up variants by SKU (commerce.CatalogStore has this method).
type VariantSource interface {
	Variants(ctx context.Context, skus []string) (map[string]commerce.VariantRef, error)
}

// StockSource reads stock levels (commerce.InventoryStore has this method).
type StockSource interface {
	StockLevels(ctx context.Context, skus []string) (map[string]commerce.StockLevel, error)
}

// maxAttempts bounds the optimistic-concurrency retries of one cart write.
const maxAttempts = 50

// Service applies the cart rules to carts in a CartStore.
type Service struct {
	carts     commerce.CartStore
	checkouts Checkouts
	variants  VariantSource
	stock     StockSource
	ttl       time.Duration
	currency  string
	now       func() time.Time
	pricing   Pricing

	// Owners keeps customers' open carts; nil serves guest carts only.
	Owners Owners

	seed  maphash.Seed
	locks [64]sync.Mutex
}

// NewService returns a Service. Carts expire ttl after their last change; a
// cart with no lines is in currency until its first line sets it; now is the
// clock (time.Now outside tests). checkouts says which checkout holds a cart
// (nil: trust the cart documents).
func NewService(carts commerce.CartStore, checkouts Checkouts, variants VariantSource, stock StockSource, ttl time.Duration, currency string, now func() time.Time) *Service {
	return &Service{carts: carts, checkouts: checkouts, variants: variants, stock: stock, ttl: ttl, currency: currency, now: now, seed: maphash.MakeSeed()}
}

// Create creates a cart holding lines (which may be empty) and returns it
// priced. A currency, when not empty, is the cart's for good (400 for a code
// that is not ISO 4217, 422 "unsupported_currency" for one no product is
// priced in); without one the cart takes its first line's. It returns the
// same rule errors as Add. A request made for a signed-in customer
// (WithCustomer) creates the customer's cart: 409 "cart_exists" when the
// customer has an open cart.
func (s *Service) Create(ctx context.Context, currency string, lines []commerce.CartLine) (*Priced, error) {
	now := s.now().UTC()
	c := &commerce.Cart{ID: commerce.NewCartID(), Currency: s.currency, Lines: []commerce.CartLine{}, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(s.ttl)}
	if currency != "" {
		if err := s.checkCurrency(ctx, currency); err != nil {
			return nil, err
		}
		c.Currency, c.CurrencySet = currency, true
	}
	changes := make([]change, len(lines))
	for i, l := range lines {
		changes[i] = change{sku: l.SKU, quantity: l.Quantity, add: true}
	}
	refs, err := s.apply(ctx, c, changes)
	if err != nil {
		return nil, err
	}
	if customer := customerOf(ctx); customer != "" {
		err = s.createOwned(ctx, customer, c)
	} else {
		err = s.carts.CreateCart(ctx, c)
	}
	if err != nil {
		return nil, err
	}
	return s.price(ctx, c, refs)
}

// Get returns a cart priced from the current catalog. It returns
// "not_found" for an unknown or expired cart.
func (s *Service) Get(ctx context.Context, id string) (*Priced, error) {
	c, err := s.loadFor(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.price(ctx, c, nil)
}

// ForCheckout returns a cart priced from the current catalog, and the cart
// document as stored. With a delivery d, the cart is priced for it too
// (Priced.Charged: shipping and tax). It returns "not_found" for an unknown
// or expired cart, and d's "invalid_shipping_option".
func (s *Service) ForCheckout(ctx context.Context, id string, d *pricing.Delivery) (*Priced, *commerce.Cart, error) {
	c, err := s.loadFor(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.priceFor(ctx, c, nil, d)
	return p, c, err
}

// Add adds quantity units of sku to a cart, to its existing line if it has
// one. ifMatch, when not empty, must be the cart's current ETag. Rule errors:
// "quantity_limit", "unknown_sku", "currency_mismatch", "cart_full",
// "insufficient_stock"; also "not_found" and "precondition_failed".
func (s *Service) Add(ctx context.Context, id, ifMatch, sku string, quantity int) (*Priced, error) {
	return s.update(ctx, id, ifMatch, change{sku: sku, quantity: quantity, add: true})
}

// SetQuantity sets the quantity of sku in a cart: 0 removes its line, and a
// SKU not yet in the cart is added. It returns the same errors as Add.
func (s *Service) SetQuantity(ctx context.Context, id, ifMatch, sku string, quantity int) (*Priced, error) {
	return s.update(ctx, id, ifMatch, change{sku: sku, quantity: quantity})
}

// Remove removes sku's line from a cart. It returns "not_found" when the cart
// has no such line.
func (s *Service) Remove(ctx context.Context, id, ifMatch, sku string) (*Priced, error) {
	return s.update(ctx, id, ifMatch, change{sku: sku, remove: true})
}

// Delete deletes a cart. It returns "not_found" for an unknown or expired
// cart, and "cart_closed" for one that is not open.
func (s *Service) Delete(ctx context.Context, id, ifMatch string) error {
	c, err := s.loadFor(ctx, id)
	if err != nil {
		return err
	}
	if st, _, err := s.status(ctx, c); err != nil {
		return err
	} else if st != commerce.CartOpen {
		return Closed(id)
	}
	if ifMatch == "" || ifMatch == "*" {
		ifMatch = c.ETag // never delete a cart a checkout closed meanwhile
	}
	return s.carts.DeleteCart(ctx, id, version(ifMatch))
}

// load reads a cart, treating an expired one as absent.
func (s *Service) load(ctx context.Context, id string) (*commerce.Cart, error) {
	if !commerce.IsID(id, 'c') {
		return nil, commerce.NotFoundf("cart %q not found", id)
	}
	c, err := s.carts.Cart(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Expired(s.now()) {
		return nil, commerce.NotFoundf("cart %s has expired", id)
	}
	return c, nil
}

// update applies ch to a cart and stores it with optimistic concurrency:
// with an If-Match from the client a stale cart fails with 412; without one a
// lost race is retried on the fresh cart, so no concurrent write is lost.
// Writers to the same cart in this process take turns, so races are rare.
func (s *Service) update(ctx context.Context, id, ifMatch string, ch change) (*Priced, error) {
	mu := &s.locks[maphash.String(s.seed, id)%uint64(len(s.locks))]
	mu.Lock()
	defer mu.Unlock()
	if ifMatch == "*" {
		ifMatch = ""
	}
	for attempt := 1; ; attempt++ {
		c, err := s.loadFor(ctx, id)
		if err != nil {
			return nil, err
		}
		if ifMatch != "" && version(ifMatch) != c.ETag {
			return nil, commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "cart %s has changed since ETag %s", id, ifMatch)
		}
		// A cart that is not open cannot change. The conditional write
		// below fails when a checkout closes the cart meanwhile.
		if st, _, err := s.status(ctx, c); err != nil {
			return nil, err
		} else if st != commerce.CartOpen {
			return nil, Closed(id)
		}
		c.Status, c.CheckoutID, c.OrderID = "", "", ""
		read := c.ETag
		refs, err := s.apply(ctx, c, []change{ch})
		if err != nil {
			return nil, err
		}
		now := s.now().UTC()
		c.UpdatedAt, c.ExpiresAt = now, now.Add(s.ttl)
		err = s.carts.ReplaceCart(ctx, c, read)
		switch {
		case err == nil:
			return s.price(ctx, c, refs)
		case commerce.ErrorKind(err) != commerce.KindPrecondition || ifMatch != "":
			return nil, err
		case attempt == maxAttempts:
			return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "cart %s is changing too often; retry", id)
		}
	}
}
