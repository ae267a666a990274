package pricing

import (
	"shopfn/handler/commerce"
)

// Charges indexes the shipping options and tax rates, so that a checkout's
// shipping and tax cost map lookups, not queries. A Charges is read-only
// once built and safe to share; a nil Charges has no options and no rates.
type Charges struct {
	options []commerce.ShippingOption // active ones, in ID order
	byID    map[string]*commerce.ShippingOption
	rates   map[string]commerce.TaxRate // nil when there are none
}

// NewCharges indexes options (in ID order) and rates. Draft options are
// kept, so that choosing one is refused rather than unknown.
func NewCharges(options []commerce.ShippingOption, rates []commerce.TaxRate) *Charges {
	c := &Charges{byID: make(map[string]*commerce.ShippingOption, len(options))}
	for i := range options {
		c.byID[options[i].ID] = &options[i]
		if options[i].Status == commerce.PricingActive {
			c.options = append(c.options, options[i])
		}
	}
	if len(rates) > 0 {
		c.rates = make(map[string]commerce.TaxRate, len(rates))
		for _, r := range rates {
			c.rates[r.Country] = r
		}
	}
	return c
}

// Options returns the active options that ship to country in currency, in
// ID order.
func (c *Charges) Options(country, currency string) []commerce.ShippingOption {
	if c == nil {
		return nil
	}
	var out []commerce.ShippingOption
	for i := range c.options {
		if c.options[i].Serves(country, currency) {
			out = append(out, c.options[i])
		}
	}
	return out
}

// Choose returns the option a checkout to country in currency ships with:
// the one id names, or nil (flat shipping) when id is empty and no option
// serves that country and currency. It returns 422
// "invalid_shipping_option" when id is empty while some option serves
// them, and when id's option is unknown, a draft, or does not serve them.
func (c *Charges) Choose(id, country, currency string) (*commerce.ShippingOption, error) {
	if id == "" {
		if len(c.Options(country, currency)) > 0 {
			return nil, commerce.Rulef(commerce.CodeInvalidShippingOption, "choose a shipping option (shippingOptionId) for %s; GET /api/carts/{id}/shipping-options?country=%s lists them", country, country)
		}
		return nil, nil
	}
	var o *commerce.ShippingOption
	if c != nil {
		o = c.byID[id]
	}
	if o == nil || !o.Serves(country, currency) {
		return nil, commerce.Rulef(commerce.CodeInvalidShippingOption, "shipping option %q does not ship to %s in %s", clip(id), country, currency)
	}
	return o, nil
}

// Rates returns the tax rates by country; nil when none is configured,
// which charges the flat tax.
func (c *Charges) Rates() map[string]commerce.TaxRate {
	if c == nil {
		return nil
	}
	return c.rates
}

// Delivery is what a checkout adds to a cart's pricing: the shop's flat
// charges, shipping options and tax rates, the currencies whose prices
// contain tax, and where and how the order ships.
type Delivery struct {
	Flat    Rules
	Charges *Charges
	// TaxInclusive lists the currencies whose prices contain tax.
	TaxInclusive     map[string]bool
	Country, Region  string
	ShippingOptionID string
}

// Apply sets in's shipping and tax inputs for d (in.Currency set). It
// returns Choose's errors.
func (d *Delivery) Apply(in *Input) error {
	o, err := d.Charges.Choose(d.ShippingOptionID, d.Country, in.Currency)
	if err != nil {
		return err
	}
	in.Shipping, in.Flat = o, d.Flat
	in.TaxRates, in.Country, in.Region = d.Charges.Rates(), d.Country, d.Region
	in.TaxInclusive = d.TaxInclusive[in.Currency]
	return nil
}

// ShippingPrice returns what o costs a cart whose lines come to
// afterDiscounts: nothing from its FreeOver on, its amount below.
func ShippingPrice(o *commerce.ShippingOption, afterDiscounts int64) int64 {
	if o.FreeOver != nil && afterDiscounts >= o.FreeOver.Amount {
		return 0
	}
	return o.Amount
}

// clip shortens a client's string for an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
