package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// NewProduct returns a valid active product with one variant per SKU.
func NewProduct(t0 time.Time, handle, category string, skus ...string) *commerce.Product {
	p := &commerce.Product{
		ID:          commerce.NewProductID(t0),
		Handle:      handle,
		Title:       "Title of " + handle,
		Description: "Description of " + handle,
		Category:    category,
		Attributes:  map[string]any{"wattage": 60.0, "tags": []any{"a", "b"}},
		Images:      []string{"https://img.example/" + handle + ".jpg"},
		Status:      commerce.StatusActive,
		CreatedAt:   t0.UTC(),
		UpdatedAt:   t0.UTC(),
	}
	for _, sku := range skus {
		p.Variants = append(p.Variants, commerce.Variant{
			SKU: sku, Title: sku, Options: map[string]string{"size": "M"},
			Price: commerce.Money{Amount: 1999, Currency: "USD"},
		})
	}
	return p
}

// TestCatalogStore runs the catalog conformance suite. newStore must return a
// new, empty store each time it is called.
func TestCatalogStore(t *testing.T, newStore func(t *testing.T) commerce.CatalogStore) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

	t.Run("CreateAndRead", func(t *testing.T) {
		s := newStore(t)
		p := NewProduct(t0, "lamp", "home", "LAMP-1", "LAMP-2")
		must(t, s.CreateProduct(ctx, p))
		if p.ETag == "" {
			t.Fatal("CreateProduct left ETag empty")
		}
		got, err := s.Product(ctx, p.ID)
		must(t, err)
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("Product mismatch (-want +got):\n%s", diff)
		}
		got, err = s.ProductByHandle(ctx, "lamp")
		must(t, err)
		if got.ID != p.ID {
			t.Errorf("ProductByHandle: got ID %s, want %s", got.ID, p.ID)
		}
		n, err := s.CountProducts(ctx)
		must(t, err)
		if n != 1 {
			t.Errorf("CountProducts: got %d, want 1", n)
		}
	})

	t.Run("PricesInOtherCurrencies", func(t *testing.T) {
		s := newStore(t)
		p := NewProduct(t0, "multi", "home", "MULTI-1", "MULTI-2")
		p.Variants[0].Prices = []commerce.Money{{Amount: 1899, Currency: "EUR"}, {Amount: 300000, Currency: "JPY"}}
		must(t, s.CreateProduct(ctx, p))
		got, err := s.Product(ctx, p.ID)
		must(t, err)
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("Product mismatch (-want +got):\n%s", diff)
		}
		refs, err := s.Variants(ctx, []string{"MULTI-1"})
		must(t, err)
		if diff := cmp.Diff(p.Variants[0], refs["MULTI-1"].Variant); diff != "" {
			t.Errorf("Variants mismatch (-want +got):\n%s", diff)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		s := newStore(t)
		_, err := s.Product(ctx, commerce.NewProductID(t0))
		wantCode(t, err, commerce.CodeNotFound)
		_, err = s.ProductByHandle(ctx, "nope")
		wantCode(t, err, commerce.CodeNotFound)
		wantCode(t, s.DeleteProduct(ctx, commerce.NewProductID(t0)), commerce.CodeNotFound)
		p := NewProduct(t0, "ghost", "home", "GHOST-1")
		wantCode(t, s.ReplaceProduct(ctx, p, ""), commerce.CodeNotFound)
	})

	t.Run("HandleAndSKUUnique", func(t *testing.T) {
		s := newStore(t)
		must(t, s.CreateProduct(ctx, NewProduct(t0, "a", "home", "A-1")))
		wantCode(t, s.CreateProduct(ctx, NewProduct(t0, "a", "home", "A-2")), commerce.CodeHandleTaken)
		wantCode(t, s.CreateProduct(ctx, NewProduct(t0, "b", "home", "B-1", "A-1")), commerce.CodeSKUTaken)
		b := NewProduct(t0, "b", "home", "B-1")
		must(t, s.CreateProduct(ctx, b))
		b.Handle = "a"
		wantCode(t, s.ReplaceProduct(ctx, b, ""), commerce.CodeHandleTaken)
		b.Handle = "b"
		b.Variants[0].SKU = "A-1"
		wantCode(t, s.ReplaceProduct(ctx, b, ""), commerce.CodeSKUTaken)
		// A refused write changes nothing.
		vs, err := s.Variants(ctx, []string{"B-1", "A-2"})
		must(t, err)
		if _, ok := vs["B-1"]; !ok || len(vs) != 1 {
			t.Errorf("after refused writes: got variants %v, want only B-1", vs)
		}
	})

	t.Run("ReplaceIfMatch", func(t *testing.T) {
		s := newStore(t)
		p := NewProduct(t0, "mug", "home", "MUG-1")
		must(t, s.CreateProduct(ctx, p))
		first := p.ETag
		p.Title = "Big mug"
		p.Variants[0].SKU = "MUG-2"
		must(t, s.ReplaceProduct(ctx, p, first))
		if p.ETag == first {
			t.Fatalf("ReplaceProduct kept ETag %s", first)
		}
		p.Title = "Stale"
		wantCode(t, s.ReplaceProduct(ctx, p, first), commerce.CodePreconditionFailed)
		got, err := s.Product(ctx, p.ID)
		must(t, err)
		if got.Title != "Big mug" {
			t.Errorf("got title %q, want %q", got.Title, "Big mug")
		}
		vs, err := s.Variants(ctx, []string{"MUG-1", "MUG-2"})
		must(t, err)
		if _, old := vs["MUG-1"]; old || len(vs) != 1 {
			t.Errorf("after replace: got variants %v, want only MUG-2", vs)
		}
	})

	t.Run("ConcurrentReplaceOneWins", func(t *testing.T) {
		s := newStore(t)
		p := NewProduct(t0, "race", "home", "RACE-1")
		must(t, s.CreateProduct(ctx, p))
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q := *p
				q.Title = fmt.Sprintf("writer %d", i)
				errs[i] = s.ReplaceProduct(ctx, &q, p.ETag)
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

	t.Run("Delete", func(t *testing.T) {
		s := newStore(t)
		p := NewProduct(t0, "gone", "home", "GONE-1")
		must(t, s.CreateProduct(ctx, p))
		must(t, s.DeleteProduct(ctx, p.ID))
		_, err := s.Product(ctx, p.ID)
		wantCode(t, err, commerce.CodeNotFound)
		vs, err := s.Variants(ctx, []string{"GONE-1"})
		must(t, err)
		if len(vs) != 0 {
			t.Errorf("deleted product's SKU still resolves: %v", vs)
		}
		// Its handle and SKU are free again.
		must(t, s.CreateProduct(ctx, NewProduct(t0, "gone", "home", "GONE-1")))
	})

	t.Run("ListFilterAndPage", func(t *testing.T) {
		s := newStore(t)
		var want []string
		for i := 0; i < 25; i++ {
			cat := []string{"books", "toys"}[i%2]
			p := NewProduct(t0.Add(time.Duration(i)*time.Millisecond), fmt.Sprintf("p-%02d", i), cat, fmt.Sprintf("SKU-%02d", i))
			if i%5 == 0 {
				p.Status = commerce.StatusDraft
			}
			if i == 7 {
				p.Description = "A ZEBRA-striped thing"
			}
			must(t, s.CreateProduct(ctx, p))
			if cat == "books" && p.Status == commerce.StatusActive {
				want = append(want, p.Handle)
			}
		}
		var got []string
		after := ""
		for pages := 0; pages < 20; pages++ {
			ps, err := s.ListProducts(ctx, commerce.ProductFilter{Status: commerce.StatusActive, Category: "books", After: after, Limit: 3})
			must(t, err)
			for _, p := range ps {
				got = append(got, p.Handle)
				after = p.ID
			}
			if len(ps) < 3 {
				break
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("paged listing (-want +got):\n%s", diff)
		}
		ps, err := s.ListProducts(ctx, commerce.ProductFilter{Query: "zebra", Limit: 10})
		must(t, err)
		if len(ps) != 1 || ps[0].Handle != "p-07" {
			t.Errorf("query zebra: got %d products, want p-07", len(ps))
		}
		ps, err = s.ListProducts(ctx, commerce.ProductFilter{Query: "TITLE OF P-1", Limit: 100})
		must(t, err)
		if len(ps) != 10 {
			t.Errorf("query by title, any status: got %d products, want 10", len(ps))
		}
		cats, err := s.Categories(ctx)
		must(t, err)
		wantCats := []commerce.CategoryCount{{ID: "books", Count: 10}, {ID: "toys", Count: 10}}
		if diff := cmp.Diff(wantCats, cats); diff != "" {
			t.Errorf("Categories (-want +got):\n%s", diff)
		}
	})

	t.Run("VariantsWithStatus", func(t *testing.T) {
		s := newStore(t)
		p := NewProduct(t0, "shirt", "clothing", "SH-S", "SH-M")
		p.Status = commerce.StatusArchived
		must(t, s.CreateProduct(ctx, p))
		vs, err := s.Variants(ctx, []string{"SH-M", "NOPE"})
		must(t, err)
		want := map[string]commerce.VariantRef{"SH-M": {
			ProductID: p.ID, ProductTitle: p.Title, Status: commerce.StatusArchived, Variants: 2, Variant: p.Variants[1],
		}}
		if diff := cmp.Diff(want, vs); diff != "" {
			t.Errorf("Variants (-want +got):\n%s", diff)
		}
	})
	t.Run("Queries", func(t *testing.T) { testCatalogQueries(t, newStore) })
	testCatalogRaces(t, newStore)
}
