package cart

import (
	"context"
	"fmt"

	"shopfn/handler/commerce"
)

// change is one requested change to a cart line.
type change struct {
	sku      string
	quantity int
	add      bool // add quantity to the line; otherwise set it
	remove   bool // remove the line
}

// apply applies changes to c in memory, checking every rule against the
// current catalog and stock. It returns the variants it looked up (nil if
// it needed none), so that pricing the cart need not look them up again.
func (s *Service) apply(ctx context.Context, c *commerce.Cart, changes []change) (map[string]commerce.VariantRef, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	skus := make([]string, 0, len(changes))
	for _, ch := range changes {
		if !ch.remove {
			lo := 1
			if !ch.add {
				lo = 0
			}
			if ch.quantity < lo || ch.quantity > commerce.MaxLineQuantity {
				return nil, commerce.Rulef(commerce.CodeQuantityLimit, "quantity must be %d-%d", lo, commerce.MaxLineQuantity)
			}
		}
		if !commerce.ValidSKU(ch.sku) {
			return nil, unknownSKU(ch.sku)
		}
		skus = append(skus, ch.sku)
	}
	// Variants are looked up for the whole cart, so pricing needs no second
	// lookup; stock only for the SKUs being changed.
	changed := len(skus)
	for _, l := range c.Lines {
		skus = append(skus, l.SKU)
	}
	var refs map[string]commerce.VariantRef
	var levels map[string]commerce.StockLevel
	for _, ch := range changes {
		i := c.Line(ch.sku)
		old := 0
		if i >= 0 {
			old = c.Lines[i].Quantity
		}
		want := ch.quantity
		if ch.add {
			want += old
		}
		switch {
		case ch.remove && i < 0:
			return nil, commerce.NotFoundf("cart has no line for sku %q", ch.sku)
		case ch.remove || want == 0:
			if i >= 0 {
				c.Lines = append(c.Lines[:i], c.Lines[i+1:]...)
			}
			continue
		case want <= old:
			c.Lines[i].Quantity = want // a decrease needs no lookup
			continue
		}
		if refs == nil {
			var err error
			if refs, err = s.variants.Variants(ctx, skus); err != nil {
				return nil, fmt.Errorf("cart: look up skus: %w", err)
			}
			if levels, err = s.stock.StockLevels(ctx, skus[:changed]); err != nil {
				return nil, fmt.Errorf("cart: read stock: %w", err)
			}
		}
		ref, ok := refs[ch.sku]
		if !ok || ref.Status != commerce.StatusActive {
			return nil, unknownSKU(ch.sku)
		}
		if _, ok := ref.Variant.PriceIn(c.Currency); !ok {
			switch {
			case c.CurrencySet:
				e := commerce.Rulef(commerce.CodeNotPricedInCurrency, "sku %s has no price in %s, this cart's currency", ch.sku, c.Currency)
				e.SKUs = []string{ch.sku}
				return nil, e
			case len(c.Lines) == 0:
				c.Currency = ref.Variant.Price.Currency
			default:
				return nil, commerce.Rulef(commerce.CodeCurrencyMismatch, "sku %s is priced in %s; this cart is in %s", ch.sku, ref.Variant.Price.Currency, c.Currency)
			}
		}
		if i < 0 && len(c.Lines) >= commerce.MaxCartLines {
			return nil, commerce.Rulef(commerce.CodeCartFull, "a cart holds at most %d lines", commerce.MaxCartLines)
		}
		if want > commerce.MaxLineQuantity {
			return nil, commerce.Rulef(commerce.CodeQuantityLimit, "a line holds at most %d units; it would hold %d", commerce.MaxLineQuantity, want)
		}
		if avail := levels[ch.sku].Available(); int64(want) > avail {
			e := commerce.Rulef(commerce.CodeInsufficientStock, "only %d of sku %s available", avail, ch.sku)
			e.SKUs = []string{ch.sku}
			return nil, e
		}
		if i < 0 {
			c.Lines = append(c.Lines, commerce.CartLine{SKU: ch.sku, Quantity: want})
		} else {
			c.Lines[i].Quantity = want
		}
	}
	return refs, nil
}

func unknownSKU(sku string) error {
	e := commerce.Rulef(commerce.CodeUnknownSKU, "sku %q is not for sale", sku)
	e.SKUs = []string{sku}
	return e
}
