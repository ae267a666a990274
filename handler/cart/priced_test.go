package cart_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

func TestPriced(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.create(t, "A-2", 2, "B", 3)
	want := []commerce.OrderLine{
		{SKU: "A-2", ProductID: f.products["A-2"].ID, Title: "Title lamp / Variant A-2", Quantity: 2,
			UnitPrice: commerce.Money{Amount: 1500, Currency: "USD"}, LineTotal: commerce.Money{Amount: 3000, Currency: "USD"}},
		{SKU: "B", ProductID: f.products["B"].ID, Title: "Title mug", Quantity: 3,
			UnitPrice: commerce.Money{Amount: 700, Currency: "USD"}, LineTotal: commerce.Money{Amount: 2100, Currency: "USD"}},
	}
	got, err := f.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got.Items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if wantSub := (commerce.Money{Amount: 2*1500 + 3*700, Currency: "USD"}); got.Subtotal != wantSub || got.ItemCount != 5 {
		t.Errorf("subtotal, item count: got %v, %d, want %v, 5", got.Subtotal, got.ItemCount, wantSub)
	}

	// The price is read from the catalog whenever the cart is read.
	p := f.products["B"]
	p.Variants[0].Price.Amount = 800
	if err := f.catalog.ReplaceProduct(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	got, err = f.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Items[1].UnitPrice.Amount != 800 || got.Subtotal.Amount != 2*1500+3*800 {
		t.Errorf("after a price change: got unit %d, subtotal %d, want 800, %d", got.Items[1].UnitPrice.Amount, got.Subtotal.Amount, 2*1500+3*800)
	}
}

func TestUnavailableLines(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		addErr string // the code of adding to the unavailable line
		change func(t *testing.T, f *fixture, p *commerce.Product) error
	}{
		{"archived", commerce.CodeUnknownSKU, func(t *testing.T, f *fixture, p *commerce.Product) error {
			p.Status = commerce.StatusArchived
			return f.catalog.ReplaceProduct(ctx, p, "")
		}},
		{"deleted", commerce.CodeUnknownSKU, func(t *testing.T, f *fixture, p *commerce.Product) error {
			return f.catalog.DeleteProduct(ctx, p.ID)
		}},
		{"repriced in another currency", commerce.CodeCurrencyMismatch, func(t *testing.T, f *fixture, p *commerce.Product) error {
			p.Variants[0].Price = commerce.Money{Amount: 700, Currency: "EUR"}
			return f.catalog.ReplaceProduct(ctx, p, "")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := f.create(t, "A-1", 1, "B", 3)
			if err := tc.change(t, f, f.products["B"]); err != nil {
				t.Fatal(err)
			}
			got, err := f.svc.Get(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{"A-1×1"}, lines(got)); diff != "" {
				t.Errorf("priced lines (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]commerce.CartLine{{SKU: "B", Quantity: 3}}, got.Unavailable); diff != "" {
				t.Errorf("unavailable lines (-want +got):\n%s", diff)
			}
			if got.Subtotal.Amount != 1500 || got.ItemCount != 1 {
				t.Errorf("subtotal, item count: got %d, %d, want 1500, 1", got.Subtotal.Amount, got.ItemCount)
			}
			// The line is kept, and can be removed; it cannot grow.
			_, err = f.svc.Add(ctx, c.ID, "", "B", 1)
			wantCode(t, err, tc.addErr)
			got, err = f.svc.Remove(ctx, c.ID, "", "B")
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Unavailable) != 0 {
				t.Errorf("after Remove: got unavailable %v, want none", got.Unavailable)
			}
		})
	}
}
