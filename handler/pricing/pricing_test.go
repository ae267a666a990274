package pricing

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

func usd(n int64) commerce.Money { return commerce.Money{Amount: n, Currency: "USD"} }

func TestPrice(t *testing.T) {
	tests := []struct {
		name      string
		rules     Rules
		lines     []commerce.OrderLine
		want      commerce.Totals
		wantLines []int64
	}{
		{"Empty", Flat("USD", 500, 100, nil, nil), nil,
			commerce.Totals{Subtotal: usd(0), Shipping: usd(0), Tax: usd(0), Total: usd(0)}, nil},
		{"LinesOnly", Rules{}, []commerce.OrderLine{{UnitPrice: usd(1999), Quantity: 2}, {UnitPrice: usd(5), Quantity: 99}},
			commerce.Totals{Subtotal: usd(4493), Shipping: usd(0), Tax: usd(0), Total: usd(4493)}, []int64{3998, 495}},
		{"FlatShippingAndTax", Flat("USD", 500, 120, nil, nil), []commerce.OrderLine{{UnitPrice: usd(1000), Quantity: 3}},
			commerce.Totals{Subtotal: usd(3000), Shipping: usd(500), Tax: usd(120), Total: usd(3620)}, []int64{3000}},
		{"LargestCart", Rules{}, hundredLines(),
			commerce.Totals{Subtotal: usd(100 * 99 * commerce.MaxAmount), Shipping: usd(0), Tax: usd(0), Total: usd(100 * 99 * commerce.MaxAmount)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.rules.Price("USD", tt.lines)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("totals (-want +got):\n%s", diff)
			}
			for i, want := range tt.wantLines {
				if got := tt.lines[i].LineTotal; got != usd(want) {
					t.Errorf("line %d total: got %v, want %v", i, got, usd(want))
				}
			}
		})
	}
}

func hundredLines() []commerce.OrderLine {
	lines := make([]commerce.OrderLine, 100)
	for i := range lines {
		lines[i] = commerce.OrderLine{UnitPrice: usd(commerce.MaxAmount), Quantity: commerce.MaxLineQuantity}
	}
	return lines
}

// TestPriceCurrencies never carries a charge from one currency to another.
func TestPriceCurrencies(t *testing.T) {
	line := func(cur string) []commerce.OrderLine {
		return []commerce.OrderLine{{UnitPrice: commerce.Money{Amount: 1000, Currency: cur}, Quantity: 1}}
	}
	tests := []struct {
		name          string
		rules         Rules
		currency      string
		shipping, tax int64
		wantCode      string
	}{
		{"Default", Flat("USD", 500, 100, nil, nil), "USD", 500, 100, ""},
		{"OtherRefused", Flat("USD", 500, 100, nil, nil), "JPY", 0, 0, commerce.CodeCurrencyUnsupported},
		{"OtherConfigured", Flat("USD", 500, 100, map[string]int64{"JPY": 600}, map[string]int64{"JPY": 0}), "JPY", 600, 0, ""},
		{"TaxMissing", Flat("USD", 500, 100, map[string]int64{"EUR": 450}, nil), "EUR", 0, 0, commerce.CodeCurrencyUnsupported},
		{"ListWins", Flat("USD", 500, 100, map[string]int64{"USD": 700}, nil), "USD", 700, 100, ""},
		{"NoChargesAnywhere", Flat("USD", 0, 0, nil, nil), "KWD", 0, 0, ""},
		{"ShippingOnly", Flat("USD", 500, 0, nil, nil), "KWD", 0, 0, commerce.CodeCurrencyUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.rules.Price(tt.currency, line(tt.currency))
			if code := commerce.ErrorCode(err); err != nil || tt.wantCode != "" {
				if code != tt.wantCode {
					t.Fatalf("Price(%s): got error %v, want code %q", tt.currency, err, tt.wantCode)
				}
				return
			}
			if got.Shipping.Amount != tt.shipping || got.Tax.Amount != tt.tax || got.Total.Amount != 1000+tt.shipping+tt.tax || got.Total.Currency != tt.currency {
				t.Errorf("Price(%s): got %+v, want shipping %d and tax %d in %s", tt.currency, got, tt.shipping, tt.tax, tt.currency)
			}
		})
	}
}
