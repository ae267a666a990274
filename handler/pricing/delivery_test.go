package pricing

import (
	"slices"
	"testing"

	"shopfn/handler/commerce"
)

func option(id, cur string, amount int64, countries ...string) commerce.ShippingOption {
	return commerce.ShippingOption{ID: id, Name: id, Currency: cur, Amount: amount, Countries: countries, Status: commerce.PricingActive}
}

// TestChoose covers which option a checkout ships with, and when it is
// refused with invalid_shipping_option.
func TestChoose(t *testing.T) {
	draft := option("draft", "USD", 100, "US", "MX")
	draft.Status = commerce.PricingDraft
	c := NewCharges([]commerce.ShippingOption{option("std", "USD", 500, "US", "CA"), option("eu", "EUR", 700, "FR"), draft}, nil)
	tests := []struct {
		name                  string
		c                     *Charges
		id, country, currency string
		want                  string // the option's ID, "" for flat
		code                  string
	}{
		{"NoOptionsFlat", nil, "", "US", "USD", "", ""},
		{"NoneConfiguredRefusesID", nil, "std", "US", "USD", "", commerce.CodeInvalidShippingOption},
		{"Chosen", c, "std", "CA", "USD", "std", ""},
		{"MissingWhileServed", c, "", "US", "USD", "", commerce.CodeInvalidShippingOption},
		{"MissingNoneServesCountry", c, "", "DE", "USD", "", ""},
		{"MissingDraftOnly", c, "", "MX", "USD", "", ""},
		{"OtherCountry", c, "std", "FR", "USD", "", commerce.CodeInvalidShippingOption},
		{"OtherCurrency", c, "std", "US", "EUR", "", commerce.CodeInvalidShippingOption},
		{"Draft", c, "draft", "MX", "USD", "", commerce.CodeInvalidShippingOption},
		{"Unknown", c, "nope", "US", "USD", "", commerce.CodeInvalidShippingOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := tt.c.Choose(tt.id, tt.country, tt.currency)
			if code := commerce.ErrorCode(err); (err != nil || tt.code != "") && code != tt.code {
				t.Fatalf("got error %v, want code %q", err, tt.code)
			}
			got := ""
			if o != nil {
				got = o.ID
			}
			if got != tt.want {
				t.Errorf("got option %q, want %q", got, tt.want)
			}
		})
	}
	var ids []string
	for _, o := range c.Options("US", "USD") {
		ids = append(ids, o.ID)
	}
	if !slices.Equal(ids, []string{"std"}) {
		t.Errorf("Options(US, USD): got %v, want [std]", ids)
	}
}

// TestDelivery prices whole checkouts through Delivery: per-line half-even
// rounding, inclusive and exclusive currencies, subdivisions, taxed and
// untaxed shipping, freeOver, and the flat charges when nothing is set.
func TestDelivery(t *testing.T) {
	std := option("std", "USD", 500, "US")
	std.FreeOver = &commerce.Money{Amount: 5000, Currency: "USD"}
	eu := option("eu", "EUR", 490, "FR", "DE")
	rates := []commerce.TaxRate{
		{Country: "US", Rate: 0, ShippingTaxed: false, Subdivisions: map[string]int64{"CA": 725, "NY": 400}},
		{Country: "FR", Rate: 2000, ShippingTaxed: true},
		{Country: "DE", Rate: 1900, ShippingTaxed: false},
	}
	charges := NewCharges([]commerce.ShippingOption{std, eu}, rates)
	inclusive := map[string]bool{"EUR": true}
	flat := Flat("USD", 700, 90, map[string]int64{"EUR": 600}, map[string]int64{"EUR": 80})
	usd := []Line{line("A", 1, 1010, "USD"), line("B", 3, 333, "USD")} // 1010 + 999
	eur := []Line{line("A", 1, 1010, "EUR"), line("B", 3, 333, "EUR")}
	tests := []struct {
		name                 string
		lines                []Line
		currency             string
		d                    Delivery
		shipping, tax, total int64
		taxLines             []int64
		included             bool
	}{
		// 1010*7.25% = 73.225 -> 73; 999*7.25% = 72.4275 -> 72.
		{"ExclusiveSubdivision", usd, "USD", Delivery{Charges: charges, Country: "US", Region: "CA", ShippingOptionID: "std"}, 500, 145, 2654, []int64{73, 72}, false},
		// 1010*4% = 40.4 -> 40; 999*4% = 39.96 -> 40.
		{"ExclusiveOtherSubdivision", usd, "USD", Delivery{Charges: charges, Country: "US", Region: "NY", ShippingOptionID: "std"}, 500, 80, 2589, []int64{40, 40}, false},
		{"ExclusiveNoRegionCountryRate", usd, "USD", Delivery{Charges: charges, Country: "US", ShippingOptionID: "std"}, 500, 0, 2509, []int64{0, 0}, false},
		// 1010/6 = 168.33 -> 168; 999/6 = 166.5 -> 166 (even); 490/6 = 81.67 -> 82.
		{"InclusiveShippingTaxed", eur, "EUR", Delivery{Charges: charges, TaxInclusive: inclusive, Country: "FR", ShippingOptionID: "eu"}, 490, 416, 2499, []int64{168, 166, 82}, true},
		// 1010*1900/11900 = 161.26 -> 161; 999*1900/11900 = 159.50 -> 160 (even).
		{"InclusiveShippingNotTaxed", eur, "EUR", Delivery{Charges: charges, TaxInclusive: inclusive, Country: "DE", ShippingOptionID: "eu"}, 490, 321, 2499, []int64{161, 160}, true},
		// The same rate added on top when EUR is not inclusive: 202 + 199.8 -> 200 + 98.
		{"ExclusiveEUR", eur, "EUR", Delivery{Charges: charges, Country: "FR", ShippingOptionID: "eu"}, 490, 500, 2999, []int64{202, 200, 98}, false},
		{"FreeOver", []Line{line("A", 1, 5000, "USD")}, "USD", Delivery{Charges: charges, Country: "US", ShippingOptionID: "std"}, 0, 0, 5000, []int64{0}, false},
		{"JustUnderFreeOver", []Line{line("A", 1, 4999, "USD")}, "USD", Delivery{Charges: charges, Country: "US", ShippingOptionID: "std"}, 500, 0, 5499, []int64{0}, false},
		{"NothingConfiguredFlat", usd, "USD", Delivery{Flat: flat, Country: "US"}, 700, 90, 2799, nil, false},
		{"NoOptionForCountryFlatShipping", eur, "EUR", Delivery{Flat: flat, Charges: NewCharges([]commerce.ShippingOption{std}, nil), Country: "FR"}, 600, 80, 2689, nil, false},
		{"NoRateForCountryNoTax", usd, "USD", Delivery{Flat: flat, Charges: NewCharges(nil, rates), Country: "GB"}, 700, 0, 2709, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Currency: tt.currency, Now: now, Lines: tt.lines}
			if err := tt.d.Apply(&in); err != nil {
				t.Fatal(err)
			}
			r, err := Run(in)
			if err != nil {
				t.Fatal(err)
			}
			if r.Shipping.Amount != tt.shipping || r.Tax.Amount != tt.tax || r.Total.Amount != tt.total || r.TaxIncluded != tt.included {
				t.Errorf("got shipping %d, tax %d, total %d, included %v; want %d, %d, %d, %v",
					r.Shipping.Amount, r.Tax.Amount, r.Total.Amount, r.TaxIncluded, tt.shipping, tt.tax, tt.total, tt.included)
			}
			var got []int64
			var sum int64
			for _, tl := range r.TaxLines {
				got = append(got, tl.Amount.Amount)
				sum += tl.Amount.Amount
			}
			if !slices.Equal(got, tt.taxLines) {
				t.Errorf("tax lines: got %v, want %v", got, tt.taxLines)
			}
			if len(r.TaxLines) > 0 && sum != r.Tax.Amount {
				t.Errorf("tax lines sum to %d, tax is %d", sum, r.Tax.Amount)
			}
		})
	}
}

// TestShippingPrice is free from freeOver on, and charged below it.
func TestShippingPrice(t *testing.T) {
	o := option("std", "USD", 500, "US")
	if got := ShippingPrice(&o, 1_000_000); got != 500 {
		t.Errorf("no freeOver: got %d, want 500", got)
	}
	o.FreeOver = &commerce.Money{Amount: 1000, Currency: "USD"}
	for _, tt := range []struct{ sub, want int64 }{{999, 500}, {1000, 0}, {1001, 0}} {
		if got := ShippingPrice(&o, tt.sub); got != tt.want {
			t.Errorf("subtotal %d: got %d, want %d", tt.sub, got, tt.want)
		}
	}
}
