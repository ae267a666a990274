package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// TestCartStore runs the cart conformance suite. newStore must return a new,
// empty store each time it is called.
func TestCartStore(t *testing.T, newStore func(t *testing.T) commerce.CartStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	newCart := func(ttl time.Duration) *commerce.Cart {
		return &commerce.Cart{ID: commerce.NewCartID(), Currency: "USD", CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(ttl)}
	}

	t.Run("CreateReadReplace", func(t *testing.T) {
		s := newStore(t)
		c := newCart(time.Hour)
		c.Lines = []commerce.CartLine{{SKU: "A", Quantity: 2}}
		c.Currency, c.CurrencySet = "EUR", true
		must(t, s.CreateCart(ctx, c))
		got, err := s.Cart(ctx, c.ID)
		must(t, err)
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("Cart (-want +got):\n%s", diff)
		}
		first := c.ETag
		c.Lines = append(c.Lines, commerce.CartLine{SKU: "B", Quantity: 1})
		must(t, s.ReplaceCart(ctx, c, first))
		if c.ETag == first {
			t.Errorf("ReplaceCart kept ETag %s", first)
		}
		got, err = s.Cart(ctx, c.ID)
		must(t, err)
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("after replace (-want +got):\n%s", diff)
		}
		wantCode(t, s.ReplaceCart(ctx, c, first), commerce.CodePreconditionFailed)
		wantCode(t, s.CreateCart(ctx, c), commerce.CodeConflict)
	})

	t.Run("OwnerAndMerge", func(t *testing.T) {
		s := newStore(t)
		c := newCart(time.Hour)
		c.CustomerID = commerce.NewCustomerID(t0)
		c.Lines = []commerce.CartLine{{SKU: "A", Quantity: 1}}
		c.Codes = []string{"Save10", "FREESHIP"} // the promotion codes applied, kept as typed
		must(t, s.CreateCart(ctx, c))
		got, err := s.Cart(ctx, c.ID)
		must(t, err)
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("owned cart (-want +got):\n%s", diff)
		}
		into := commerce.NewCartID()
		c.Status, c.MergedInto, c.Merged = commerce.CartMerged, into, []string{commerce.NewCartID(), commerce.NewCartID()}
		must(t, s.ReplaceCart(ctx, c, c.ETag))
		got, err = s.Cart(ctx, c.ID)
		must(t, err)
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("merged cart (-want +got):\n%s", diff)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := newStore(t)
		_, err := s.Cart(ctx, commerce.NewCartID())
		wantCode(t, err, commerce.CodeNotFound)
		wantCode(t, s.ReplaceCart(ctx, newCart(time.Hour), `"1"`), commerce.CodeNotFound)
		wantCode(t, s.DeleteCart(ctx, commerce.NewCartID(), ""), commerce.CodeNotFound)
		wantCode(t, s.DeleteCart(ctx, commerce.NewCartID(), `"1"`), commerce.CodeNotFound)
	})

	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		c := newCart(time.Hour)
		must(t, s.CreateCart(ctx, c))
		must(t, s.DeleteCart(ctx, c.ID, ""))
		_, err := s.Cart(ctx, c.ID)
		wantCode(t, err, commerce.CodeNotFound)

		d := newCart(time.Hour)
		must(t, s.CreateCart(ctx, d))
		first := d.ETag
		must(t, s.ReplaceCart(ctx, d, first))
		wantCode(t, s.DeleteCart(ctx, d.ID, first), commerce.CodePreconditionFailed)
		wantCode(t, s.DeleteCart(ctx, d.ID, "garbage"), commerce.CodePreconditionFailed)
		must(t, s.DeleteCart(ctx, d.ID, d.ETag))
	})

	t.Run("ConcurrentReplaceOneWins", func(t *testing.T) {
		s := newStore(t)
		c := newCart(time.Hour)
		must(t, s.CreateCart(ctx, c))
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := *c
				d.Lines = []commerce.CartLine{{SKU: "X", Quantity: i + 1}}
				errs[i] = s.ReplaceCart(ctx, &d, c.ETag)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if commerce.ErrorCode(err) != commerce.CodePreconditionFailed {
				t.Errorf("got %v, want nil or precondition_failed", err)
			}
		}
		if ok != 1 {
			t.Errorf("got %d successful conditional replaces, want 1", ok)
		}
	})

	t.Run("DeleteExpired", func(t *testing.T) {
		s := newStore(t)
		old, fresh := newCart(time.Minute), newCart(time.Hour)
		must(t, s.CreateCart(ctx, old))
		must(t, s.CreateCart(ctx, fresh))
		n, err := s.DeleteExpiredCarts(ctx, t0.Add(time.Minute))
		must(t, err)
		if n != 1 {
			t.Errorf("DeleteExpiredCarts: got %d, want 1", n)
		}
		_, err = s.Cart(ctx, old.ID)
		wantCode(t, err, commerce.CodeNotFound)
		_, err = s.Cart(ctx, fresh.ID)
		must(t, err)
	})
}
