package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// NewShippingOption returns a valid active shipping option.
func NewShippingOption(id string) *commerce.ShippingOption {
	return &commerce.ShippingOption{ID: id, Name: "Option " + id, Currency: "USD", Amount: 500, Countries: []string{"US", "CA"},
		FreeOver: &commerce.Money{Amount: 5000, Currency: "USD"}, Status: commerce.PricingActive,
		UpdatedAt: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
}

// NewTaxRate returns a valid tax rate of country with a subdivision rate.
func NewTaxRate(country string) *commerce.TaxRate {
	return &commerce.TaxRate{Country: country, Rate: 2000, ShippingTaxed: true, Subdivisions: map[string]int64{"CA": 725},
		UpdatedAt: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)}
}

// TestShippingOptionStore runs the shipping option conformance suite.
// newStore must return a new, empty store each time it is called.
func TestShippingOptionStore(t *testing.T, newStore func(t *testing.T) commerce.ShippingOptionStore) {
	ctx := context.Background()

	t.Run("PutAndRead", func(t *testing.T) {
		s := newStore(t)
		o := NewShippingOption("std")
		must(t, s.PutShippingOption(ctx, o, ""))
		if o.ETag == "" {
			t.Fatal("PutShippingOption left ETag empty")
		}
		got, err := s.ShippingOption(ctx, "std")
		must(t, err)
		if diff := cmp.Diff(o, got); diff != "" {
			t.Errorf("ShippingOption (-want +got):\n%s", diff)
		}
		draft := NewShippingOption("air")
		draft.FreeOver, draft.Status = nil, commerce.PricingDraft
		must(t, s.PutShippingOption(ctx, draft, ""))
		all, err := s.ShippingOptions(ctx)
		must(t, err)
		if diff := cmp.Diff([]commerce.ShippingOption{*draft, *o}, all); diff != "" {
			t.Errorf("ShippingOptions, in ID order (-want +got):\n%s", diff)
		}
	})

	t.Run("ReplaceIfMatch", func(t *testing.T) {
		s := newStore(t)
		o := NewShippingOption("std")
		wantCode(t, s.PutShippingOption(ctx, o, `"1"`), commerce.CodePreconditionFailed) // none to match
		must(t, s.PutShippingOption(ctx, o, ""))
		first := o.ETag
		o.Amount = 700
		must(t, s.PutShippingOption(ctx, o, first))
		if o.ETag == first {
			t.Errorf("PutShippingOption kept ETag %s", first)
		}
		o.Name = "stale"
		wantCode(t, s.PutShippingOption(ctx, o, first), commerce.CodePreconditionFailed)
		got, err := s.ShippingOption(ctx, "std")
		must(t, err)
		if got.Name == "stale" || got.Amount != 700 {
			t.Errorf("after a stale write: got %q at %d, want the option as last written", got.Name, got.Amount)
		}
	})

	t.Run("DeleteAndNotFound", func(t *testing.T) {
		s := newStore(t)
		_, err := s.ShippingOption(ctx, "nope")
		wantCode(t, err, commerce.CodeNotFound)
		wantCode(t, s.DeleteShippingOption(ctx, "nope"), commerce.CodeNotFound)
		must(t, s.PutShippingOption(ctx, NewShippingOption("gone"), ""))
		must(t, s.DeleteShippingOption(ctx, "gone"))
		_, err = s.ShippingOption(ctx, "gone")
		wantCode(t, err, commerce.CodeNotFound)
		all, err := s.ShippingOptions(ctx)
		must(t, err)
		if len(all) != 0 {
			t.Errorf("ShippingOptions after delete: got %d, want none", len(all))
		}
	})
}

// TestTaxRateStore runs the tax rate conformance suite. newStore must
// return a new, empty store each time it is called.
func TestTaxRateStore(t *testing.T, newStore func(t *testing.T) commerce.TaxRateStore) {
	ctx := context.Background()

	t.Run("PutAndRead", func(t *testing.T) {
		s := newStore(t)
		us := NewTaxRate("US")
		must(t, s.PutTaxRate(ctx, us, ""))
		if us.ETag == "" {
			t.Fatal("PutTaxRate left ETag empty")
		}
		got, err := s.TaxRate(ctx, "US")
		must(t, err)
		if diff := cmp.Diff(us, got); diff != "" {
			t.Errorf("TaxRate (-want +got):\n%s", diff)
		}
		fr := NewTaxRate("FR")
		fr.Subdivisions, fr.ShippingTaxed = nil, false
		must(t, s.PutTaxRate(ctx, fr, ""))
		all, err := s.TaxRates(ctx)
		must(t, err)
		if diff := cmp.Diff([]commerce.TaxRate{*fr, *us}, all); diff != "" {
			t.Errorf("TaxRates, in country order (-want +got):\n%s", diff)
		}
	})

	t.Run("ReplaceIfMatch", func(t *testing.T) {
		s := newStore(t)
		r := NewTaxRate("GB")
		wantCode(t, s.PutTaxRate(ctx, r, `"1"`), commerce.CodePreconditionFailed)
		must(t, s.PutTaxRate(ctx, r, ""))
		first := r.ETag
		r.Rate = 500
		must(t, s.PutTaxRate(ctx, r, first))
		if r.ETag == first {
			t.Errorf("PutTaxRate kept ETag %s", first)
		}
		r.Rate = 1
		wantCode(t, s.PutTaxRate(ctx, r, first), commerce.CodePreconditionFailed)
		got, err := s.TaxRate(ctx, "GB")
		must(t, err)
		if got.Rate != 500 {
			t.Errorf("after a stale write: got rate %d, want 500", got.Rate)
		}
	})

	t.Run("DeleteAndNotFound", func(t *testing.T) {
		s := newStore(t)
		_, err := s.TaxRate(ctx, "ZZ")
		wantCode(t, err, commerce.CodeNotFound)
		wantCode(t, s.DeleteTaxRate(ctx, "ZZ"), commerce.CodeNotFound)
		must(t, s.PutTaxRate(ctx, NewTaxRate("DE"), ""))
		must(t, s.DeleteTaxRate(ctx, "DE"))
		_, err = s.TaxRate(ctx, "DE")
		wantCode(t, err, commerce.CodeNotFound)
		all, err := s.TaxRates(ctx)
		must(t, err)
		if len(all) != 0 {
			t.Errorf("TaxRates after delete: got %d, want none", len(all))
		}
	})
}
