package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/sqlite"
	"shopfn/handler/storetest"
)

// observed is one call an Observe was told of.
type observed struct {
	Op     string
	Failed bool
}

// Each document store call is observed once, by a fixed name; a product
// that is not there is an answer, not a failed call; a cancelled one is.
func TestObserve(t *testing.T) {
	ctx := context.Background()
	var got []observed
	s := sqlite.NewCatalogStore(MustOpen(t))
	s.Observe = func(op string, d time.Duration, err error) {
		if d < 0 {
			t.Errorf("%s: negative duration %v", op, d)
		}
		got = append(got, observed{op, err != nil})
	}
	p := storetest.NewProduct(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC), "lamp", "home", "LAMP-1")
	if err := s.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Product(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ProductByHandle(ctx, "missing"); err == nil {
		t.Fatal("read of a missing handle: got no error")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Product(cancelled, p.ID); err == nil {
		t.Fatal("read with a cancelled context: got no error")
	}
	want := []observed{{"sqlite.create product", false}, {"sqlite.read product", false}, {"sqlite.read product by handle", false}, {"sqlite.read product", true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("observed calls (-want +got):\n%s", diff)
	}
}
