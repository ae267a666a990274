package commerce

// ShippingOption is a way to ship to some countries at a price in one
// currency; FreeOver, when set, makes it free from that subtotal (after
// discounts) on.
type ShippingOption struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Currency  string   `json:"currency"`
	Amount    int64    `json:"amount"`
	Countries []string `json:"countries"`
	FreeOver  *Money   `json:"freeOver,omitempty"`
	Status    string   `json:"status"`
}

// Serves reports whether o ships to country in currency.
func (o *ShippingOption) Serves(country, currency string) bool {
	if o.Status != PricingActive || o.Currency != currency {
		return false
	}
	for _, c := range o.Countries {
		if c == country {
			return true
		}
	}
	return false
}

// TaxRate is a country's tax in basis points (2000 = 20%), with optional
// rates by ISO 3166-2 subdivision (matched against an address's region).
type TaxRate struct {
	Country       string           `json:"country"`
	Rate          int64            `json:"rate"`
	ShippingTaxed bool             `json:"shippingTaxed"`
	Subdivisions  map[string]int64 `json:"subdivisions,omitempty"`
}

// For returns the rate in region (the country's rate when region has none).
func (t *TaxRate) For(region string) int64 {
	if r, ok := t.Subdivisions[region]; ok && region != "" {
		return r
	}
	return t.Rate
}

// TaxLine is the tax of one line (SKU set) or of shipping.
type TaxLine struct {
	SKU    string `json:"sku,omitempty"`
	Kind   string `json:"kind"`
	Rate   int64  `json:"rate"`
	Amount Money  `json:"amount"`
}
