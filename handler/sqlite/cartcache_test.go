package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// TestCartCacheNeverStale plays the races the cache must lose: a read
// that started before a write or a delete committed puts its old cart
// back only after them.
func TestCartCacheNeverStale(t *testing.T) {
	at := func(v int64) cartRow {
		return cartRow{"cart_1", fmt.Appendf(nil, "doc %d", v), v, docTime.Add(time.Hour).UnixNano()}
	}
	for _, tc := range []struct {
		name string
		play func(cc *cartCache)
		want int64 // the version the cache answers, 0 for none
	}{
		{"read put", func(cc *cartCache) {
			_, _, gen, _ := cc.get("cart_1")
			cc.put(at(1), gen)
		}, 1},
		{"write then late read", func(cc *cartCache) {
			_, _, gen, _ := cc.get("cart_1") // the read starts, reads version 1
			wgen := cc.begin("cart_1")
			cc.end("cart_1", at(2), wgen)
			cc.put(at(1), gen) // and puts it once the write is done
		}, 2},
		{"read during write", func(cc *cartCache) {
			wgen := cc.begin("cart_1")
			if _, _, _, ok := cc.get("cart_1"); ok {
				t.Error("get answered while a write was under way")
			}
			_, _, gen, _ := cc.get("cart_1")
			cc.put(at(2), gen) // read the committed version 2 in SQLite
			cc.end("cart_1", at(2), wgen)
		}, 2},
		{"two writes end out of order", func(cc *cartCache) {
			g1, g2 := cc.begin("cart_1"), cc.begin("cart_1")
			cc.end("cart_1", at(3), g2)
			cc.end("cart_1", at(2), g1)
		}, 3},
		{"delete then late read", func(cc *cartCache) {
			_, _, gen, _ := cc.get("cart_1")
			cc.put(at(1), gen)
			_, _, gen, _ = cc.get("cart_2") // a read of version 1 starts
			dgen := cc.begin("cart_1")
			cc.end("cart_1", cartRow{}, dgen) // deleted
			cc.put(at(1), gen)
		}, 0},
		{"delete after a write that puts late", func(cc *cartCache) {
			wgen := cc.begin("cart_1") // commits version 2
			dgen := cc.begin("cart_1")
			cc.end("cart_1", cartRow{}, dgen) // then a delete commits
			cc.end("cart_1", at(2), wgen)
		}, 0},
		{"failed write", func(cc *cartCache) {
			_, _, gen, _ := cc.get("cart_1")
			cc.put(at(1), gen)
			cc.end("cart_1", cartRow{}, cc.begin("cart_1"))
		}, 0},
		{"write while another cart is deleted", func(cc *cartCache) {
			_, _, gen, _ := cc.get("cart_1")
			cc.put(at(1), gen)
			wgen := cc.begin("cart_1") // commits version 2
			cc.end("cart_2", cartRow{}, cc.begin("cart_2"))
			cc.end("cart_1", at(2), wgen)
		}, 2},
		{"writes in flight while another cart is deleted", func(cc *cartCache) {
			// Each write that ends must not stop the next from being kept.
			w := []uint64{cc.begin("cart_1"), cc.begin("cart_1"), cc.begin("cart_1")}
			cc.end("cart_2", cartRow{}, cc.begin("cart_2"))
			for i, e := range w {
				cc.end("cart_1", at(int64(i+1)), e)
			}
		}, 3},
		{"write, then a delete, then the write ends", func(cc *cartCache) {
			_, _, gen, _ := cc.get("cart_1")
			cc.put(at(1), gen)
			wgen := cc.begin("cart_1") // commits version 2
			cc.end("cart_1", cartRow{}, cc.begin("cart_1"))
			cc.end("cart_1", at(2), wgen)
		}, 0},
		{"swept", func(cc *cartCache) {
			_, _, gen, _ := cc.get("cart_1")
			cc.put(at(1), gen)
			cc.expired(docTime.Add(time.Hour))
		}, 0},
		{"swept then late read", func(cc *cartCache) {
			_, _, gen, _ := cc.get("cart_1")
			cc.expired(docTime.Add(time.Hour))
			cc.put(at(1), gen)
		}, 0},
		{"not yet expired", func(cc *cartCache) {
			_, _, gen, _ := cc.get("cart_1")
			cc.put(at(1), gen)
			cc.expired(docTime)
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc := newCartCache()
			tc.play(cc)
			doc, got, _, ok := cc.get("cart_1")
			if ok && string(doc) != fmt.Sprintf("doc %d", got) {
				t.Errorf("document %q at version %d", doc, got)
			}
			if got != tc.want {
				t.Errorf("cache answers version %d, want %d", got, tc.want)
			}
			if n := len(cc.entries); !ok && n != 0 {
				t.Errorf("%d entries left, want none", n)
			}
		})
	}
}

// TestCartCacheBounded: the documents held never take more than
// cartCacheBytes, and the size kept matches the documents held.
func TestCartCacheBounded(t *testing.T) {
	cc := newCartCache()
	doc := make([]byte, 4000)
	for i := range 5 * cartCacheBytes / len(doc) {
		_, _, gen, _ := cc.get("")
		cc.put(cartRow{commerce.NewCartID(), doc, int64(i + 1), 0}, gen)
		if cc.size > cartCacheBytes {
			t.Fatalf("after %d carts: %d bytes held, want at most %d", i+1, cc.size, cartCacheBytes)
		}
	}
	sum := 0
	for id, e := range cc.entries {
		sum += entrySize(id, e.doc)
	}
	if sum != cc.size || len(cc.entries) == 0 {
		t.Errorf("%d carts of %d bytes held, size says %d", len(cc.entries), sum, cc.size)
	}
}

// TestCartStoreCacheFollowsWrites: on an exclusive DB every write and
// delete shows in the next read, and a cart read twice is the same.
func TestCartStoreCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	db, err := OpenWith(ctx, filepath.Join(t.TempDir(), "shopfn.db"), Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := NewCartStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	c := &commerce.Cart{ID: commerce.NewCartID(), Currency: "EUR", Lines: []commerce.CartLine{}, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateCart(ctx, c); err != nil {
		t.Fatal(err)
	}
	for q := 1; q <= 3; q++ {
		c.Lines = []commerce.CartLine{{SKU: "A", Quantity: q}}
		if err := s.ReplaceCart(ctx, c, c.ETag); err != nil {
			t.Fatal(err)
		}
		got, err := s.Cart(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ETag != c.ETag || got.Lines[0].Quantity != q {
			t.Fatalf("read %s with %d units after writing %s with %d", got.ETag, got.Lines[0].Quantity, c.ETag, q)
		}
		got.Lines[0].Quantity = 99 // the caller's copy, not the cache's
	}
	if err := s.ReplaceCart(ctx, c, `"1"`); commerce.ErrorCode(err) != commerce.CodePreconditionFailed {
		t.Errorf("stale write: got %v, want precondition_failed", err)
	}
	if got, _ := s.Cart(ctx, c.ID); got.Lines[0].Quantity != 3 {
		t.Errorf("after a refused write: %d units, want 3", got.Lines[0].Quantity)
	}
	if err := s.DeleteCart(ctx, c.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cart(ctx, c.ID); commerce.ErrorKind(err) != commerce.KindNotFound {
		t.Errorf("after delete: got %v, want not found", err)
	}
	old := &commerce.Cart{ID: commerce.NewCartID(), Currency: "EUR", Lines: []commerce.CartLine{}, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(-time.Minute)}
	if err := s.CreateCart(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cart(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpiredCarts(ctx, now); err != nil || n != 1 {
		t.Fatalf("DeleteExpiredCarts: %d, %v; want 1", n, err)
	}
	if _, err := s.Cart(ctx, old.ID); commerce.ErrorKind(err) != commerce.KindNotFound {
		t.Errorf("after the sweep: got %v, want not found", err)
	}
}

// TestCartStoreCacheConcurrent: writers racing on one cart through the
// cache lose no write, and no reader sees a version older than one it saw
// before.
func TestCartStoreCacheConcurrent(t *testing.T) {
	ctx := context.Background()
	db, err := OpenWith(ctx, filepath.Join(t.TempDir(), "shopfn.db"), Options{Exclusive: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := NewCartStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	id := commerce.NewCartID()
	if err := s.CreateCart(ctx, &commerce.Cart{ID: id, Currency: "EUR", Lines: []commerce.CartLine{{SKU: "A"}}, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	const writers, adds = 8, 25
	errs := make(chan error, writers)
	for range writers {
		go func() {
			seen := 0
			for range adds {
				for {
					c, err := s.Cart(ctx, id)
					if err != nil {
						errs <- err
						return
					}
					if q := c.Lines[0].Quantity; q < seen {
						errs <- fmt.Errorf("read %d units after reading %d", q, seen)
						return
					}
					seen = c.Lines[0].Quantity
					c.Lines[0].Quantity++
					err = s.ReplaceCart(ctx, c, c.ETag)
					if err == nil {
						seen = c.Lines[0].Quantity // its own write, read back next
						break
					}
					if commerce.ErrorCode(err) != commerce.CodePreconditionFailed {
						errs <- err
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range writers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	c, err := s.Cart(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Lines[0].Quantity, writers*adds; got != want {
		t.Errorf("%d units, want %d", got, want)
	}
	if got, want := c.ETag, etag(int64(writers*adds+1)); got != want {
		t.Errorf("ETag %s, want %s", got, want)
	}
}
