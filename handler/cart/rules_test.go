package cart_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

func TestAddRules(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		start    []any // the cart's lines, as sku, quantity pairs
		sku      string
		quantity int
		code     string   // the error code, or "" for success
		want     []string // the lines after a success
	}{
		{"new line", nil, "B", 2, "", []string{"B×2"}},
		{"adds to its line", []any{"B", 2}, "B", 3, "", []string{"B×5"}},
		{"zero", nil, "B", 0, commerce.CodeQuantityLimit, nil},
		{"negative", nil, "B", -1, commerce.CodeQuantityLimit, nil},
		{"above the line limit", nil, "B", commerce.MaxLineQuantity + 1, commerce.CodeQuantityLimit, nil},
		{"line sum above the limit", []any{"B", 5}, "B", commerce.MaxLineQuantity - 4, commerce.CodeQuantityLimit, nil},
		{"more than available", []any{"B", 6}, "B", 5, commerce.CodeInsufficientStock, nil},
		{"exactly available", []any{"B", 6}, "B", 4, "", []string{"B×10"}},
		{"unknown sku", nil, "NOPE", 1, commerce.CodeUnknownSKU, nil},
		{"malformed sku", nil, "no spaces", 1, commerce.CodeUnknownSKU, nil},
		{"draft product", nil, "DRAFT-1", 1, commerce.CodeUnknownSKU, nil},
		{"other currency", []any{"B", 1}, "EUR-1", 1, commerce.CodeCurrencyMismatch, nil},
		{"empty cart takes the line's currency", nil, "EUR-1", 1, "", []string{"EUR-1×1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := f.create(t, tc.start...)
			got, err := f.svc.Add(ctx, c.ID, "", tc.sku, tc.quantity)
			if tc.code != "" {
				e := wantCode(t, err, tc.code)
				if tc.code == commerce.CodeInsufficientStock || tc.code == commerce.CodeUnknownSKU {
					if diff := cmp.Diff([]string{tc.sku}, e.SKUs); diff != "" {
						t.Errorf("error SKUs (-want +got):\n%s", diff)
					}
				}
				after, err := f.svc.Get(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				if after.ETag != c.ETag {
					t.Errorf("a refused Add changed the cart: ETag %s, want %s", after.ETag, c.ETag)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, lines(got)); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			if want := f.products[tc.sku].Variants[0].Price.Currency; got.Currency != want {
				t.Errorf("currency: got %s, want %s", got.Currency, want)
			}
		})
	}
}

func TestCartFull(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var start []any
	for i := range commerce.MaxCartLines {
		sku := fmt.Sprintf("F-%03d", i)
		f.product(t, fmt.Sprintf("f%03d", i), commerce.StatusActive, commerce.Money{Amount: 100, Currency: "USD"}, sku)
		start = append(start, sku, 1)
	}
	c := f.create(t, start...)
	_, err := f.svc.Add(ctx, c.ID, "", "B", 1)
	wantCode(t, err, commerce.CodeCartFull)
	// A line already in a full cart can still grow.
	got, err := f.svc.Add(ctx, c.ID, "", "F-000", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.ItemCount != commerce.MaxCartLines+1 {
		t.Errorf("ItemCount: got %d, want %d", got.ItemCount, commerce.MaxCartLines+1)
	}
}

func TestSetQuantityAndRemove(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.create(t, "A-1", 3, "B", 2)

	// A decrease needs no stock: it works with stock gone.
	if _, err := f.stock.SetOnHand(ctx, "A-1", 0); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.SetQuantity(ctx, c.ID, "", "A-1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"A-1×1", "B×2"}, lines(got)); diff != "" {
		t.Errorf("after SetQuantity(A-1, 1) (-want +got):\n%s", diff)
	}
	_, err = f.svc.SetQuantity(ctx, c.ID, "", "A-1", 2)
	wantCode(t, err, commerce.CodeInsufficientStock)
	_, err = f.svc.SetQuantity(ctx, c.ID, "", "B", -1)
	wantCode(t, err, commerce.CodeQuantityLimit)

	got, err = f.svc.SetQuantity(ctx, c.ID, "", "B", 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"A-1×1"}, lines(got)); diff != "" {
		t.Errorf("after SetQuantity(B, 0) (-want +got):\n%s", diff)
	}
	got, err = f.svc.SetQuantity(ctx, c.ID, "", "A-2", 4) // a SKU not in the cart is added
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"A-1×1", "A-2×4"}, lines(got)); diff != "" {
		t.Errorf("after SetQuantity(A-2, 4) (-want +got):\n%s", diff)
	}

	got, err = f.svc.Remove(ctx, c.ID, "", "A-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"A-2×4"}, lines(got)); diff != "" {
		t.Errorf("after Remove(A-1) (-want +got):\n%s", diff)
	}
	_, err = f.svc.Remove(ctx, c.ID, "", "A-1")
	wantCode(t, err, commerce.CodeNotFound)
}

func TestCreateRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, tc := range []struct {
		name  string
		lines []commerce.CartLine
		code  string
	}{
		{"unknown sku", []commerce.CartLine{{SKU: "NOPE", Quantity: 1}}, commerce.CodeUnknownSKU},
		{"mixed currencies", []commerce.CartLine{{SKU: "B", Quantity: 1}, {SKU: "EUR-1", Quantity: 1}}, commerce.CodeCurrencyMismatch},
		{"over stock", []commerce.CartLine{{SKU: "B", Quantity: 11}}, commerce.CodeInsufficientStock},
		{"same sku twice over stock", []commerce.CartLine{{SKU: "B", Quantity: 6}, {SKU: "B", Quantity: 5}}, commerce.CodeInsufficientStock},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, _ := f.carts.DeleteExpiredCarts(ctx, t0.Add(100*ttl))
			_, err := f.svc.Create(ctx, "", tc.lines)
			wantCode(t, err, tc.code)
			if n, _ = f.carts.DeleteExpiredCarts(ctx, t0.Add(100*ttl)); n != 0 {
				t.Errorf("a refused Create stored %d carts, want 0", n)
			}
		})
	}
	got := f.create(t, "B", 6, "B", 4)
	if diff := cmp.Diff([]string{"B×10"}, lines(got)); diff != "" {
		t.Errorf("Create with one SKU twice (-want +got):\n%s", diff)
	}
}
