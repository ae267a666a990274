package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"time"
)

// This file holds the crash test's checkouts and the ledger of their
// attempts.

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
	country := "US"
	if len(r.countries) > 0 {
		country = r.countries[rng.IntN(len(r.countries))]
	}
	req, _ := json.Marshal(map[string]any{
		"cartId": cart.ID, "email": "buyer@example.com", "paymentMethod": pm,
		"shippingAddress": map[string]string{"name": "Ada", "line1": "1 Main St", "city": "Springfield", "postalCode": "12345", "country": country},
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
