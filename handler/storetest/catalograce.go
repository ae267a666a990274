package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// testCatalogRaces holds the catalog to its uniqueness and counting rules
// under concurrent writers, as many instances of shopfn write at once.
func testCatalogRaces(t *testing.T, newStore func(t *testing.T) commerce.CatalogStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	const writers = 6

	// race runs create(i) for every writer at once and returns their errors.
	race := func(create func(i int) error) []error {
		var wg sync.WaitGroup
		errs := make([]error, writers)
		start := make(chan struct{})
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = create(i)
			}()
		}
		close(start)
		wg.Wait()
		return errs
	}
	// oneWins fails unless exactly one error is nil and the others have code.
	oneWins := func(t *testing.T, errs []error, code string) {
		t.Helper()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if commerce.ErrorCode(err) != code {
				t.Errorf("got %v, want nil or %s", err, code)
			}
		}
		if ok != 1 {
			t.Errorf("got %d successful creates, want 1", ok)
		}
	}

	t.Run("ConcurrentCreatesOneHandle", func(t *testing.T) {
		s := newStore(t)
		errs := race(func(i int) error {
			return s.CreateProduct(ctx, NewProduct(t0, "same", "home", fmt.Sprintf("SAME-%d", i)))
		})
		oneWins(t, errs, commerce.CodeHandleTaken)
		n, err := s.CountProducts(ctx)
		must(t, err)
		if n != 1 {
			t.Errorf("CountProducts: got %d, want 1", n)
		}
		// The losers' SKUs were released: they can be used again.
		for i, err := range errs {
			if err != nil {
				must(t, s.CreateProduct(ctx, NewProduct(t0, fmt.Sprintf("again-%d", i), "home", fmt.Sprintf("SAME-%d", i))))
			}
		}
	})

	t.Run("ConcurrentCreatesOneSKU", func(t *testing.T) {
		s := newStore(t)
		errs := race(func(i int) error {
			return s.CreateProduct(ctx, NewProduct(t0, fmt.Sprintf("h-%d", i), "home", "SHARED-1", fmt.Sprintf("OWN-%d", i)))
		})
		oneWins(t, errs, commerce.CodeSKUTaken)
		vs, err := s.Variants(ctx, []string{"SHARED-1"})
		must(t, err)
		if len(vs) != 1 {
			t.Errorf("Variants(SHARED-1): got %v, want one product", vs)
		}
	})

	t.Run("ConcurrentCreatesOneCategory", func(t *testing.T) {
		s := newStore(t)
		errs := race(func(i int) error {
			return s.CreateProduct(ctx, NewProduct(t0.Add(time.Duration(i)), fmt.Sprintf("c-%d", i), "garden", fmt.Sprintf("C-%d", i)))
		})
		for _, err := range errs {
			must(t, err)
		}
		cats, err := s.Categories(ctx)
		must(t, err)
		if len(cats) != 1 || cats[0].Count != writers {
			t.Errorf("Categories: got %v, want garden with %d", cats, writers)
		}
	})

	t.Run("ReplaceMovesCategory", func(t *testing.T) {
		s := newStore(t)
		p := NewProduct(t0, "mover", "home", "MOVE-1")
		must(t, s.CreateProduct(ctx, p))
		must(t, s.CreateProduct(ctx, NewProduct(t0, "stayer", "home", "STAY-1")))
		p.Category = "garden"
		must(t, s.ReplaceProduct(ctx, p, p.ETag))
		got, err := s.ProductByHandle(ctx, "mover")
		must(t, err)
		if got.Category != "garden" || got.ETag != p.ETag {
			t.Errorf("after the move: got category %q ETag %s, want garden %s", got.Category, got.ETag, p.ETag)
		}
		cats, err := s.Categories(ctx)
		must(t, err)
		want := []commerce.CategoryCount{{ID: "garden", Count: 1}, {ID: "home", Count: 1}}
		if fmt.Sprint(cats) != fmt.Sprint(want) {
			t.Errorf("Categories: got %v, want %v", cats, want)
		}
		ps, err := s.ListProducts(ctx, commerce.ProductFilter{Limit: 10})
		must(t, err)
		if len(ps) != 2 {
			t.Errorf("ListProducts: got %d products, want 2", len(ps))
		}
		vs, err := s.Variants(ctx, []string{"MOVE-1"})
		must(t, err)
		if vs["MOVE-1"].ProductID != p.ID {
			t.Errorf("Variants(MOVE-1): got %v, want product %s", vs, p.ID)
		}
	})
}
