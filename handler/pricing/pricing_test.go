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
		{"Empty", Rules{Shipping: 500, Tax: 100}, nil,
			commerce.Totals{Subtotal: usd(0), Shipping: usd(0), Tax: usd(0), Total: usd(0)}, nil},
		{"LinesOnly", Rules{}, []commerce.OrderLine{{UnitPrice: usd(1999), Quantity: 2}, {UnitPrice: usd(5), Quantity: 99}},
			commerce.Totals{Subtotal: usd(4493), Shipping: usd(0), Tax: usd(0), Total: usd(4493)}, []int64{3998, 495}},
		{"FlatShippingAndTax", Rules{Shipping: 500, Tax: 120}, []commerce.OrderLine{{UnitPrice: usd(1000), Quantity: 3}},
			commerce.Totals{Subtotal: usd(3000), Shipping: usd(500), Tax: usd(120), Total: usd(3620)}, []int64{3000}},
		{"LargestCart", Rules{}, hundredLines(),
			commerce.Totals{Subtotal: usd(100 * 99 * commerce.MaxAmount), Shipping: usd(0), Tax: usd(0), Total: usd(100 * 99 * commerce.MaxAmount)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.rules.Price("USD", tt.lines)
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
