package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

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
	crashAdminKey = "crash-admin-key-0123456789"
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
func crashRun(t *testing.T, env ...string) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	rig := crashNewRig(t, env...)

	rig.start()
	for i, sku := range crashSKUs {
		rig.must("POST", "/api/admin/products", productJSON("crash-"+strconv.Itoa(i), sku), 201)
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

// crashRig is the binary under test across its restarts.
type crashRig struct {
	t      *testing.T
	bin    string
	env    []string
	base   string
	out    *lockedBuffer
	cmd    *exec.Cmd
	exited chan error
	client *http.Client
	// dataDir holds the binary's SQLite file, read at the end.
	dataDir string
}

func crashNewRig(t *testing.T, extra ...string) *crashRig {
	t.Helper()
	bin := mustBuildBinary(t)
	port := freePort(t)
	dataDir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SHOPFN_") && !strings.HasPrefix(kv, "FUNCTIONS_") && !strings.HasPrefix(kv, "STRIPE_") &&
			!strings.HasPrefix(kv, "RESERVATION_") && !strings.HasPrefix(kv, "CART_TTL") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"SHOPFN_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"SHOPFN_DATA_DIR="+dataDir,
		"SHOPFN_ADMIN_KEY="+crashAdminKey,
		"SHOPFN_SEED=false",
		"SHOPFN_RATE_LIMIT=0", // the load comes from one address
		"RESERVATION_TTL_MINUTES=1",
		"SHOPFN_MAX_ACTION_CHECKOUTS=0", // every buyer here is one client address
	)
	env = append(env, extra...)
	env = append(env, testDocumentsEnv()...)
	r := &crashRig{t: t, bin: bin, env: env, base: "http://127.0.0.1:" + strconv.Itoa(port), out: &lockedBuffer{}, dataDir: dataDir}
	watchContract(t, r.base)
	t.Cleanup(func() {
		if r.cmd != nil {
			r.cmd.Process.Kill()
			<-r.exited
		}
		if t.Failed() {
			t.Logf("handler output (tail):\n%s", r.out.tail(6000))
		}
	})
	return r
}

// start starts the binary and waits until /api/health answers 200.
func (r *crashRig) start() {
	r.t.Helper()
	cmd := exec.Command(r.bin)
	cmd.Env = r.env
	cmd.Stdout, cmd.Stderr = r.out, r.out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.cmd, r.exited = cmd, make(chan error, 1)
	go func() { r.exited <- cmd.Wait() }()
	r.client = &http.Client{Timeout: 20 * time.Second, Transport: contractTransport{&http.Transport{MaxIdleConnsPerHost: 2 * crashBuyers}}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res := r.do("GET", "/api/health", nil)
		if res.status == 200 {
			return
		}
		select {
		case err := <-r.exited:
			r.cmd = nil
			r.t.Fatalf("handler exited before /api/health answered: %v\n%s", err, r.out.tail(3000))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("GET /api/health did not answer 200 within 30s: last %d %v", res.status, res.err)
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (r *crashRig) kill() {
	r.t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		r.t.Fatal(err)
	}
	<-r.exited
	r.cmd = nil
	r.client.CloseIdleConnections()
}

// crashResponse is a response read whole, or the transport error.
type crashResponse struct {
	status int // 0 when err is set
	body   []byte
	err    error
}

// do sends a request; it is safe to call from many goroutines.
func (r *crashRig) do(method, path string, body []byte, header ...string) crashResponse {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, r.base+path, rd)
	if err != nil {
		return crashResponse{err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		// net/http would silently resend a POST carrying an Idempotency-Key
		// when its kept-alive connection breaks; each attempt here is to be
		// one request, so that a kill shows as a transport error.
		req.GetBody = nil
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := r.client.Do(req)
	if err != nil {
		return crashResponse{err: err}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return crashResponse{err: err}
	}
	return crashResponse{status: res.StatusCode, body: data}
}

// must sends an admin request and fails the test unless it answers want.
func (r *crashRig) must(method, path string, body []byte, want int) []byte {
	r.t.Helper()
	res := r.do(method, path, body, "x-functions-key", crashAdminKey)
	if res.status != want {
		r.t.Fatalf("%s %s: got %d %s (%v), want %d", method, path, res.status, res.body, res.err, want)
	}
	return res.body
}

// crashCheckout is one buyer's checkout: its request, every attempt, and
// where it ended.
type crashCheckout struct {
	key      string
	body     []byte
	lines    map[string]int
	attempts []crashAttempt
	// outcome is "" while unknown, else paid, declined, short or other.
	outcome string
	orderID string // of the first 201
}

// crashAttempt is one POST /api/checkout of a checkout.
type crashAttempt struct {
	round   int
	status  int // 0: no response
	code    string
	orderID string
	refused bool // the connection was refused: the request never left
	err     string
}

func (c *crashCheckout) history() string {
	var b strings.Builder
	fmt.Fprintf(&b, "lines %v; attempts:", c.lines)
	for _, a := range c.attempts {
		fmt.Fprintf(&b, " [round %d: %d %s order=%s %s]", a.round, a.status, a.code, a.orderID, a.err)
	}
	return b.String()
}

// newCheckout creates a cart of 1-2 units of 1-2 SKUs and the checkout
// request for it; nil if the cart could not be made.
func (r *crashRig) newCheckout(rng *rand.Rand, round, buyer int) *crashCheckout {
	lines := map[string]int{}
	var items []map[string]any
	for _, i := range rng.Perm(len(crashSKUs))[:1+rng.IntN(2)] {
		q := 1 + rng.IntN(2)
		lines[crashSKUs[i]] = q
		items = append(items, map[string]any{"sku": crashSKUs[i], "quantity": q})
	}
	body, _ := json.Marshal(map[string]any{"items": items})
	res := r.do("POST", "/api/carts", body)
	var cart struct{ ID string }
	if res.status != 201 || json.Unmarshal(res.body, &cart) != nil || cart.ID == "" {
		return nil
	}
	pm := "pm_card_visa"
	if rng.IntN(5) == 0 {
		pm = "pm_card_chargeDeclined"
	}
	req, _ := json.Marshal(map[string]any{
		"cartId": cart.ID, "email": "buyer@example.com", "paymentMethod": pm,
		"shippingAddress": map[string]string{"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": "US"},
	})
	key := fmt.Sprintf("crash-%d-%d-%d-%x", round, buyer, time.Now().UnixNano(), rng.Uint32())
	return &crashCheckout{key: key, body: req, lines: lines}
}

// attempt POSTs a checkout's request with its key once.
func (r *crashRig) attempt(c *crashCheckout, round int) crashAttempt {
	res := r.do("POST", "/api/checkout", c.body, "Idempotency-Key", c.key)
	a := crashAttempt{round: round, status: res.status}
	if res.err != nil {
		a.err = res.err.Error()
		a.refused = errors.Is(res.err, syscall.ECONNREFUSED)
		return a
	}
	var out struct {
		OrderID string `json:"orderId"`
		Code    string `json:"code"`
	}
	json.Unmarshal(res.body, &out)
	a.code, a.orderID = out.Code, out.OrderID
	if a.code == "" && a.status >= 400 {
		a.code = string(res.body)
	}
	return a
}

// crashLedger holds every checkout and those whose outcome is unknown.
type crashLedger struct {
	mu      sync.Mutex
	all     []*crashCheckout
	pending []*crashCheckout
}

func (l *crashLedger) add(c *crashCheckout) {
	l.mu.Lock()
	l.all = append(l.all, c)
	l.mu.Unlock()
}

func (l *crashLedger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.all)
}

func (l *crashLedger) takePending() *crashCheckout {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) == 0 {
		return nil
	}
	c := l.pending[0]
	l.pending = l.pending[1:]
	return c
}

// record files an attempt's result and reports whether the outcome is still
// unknown (the checkout then waits to be retried).
func (l *crashLedger) record(c *crashCheckout, a crashAttempt) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	c.attempts = append(c.attempts, a)
	switch {
	case a.status == 201:
		c.outcome, c.orderID = "paid", a.orderID
	case a.status == 402:
		c.outcome = "declined"
	case a.status == 409 && a.code == "insufficient_stock":
		c.outcome = "short"
	case a.status == 0, a.status == 202, a.status >= 500, a.status == 409 && a.code == "checkout_in_progress":
		l.pending = append(l.pending, c)
		return true
	default:
		c.outcome = "other"
	}
	return false
}

// settle retries every unknown outcome, with up to eight at once, until
// none is left or the time is up.
func (r *crashRig) settle(l *crashLedger, round int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	var wg sync.WaitGroup
	for range crashBuyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				c := l.takePending()
				if c == nil {
					return
				}
				if l.record(c, r.attempt(c, round)) {
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
}

type crashSummary struct {
	paid, declined, short, other                        int
	retriedPaid, retriedDeclined, retriedShort, retries int
}

func (l *crashLedger) summary() crashSummary {
	var s crashSummary
	for _, c := range l.all {
		retried := len(c.attempts) > 1
		s.retries += len(c.attempts) - 1
		switch c.outcome {
		case "paid":
			s.paid++
			if retried {
				s.retriedPaid++
			}
		case "declined":
			s.declined++
			if retried {
				s.retriedDeclined++
			}
		case "short":
			s.short++
			if retried {
				s.retriedShort++
			}
		default:
			s.other++
		}
	}
	return s
}

// checkKeys checks that no key saw two order IDs and no order ID two keys.
func (r *crashRig) checkKeys(l *crashLedger) {
	t := r.t
	byOrder := map[string]string{}
	for _, c := range l.all {
		seen := map[string]bool{}
		for _, a := range c.attempts {
			if a.orderID != "" {
				seen[a.orderID] = true
			}
		}
		if len(seen) > 1 {
			t.Errorf("key %s: got %d order IDs, want one: %s", c.key, len(seen), c.history())
		}
		if c.outcome == "paid" && c.orderID == "" {
			t.Errorf("key %s: 201 without an orderId: %s", c.key, c.history())
		}
		for id := range seen {
			if other, ok := byOrder[id]; ok && other != c.key {
				t.Errorf("order %s: answered to keys %s and %s, want one", id, other, c.key)
			}
			byOrder[id] = c.key
		}
	}
}

// checkReplays sends every settled paid or declined checkout again with its
// key: the answer must be the first one.
func (r *crashRig) checkReplays(l *crashLedger) {
	t := r.t
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan *crashCheckout)
	for range crashBuyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				a := r.attempt(c, -1)
				want := map[string]int{"paid": 201, "declined": 402}[c.outcome]
				if a.status != want || a.orderID != c.orderID {
					mu.Lock()
					t.Errorf("key %s: replay got %d %s order=%q %s, want %d order=%q; %s",
						c.key, a.status, a.code, a.orderID, a.err, want, c.orderID, c.history())
					mu.Unlock()
				}
			}
		}()
	}
	for _, c := range l.all {
		if c.outcome == "paid" || c.outcome == "declined" {
			work <- c
		}
	}
	close(work)
	wg.Wait()
}

// crashOrder is an order as the API shows it.
type crashOrder struct {
	ID         string `json:"id"`
	CheckoutID string `json:"checkoutId"`
	Status     string `json:"status"`
	Items      []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	} `json:"items"`
}

// waitPlaced polls GET /api/orders/{id} of every paid checkout until it is
// placed, within limit in all, and returns the orders by ID. An order whose
// OrderPlaced message was in the hands of a killed process waits for the
// embedded queue's message lock (30 s, as on Service Bus) to run out, so
// limit must be longer than that.
func (r *crashRig) waitPlaced(l *crashLedger, limit time.Duration) map[string]crashOrder {
	t := r.t
	start := time.Now()
	deadline := start.Add(limit)
	waiting := map[string]*crashCheckout{}
	for _, c := range l.all {
		if c.outcome == "paid" {
			waiting[c.orderID] = c
		}
	}
	placed := map[string]crashOrder{}
	late := map[string]time.Duration{} // placed more than 5 s after the wait began
	last := map[string]crashResponse{}
	for len(waiting) > 0 && time.Now().Before(deadline) {
		for id, c := range waiting {
			res := r.do("GET", "/api/orders/"+id, nil)
			last[id] = res
			var o crashOrder
			if res.status != 200 || json.Unmarshal(res.body, &o) != nil || o.Status != "placed" {
				continue
			}
			placed[id] = o
			delete(waiting, id)
			if d := time.Since(start); d > 5*time.Second {
				late[id] = d.Round(100 * time.Millisecond)
			}
			if got := crashQuantities(o); !crashSameLines(got, c.lines) {
				t.Errorf("order %s of key %s: lines %v, want the cart's %v", id, c.key, got, c.lines)
			}
		}
		if len(waiting) > 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	for id, c := range waiting {
		res := last[id]
		t.Errorf("order %s of key %s: GET got %d %s (%v), want placed within %v; %s",
			id, c.key, res.status, res.body, res.err, limit, c.history())
	}
	t.Logf("%d orders placed; the queues drained %v after the last checkout settled", len(placed), time.Since(start).Round(time.Millisecond))
	if len(late) > 0 {
		t.Logf("%d orders were placed only after their message lock, taken by a killed process, ran out: %v", len(late), late)
	}
	return placed
}

// checkOrderList pages through GET /api/admin/orders: each paid checkout's
// order is there exactly once, and no other order is.
func (r *crashRig) checkOrderList(l *crashLedger) {
	t := r.t
	listed := map[string]int{}
	cursor := ""
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatalf("GET /api/admin/orders: more than 1000 pages")
		}
		path := "/api/admin/orders?limit=100"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var p struct {
			Items      []crashOrder `json:"items"`
			NextCursor *string      `json:"nextCursor"`
		}
		if err := json.Unmarshal(r.must("GET", path, nil, 200), &p); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		for _, o := range p.Items {
			listed[o.ID]++
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	paid := map[string]string{}
	for _, c := range l.all {
		if c.outcome == "paid" {
			paid[c.orderID] = c.key
			if n := listed[c.orderID]; n != 1 {
				t.Errorf("order %s of key %s: listed %d times, want 1; %s", c.orderID, c.key, n, c.history())
			}
		}
	}
	for id, n := range listed {
		if _, ok := paid[id]; !ok {
			res := r.do("GET", "/api/orders/"+id, nil)
			t.Errorf("order %s is listed %d times but no checkout answered 201 with it: %d %s", id, n, res.status, res.body)
		}
	}
	t.Logf("GET /api/admin/orders lists %d orders; %d checkouts answered 201", len(listed), len(paid))
}

// checkStock checks available + sold == initial for every SKU, from the
// placed orders and from the buyers' paid carts, and that the stored counts
// match them: on hand the initial count, committed what was sold, nothing
// reserved.
func (r *crashRig) checkStock(l *crashLedger, placed map[string]crashOrder) {
	t := r.t
	soldByOrders := map[string]int{}
	for _, o := range placed {
		for sku, q := range crashQuantities(o) {
			soldByOrders[sku] += q
		}
	}
	soldByBuyers := map[string]int{}
	for _, c := range l.all {
		if c.outcome == "paid" {
			for sku, q := range c.lines {
				soldByBuyers[sku] += q
			}
		}
	}
	for _, sku := range crashSKUs {
		res := r.do("GET", "/api/inventory/"+sku, nil)
		var inv struct{ Available *int }
		if res.status != 200 || json.Unmarshal(res.body, &inv) != nil || inv.Available == nil {
			t.Errorf("GET /api/inventory/%s: got %d %s (%v), want 200 with available", sku, res.status, res.body, res.err)
			continue
		}
		sold := soldByOrders[sku]
		initial := crashStock[sku]
		t.Logf("%s: initial %d, sold %d (buyers' 201s: %d), available %d", sku, initial, sold, soldByBuyers[sku], *inv.Available)
		if sold > initial {
			t.Errorf("%s: sold %d, more than the %d on hand", sku, sold, initial)
		}
		if sold != soldByBuyers[sku] {
			t.Errorf("%s: placed orders hold %d units, the 201 checkouts' carts %d", sku, sold, soldByBuyers[sku])
		}
		if got, want := *inv.Available, initial-sold; got != want {
			t.Errorf("%s: available %d + sold %d = %d, want the initial %d (%d units still held or lost)",
				sku, got, sold, got+sold, initial, want-got)
		}
		// The stored counts: nothing shipped, the placed orders' units
		// committed, nothing left reserved.
		var level struct{ OnHand, Committed, Reserved, Available int }
		body := r.must("GET", "/api/admin/inventory/"+sku, nil, 200)
		if err := json.Unmarshal(body, &level); err != nil {
			t.Errorf("GET /api/admin/inventory/%s: %s: %v", sku, body, err)
		} else if level.OnHand != initial || level.Committed != sold || level.Reserved != 0 || level.Available != initial-sold {
			t.Errorf("GET /api/admin/inventory/%s: got %s, want onHand %d, committed %d, reserved 0, available %d", sku, body, initial, sold, initial-sold)
		}
	}
}

// checkDeadLetters checks that no message was dead-lettered.
func (r *crashRig) checkDeadLetters() {
	var dl struct{ Items []json.RawMessage }
	body := r.must("GET", "/api/admin/deadletters", nil, 200)
	if err := json.Unmarshal(body, &dl); err != nil || len(dl.Items) != 0 {
		r.t.Errorf("GET /api/admin/deadletters: %s (%v), want no dead letters", body, err)
	}
}

func crashQuantities(o crashOrder) map[string]int {
	out := map[string]int{}
	for _, it := range o.Items {
		out[it.SKU] += it.Quantity
	}
	return out
}

func crashSameLines(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
