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

// The cached promotions are a promotion store like any other.
func TestPromotionsConformance(t *testing.T) {
	storetest.TestPromotionStore(t, func(t *testing.T) commerce.PromotionStore {
		return cache.NewPromotions(memstore.NewPromotionStore(memstore.NewDB(time.Now)), time.Minute, time.Now)
	})
}

// countingPromotions counts the reads of every promotion.
type countingPromotions struct {
	commerce.PromotionStore
	reads int
}

func (c *countingPromotions) Promotions(ctx context.Context) ([]commerce.Promotion, error) {
	c.reads++
	return c.PromotionStore.Promotions(ctx)
}

func TestPromotionsActive(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	store := &countingPromotions{PromotionStore: memstore.NewPromotionStore(memstore.NewDB(time.Now))}
	c := cache.NewPromotions(store, time.Minute, func() time.Time { return now })
	active := func() *cache.ActivePromotions {
		t.Helper()
		a, err := c.Active(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	p := storetest.NewPromotion("m1", "Save10")
	if err := c.CreatePromotion(ctx, p); err != nil {
		t.Fatal(err)
	}
	draft := storetest.NewPromotion("m2", "DRAFT")
	draft.Status = commerce.PricingDraft
	if err := c.CreatePromotion(ctx, draft); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if a := active(); len(a.All) != 1 || a.ByCode("SAVE10") == nil || a.ByCode("draft") != nil {
			t.Fatalf("active: got %d promotions, want Save10 alone, found in any case", len(a.All))
		}
	}
	if store.reads != 1 {
		t.Errorf("reads for three calls: got %d, want 1", store.reads)
	}
	// A write through the cache retires it at once.
	p.Status = commerce.PricingDraft
	if err := c.UpdatePromotion(ctx, p, p.ETag); err != nil {
		t.Fatal(err)
	}
	if a := active(); len(a.All) != 0 {
		t.Errorf("after drafting through the cache: got %d active, want 0", len(a.All))
	}
	// A write elsewhere is seen once the ttl has passed.
	draft.Status = commerce.PricingActive
	if err := store.UpdatePromotion(ctx, draft, draft.ETag); err != nil {
		t.Fatal(err)
	}
	if a := active(); len(a.All) != 0 {
		t.Errorf("within the ttl: got %d active, want the cached 0", len(a.All))
	}
	now = now.Add(time.Minute)
	if a := active(); len(a.All) != 1 || a.ByCode("draft") == nil {
		t.Errorf("after the ttl: got %d active, want DRAFT", len(a.All))
	}
}
