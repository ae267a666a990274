package cart

import (
	"context"
	"fmt"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
)

// Priced is a cart as buyers see it: every line priced from the catalog now.
type Priced struct {
	ID        string               `json:"id"`
	Currency  string               `json:"currency"`
	Items     []commerce.OrderLine `json:"items"`
	ItemCount int                  `json:"itemCount"`
	Subtotal  commerce.Money       `json:"subtotal"`
	// Codes are the promotion codes applied; Discounts what each
	// promotion that applies (by code or automatic) takes off, in all
	// DiscountTotal (shipping discounts are known at checkout).
	Codes         []string            `json:"codes"`
	Discounts     []commerce.Discount `json:"discounts"`
	DiscountTotal commerce.Money      `json:"discountTotal"`
	// rejected are the cart's codes that do not apply now; promos the
	// free shipping and per-customer promotions among the discounts.
	rejected []pricing.Rejection
	promos   promoKinds
	// Unavailable lists lines whose product is no longer sold (deleted,
	// archived or repriced in another currency). They are kept, so the
	// buyer sees what went away, but not priced or counted.
	Unavailable []commerce.CartLine `json:"unavailableItems"`
	ExpiresAt   time.Time           `json:"expiresAt"`
	UpdatedAt   time.Time           `json:"updatedAt"`
	// Status is open, checking_out or completed; OrderID is the order of a
	// completed cart, never shown: a cart ID is not proof of being the
	// buyer, who has the order ID from the checkout's answer.
	Status  commerce.CartStatus `json:"status"`
	OrderID string              `json:"-"`
	// CustomerID is the customer who owns the cart (none for a guest
	// cart); MergedInto is the cart a merged cart was closed into.
	CustomerID string `json:"customerId,omitempty"`
	MergedInto string `json:"mergedInto,omitempty"`
	// ETag changes whenever what the buyer sees changes: the document or
	// its pricing. Version is the document's own ETag.
	ETag    string `json:"-"`
	Version string `json:"-"`
	// Charged is the whole pricing (shipping and tax too) of a cart priced
	// for a checkout's delivery (ForCheckout); nil otherwise.
	Charged *pricing.Result `json:"-"`
}

// price prices c from the catalog, using refs for the SKUs it holds and
// looking up the others.
func (s *Service) price(ctx context.Context, c *commerce.Cart, refs map[string]commerce.VariantRef) (*Priced, error) {
	return s.priceFor(ctx, c, refs, nil)
}

// priceFor prices c as price does, and for a checkout's delivery d too
// when d is not nil (setting Charged).
func (s *Service) priceFor(ctx context.Context, c *commerce.Cart, refs map[string]commerce.VariantRef, d *pricing.Delivery) (*Priced, error) {
	p := &Priced{
		ID: c.ID, Currency: c.Currency, Items: []commerce.OrderLine{}, Unavailable: []commerce.CartLine{},
		Subtotal: commerce.Money{Currency: c.Currency}, ExpiresAt: c.ExpiresAt, UpdatedAt: c.UpdatedAt, Version: c.ETag,
		Codes: append([]string{}, c.Codes...), Discounts: []commerce.Discount{}, DiscountTotal: commerce.Money{Currency: c.Currency},
		CustomerID: c.CustomerID, MergedInto: c.MergedInto,
	}
	var err error
	if p.Status, p.OrderID, err = s.status(ctx, c); err != nil {
		return nil, err
	}
	defer func() { p.ETag = etag(c.ETag, p) }()
	if len(c.Lines) == 0 {
		return p, nil
	}
	var missing []string
	for _, l := range c.Lines {
		if _, ok := refs[l.SKU]; !ok {
			missing = append(missing, l.SKU)
		}
	}
	if len(missing) > 0 {
		more, err := s.variants.Variants(ctx, missing)
		if err != nil {
			return nil, fmt.Errorf("cart: price %s: %w", c.ID, err)
		}
		if refs == nil {
			refs = more
		} else {
			for sku, ref := range more {
				refs[sku] = ref
			}
		}
	}
	lines := make([]pricing.Line, 0, len(c.Lines))
	for _, l := range c.Lines {
		ref, ok := refs[l.SKU]
		price, priced := ref.Variant.PriceIn(c.Currency)
		if !ok || ref.Status != commerce.StatusActive || !priced {
			p.Unavailable = append(p.Unavailable, l)
			continue
		}
		title := ref.ProductTitle
		if ref.Variants > 1 && ref.Variant.Title != "" {
			title += " / " + ref.Variant.Title
		}
		lines = append(lines, pricing.Line{SKU: l.SKU, ProductID: ref.ProductID, Title: title, Quantity: l.Quantity, Price: price})
		p.ItemCount += l.Quantity
	}
	r, free, err := s.run(ctx, c, lines, d)
	if err != nil {
		return nil, err
	}
	p.Items, p.Subtotal = r.Lines, r.Subtotal
	if d != nil {
		p.Charged = r
	}
	p.setDiscounts(r)
	p.promos = free
	return p, nil
}
