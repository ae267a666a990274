package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// CategoryCatalog is a catalog store that also holds category documents,
// as every adapter's CatalogStore does.
type CategoryCatalog interface {
	commerce.CatalogStore
	commerce.CategoryStore
}

// TestCategoryStore runs the category document conformance suite. newStore
// must return a new, empty store each time it is called.
func TestCategoryStore(t *testing.T, newStore func(t *testing.T) CategoryCatalog) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

	t.Run("CreatePutListOrder", func(t *testing.T) {
		s := newStore(t)
		for _, c := range []commerce.Category{{ID: "books", Name: "Books", Position: 20}, {ID: "audio", Name: "Audio", Position: 10}, {ID: "art", Name: "Art", Position: 20}} {
			must(t, s.CreateCategory(ctx, &c))
		}
		if got := commerce.ErrorCode(s.CreateCategory(ctx, &commerce.Category{ID: "books", Name: "Again"})); got != commerce.CodeConflict {
			t.Fatalf("second CreateCategory: got code %q, want %q", got, commerce.CodeConflict)
		}
		must(t, s.PutCategory(ctx, &commerce.Category{ID: "books", Name: "Books & Zines", Position: 5}))
		must(t, s.PutCategory(ctx, &commerce.Category{ID: "toys", Name: "Toys", Position: 30}))
		got, err := s.ListCategories(ctx)
		must(t, err)
		want := []commerce.Category{{ID: "books", Name: "Books & Zines", Position: 5}, {ID: "audio", Name: "Audio", Position: 10},
			{ID: "art", Name: "Art", Position: 20}, {ID: "toys", Name: "Toys", Position: 30}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("ListCategories (-want +got):\n%s", diff)
		}
	})

	t.Run("EmptyList", func(t *testing.T) {
		got, err := newStore(t).ListCategories(ctx)
		must(t, err)
		if len(got) != 0 {
			t.Fatalf("ListCategories of an empty store: got %v, want none", got)
		}
	})

	t.Run("DeleteRefusedWhileProductsHaveIt", func(t *testing.T) {
		s := newStore(t)
		must(t, s.CreateCategory(ctx, &commerce.Category{ID: "audio", Name: "Audio"}))
		p := NewProduct(t0, "speaker", "audio", "SPK-1")
		p.Status = commerce.StatusDraft // drafts count too
		must(t, s.CreateProduct(ctx, p))
		if got := commerce.ErrorCode(s.DeleteCategory(ctx, "audio")); got != commerce.CodeConflict {
			t.Fatalf("DeleteCategory with a product: got code %q, want %q", got, commerce.CodeConflict)
		}
		list, err := s.ListCategories(ctx)
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("after a refused delete: got %v, want the category kept", list)
		}
		must(t, s.DeleteProduct(ctx, p.ID))
		must(t, s.DeleteCategory(ctx, "audio"))
		if list, err = s.ListCategories(ctx); err != nil || len(list) != 0 {
			t.Fatalf("after delete: got %v, %v; want none", list, err)
		}
	})

	t.Run("DeleteMissing", func(t *testing.T) {
		s := newStore(t)
		if got := commerce.ErrorCode(s.DeleteCategory(ctx, "nothing")); got != commerce.CodeNotFound {
			t.Fatalf("DeleteCategory of none: got code %q, want %q", got, commerce.CodeNotFound)
		}
		// Products without a category document: still no document to delete.
		must(t, s.CreateProduct(ctx, NewProduct(t0, "mug", "kitchen", "MUG-1")))
		if got := commerce.ErrorCode(s.DeleteCategory(ctx, "kitchen")); got != commerce.CodeNotFound {
			t.Fatalf("DeleteCategory of a category products have but no document names: got code %q, want %q", got, commerce.CodeNotFound)
		}
	})

	t.Run("CategoryDocumentsDoNotDisturbTheCatalog", func(t *testing.T) {
		s := newStore(t)
		must(t, s.CreateProduct(ctx, NewProduct(t0, "lamp", "home", "LMP-1")))
		must(t, s.PutCategory(ctx, &commerce.Category{ID: "home", Name: "Home", Position: 1}))
		must(t, s.PutCategory(ctx, &commerce.Category{ID: "empty", Name: "Empty", Position: 2}))
		n, err := s.CountProducts(ctx)
		must(t, err)
		cats, err := s.Categories(ctx)
		must(t, err)
		list, err := s.ListProducts(ctx, commerce.ProductFilter{Limit: 10})
		must(t, err)
		if n != 1 || len(list) != 1 || !cmp.Equal(cats, []commerce.CategoryCount{{ID: "home", Count: 1}}) {
			t.Fatalf("got %d products, listing of %d, categories %v; want 1, 1, [home:1]", n, len(list), cats)
		}
	})
}
