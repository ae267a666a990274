package main

import (
	"fmt"
	"sync"
	"testing"
)

// This file holds the E2E test of checkout replays (Idempotency-Key).

// TestE2ECheckoutReplay checks that a checkout request sent again gets the
// first response, byte for byte, and is never charged twice. Its subtests
// count charges, so they run one at a time.
func TestE2ECheckoutReplay(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "money-replay", "MNY-REPLAY", 1000, 1000)
	same := func(t *testing.T, what string, first, again *Response) {
		t.Helper()
		if again.Status != first.Status || string(again.Body) != string(first.Body) {
			t.Errorf("%s: got %d %s, want the first response %d %s", what, again.Status, again.Body, first.Status, first.Body)
		}
		if again.Header.Get("Location") != first.Header.Get("Location") {
			t.Errorf("%s: Location %q, want %q", what, again.Header.Get("Location"), first.Header.Get("Location"))
		}
	}
	charged := func(t *testing.T, before, want int) {
		t.Helper()
		if got := s.moneyCharges(t) - before; got != want {
			t.Errorf("charges: got %d new, want %d", got, want)
		}
	}

	for _, tt := range []struct{ name, key, pm string }{
		{"PaidWithKey", "money-replay-paid", "pm_card_visa"},
		{"PaidCartKey", "", "pm_card_visa"},
		{"Declined", "money-replay-declined", "pm_card_chargeDeclined"},
		{"RequiresAction", "money-replay-3ds", "pm_card_authenticationRequired"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := s.moneyCharges(t)
			req := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-REPLAY", 1}), tt.pm)
			first := s.moneyCheckout(t, req, tt.key)
			for i := range 3 {
				same(t, fmt.Sprintf("replay %d", i+1), first, s.moneyCheckout(t, req, tt.key))
			}
			// A cart that checks out cannot be deleted; one declined is
			// open again, and the first response stands once it is gone.
			if tt.pm == "pm_card_chargeDeclined" {
				e2eWantStatus(t, "DELETE cart", s.do(t, "DELETE", "/api/carts/"+req.CartID, nil), 204)
			} else {
				e2eWantProblem(t, "DELETE cart", s.do(t, "DELETE", "/api/carts/"+req.CartID, nil), 409, "cart_closed")
			}
			same(t, "replay after DELETE", first, s.moneyCheckout(t, req, tt.key))
			if tt.pm == "pm_card_visa" {
				r := moneyWantPaid(t, "first", first)
				s.moneyWaitOrder(t, r.OrderID, "placed")
				charged(t, before, 1)
			} else {
				charged(t, before, 0)
			}
		})
	}

	for _, tt := range []struct {
		name, pm string
		status   int
	}{
		{"InFlightPaid", "pm_card_visa", 201},
		{"InFlightDeclined", "pm_card_chargeDeclined", 402},
		{"InFlightRequiresAction", "pm_card_authenticationRequired", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := s.moneyCharges(t)
			req := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-REPLAY", 1}), tt.pm)
			const n = 10
			res := make([]*Response, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					res[i] = s.moneySendCheckout(t, req, "money-"+tt.name)
				}()
			}
			close(start)
			wg.Wait()
			var first *Response
			for i, r := range res {
				switch {
				case r == nil:
				case r.Status == 409:
					e2eWantProblem(t, fmt.Sprintf("request %d", i), r, 409, "checkout_in_progress")
				case first == nil:
					first = r
				default:
					same(t, fmt.Sprintf("request %d", i), first, r)
				}
			}
			if first == nil {
				t.Fatalf("no request of %d got the checkout's answer", n)
			}
			e2eWantStatus(t, "in flight", first, tt.status)
			if tt.status == 201 {
				r := moneyWantPaid(t, "in flight", first)
				s.moneyWaitOrder(t, r.OrderID, "placed")
				charged(t, before, 1)
			} else {
				charged(t, before, 0)
			}
		})
	}
}
