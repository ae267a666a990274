package api

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"shopfn/handler/memstore"
	"shopfn/handler/storetest"
)

// TestBodyContentLength: a JSON response carries its length, so that
// net/http sends a large one (a listing) in one piece rather than chunked.
func TestBodyContentLength(t *testing.T) {
	store := memstore.NewCatalogStore()
	p := storetest.NewProduct(time.Now(), "long-lamp", "home", "LONG-1")
	p.Description = strings.Repeat("A lamp with a long description. ", 200) // past net/http's 2 KiB
	if err := store.CreateProduct(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(Deps{Catalog: store}, Config{CacheTTL: time.Second}, slog.New(slog.DiscardHandler)).Handler())
	defer srv.Close()
	for _, path := range []string{"/api/products/" + p.ID, "/api/products/" + p.ID} { // a miss, then a cache hit
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || len(resp.TransferEncoding) != 0 || resp.ContentLength < 2048 {
			t.Errorf("GET %s: got %d, Transfer-Encoding %v, Content-Length %s; want 200 with a Content-Length past 2048 and no chunking",
				path, resp.StatusCode, resp.TransferEncoding, strconv.FormatInt(resp.ContentLength, 10))
		}
	}
}
