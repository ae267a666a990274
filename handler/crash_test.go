package main

import (
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// This file holds the crash tests and their run; the rig is in
// crash_rig_test.go, the checkouts' ledger in crash_ledger_test.go and the
// final checks in crash_check_test.go.

// The crash test's shop: crashSKUs with crashStock units on hand. Two SKUs
// last the whole test; the third sells out in the first rounds, so that
// checkouts also race for the last units and some fail with 409.
var (
	crashSKUs  = []string{"CRASH-A", "CRASH-B", "CRASH-C"}
	crashStock = map[string]int{"CRASH-A": 3000, "CRASH-B": 3000, "CRASH-C": 120}
)

const (
	crashKills    = 5 // rounds that end in SIGKILL; one more round ends cleanly
	crashBuyers   = 8
	crashAdminKey = "G6e7yg3CjPZ0FVJqTIUUySM7uqCTlK6Q-28LXdJkJ5s"
	// crashDrain bounds the wait for every paid order to be placed after the
	// last start. An OrderPlaced message that a killed process had received
	// stays locked for the embedded queue's lock duration (30 s, as on
	// Service Bus) before it is delivered again, so the bound must exceed it.
	crashDrain = 45 * time.Second
)

// TestCrashCheckout runs the real binary as a process, kills it with SIGKILL
// at random moments while buyers check out, restarts it on the same data
// directory, and has every buyer whose checkout had an unknown outcome retry
// it with the same Idempotency-Key. In the end every checkout that answered
// 201 has exactly one placed order, no key has two orders, and the stock adds
// up: available + sold == initial for every SKU, so no reservation is left
// held and nothing was sold twice.
func TestCrashCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the crash test (builds the binary and kills it repeatedly) in -short mode")
	}
	crashRun(t)
}

// TestCrashCheckoutServiceBus is TestCrashCheckout with the queues on
// Service Bus (the peer): a killed process's locked messages come back
// when their lock expires.
func TestCrashCheckoutServiceBus(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the crash test (builds the binary and kills it repeatedly) in -short mode")
	}
	if sbPeer == nil {
		t.Skip(sbPeerMissing)
	}
	sbMu.Lock()
	defer sbMu.Unlock()
	if err := sbPeer.Reset(); err != nil {
		t.Fatal(err)
	}
	crashRun(t, "SHOPFN_QUEUE=servicebus", "ServiceBusConnection="+sbPeer.ConnectionString())
}

// crashRun runs the crash test with the extra environment env.
func crashRun(t *testing.T, env ...string) { crashRunShop(t, false, env...) }

// crashRunShop runs the crash test, with the stock spread over three
// locations when locations is set (crash_locations_test.go).
func crashRunShop(t *testing.T, locations bool, env ...string) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	rig := crashNewRig(t, env...)

	if locations {
		rig.countries = crashCountries
	}
	rig.start()
	for i, sku := range crashSKUs {
		rig.must("POST", "/api/admin/products", productJSON("crash-"+strconv.Itoa(i), sku), 201)
		if locations {
			rig.stockLocations(sku)
			continue
		}
		rig.must("PUT", "/api/admin/inventory/"+sku, []byte(`{"onHand":`+strconv.Itoa(crashStock[sku])+`}`), 200)
	}

	ledger := &crashLedger{}
	var hits, cut int64
	for round := 1; round <= crashKills; round++ {
		if round > 1 {
			rig.start()
		}
		var stop atomic.Bool
		var inflight, refused, cutNow atomic.Int64
		var wg sync.WaitGroup
		for b := range crashBuyers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				brng := rand.New(rand.NewPCG(seed, uint64(round*100+b+1)))
				for !stop.Load() {
					c := ledger.takePending()
					if c == nil {
						if c = rig.newCheckout(brng, round, b); c == nil {
							continue
						}
						ledger.add(c)
					}
					inflight.Add(1)
					a := rig.attempt(c, round)
					inflight.Add(-1)
					switch {
					case a.refused:
						refused.Add(1)
					case a.status == 0:
						cutNow.Add(1)
					}
					if ledger.record(c, a) && a.status != 0 {
						time.Sleep(20 * time.Millisecond) // in progress: give it a moment
					}
				}
			}()
		}
		time.Sleep(time.Duration(50+rng.IntN(351)) * time.Millisecond)
		stop.Store(true) // no new requests; those in flight meet the kill
		now := inflight.Load()
		rig.kill()
		wg.Wait()
		hits += now
		cut += cutNow.Load()
		t.Logf("round %d: SIGKILL with %d checkouts in flight; %d cut off, %d refused after; %d checkouts so far, %d unknown",
			round, now, cutNow.Load(), refused.Load(), ledger.count(), len(ledger.pending))
	}

	// The last start: no kill. Every unknown outcome is retried until it is settled.
	rig.start()
	unknown := len(ledger.pending)
	rig.settle(ledger, crashKills+1, 20*time.Second)
	if len(ledger.pending) > 0 {
		for _, c := range ledger.pending {
			t.Errorf("key %s: still unsettled after retries: %s", c.key, c.history())
		}
		t.FailNow()
	}

	s := ledger.summary()
	t.Logf("%d checkouts: %d paid, %d declined, %d out of stock, %d other; %d kills, %d checkouts in flight at a kill, %d cut off; %d unknown before the last start",
		len(ledger.all), s.paid, s.declined, s.short, s.other, crashKills, hits, cut, unknown)
	t.Logf("outcomes of checkouts retried after an unknown outcome: %d paid, %d declined, %d out of stock (%d retries in all)",
		s.retriedPaid, s.retriedDeclined, s.retriedShort, s.retries)
	if hits == 0 {
		t.Errorf("no kill hit a checkout in flight; the test did not exercise a crash")
	}
	for _, c := range ledger.all {
		if c.outcome == "other" {
			t.Errorf("key %s: unexpected outcome: %s", c.key, c.history())
		}
	}

	rig.checkKeys(ledger)
	rig.checkReplays(ledger)
	placed := rig.waitPlaced(ledger, crashDrain)
	rig.checkOrderList(ledger)
	rig.checkStock(ledger, placed)
	if locations {
		rig.checkLocations()
	}
	rig.checkDeadLetters()
	rig.checkCharges()
}

// checkCharges checks, on the binary's own file, that every successful
// charge is one placed order or one recorded refund.
func (r *crashRig) checkCharges() {
	r.t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(r.dataDir, "shopfn.db")+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		r.t.Fatal(err)
	}
	defer db.Close()
	r.t.Logf("%d successful charges, each one placed order or one recorded refund", moneyWantChargesSettled(r.t, db))
}
