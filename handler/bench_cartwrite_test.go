package main

// Concurrent write benchmarks over loopback HTTP: many clients at once, as
// scripts/bench.sh's wrk runs drive them, so that the embedded store's one
// SQLite writer is shared the way it is in production. The client runs in
// the same process, so ns/op includes its cost; compare runs of the same
// benchmark, and read a CPU profile (-cpuprofile) for where the server's
// time goes:
//
//	go test ./handler -run '^$' -bench 'CartWritesHTTP' -benchtime 20000x -cpuprofile cpu.out
//
// With SHOPFN_TEST_WRITER_HOLD=1 each benchmark also prints how long each
// kind of write held the SQLite writer (sqlite.WriterHold).

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/sqlite"
)

// benchClients is the number of concurrent clients, as wrk -c64.
const benchClients = 64

// benchClient returns an HTTP client that keeps benchClients connections
// open to one host and does not check the contract (the e2e tests do).
func benchClient() *http.Client {
	return &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: benchClients, MaxConnsPerHost: benchClients},
	}
}

// benchParallel runs do b.N times from benchClients goroutines, passing
// each call its iteration number.
func benchParallel(b *testing.B, do func(i int) error) {
	b.Helper()
	var next atomic.Int64
	var failed atomic.Int64
	b.SetParallelism((benchClients + 1) / 2) // GOMAXPROCS is 2 on the bench machine
	b.ReportAllocs()
	b.ResetTimer()
	reportCPU(b, func() { // the process's CPU time: load on a shared machine moves it far less than ns/op
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := do(int(next.Add(1) - 1)); err != nil {
					if failed.Add(1) <= 3 {
						b.Error(err)
					}
				}
			}
		})
	})
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed", n, b.N)
	}
}

// benchPost POSTs body to url and fails unless the status is want.
func benchPost(c *http.Client, url, body string, want int) error {
	res, err := c.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return err
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != want {
		return fmt.Errorf("POST %s %s: got %d %s, want %d", url, body, res.StatusCode, b, want)
	}
	return nil
}

// BenchmarkCartWritesHTTP is POST /api/carts/{id}/items with
// {"sku","quantity":1} from benchClients concurrent clients over loopback
// HTTP, as scripts/bench/cart.lua: request i adds to cart i mod C, and each
// cart cycles through its own window of 20 SKUs.
func BenchmarkCartWritesHTTP(b *testing.B) {
	const (
		lines  = 20 // lines per cart, at most
		maxQty = 50 // units per line, at most (the limit is 99)
	)
	p := benchWritesMain(b)
	h := p.server.Handler
	skus := benchSKUs(b, h, 100, 99)
	if len(skus) < lines {
		b.Fatalf("only %d SKUs with 99 available, want %d", len(skus), lines)
	}
	carts := max(512, (b.N+lines*maxQty-1)/(lines*maxQty))
	urls := make([]string, carts)
	for i := range urls {
		var c struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(benchCall(b, h, "POST", "/api/carts", "", http.StatusCreated), &c); err != nil {
			b.Fatal(err)
		}
		urls[i] = p.URL + "/api/carts/" + c.ID + "/items"
	}
	bodies := make([]string, len(skus))
	for i, s := range skus {
		bodies[i] = fmt.Sprintf(`{"sku":%q,"quantity":1}`, s)
	}
	client := benchClient()
	defer client.CloseIdleConnections()
	defer reportWriterHold(b, p)()
	benchParallel(b, func(i int) error {
		c, round := i%carts, i/carts
		return benchPost(client, urls[c], bodies[(c+round%lines)%len(skus)], http.StatusOK)
	})
}

// benchWritesMain starts the program with the sample catalog; with
// SHOPFN_TEST_WRITER_HOLD=1 it times every hold of the SQLite writer.
func benchWritesMain(b *testing.B) *Program {
	return MustRunMainWith(b, true, func(m *Main) {
		if os.Getenv("SHOPFN_TEST_WRITER_HOLD") != "" {
			m.WriterHold = sqlite.NewWriterHold()
		}
	})
}

// reportWriterHold, when p times its writer, starts the window again and
// returns a func that prints where the writer's time went.
func reportWriterHold(b *testing.B, p *Program) func() {
	if p.WriterHold == nil {
		return func() {}
	}
	p.WriterHold.Reset()
	return func() {
		var s strings.Builder
		p.WriterHold.Print(&s)
		b.Logf("b.N=%d\n%s", b.N, s.String())
	}
}
