package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"shopfn/handler/commerce"
)

// NewPriceList returns a valid active price list of n prices.
func NewPriceList(id string, n int) *commerce.PriceList {
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	end := t0.Add(24 * time.Hour)
	l := &commerce.PriceList{ID: id, Name: "List " + id, Currency: "USD", CustomerGroups: []string{"vip", "staff"},
		StartsAt: &t0, EndsAt: &end, Status: commerce.PricingActive, Prices: []commerce.ListPrice{}, UpdatedAt: t0}
	for i := range n {
		l.Prices = append(l.Prices, commerce.ListPrice{SKU: fmt.Sprintf("SKU-%05d", i), Amount: int64(100 + i)})
	}
	return l
}

// TestPriceListStore runs the price list conformance suite. newStore must
// return a new, empty store each time it is called.
func TestPriceListStore(t *testing.T, newStore func(t *testing.T) commerce.PriceListStore) {
	ctx := context.Background()
	ignoreETag := cmpopts.IgnoreFields(commerce.PriceList{}, "ETag")

	t.Run("PutAndRead", func(t *testing.T) {
		s := newStore(t)
		l := NewPriceList("vip", 3)
		must(t, s.PutPriceList(ctx, l, ""))
		if l.ETag == "" {
			t.Fatal("PutPriceList left ETag empty")
		}
		got, err := s.PriceList(ctx, "vip")
		must(t, err)
		if diff := cmp.Diff(l, got); diff != "" {
			t.Errorf("PriceList (-want +got):\n%s", diff)
		}
		sale := NewPriceList("sale", 0)
		sale.CustomerGroups, sale.StartsAt, sale.EndsAt, sale.Status = []string{}, nil, nil, commerce.PricingDraft
		must(t, s.PutPriceList(ctx, sale, ""))
		all, err := s.PriceLists(ctx)
		must(t, err)
		if diff := cmp.Diff([]commerce.PriceList{*sale, *l}, all); diff != "" {
			t.Errorf("PriceLists, in ID order (-want +got):\n%s", diff)
		}
	})

	t.Run("ReplaceIfMatch", func(t *testing.T) {
		s := newStore(t)
		l := NewPriceList("vip", 1)
		wantCode(t, s.PutPriceList(ctx, l, `"1"`), commerce.CodePreconditionFailed) // none to match
		must(t, s.PutPriceList(ctx, l, ""))
		first := l.ETag
		l.Prices[0].Amount = 50
		must(t, s.PutPriceList(ctx, l, first))
		if l.ETag == first {
			t.Errorf("PutPriceList kept ETag %s", first)
		}
		l.Name = "stale"
		wantCode(t, s.PutPriceList(ctx, l, first), commerce.CodePreconditionFailed)
		got, err := s.PriceList(ctx, "vip")
		must(t, err)
		if got.Name == "stale" || got.Prices[0].Amount != 50 {
			t.Errorf("after a stale write: got %q with %d, want the list as last written", got.Name, got.Prices[0].Amount)
		}
		l.Name = "unconditional"
		must(t, s.PutPriceList(ctx, l, ""))
		got, err = s.PriceList(ctx, "vip")
		must(t, err)
		if diff := cmp.Diff(l, got); diff != "" {
			t.Errorf("after an unconditional write (-want +got):\n%s", diff)
		}
	})

	t.Run("LargestList", func(t *testing.T) {
		s := newStore(t)
		l := NewPriceList("big", commerce.MaxListPrices)
		must(t, s.PutPriceList(ctx, l, ""))
		got, err := s.PriceList(ctx, "big")
		must(t, err)
		if diff := cmp.Diff(l, got, ignoreETag); diff != "" {
			t.Errorf("PriceList (-want +got):\n%s", diff)
		}
	})

	t.Run("DeleteAndNotFound", func(t *testing.T) {
		s := newStore(t)
		_, err := s.PriceList(ctx, "nope")
		wantCode(t, err, commerce.CodeNotFound)
		wantCode(t, s.DeletePriceList(ctx, "nope"), commerce.CodeNotFound)
		must(t, s.PutPriceList(ctx, NewPriceList("gone", 1), ""))
		must(t, s.DeletePriceList(ctx, "gone"))
		_, err = s.PriceList(ctx, "gone")
		wantCode(t, err, commerce.CodeNotFound)
		all, err := s.PriceLists(ctx)
		must(t, err)
		if len(all) != 0 {
			t.Errorf("PriceLists after delete: got %d lists, want none", len(all))
		}
	})
}
