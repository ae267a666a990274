package main

// Benchmarks of the storefront hot paths. They run only with -bench, e.g.
//
//	go test ./handler -run '^$' -bench . -benchtime 2000x
//
// Each starts the real program with the sample catalog (MustRunMain(b, true))
// and calls the http.Handler its http.Server serves (m.server.Handler, the
// handler main.go builds with api.NewServer(...).Handler()) in process, so
// ns/op, B/op and allocs/op are those of shopfn's routing, handlers, stores
// and logging, without loopback TCP or net/http's connection handling
// (scripts/bench.sh measures those with wrk). One request value and one
// ResponseWriter are reused across iterations so that their allocations are
// not counted; the router's and handlers' are.
//
// With SHOPFN_TEST_DOCUMENTS=cosmos the catalog and carts are on the Cosmos DB
// peer, and each benchmark also reports cosmos-req/op: the HTTP requests sent
// to Cosmos DB per API call, retries included (what sets the RU bill).
//
// The harness clock does not move on its own, so the 1 s catalog cache never
// expires: the "cached" sub-benchmarks measure cache hits (what nearly every
// request sees under load), and the "store" ones move the clock past the TTL
// before every request so each one reads SQLite.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// benchWriter is a reusable http.ResponseWriter.
type benchWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBenchWriter() *benchWriter { return &benchWriter{header: http.Header{}} }

func (w *benchWriter) Header() http.Header { return w.header }

func (w *benchWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *benchWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}

func (w *benchWriter) reset() {
	clear(w.header)
	w.status = 0
	w.body.Reset()
}

// benchHandler starts the program with the sample catalog and returns it and
// the handler its server serves.
func benchHandler(b *testing.B) (*Program, http.Handler) {
	b.Helper()
	m := MustRunMainWith(b, true, func(m *Main) { m.CosmosPolicies = []policy.Policy{&cosmosRequests} })
	return m, m.server.Handler
}

// cosmosRequests counts the HTTP requests the benchmarked program sends to
// Cosmos DB.
var cosmosRequests requestCounter

// requestCounter is an azcore policy that counts the requests it sees, in
// all and by kind (cosmosKind).
type requestCounter struct {
	n     atomic.Int64
	kinds [cosmosKinds]atomic.Int64
}

// Do counts the request and sends it on.
func (c *requestCounter) Do(req *policy.Request) (*http.Response, error) {
	c.n.Add(1)
	c.kinds[cosmosKind(req.Raw())].Add(1)
	return req.Next()
}

// reset sets the counts to zero.
func (c *requestCounter) reset() {
	c.n.Store(0)
	for i := range c.kinds {
		c.kinds[i].Store(0)
	}
}

// startCounting resets the timer and the request count.
func startCounting(b *testing.B) {
	b.ReportAllocs()
	b.ResetTimer()
	cosmosRequests.reset()
}

// reportRequests reports the Cosmos DB requests per iteration, in Cosmos mode.
func reportRequests(b *testing.B) {
	if testCosmos != "" {
		b.ReportMetric(float64(cosmosRequests.n.Load())/float64(b.N), "cosmos-req/op")
	}
}

// benchCall serves one request in process, for setup; it fails the benchmark
// unless the status is want.
func benchCall(b *testing.B, h http.Handler, method, path, body string, want int) []byte {
	b.Helper()
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: got %d %s, want %d", method, path, rec.Code, rec.Body.Bytes(), want)
	}
	return rec.Body.Bytes()
}

type benchPage struct {
	Items []struct {
		ID       string `json:"id"`
		Variants []struct {
			SKU string `json:"sku"`
		} `json:"variants"`
	} `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// benchProductIDs returns the IDs of the first page of the listing.
func benchProductIDs(b *testing.B, h http.Handler) []string {
	b.Helper()
	var page benchPage
	if err := json.Unmarshal(benchCall(b, h, "GET", "/api/products?limit=20", "", 200), &page); err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, p := range page.Items {
		ids = append(ids, p.ID)
	}
	if len(ids) == 0 {
		b.Fatal("the sample catalog lists no products")
	}
	return ids
}

// benchSKUs returns up to n SKUs of listed products with at least min units
// available.
func benchSKUs(b *testing.B, h http.Handler, n int, min int64) []string {
	b.Helper()
	var skus []string
	path := "/api/products?limit=100"
	for len(skus) < n {
		var page benchPage
		if err := json.Unmarshal(benchCall(b, h, "GET", path, "", 200), &page); err != nil {
			b.Fatal(err)
		}
		for _, p := range page.Items {
			for _, v := range p.Variants {
				var inv struct {
					Available int64 `json:"available"`
				}
				if err := json.Unmarshal(benchCall(b, h, "GET", "/api/inventory/"+v.SKU, "", 200), &inv); err != nil {
					b.Fatal(err)
				}
				if inv.Available >= min && len(skus) < n {
					skus = append(skus, v.SKU)
				}
			}
		}
		if page.NextCursor == nil {
			break
		}
		path = "/api/products?limit=100&cursor=" + *page.NextCursor
	}
	return skus
}

// benchGET serves GET path b.N times; before each request it calls before,
// if not nil.
func benchGET(b *testing.B, h http.Handler, paths []string, before func()) {
	b.Helper()
	req, err := http.NewRequest("GET", "http://shopfn"+paths[0], nil)
	if err != nil {
		b.Fatal(err)
	}
	urls := make([]string, len(paths))
	queries := make([]string, len(paths))
	for i, p := range paths {
		r := httptest.NewRequest("GET", p, nil)
		urls[i], queries[i] = r.URL.Path, r.URL.RawQuery
	}
	w := newBenchWriter()
	startCounting(b)
	defer reportRequests(b)
	for i := 0; i < b.N; i++ {
		if before != nil {
			before()
		}
		k := i % len(paths)
		req.URL.Path, req.URL.RawQuery = urls[k], queries[k]
		w.reset()
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("GET %s: got %d %s", paths[k], w.status, w.body.Bytes())
		}
	}
}

// BenchmarkListProducts is GET /api/products?limit=20, plain and sorted
// by price with two filters (benchSortedQuery), each from the cache and
// from the store.
func BenchmarkListProducts(b *testing.B) {
	for _, list := range []struct{ name, path string }{
		{"", "/api/products?limit=20"},
		{"sorted-", "/api/products?limit=20&" + benchSortedQuery},
	} {
		paths := []string{list.path}
		b.Run(list.name+"cached", func(b *testing.B) {
			_, h := benchHandler(b)
			benchGET(b, h, paths, nil)
		})
		b.Run(list.name+"store", func(b *testing.B) {
			m, h := benchHandler(b)
			benchGET(b, h, paths, func() { m.Clock.Advance(time.Second) })
		})
	}
}

// benchSortedQuery is the listing a product grid asks for: by price, with a
// price and an option filter (scripts/bench.sh runs the same).
const benchSortedQuery = "sort=price&maxPrice=20000&option.color=black"

// BenchmarkGetProduct is GET /api/products/{id}, over the first page's IDs.
func BenchmarkGetProduct(b *testing.B) {
	product := func(b *testing.B, h http.Handler) []string {
		var paths []string
		for _, id := range benchProductIDs(b, h) {
			paths = append(paths, "/api/products/"+id)
		}
		return paths
	}
	b.Run("cached", func(b *testing.B) {
		_, h := benchHandler(b)
		benchGET(b, h, product(b, h), nil)
	})
	b.Run("store", func(b *testing.B) {
		m, h := benchHandler(b)
		benchGET(b, h, product(b, h), func() { m.Clock.Advance(time.Second) })
	})
}

// BenchmarkAddToCart is POST /api/carts/{id}/items with {"sku","quantity":1}.
// Iteration i adds to cart i mod C; each cart cycles through its own window of
// benchLines SKUs, so it never holds more than benchLines lines and no line
// more than benchMaxQty units, and every SKU has at least 99 available.
func BenchmarkAddToCart(b *testing.B) {
	_, h := benchHandler(b)
	benchAddToCart(b, h)
}

// benchAddToCart runs BenchmarkAddToCart on h.
func benchAddToCart(b *testing.B, h http.Handler) {
	const (
		benchLines  = 20 // lines per cart, at most
		benchMaxQty = 50 // units per line, at most (the limit is 99)
	)
	skus := benchSKUs(b, h, 100, 99)
	if len(skus) < benchLines {
		b.Fatalf("only %d SKUs with 99 available, want %d", len(skus), benchLines)
	}
	carts := max(256, (b.N+benchLines*benchMaxQty-1)/(benchLines*benchMaxQty))
	cartPaths := make([]string, carts)
	for i := range cartPaths {
		var c struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(benchCall(b, h, "POST", "/api/carts", "", http.StatusCreated), &c); err != nil {
			b.Fatal(err)
		}
		cartPaths[i] = "/api/carts/" + c.ID + "/items"
	}
	bodies := make([][]byte, len(skus))
	for i, s := range skus {
		bodies[i] = fmt.Appendf(nil, `{"sku":%q,"quantity":1}`, s)
	}

	req, err := http.NewRequest("POST", "http://shopfn"+cartPaths[0], nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	body := bytes.NewReader(nil)
	req.Body = io.NopCloser(body)
	w := newBenchWriter()
	startCounting(b)
	defer reportRequests(b)
	for i := 0; i < b.N; i++ {
		c, round := i%carts, i/carts
		s := (c + round%benchLines) % len(skus)
		req.URL.Path = cartPaths[c]
		body.Reset(bodies[s])
		req.ContentLength = int64(len(bodies[s]))
		w.reset()
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK {
			b.Fatalf("POST %s %s: got %d %s", cartPaths[c], bodies[s], w.status, w.body.Bytes())
		}
	}
}
