package commerce

import (
	"context"
	"time"
)

// Shipping option and tax rate limits. They keep every option and rate in
// the in-memory index that prices checkouts.
const (
	// MaxShippingOptions bounds how many shipping options a shop holds.
	MaxShippingOptions = 100
	// MaxOptionCountries bounds the countries one option ships to.
	MaxOptionCountries = 250
	// MaxSubdivisionRates bounds the subdivision rates of one country.
	MaxSubdivisionRates = 100
	// MaxTaxRate is the highest rate, in basis points (100%).
	MaxTaxRate = 10_000
)

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
	// Status is "active" or "draft"; a draft option serves no checkout.
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updatedAt"`
	// ETag identifies this version of the option; stores set it on every write.
	ETag string `json:"-"`
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

// Validate checks a shipping option as an admin sends it.
func (o *ShippingOption) Validate() error {
	switch {
	case !ValidSlug(o.ID, 64):
		return Invalidf(CodeInvalidRequest, "shipping option id %q is not 1-64 characters of a-z, 0-9 and '-'", o.ID)
	case o.Name == "" || len(o.Name) > 200 || !validAddressField(o.Name):
		return Invalidf(CodeInvalidRequest, "name must be 1-200 characters on one line")
	case !ValidCurrency(o.Currency):
		return Invalidf(CodeInvalidRequest, "currency %q is not an ISO 4217 code", o.Currency)
	case o.Status != PricingActive && o.Status != PricingDraft:
		return Invalidf(CodeInvalidRequest, "status must be active or draft")
	case len(o.Countries) == 0 || len(o.Countries) > MaxOptionCountries:
		return Invalidf(CodeInvalidRequest, "countries must list 1-%d ISO 3166-1 alpha-2 codes", MaxOptionCountries)
	}
	if err := (Money{Amount: o.Amount, Currency: o.Currency}).Validate(); err != nil {
		return Invalidf(CodeInvalidRequest, "amount: %v", err)
	}
	if o.FreeOver != nil {
		if err := o.FreeOver.Validate(); err != nil {
			return Invalidf(CodeInvalidRequest, "freeOver: %v", err)
		}
		if o.FreeOver.Currency != o.Currency {
			return Invalidf(CodeInvalidRequest, "freeOver must be in the option's currency %s", o.Currency)
		}
	}
	seen := make(map[string]bool, len(o.Countries))
	for _, c := range o.Countries {
		if !ValidCountry(c) {
			return Invalidf(CodeInvalidRequest, "country %q is not an ISO 3166-1 alpha-2 code such as US", c)
		}
		if seen[c] {
			return Invalidf(CodeInvalidRequest, "country %s is listed twice", c)
		}
		seen[c] = true
	}
	return nil
}

// TaxRate is a country's tax in basis points (2000 = 20%), with optional
// rates by ISO 3166-2 subdivision (matched against an address's region).
type TaxRate struct {
	Country       string           `json:"country"`
	Rate          int64            `json:"rate"`
	ShippingTaxed bool             `json:"shippingTaxed"`
	Subdivisions  map[string]int64 `json:"subdivisions,omitempty"`
	UpdatedAt     time.Time        `json:"updatedAt"`
	// ETag identifies this version of the rate; stores set it on every write.
	ETag string `json:"-"`
}

// For returns the rate in region (the country's rate when region has none).
func (t *TaxRate) For(region string) int64 {
	if r, ok := t.Subdivisions[region]; ok && region != "" {
		return r
	}
	return t.Rate
}

// Validate checks a tax rate as an admin sends it.
func (t *TaxRate) Validate() error {
	if !ValidCountry(t.Country) {
		return Invalidf(CodeInvalidRequest, "country %q is not an ISO 3166-1 alpha-2 code such as US", t.Country)
	}
	if t.Rate < 0 || t.Rate > MaxTaxRate {
		return Invalidf(CodeInvalidRequest, "rate must be 0-%d basis points (2000 is 20%%)", MaxTaxRate)
	}
	if len(t.Subdivisions) > MaxSubdivisionRates {
		return Invalidf(CodeInvalidRequest, "at most %d subdivision rates", MaxSubdivisionRates)
	}
	for code, r := range t.Subdivisions {
		if !ValidRegion(code) {
			return Invalidf(CodeInvalidRequest, "subdivision %q is not an ISO 3166-2 subdivision code such as CA", code)
		}
		if r < 0 || r > MaxTaxRate {
			return Invalidf(CodeInvalidRequest, "subdivision %s: rate must be 0-%d basis points", code, MaxTaxRate)
		}
	}
	return nil
}

// TaxLine is the tax of one line (SKU set) or of shipping.
type TaxLine struct {
	SKU    string `json:"sku,omitempty"`
	Kind   string `json:"kind"`
	Rate   int64  `json:"rate"`
	Amount Money  `json:"amount"`
}

// ShippingOptionStore holds shipping options. Implementations: sqlite,
// memstore and cosmos ShippingOptionStore; storetest.TestShippingOptionStore
// holds them to the same behaviour.
type ShippingOptionStore interface {
	// PutShippingOption creates or replaces the option o.ID and sets
	// o.ETag. When ifMatch is not empty and differs from the stored ETag
	// (or there is none) it returns KindPrecondition "precondition_failed".
	PutShippingOption(ctx context.Context, o *ShippingOption, ifMatch string) error

	// ShippingOption returns the option with the given ID, or "not_found".
	ShippingOption(ctx context.Context, id string) (*ShippingOption, error)

	// ShippingOptions returns every option, ordered by ID.
	ShippingOptions(ctx context.Context) ([]ShippingOption, error)

	// DeleteShippingOption removes an option, or returns "not_found".
	DeleteShippingOption(ctx context.Context, id string) error
}

// TaxRateStore holds tax rates, one per country. Implementations: sqlite,
// memstore and cosmos TaxRateStore; storetest.TestTaxRateStore holds them
// to the same behaviour.
type TaxRateStore interface {
	// PutTaxRate creates or replaces the rate of t.Country and sets t.ETag,
	// with the same ifMatch rule as PutShippingOption.
	PutTaxRate(ctx context.Context, t *TaxRate, ifMatch string) error

	// TaxRate returns a country's rate, or "not_found".
	TaxRate(ctx context.Context, country string) (*TaxRate, error)

	// TaxRates returns every rate, ordered by country.
	TaxRates(ctx context.Context) ([]TaxRate, error)

	// DeleteTaxRate removes a country's rate, or returns "not_found".
	DeleteTaxRate(ctx context.Context, country string) error
}
