package cosmos_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/cosmos"
	"shopfn/handler/storetest"
)

// A writer that crashed between its steps leaves keys or a moving document
// behind; the next reader or writer must finish or reclaim them.
func TestCrashedWriters(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

	t.Run("OrphanedKeysReclaimedAfterGrace", func(t *testing.T) {
		s := cosmos.NewCatalogStore(peerDB(t))
		crashed := storetest.NewProduct(t0, "lamp", "home", "LAMP-1")
		if err := s.CrashBeforeWrite(ctx, crashed); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ProductByHandle(ctx, "lamp"); commerce.ErrorCode(err) != commerce.CodeNotFound {
			t.Errorf("a handle whose product was never written: got %v, want not_found", err)
		}
		p := storetest.NewProduct(t0, "lamp", "home", "LAMP-2")
		if err := s.CreateProduct(ctx, p); commerce.ErrorCode(err) != commerce.CodeHandleTaken {
			t.Fatalf("within the grace period: got %v, want handle_taken (the first writer may still be writing)", err)
		}
		defer cosmos.SetClaimGrace(0)()
		p.Variants[0].SKU = "LAMP-1"
		if err := s.CreateProduct(ctx, p); err != nil {
			t.Fatalf("after the grace period: got %v, want the orphaned handle and SKU taken over", err)
		}
		got, err := s.ProductByHandle(ctx, "lamp")
		if err != nil || got.ID != p.ID {
			t.Errorf("ProductByHandle: got %v, %v, want %s", got, err, p.ID)
		}
	})

	t.Run("MoveFinishedByTheNextReader", func(t *testing.T) {
		db := peerDB(t)
		s := cosmos.NewCatalogStore(db)
		p := storetest.NewProduct(t0, "mover", "home", "MOVE-1")
		if err := s.CreateProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
		p.Category, p.Handle = "garden", "moved"
		if err := s.CrashMidMove(ctx, p); err != nil {
			t.Fatal(err)
		}
		// Reopened, as another instance would: nothing remembered.
		s = cosmos.NewCatalogStore(db)
		got, err := s.Product(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Category != "garden" || got.Handle != "moved" {
			t.Errorf("got category %q handle %q, want garden, moved", got.Category, got.Handle)
		}
		cats, err := s.Categories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]commerce.CategoryCount{{ID: "garden", Count: 1}}, cats); diff != "" {
			t.Errorf("Categories (-want +got):\n%s", diff)
		}
		ps, err := s.ListProducts(ctx, commerce.ProductFilter{Limit: 10})
		if err != nil || len(ps) != 1 {
			t.Errorf("ListProducts: got %d products, %v, want 1", len(ps), err)
		}
		if _, err := s.ProductByHandle(ctx, "moved"); err != nil {
			t.Errorf("ProductByHandle(moved): %v", err)
		}
		if _, err := s.ProductByHandle(ctx, "mover"); commerce.ErrorCode(err) != commerce.CodeNotFound {
			t.Errorf("ProductByHandle(mover), the handle it had: got %v, want not_found", err)
		}
	})
}
