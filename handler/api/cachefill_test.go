package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/memstore"
	"shopfn/handler/storetest"
)

// gatedCatalog counts Product calls and holds each until release closes,
// failing the first fail calls.
type gatedCatalog struct {
	commerce.CatalogStore
	calls   atomic.Int64
	fail    int64
	release chan struct{}
}

func (c *gatedCatalog) Product(ctx context.Context, id string) (*commerce.Product, error) {
	n := c.calls.Add(1)
	<-c.release
	if n <= c.fail {
		return nil, errors.New("the store is down")
	}
	return c.CatalogStore.Product(ctx, id)
}

// TestCacheFillOneReadPerMiss: requests that miss the same cached response
// while it is being read wait for that read rather than each reading the
// store; a failed read is not handed to the waiters, which read again.
func TestCacheFillOneReadPerMiss(t *testing.T) {
	for _, tt := range []struct {
		name      string
		fail      int64
		wantCalls int64
		wantOK    int // responses 200 of the 20
	}{
		{"the read succeeds", 0, 1, 20},
		{"the first read fails", 1, 2, 19},
	} {
		t.Run(tt.name, func(t *testing.T) {
			store := memstore.NewCatalogStore()
			p := storetest.NewProduct(time.Now(), "fill-lamp", "home", "FILL-1")
			if err := store.CreateProduct(context.Background(), p); err != nil {
				t.Fatal(err)
			}
			catalog := &gatedCatalog{CatalogStore: store, fail: tt.fail, release: make(chan struct{})}
			now := time.Now()
			s := NewServer(Deps{Catalog: catalog}, Config{CacheTTL: time.Second, Now: func() time.Time { return now }}, slog.New(slog.DiscardHandler))
			h := s.Handler()
			var (
				wg sync.WaitGroup
				ok atomic.Int64
			)
			for range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/products/"+p.ID, nil))
					if rec.Code == 200 {
						ok.Add(1)
					}
				}()
			}
			time.Sleep(100 * time.Millisecond) // all 20 miss while the first read is held
			close(catalog.release)
			wg.Wait()
			if got := catalog.calls.Load(); got != tt.wantCalls {
				t.Errorf("got %d store reads for 20 concurrent misses, want %d", got, tt.wantCalls)
			}
			if got := ok.Load(); got != int64(tt.wantOK) {
				t.Errorf("got %d responses 200, want %d", got, tt.wantOK)
			}
		})
	}
}
