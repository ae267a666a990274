package cart_test

import (
	"context"
	"testing"
	"time"

	"shopfn/handler/cache"
	"shopfn/handler/cart"
	"shopfn/handler/commerce"
	"shopfn/handler/memstore"
)

// pricedFixture is a fixture whose carts are priced with three price lists
// (a sale for everyone, one for the vip group, one in EUR), with the
// customer "u-vip" in the vip group.
func pricedFixture(t *testing.T) (f *fixture, groupReads *int) {
	t.Helper()
	f = newFixture(t)
	ctx := context.Background()
	lists := cache.NewPriceLists(memstore.NewPriceListStore(), time.Minute, f.clock.Now)
	for _, l := range []commerce.PriceList{
		{ID: "sale", Name: "Sale", Currency: "USD", CustomerGroups: []string{}, Status: commerce.PricingActive, Prices: []commerce.ListPrice{{SKU: "A-1", Amount: 1200}}},
		{ID: "vip", Name: "VIP", Currency: "USD", CustomerGroups: []string{"vip"}, Status: commerce.PricingActive, Prices: []commerce.ListPrice{{SKU: "A-1", Amount: 1000}, {SKU: "B", Amount: 600}}},
		{ID: "eur", Name: "EUR", Currency: "EUR", CustomerGroups: []string{}, Status: commerce.PricingActive, Prices: []commerce.ListPrice{{SKU: "EUR-1", Amount: 800}}},
	} {
		if err := lists.PutPriceList(ctx, &l, ""); err != nil {
			t.Fatal(err)
		}
	}
	groupReads = new(int)
	f.svc.UsePricing(cart.Pricing{
		Lists: lists.Lists,
		Groups: func(ctx context.Context, customerID string) ([]string, error) {
			*groupReads++
			if customerID == "u-vip" {
				return []string{"staff", "vip"}, nil
			}
			return nil, nil
		},
		Sells: func(ctx context.Context, currency string) (bool, error) { return currency == "EUR", nil },
	})
	return f, groupReads
}

// TestPriceLists prices cart lines with the lowest list that applies to
// the cart's customer, reading the customer's groups once per cart.
func TestPriceLists(t *testing.T) {
	f, groupReads := pricedFixture(t)
	type want struct {
		unit    int64
		compare int64 // 0: no compareAtPrice
		list    string
	}
	check := func(t *testing.T, p *cart.Priced, wants map[string]want) {
		t.Helper()
		var sum int64
		for _, l := range p.Items {
			w := wants[l.SKU]
			var compare int64
			if l.CompareAtPrice != nil {
				compare = l.CompareAtPrice.Amount
			}
			if l.UnitPrice.Amount != w.unit || compare != w.compare || l.PriceListID != w.list {
				t.Errorf("%s: got %d (compare at %d, list %q), want %d (compare at %d, list %q)", l.SKU, l.UnitPrice.Amount, compare, l.PriceListID, w.unit, w.compare, w.list)
			}
			sum += l.LineTotal.Amount
		}
		if p.Subtotal.Amount != sum {
			t.Errorf("subtotal: got %d, want the sum of lines %d", p.Subtotal.Amount, sum)
		}
	}

	t.Run("Guest", func(t *testing.T) {
		p := f.create(t, "A-1", 2, "B", 1)
		check(t, p, map[string]want{"A-1": {1200, 1500, "sale"}, "B": {700, 0, ""}})
		if *groupReads != 0 {
			t.Errorf("a guest's cart read groups %d times, want 0", *groupReads)
		}
	})

	t.Run("GroupMember", func(t *testing.T) {
		defer cart.SetCartCustomer(func(*commerce.Cart) string { return "u-vip" })()
		*groupReads = 0
		p := f.create(t, "A-1", 2, "B", 1, "A-2", 1)
		check(t, p, map[string]want{"A-1": {1000, 1500, "vip"}, "B": {600, 700, "vip"}, "A-2": {1500, 0, ""}})
		if *groupReads != 1 {
			t.Errorf("pricing a 3-line cart read groups %d times, want 1", *groupReads)
		}
		got, err := f.svc.Get(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		check(t, got, map[string]want{"A-1": {1000, 1500, "vip"}, "B": {600, 700, "vip"}, "A-2": {1500, 0, ""}})
	})

	t.Run("OtherCustomer", func(t *testing.T) {
		defer cart.SetCartCustomer(func(*commerce.Cart) string { return "u-other" })()
		check(t, f.create(t, "A-1", 1), map[string]want{"A-1": {1200, 1500, "sale"}})
	})

	t.Run("ListInCartCurrency", func(t *testing.T) {
		p, err := f.svc.Create(context.Background(), "EUR", []commerce.CartLine{{SKU: "EUR-1", Quantity: 1}})
		if err != nil {
			t.Fatal(err)
		}
		check(t, p, map[string]want{"EUR-1": {800, 900, "eur"}})
	})
}

// TestCreateCurrency checks the currency a cart is created in.
func TestCreateCurrency(t *testing.T) {
	f, _ := pricedFixture(t)
	ctx := context.Background()
	for _, tt := range []struct {
		currency string
		lines    []commerce.CartLine
		code     string
	}{
		{"GBP", nil, commerce.CodeUnsupportedCurrency},
		{"usd", nil, commerce.CodeInvalidRequest},
		{"EUR", []commerce.CartLine{{SKU: "B", Quantity: 1}}, commerce.CodeNotPricedInCurrency},
	} {
		_, err := f.svc.Create(ctx, tt.currency, tt.lines)
		wantCode(t, err, tt.code)
	}
	p, err := f.svc.Create(ctx, "EUR", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Add(ctx, p.ID, "", "B", 1)
	wantCode(t, err, commerce.CodeNotPricedInCurrency)
	p, err = f.svc.Create(ctx, "USD", nil) // the default currency is always sold
	if err != nil || p.Currency != "USD" {
		t.Fatalf("Create(USD): got %v, %v; want a USD cart", p, err)
	}
}

// TestPriceListETag changes a cart's ETag when only what a price list
// shows changes: the variant repriced to the list's price, so that the
// line loses its compareAtPrice while its unit price stays.
func TestPriceListETag(t *testing.T) {
	f, _ := pricedFixture(t)
	ctx := context.Background()
	p := f.create(t, "A-1", 1)
	if p.Items[0].UnitPrice.Amount != 1200 || p.Items[0].CompareAtPrice == nil {
		t.Fatalf("got %+v, want 1200 from the sale", p.Items[0])
	}
	prod := f.products["A-1"]
	for i := range prod.Variants {
		prod.Variants[i].Price.Amount = 1200
	}
	if err := f.catalog.ReplaceProduct(ctx, prod, ""); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Items[0].UnitPrice.Amount != 1200 || got.Items[0].CompareAtPrice != nil {
		t.Fatalf("got %+v, want 1200 with no list", got.Items[0])
	}
	if got.ETag == p.ETag {
		t.Errorf("ETag %s kept although compareAtPrice and priceListId went away", got.ETag)
	}
}
