package cache_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"shopfn/handler/cache"
	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/storetest"
)

func mustCatalog(t *testing.T, now func() time.Time) (*cache.Catalog, *sqlite.CatalogStore) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shopfn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := sqlite.NewCatalogStore(db)
	return cache.NewCatalog(store, time.Minute, now), store
}

// The cached catalog is a catalog store like any other.
func TestCatalogConformance(t *testing.T) {
	storetest.TestCatalogStore(t, func(t *testing.T) commerce.CatalogStore {
		c, _ := mustCatalog(t, time.Now)
		return c
	})
}

func TestCatalogVariants(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	c, store := mustCatalog(t, func() time.Time { return now })
	p := storetest.NewProduct(now, "lamp", "home", "LAMP-1")
	if err := c.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	price := func() int64 {
		t.Helper()
		vs, err := c.Variants(ctx, []string{"LAMP-1"})
		if err != nil {
			t.Fatal(err)
		}
		return vs["LAMP-1"].Variant.Price.Amount
	}
	if got := price(); got != 1999 {
		t.Fatalf("got price %d, want 1999", got)
	}

	// A write behind the cache's back is not seen until the entry expires.
	p.Variants[0].Price.Amount = 2999
	if err := store.ReplaceProduct(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	if got := price(); got != 1999 {
		t.Errorf("within the TTL: got price %d, want the cached 1999", got)
	}
	now = now.Add(time.Minute)
	if got := price(); got != 2999 {
		t.Errorf("after the TTL: got price %d, want 2999", got)
	}

	// A write through the cache is seen at once, also for a SKU that was unknown.
	if vs, _ := c.Variants(ctx, []string{"NEW-1"}); len(vs) != 0 {
		t.Fatalf("unknown SKU: got %v, want none", vs)
	}
	p.Variants = append(p.Variants, commerce.Variant{SKU: "NEW-1", Price: commerce.Money{Amount: 5, Currency: "USD"}})
	p.Variants[0].Price.Amount = 3999
	if err := c.ReplaceProduct(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	if got := price(); got != 3999 {
		t.Errorf("after a write through the cache: got price %d, want 3999", got)
	}
	if vs, _ := c.Variants(ctx, []string{"NEW-1"}); vs["NEW-1"].Variant.Price.Amount != 5 {
		t.Errorf("new SKU: got %v, want it priced 5", vs)
	}
}
