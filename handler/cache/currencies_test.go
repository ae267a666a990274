package cache_test

import (
	"context"
	"testing"
	"time"

	"shopfn/handler/cache"
	"shopfn/handler/commerce"
	"shopfn/handler/storetest"
)

func TestCurrenciesSells(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	c, store := mustCatalog(t, func() time.Time { return now })
	cur := cache.NewCurrencies(c)
	p := storetest.NewProduct(now, "lamp", "home", "LAMP-1")
	p.Variants[0].Prices = []commerce.Money{{Amount: 1899, Currency: "EUR"}}
	if err := c.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	draft := storetest.NewProduct(now, "draft", "home", "DRAFT-1")
	draft.Status, draft.Variants[0].Price.Currency = commerce.StatusDraft, "GBP"
	if err := c.CreateProduct(ctx, draft); err != nil {
		t.Fatal(err)
	}
	sells := func(currency string, want bool) {
		t.Helper()
		got, err := cur.Sells(ctx, currency)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Sells(%s): got %v, want %v", currency, got, want)
		}
	}
	sells("USD", true)
	sells("EUR", true)
	sells("GBP", false) // a draft product's currency is not sold
	sells("JPY", false)

	// A product written behind the cache's back is seen once a miss may
	// rescan (a second on), not before.
	jpy := storetest.NewProduct(now, "jpy", "home", "JPY-1")
	jpy.Variants[0].Price.Currency = "JPY"
	if err := store.CreateProduct(ctx, jpy); err != nil {
		t.Fatal(err)
	}
	sells("JPY", false)
	now = now.Add(time.Second)
	sells("JPY", true)

	// A write through the catalog is seen at once.
	chf := storetest.NewProduct(now, "chf", "home", "CHF-1")
	chf.Variants[0].Price.Currency = "CHF"
	if err := c.CreateProduct(ctx, chf); err != nil {
		t.Fatal(err)
	}
	sells("CHF", true)
}

// countingCatalog counts listings.
type countingCatalog struct {
	commerce.CatalogStore
	lists int
}

func (c *countingCatalog) ListProducts(ctx context.Context, f commerce.ProductFilter) ([]commerce.Product, error) {
	c.lists++
	return c.CatalogStore.ListProducts(ctx, f)
}

// TestCurrenciesCacheOff scans at most once a second with the catalog
// cache off, whatever is asked.
func TestCurrenciesCacheOff(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	_, store := mustCatalog(t, func() time.Time { return now })
	counting := &countingCatalog{CatalogStore: store}
	c := cache.NewCatalog(counting, 0, func() time.Time { return now })
	cur := cache.NewCurrencies(c)
	if err := c.CreateProduct(ctx, storetest.NewProduct(now, "lamp", "home", "LAMP-1")); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		for _, currency := range []string{"USD", "EUR"} {
			if _, err := cur.Sells(ctx, currency); err != nil {
				t.Fatal(err)
			}
		}
	}
	if counting.lists != 1 {
		t.Errorf("catalog scans: got %d, want 1", counting.lists)
	}
}
