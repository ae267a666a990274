package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/faultproxy"
)

// This file is the fault-injection suite: the money path's scenarios run
// with catalog and carts on the Cosmos DB peer, queues on the Service Bus
// peer, payments on the fake Stripe and telemetry to an OTLP receiver,
// each behind a fault proxy (e2e_faultrig_test.go), while the proxies
// inject one fault after another. After each fault clears, the shop must
// recover and every money invariant hold.

// faultWindow is how long each fault lasts; clients keep retrying past it.
const faultWindow = 1500 * time.Millisecond

// faultCase is one fault, applied to every peer at once.
type faultCase struct {
	name string
	tcp  faultproxy.Fault // on every TCP proxy
	// cosmos, when set, is answered by Cosmos DB's HTTP layer instead.
	cosmos *faultproxy.Rule
}

// faultCases is the matrix's fault axis: each TCP fault on every peer, and
// Cosmos DB answering 503 or 429 itself. A payment outage (Stripe
// answering 503) runs in every window: it is a scenario's premise.
var faultCases = []faultCase{
	{name: "Cosmos503", cosmos: &faultproxy.Rule{Status: 503, Body: `{"code":"ServiceUnavailable","message":"Service is currently unavailable."}`}},
	{name: "Cosmos429", cosmos: &faultproxy.Rule{Status: 429, Header: http.Header{"X-Ms-Retry-After-Ms": {"100"}}, Body: `{"code":"TooManyRequests","message":"Request rate is large"}`}},
	{name: "Latency", tcp: faultproxy.Fault{Kind: faultproxy.Latency, Latency: 150 * time.Millisecond}},
	{name: "Stall", tcp: faultproxy.Fault{Kind: faultproxy.Stall}},
	{name: "Reset", tcp: faultproxy.Fault{Kind: faultproxy.Reset, After: 64}},
	{name: "Refuse", tcp: faultproxy.Fault{Kind: faultproxy.Refuse}},
	{name: "Bandwidth", tcp: faultproxy.Fault{Kind: faultproxy.Bandwidth, BytesPerSecond: 16 << 10}},
}

// faultTotals are the suite's figures, logged at its end.
type faultTotals struct {
	mu                                                              sync.Mutex
	faults, requests, unavailable, checkouts, paid, orders, refunds int
}

func TestE2EFaults(t *testing.T) {
	stores := []struct{ name, dsn, skip string }{{name: "SQLite"}}
	if dsn := os.Getenv("SHOPFN_TEST_SQLSERVER_DSN"); dsn != "" {
		stores = append(stores, struct{ name, dsn, skip string }{name: "SQLServer", dsn: dsn})
	} else {
		stores = append(stores, struct{ name, dsn, skip string }{name: "SQLServer",
			skip: "SHOPFN_TEST_SQLSERVER_DSN is not set: the fault suite runs on SQL Server only against a real server (a database it may write to)"})
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			if st.skip != "" {
				t.Skip(st.skip)
			}
			var tot faultTotals
			for _, fc := range faultCases {
				t.Run(fc.name, func(t *testing.T) { runFaultCase(t, fc, st.dsn, &tot) })
			}
			t.Logf("fault suite on %s: %d fault cases, %d faults injected (a TCP fault on each of 4 peers, or Cosmos DB's own 503 or 429, and a Stripe outage, per case), "+
				"%d requests to shopfn, %d answered 503 with Retry-After, %d checkouts attempted, %d paid, %d orders, %d refunds",
				st.name, len(faultCases), tot.faults, tot.requests, tot.unavailable, tot.checkouts, tot.paid, tot.orders, tot.refunds)
		})
	}
}

// faultRun is one fault case's program and what its clients saw.
type faultRun struct {
	t        *testing.T
	s        e2eShop
	rig      *faultRig
	log      faultLog
	deadline time.Time // clients give up retrying then

	mu        sync.Mutex
	checkouts int           // checkout requests, retries included
	paid      []moneyResult // 201s
	stocked   map[string]int64
}

// checkout checks a cart out with key until an answer other than 503,
// and returns it (nil when none came).
func (r *faultRun) checkout(cart, key string) *Response {
	res := r.log.call(r.t, r.s, r.deadline, "POST", "/api/checkout", moneyNewRequest(cart, "pm_card_visa"), "Idempotency-Key", key)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checkouts++
	if res != nil && res.Status == 201 {
		var p moneyResult
		res.JSON(r.t, &p)
		r.paid = append(r.paid, p)
	}
	return res
}

// product creates a product with stock, before the fault.
func (r *faultRun) product(sku string, stock int64) {
	r.s.mustStockedProduct(r.t, strings.ToLower(sku), sku, 1000, stock)
	r.stocked[sku] = stock
}

// carts creates n carts of qty units of sku, before the fault.
func (r *faultRun) carts(n int, sku string, qty int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = r.s.moneyCart(r.t, e2eLine{sku, qty})
	}
	return out
}

// runFaultCase starts a program on the rig, sets the scenarios up, injects
// fc for faultWindow while they run, and checks recovery and invariants.
func runFaultCase(t *testing.T, fc faultCase, sqlDSN string, tot *faultTotals) {
	rig := newFaultRig(t)
	s := startServiceBus(t, func(m *Main) {
		rig.configure(m, sqlDSN)
		m.Middleware = moneyTwice() // every message handled twice at once, on top of the faults
	})
	rig.fake.shop.Store(&s.URL)
	r := &faultRun{t: t, s: s, rig: rig, stocked: map[string]int64{}}

	// Before the fault: products, stock, carts, and the orders the
	// cancel/fulfil race will fight over.
	r.product("FLT-CANARY", 100)
	r.product("FLT-FLASH", 5)
	r.product("FLT-PAY", 100)
	r.product("FLT-RD-A", 50)
	r.product("FLT-RD-C", 0)
	r.stocked["FLT-RD-C"] = 40 // the ERP's newer count, sent during the fault
	r.product("FLT-RACE", 20)
	flash, pay, redeliver := r.carts(25, "FLT-FLASH", 1), r.carts(6, "FLT-PAY", 1), r.carts(8, "FLT-RD-A", 2)
	r.deadline = time.Now().Add(time.Minute)
	var raced []string
	for i, cart := range r.carts(4, "FLT-RACE", 1) {
		p := moneyWantPaid(t, "checkout before the race", r.checkout(cart, fmt.Sprintf("flt-race-%d", i)))
		s.moneyWaitOrder(t, p.OrderID, "placed")
		raced = append(raced, p.OrderID)
	}

	// The fault, and a payment outage, for faultWindow.
	tot.mu.Lock()
	if fc.cosmos != nil {
		rig.cosmosHTTP.Add(*fc.cosmos)
		tot.faults++
	} else {
		for _, p := range rig.proxies() {
			if err := p.Set(fc.tcp); err != nil {
				t.Fatal(err)
			}
			tot.faults++
		}
	}
	rig.stripeHTTP.Add(faultproxy.Rule{Status: 503, Body: `{"error":{"type":"api_error","message":"Stripe is down"}}`})
	tot.faults++
	tot.mu.Unlock()
	injected := time.Now()
	cleared := make(chan struct{})
	time.AfterFunc(faultWindow, func() {
		rig.cosmosHTTP.Clear()
		rig.stripeHTTP.Clear()
		for name, p := range rig.proxies() {
			if err := p.Set(faultproxy.Fault{}); err != nil {
				t.Errorf("clear the fault on %s: %v", name, err)
			}
		}
		close(cleared)
	})

	var wg sync.WaitGroup
	go1 := func(f func()) { wg.Add(1); go func() { defer wg.Done(); f() }() }
	// The flash sale: 25 buyers, 5 units.
	flashRes := make([]*Response, len(flash))
	for i, cart := range flash {
		go1(func() { flashRes[i] = r.checkout(cart, fmt.Sprintf("flt-flash-%d", i)) })
	}
	// Checkouts retried after the payment outage: every one is paid.
	payRes := make([]*Response, len(pay))
	for i, cart := range pay {
		go1(func() { payRes[i] = r.checkout(cart, fmt.Sprintf("flt-pay-%d", i)) })
	}
	// Redelivery: checkouts whose every message is handled twice, and an
	// ERP's stock levels sent newest first.
	for i, cart := range redeliver {
		go1(func() { r.checkout(cart, fmt.Sprintf("flt-rd-%d", i)) })
	}
	go1(func() {
		for _, l := range []struct{ seq, onHand int64 }{{2, 40}, {1, 7}} {
			body, _ := json.Marshal(map[string]any{"type": "StockLevelSet", "sku": "FLT-RD-C", "onHand": l.onHand, "source": "erp", "sequence": l.seq})
			m := commerce.Message{ID: fmt.Sprintf("flt-erp-%d", l.seq), Type: commerce.MsgStockLevelSet, Body: body}
			for s.queue.Publish(context.Background(), commerce.QueueInventory, m) != nil && time.Now().Before(r.deadline) {
				time.Sleep(100 * time.Millisecond) // Service Bus is down: the ERP sends it again
			}
		}
	})
	// The cancel/fulfil race: each placed order cancelled and fulfilled at once.
	raceRan := faultRace(r, raced, go1)
	wg.Wait()
	<-cleared

	// Every client has its answer. The shop recovers: ready, and a new
	// buyer's checkout placed.
	moneyWait(t, "recovery", func() (bool, string) {
		if time.Since(injected) > time.Minute {
			t.Fatalf("not recovered a minute after the fault was injected")
		}
		ready, err := s.send("GET", "/healthz/ready", nil)
		if err != nil || ready.Status != 200 {
			time.Sleep(200 * time.Millisecond)
			return false, fmt.Sprintf("ready: %v %v", ready, err)
		}
		return true, ""
	})
	canary := r.checkout(s.moneyCart(t, e2eLine{"FLT-CANARY", 1}), "flt-canary")
	moneyWantPaid(t, "checkout after the fault", canary)
	t.Logf("%s: recovered %v after the fault cleared", fc.name, (time.Since(injected) - faultWindow).Round(10*time.Millisecond))

	r.wantSettled()
	r.wantInvariants(raced, raceRan)
	paid, short := 0, 0
	for i, res := range flashRes {
		switch {
		case res == nil:
		case res.Status == 201:
			paid++
		case res.Status == 409:
			short++
			e2eWantProblem(t, fmt.Sprintf("flash buyer %d", i), res, 409, "insufficient_stock")
		default:
			t.Errorf("flash buyer %d: got %d %s, want 201 or 409 insufficient_stock", i, res.Status, res.Body)
		}
	}
	if paid != 5 || short != 20 {
		t.Errorf("flash sale: %d paid and %d insufficient_stock, want 5 and 20", paid, short)
	}
	for i, res := range payRes {
		if res == nil || res.Status != 201 {
			t.Errorf("buyer %d after the payment outage: got %v, want 201 once Stripe was back", i, res)
		}
	}
	if got := s.moneySettledStock(t, "FLT-RD-C"); got.OnHand != 40 {
		t.Errorf("FLT-RD-C after stock levels 2 then 1: on hand %d, want 40 (the newer)", got.OnHand)
	}

	tot.mu.Lock()
	tot.requests += r.log.requests
	tot.unavailable += r.log.byStatus[503]
	tot.checkouts += r.checkouts
	tot.paid += len(r.paid)
	tot.mu.Unlock()
	t.Logf("%s: %d requests (%v by status), %d checkouts attempted, %d paid", fc.name, r.log.requests, r.log.byStatus, r.checkouts, len(r.paid))
	r.tally(tot)
}
