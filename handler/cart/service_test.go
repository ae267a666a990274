package cart_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

func TestETag(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.create(t, "B", 1)
	if c.ETag == "" {
		t.Fatal("Create returned no ETag")
	}
	got, err := f.svc.Add(ctx, c.ID, c.ETag, "B", 1)
	if err != nil {
		t.Fatalf("Add with the current ETag: %v", err)
	}
	if got.ETag == c.ETag {
		t.Errorf("Add kept ETag %s", c.ETag)
	}
	read, err := f.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if read.ETag != got.ETag {
		t.Errorf("Get: got ETag %s, want the last write's %s", read.ETag, got.ETag)
	}
	for _, tc := range []struct {
		name string
		do   func(ifMatch string) error
	}{
		{"Add", func(m string) error { _, err := f.svc.Add(ctx, c.ID, m, "B", 1); return err }},
		{"SetQuantity", func(m string) error { _, err := f.svc.SetQuantity(ctx, c.ID, m, "B", 1); return err }},
		{"Remove", func(m string) error { _, err := f.svc.Remove(ctx, c.ID, m, "B"); return err }},
		{"Delete", func(m string) error { return f.svc.Delete(ctx, c.ID, m) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, stale := range []string{c.ETag, `"garbage"`} {
				wantCode(t, tc.do(stale), commerce.CodePreconditionFailed)
			}
			if now, _ := f.svc.Get(ctx, c.ID); now.ETag != got.ETag || now.ItemCount != 2 {
				t.Errorf("a refused %s changed the cart: got ETag %s, %d items, want %s, 2", tc.name, now.ETag, now.ItemCount, got.ETag)
			}
		})
	}
	// A price change changes what the buyer sees, so it changes the ETag,
	// though the cart document did not change.
	p := f.products["B"]
	p.Variants[0].Price.Amount++
	if err := f.catalog.ReplaceProduct(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	if repriced, err := f.svc.Get(ctx, c.ID); err != nil || repriced.ETag == got.ETag {
		t.Errorf("Get after a price change: got ETag %v (%v), want other than %s", repriced, err, got.ETag)
	}
	// "*" matches any version.
	got, err = f.svc.Add(ctx, c.ID, "*", "B", 1)
	if err != nil || got.ItemCount != 3 {
		t.Fatalf("Add with If-Match *: got %v items (%v), want 3", got, err)
	}
	if err := f.svc.Delete(ctx, c.ID, got.ETag); err != nil {
		t.Fatalf("Delete with the current ETag: %v", err)
	}
	_, err = f.svc.Get(ctx, c.ID)
	wantCode(t, err, commerce.CodeNotFound)
}

// Writers without If-Match never lose each other's changes: a lost race is
// retried on the fresh cart.
func TestConcurrentAddsAllApply(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.create(t)
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		sku := []string{"A-1", "B"}[i%2]
		wg.Go(func() { _, errs[i] = f.svc.Add(ctx, c.ID, "", sku, 1) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.svc.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ItemCount != n {
		t.Errorf("after %d concurrent adds of 1: got %d items, want %d", n, got.ItemCount, n)
	}
}

func TestExpiry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := f.create(t, "B", 1)
	if want := t0.Add(ttl); !c.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt: got %v, want %v", c.ExpiresAt, want)
	}
	// A write pushes the expiry back.
	f.clock.Advance(ttl - time.Minute)
	got, err := f.svc.Add(ctx, c.ID, "", "B", 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(2*ttl - time.Minute); !got.ExpiresAt.Equal(want) || !got.UpdatedAt.Equal(t0.Add(ttl-time.Minute)) {
		t.Errorf("after a write: got ExpiresAt %v, UpdatedAt %v, want %v, %v", got.ExpiresAt, got.UpdatedAt, want, t0.Add(ttl-time.Minute))
	}
	f.clock.Advance(ttl)
	_, err = f.svc.Get(ctx, c.ID)
	wantCode(t, err, commerce.CodeNotFound)
	_, err = f.svc.Add(ctx, c.ID, "", "B", 1)
	wantCode(t, err, commerce.CodeNotFound)
	wantCode(t, f.svc.Delete(ctx, c.ID, ""), commerce.CodeNotFound)
}

func TestMalformedID(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, id := range []string{"", "c", "x" + f.create(t).ID[1:], "cart_1", commerce.NewCartID() + "0"} {
		_, err := f.svc.Get(ctx, id)
		wantCode(t, err, commerce.CodeNotFound)
		_, err = f.svc.Add(ctx, id, "", "B", 1)
		wantCode(t, err, commerce.CodeNotFound)
	}
}
