package cart

import (
	"context"
	"fmt"

	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
)

// Pricing is what prices a cart beyond its variants' own prices. Every
// field may be nil: no price lists, no groups, every currency sold.
type Pricing struct {
	// Lists returns the price lists, from memory (never a query per line).
	Lists func(ctx context.Context) (*pricing.Lists, error)
	// Groups returns the groups of the customer a cart belongs to;
	// customerID is empty for a guest's cart, who has none.
	Groups func(ctx context.Context, customerID string) ([]string, error)
	// Sells reports whether some product is priced in currency, so that a
	// cart may be created in it.
	Sells func(ctx context.Context, currency string) (bool, error)
	// Promotions returns the active promotions, from memory (never a
	// query per cart line).
	Promotions func(ctx context.Context) ([]commerce.Promotion, error)
}

// UsePricing makes s price carts with p. Call it before serving.
func (s *Service) UsePricing(p Pricing) { s.pricing = p }

// cartCustomer returns the customer a cart belongs to ("" for a guest):
// the one seam through which a cart's customer reaches its pricing.
var cartCustomer = func(c *commerce.Cart) string { return c.CustomerID }

// checkCurrency checks a currency a buyer asks a new cart to be in: an
// ISO 4217 code (400) that some product is priced in (422
// "unsupported_currency"). The default currency is always sold.
func (s *Service) checkCurrency(ctx context.Context, currency string) error {
	if !commerce.ValidCurrency(currency) {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "currency %q is not an ISO 4217 code", currency)
	}
	if currency == s.currency || s.pricing.Sells == nil {
		return nil
	}
	ok, err := s.pricing.Sells(ctx, currency)
	if err != nil {
		return fmt.Errorf("cart: currencies: %w", err)
	}
	if !ok {
		return commerce.Rulef(commerce.CodeUnsupportedCurrency, "no product is priced in %s", currency)
	}
	return nil
}

// run prices lines for c's customer with the price lists and promotions,
// and for a checkout's delivery d (shipping and tax) when d is not nil. It
// also returns the free shipping and per-customer promotions that apply.
func (s *Service) run(ctx context.Context, c *commerce.Cart, lines []pricing.Line, d *pricing.Delivery) (*pricing.Result, promoKinds, error) {
	in := pricing.Input{Currency: c.Currency, Now: s.now(), Lines: lines, Codes: c.Codes}
	if d != nil {
		if err := d.Apply(&in); err != nil {
			return nil, promoKinds{}, err
		}
	}
	if len(lines) > 0 && s.pricing.Lists != nil {
		lists, err := s.pricing.Lists(ctx)
		if err != nil {
			return nil, promoKinds{}, fmt.Errorf("cart: price lists: %w", err)
		}
		in.Lists = lists
	}
	if (len(lines) > 0 || len(c.Codes) > 0) && s.pricing.Promotions != nil {
		promos, err := s.pricing.Promotions(ctx)
		if err != nil {
			return nil, promoKinds{}, fmt.Errorf("cart: promotions: %w", err)
		}
		in.Promotions = promos
	}
	if (in.Lists.Len() > 0 || len(in.Promotions) > 0) && s.pricing.Groups != nil {
		if id := cartCustomer(c); id != "" {
			var err error
			if in.Groups, err = s.pricing.Groups(ctx, id); err != nil {
				return nil, promoKinds{}, fmt.Errorf("cart: customer groups: %w", err)
			}
		}
	}
	r, err := pricing.Run(in)
	if err != nil {
		return nil, promoKinds{}, err
	}
	return r, kinds(in.Promotions, r.Discounts), nil
}
