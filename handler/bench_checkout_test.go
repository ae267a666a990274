package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/sqlite"
)

// BenchmarkCheckoutHTTP is POST /api/checkout from benchCheckoutClients
// concurrent clients over loopback HTTP, as scripts/bench.sh's checkout
// part drives it (scripts/bench/checkout.lua): each request checks out its
// own pre-created one-unit cart with the test provider's pm_card_visa and
// the Idempotency-Key "bench-<cart ID>". After the timed checkouts it waits
// until the orders queue function placed every paid order and reports
// placed/s, from the start of the checkouts, beside checkouts/s:
//
//	go test ./handler -run '^$' -bench CheckoutHTTP -benchtime 3000x -cpuprofile cpu.out
//
// SHOPFN_QUEUE_CONCURRENCY sets the queue functions' concurrency, as it
// does for shopfn. With SHOPFN_TEST_WRITER_HOLD=1 it also prints how long each kind of
// write held the SQLite writer. SHOPFN_TEST_CPUPROFILE=FILE writes a CPU
// profile of the checkouts and the placing of their orders alone, without
// the set-up that -cpuprofile also samples.
func BenchmarkCheckoutHTTP(b *testing.B) {
	const lines = 20 // SKUs the carts cycle through, as bench.sh's checkout-skus.txt
	p := MustRunMainWith(b, true, func(m *Main) {
		if os.Getenv("SHOPFN_TEST_WRITER_HOLD") != "" {
			m.WriterHold = sqlite.NewWriterHold()
		}
		m.Config.Workers = defaultWorkers // shopfn's, not the tests' 8
		if n, err := strconv.Atoi(os.Getenv("SHOPFN_QUEUE_CONCURRENCY")); err == nil {
			m.Config.Workers = n
		}
	})
	s := e2eShop{p}
	h := p.server.Handler
	skus := benchSKUs(b, h, lines, 99)
	if len(skus) < lines {
		b.Fatalf("only %d SKUs with 99 available, want %d", len(skus), lines)
	}
	for _, sku := range skus {
		s.mustSetStock(b, sku, 1_000_000)
	}
	bodies := make([]string, b.N)
	for i := range bodies {
		var c struct {
			ID string `json:"id"`
		}
		cart := fmt.Sprintf(`{"items":[{"sku":%q,"quantity":1}]}`, skus[i%len(skus)])
		if err := json.Unmarshal(benchCall(b, h, "POST", "/api/carts", cart, http.StatusCreated), &c); err != nil {
			b.Fatal(err)
		}
		bodies[i] = c.ID
	}
	client := benchClient()
	defer client.CloseIdleConnections()
	checkout := func(i int) error {
		cart := bodies[i]
		body := `{"cartId":"` + cart + `","email":"bench@example.com","paymentMethod":"pm_card_visa",` +
			`"shippingAddress":{"name":"Bench","line1":"1 Main St","city":"Springfield","postalCode":"12345","country":"US"}}`
		req, err := http.NewRequest("POST", p.URL+"/api/checkout", strings.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "bench-"+cart)
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("POST /api/checkout: got %d %s, want 201", res.StatusCode, got)
		}
		var r struct {
			OrderID string `json:"orderId"`
		}
		if err := json.Unmarshal(got, &r); err != nil || r.OrderID == "" {
			return fmt.Errorf("POST /api/checkout: no orderId in %s", got)
		}
		return nil
	}
	defer reportWriterHold(b, p)()
	defer benchProfile(b)()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var failed atomic.Int64
	var took, placed time.Duration
	// The timer and the CPU count run until the last order is placed: ns/op
	// and cpu-ns/op are those of a whole checkout, its order placed.
	reportCPU(b, func() {
		var wg sync.WaitGroup
		for range benchCheckoutClients {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < b.N; i = int(next.Add(1) - 1) {
					if err := checkout(i); err != nil && failed.Add(1) <= 3 {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
		took = time.Since(start)
		if n := failed.Load(); n > 0 {
			b.Fatalf("%d of %d checkouts failed", n, b.N)
		}
		for deadline := time.Now().Add(2 * time.Minute); benchPlacedCount(b, p) < b.N; {
			if time.Now().After(deadline) {
				b.Fatalf("orders not all placed within 2 minutes of %d checkouts", b.N)
			}
			time.Sleep(5 * time.Millisecond)
		}
		placed = time.Since(start)
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/took.Seconds(), "checkouts/s")
	b.ReportMetric(float64(b.N)/placed.Seconds(), "placed/s")
}

// benchCheckoutClients is the number of concurrent buyers, as bench.sh's
// wrk -c32 checkout run.
const benchCheckoutClients = 32

// benchPlacedCount counts the orders placed, in the embedded file itself:
// polling it costs the program almost nothing.
func benchPlacedCount(b *testing.B, p *Program) int {
	b.Helper()
	var n int
	if err := p.db.Read.QueryRow(`SELECT COUNT(*) FROM orders WHERE status = 'placed'`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// benchProfile, with SHOPFN_TEST_CPUPROFILE set, starts a CPU profile into
// that file and returns the func that stops it.
func benchProfile(b *testing.B) func() {
	path := os.Getenv("SHOPFN_TEST_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Error(err)
		}
	}
}
