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

// The cached charges are shipping option and tax rate stores like any other.
func TestChargesConformance(t *testing.T) {
	storetest.TestShippingOptionStore(t, func(t *testing.T) commerce.ShippingOptionStore {
		return cache.NewCharges(memstore.NewShippingOptionStore(), memstore.NewTaxRateStore(), time.Minute, time.Now)
	})
	storetest.TestTaxRateStore(t, func(t *testing.T) commerce.TaxRateStore {
		return cache.NewCharges(memstore.NewShippingOptionStore(), memstore.NewTaxRateStore(), time.Minute, time.Now)
	})
}

// countingOptions counts the reads of every option.
type countingOptions struct {
	commerce.ShippingOptionStore
	reads int
}

func (c *countingOptions) ShippingOptions(ctx context.Context) ([]commerce.ShippingOption, error) {
	c.reads++
	return c.ShippingOptionStore.ShippingOptions(ctx)
}

func TestChargesIndex(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	store := &countingOptions{ShippingOptionStore: memstore.NewShippingOptionStore()}
	rates := memstore.NewTaxRateStore()
	c := cache.NewCharges(store, rates, time.Minute, func() time.Time { return now })
	amount := func() int64 {
		t.Helper()
		charges, err := c.Charges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		o, err := charges.Choose("std", "US", "USD")
		if err != nil {
			return -1
		}
		return o.Amount
	}
	if got := amount(); got != -1 {
		t.Fatalf("no options: got %d, want none", got)
	}
	o := storetest.NewShippingOption("std")
	if err := c.PutShippingOption(ctx, o, ""); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if got := amount(); got != 500 {
			t.Fatalf("after a write through: got %d, want 500", got)
		}
	}
	if store.reads != 2 {
		t.Errorf("reads of all options: got %d, want 2 (one per change, none per call)", store.reads)
	}

	// A write behind the cache's back is seen once the ttl passed.
	o.Amount = 900
	if err := store.PutShippingOption(ctx, o, ""); err != nil {
		t.Fatal(err)
	}
	if got := amount(); got != 500 {
		t.Errorf("within the ttl: got %d, want the cached 500", got)
	}
	now = now.Add(time.Minute)
	if got := amount(); got != 900 {
		t.Errorf("after the ttl: got %d, want 900", got)
	}

	// A rate written through is seen at once.
	if err := c.PutTaxRate(ctx, storetest.NewTaxRate("US"), ""); err != nil {
		t.Fatal(err)
	}
	charges, err := c.Charges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := charges.Rates()["US"]; !ok || r.For("CA") != 725 {
		t.Errorf("rates after a write through: got %v, want US with CA at 725", charges.Rates())
	}
	if err := c.DeleteShippingOption(ctx, "std"); err != nil {
		t.Fatal(err)
	}
	if got := amount(); got != -1 {
		t.Errorf("after a delete through: got %d, want none", got)
	}
}
