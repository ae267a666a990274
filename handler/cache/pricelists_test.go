package cache_test

import (
	"context"
	"testing"
	"time"

	"shopfn/handler/cache"
	"shopfn/handler/commerce"
	"shopfn/handler/memstore"
	"shopfn/handler/storetest"
)

// The cached price lists are a price list store like any other.
func TestPriceListsConformance(t *testing.T) {
	storetest.TestPriceListStore(t, func(t *testing.T) commerce.PriceListStore {
		return cache.NewPriceLists(memstore.NewPriceListStore(), time.Minute, time.Now)
	})
}

// countingLists counts the reads of every list.
type countingLists struct {
	commerce.PriceListStore
	reads int
}

func (c *countingLists) PriceLists(ctx context.Context) ([]commerce.PriceList, error) {
	c.reads++
	return c.PriceListStore.PriceLists(ctx)
}

func TestPriceListsIndex(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	store := &countingLists{PriceListStore: memstore.NewPriceListStore()}
	c := cache.NewPriceLists(store, time.Minute, func() time.Time { return now })
	best := func() int64 {
		t.Helper()
		lists, err := c.Lists(ctx)
		if err != nil {
			t.Fatal(err)
		}
		amount, _, ok := lists.Best("SKU-00000", "USD", []string{"vip"}, now)
		if !ok {
			return -1
		}
		return amount
	}
	if got := best(); got != -1 {
		t.Fatalf("no lists: got %d, want none", got)
	}
	l := storetest.NewPriceList("vip", 1)
	if err := c.PutPriceList(ctx, l, ""); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if got := best(); got != 100 {
			t.Fatalf("after a write through: got %d, want 100", got)
		}
	}
	if store.reads != 2 {
		t.Errorf("reads of all lists: got %d, want 2 (one per change, none per call)", store.reads)
	}

	// A write behind the cache's back is seen once the ttl passed.
	l.Prices[0].Amount = 90
	if err := store.PutPriceList(ctx, l, ""); err != nil {
		t.Fatal(err)
	}
	if got := best(); got != 100 {
		t.Errorf("within the ttl: got %d, want the cached 100", got)
	}
	now = now.Add(time.Minute)
	if got := best(); got != 90 {
		t.Errorf("after the ttl: got %d, want 90", got)
	}
	if err := c.DeletePriceList(ctx, "vip"); err != nil {
		t.Fatal(err)
	}
	if got := best(); got != -1 {
		t.Errorf("after a delete through: got %d, want none", got)
	}
}
