package pricing

import (
	"slices"
	"testing"

	"shopfn/handler/commerce"
)

// TestRunShippingAndTax covers the shipping and tax steps, inclusive and
// exclusive, and the flat behaviour when nothing is configured.
func TestRunShippingAndTax(t *testing.T) {
	opt := &commerce.ShippingOption{ID: "std", Currency: "USD", Amount: 500, Countries: []string{"US"}, Status: commerce.PricingActive}
	freeOver := *opt
	freeOver.FreeOver = &commerce.Money{Amount: 950, Currency: "USD"}
	eurOpt := &commerce.ShippingOption{ID: "eu", Currency: "EUR", Amount: 500, Countries: []string{"FR"}, Status: commerce.PricingActive}
	us := map[string]commerce.TaxRate{"US": {Country: "US", Rate: 1000, Subdivisions: map[string]int64{"CA": 725}}}
	fr := map[string]commerce.TaxRate{"FR": {Country: "FR", Rate: 2000, ShippingTaxed: true}}
	freeShip := promo("fs", commerce.ActionFreeShipping, 0, commerce.TargetOrder)
	tenOff := promo("p10", commerce.ActionPercent, 1000, commerce.TargetOrder)
	tests := []struct {
		name                           string
		in                             Input
		shipping, discount, tax, total int64
		taxLines                       []int64
	}{
		{"FlatAsToday", Input{Currency: "USD", Flat: Flat("USD", 500, 120, nil, nil)}, 500, 0, 120, 1620, nil},
		{"Option", Input{Currency: "USD", Shipping: opt}, 500, 0, 0, 1500, nil},
		{"FreeOverMet", Input{Currency: "USD", Shipping: &freeOver}, 0, 0, 0, 1000, nil},
		{"FreeOverAfterDiscounts", Input{Currency: "USD", Shipping: &freeOver, Promotions: []commerce.Promotion{tenOff}}, 500, 100, 0, 1400, nil},
		{"FreeShippingPromotion", Input{Currency: "USD", Shipping: opt, Promotions: []commerce.Promotion{freeShip}}, 500, 500, 0, 1000, nil},
		{"Exclusive", Input{Currency: "USD", TaxRates: us, Country: "US"}, 0, 0, 100, 1100, []int64{100}},
		{"ExclusiveRegion", Input{Currency: "USD", TaxRates: us, Country: "US", Region: "CA"}, 0, 0, 72, 1072, []int64{72}}, // 72.5 rounds to even
		{"ExclusiveShippingNotTaxed", Input{Currency: "USD", Shipping: opt, TaxRates: us, Country: "US"}, 500, 0, 100, 1600, []int64{100}},
		{"ExclusiveOnDiscounted", Input{Currency: "USD", TaxRates: us, Country: "US", Promotions: []commerce.Promotion{tenOff}}, 0, 100, 90, 990, []int64{90}},
		{"NoRateForCountry", Input{Currency: "USD", TaxRates: us, Country: "MX", Flat: Flat("USD", 0, 999, nil, nil)}, 0, 0, 0, 1000, nil},
		{"Inclusive", Input{Currency: "EUR", TaxRates: fr, Country: "FR", TaxInclusive: true, Shipping: eurOpt}, 500, 0, 250, 1500, []int64{167, 83}},
		{"InclusiveShippingFree", Input{Currency: "EUR", TaxRates: fr, Country: "FR", TaxInclusive: true, Shipping: eurOpt, Promotions: []commerce.Promotion{freeShip}}, 500, 500, 167, 1000, []int64{167}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Now = now
			in.Lines = []Line{line("A", 1, 1000, in.Currency)}
			r, err := Run(in)
			if err != nil {
				t.Fatal(err)
			}
			if r.Shipping.Amount != tt.shipping || r.DiscountTotal.Amount != tt.discount || r.Tax.Amount != tt.tax || r.Total.Amount != tt.total {
				t.Errorf("got shipping %d, discount %d, tax %d, total %d; want %d, %d, %d, %d",
					r.Shipping.Amount, r.DiscountTotal.Amount, r.Tax.Amount, r.Total.Amount, tt.shipping, tt.discount, tt.tax, tt.total)
			}
			var got []int64
			for _, tl := range r.TaxLines {
				got = append(got, tl.Amount.Amount)
			}
			if !slices.Equal(got, tt.taxLines) {
				t.Errorf("tax lines: got %v, want %v", got, tt.taxLines)
			}
			if r.Total.Currency != in.Currency || r.Tax.Currency != in.Currency {
				t.Errorf("currencies: got %s and %s, want %s", r.Total.Currency, r.Tax.Currency, in.Currency)
			}
		})
	}
}

// TestRunEmpty charges nothing for a cart with no lines.
func TestRunEmpty(t *testing.T) {
	r, err := Run(Input{Currency: "USD", Flat: Flat("USD", 500, 100, nil, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total.Amount != 0 || r.Shipping.Amount != 0 || r.Tax.Amount != 0 {
		t.Errorf("empty cart: got %+v, want all zero", r)
	}
}

// TestRunFlatCurrency refuses a currency a flat charge is not set for.
func TestRunFlatCurrency(t *testing.T) {
	_, err := Run(Input{Currency: "JPY", Lines: []Line{line("A", 1, 1000, "JPY")}, Flat: Flat("USD", 500, 100, nil, nil)})
	if code := commerce.ErrorCode(err); code != commerce.CodeCurrencyUnsupported {
		t.Errorf("got %v, want %s", err, commerce.CodeCurrencyUnsupported)
	}
}

// TestHalfEven rounds ties to even, far beyond int64 products.
func TestHalfEven(t *testing.T) {
	tests := []struct{ a, b, c, want int64 }{
		{25, 1000, 10_000, 2}, {35, 1000, 10_000, 4}, {15, 1000, 10_000, 2}, {24, 1000, 10_000, 2}, {26, 1000, 10_000, 3},
		{1200, 2000, 12_000, 200}, {1000, 2000, 12_000, 167},
		{99 * 100 * commerce.MaxAmount, 10_000, 10_000, 99 * 100 * commerce.MaxAmount},
	}
	for _, tt := range tests {
		if got := mulDiv(tt.a, tt.b, tt.c); got != tt.want {
			t.Errorf("mulDiv(%d, %d, %d): got %d, want %d", tt.a, tt.b, tt.c, got, tt.want)
		}
	}
}

// TestSpread sums exactly, never exceeds a weight, and breaks ties by order.
func TestSpread(t *testing.T) {
	tests := []struct {
		total   int64
		weights []int64
		want    []int64
	}{
		{100, []int64{333, 333, 334}, []int64{33, 33, 34}},
		{2, []int64{1, 1, 1}, []int64{1, 1, 0}},
		{10, []int64{0, 5, 5}, []int64{0, 5, 5}},
		{7, []int64{0, 0}, []int64{0, 0}},
		{1, []int64{3, 7}, []int64{0, 1}},
		{commerce.MaxAmount, []int64{commerce.MaxAmount * 99, commerce.MaxAmount * 99, 1}, []int64{commerce.MaxAmount / 2, commerce.MaxAmount / 2, 0}},
	}
	for _, tt := range tests {
		if got := Spread(tt.total, tt.weights); !slices.Equal(got, tt.want) {
			t.Errorf("Spread(%d, %v): got %v, want %v", tt.total, tt.weights, got, tt.want)
		}
	}
}
