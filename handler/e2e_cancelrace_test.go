package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// slowRefunds holds every refund at the fake Stripe for a while, so that
// a cancel spends long between reading its order and finishing it: the
// window a concurrent fulfilment used to slip through.
type slowRefunds struct{ next http.Handler }

func (s slowRefunds) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == "POST" && r.URL.Path == "/v1/refunds" {
		time.Sleep(150 * time.Millisecond)
	}
	s.next.ServeHTTP(w, r)
}

// TestE2ECancelRacesFulfil sends an order's cancel and its fulfilment at
// once through the admin routes, round after round, with either one ahead
// or neither: exactly one wins each round. A fulfilled order is never
// refunded (the cancel answers order_fulfilled); a cancelled order is
// refunded once and never shipped (the fulfilment answers 409).
func TestE2ECancelRacesFulfil(t *testing.T) {
	t.Parallel()
	fake := newMoneyStripe(t)
	srv := httptest.NewServer(slowRefunds{fake})
	t.Cleanup(srv.Close)
	s := startMoney(t, func(m *Main) {
		m.Config.Payments = "stripe"
		m.Config.StripeSecretKey = "sk_test_x"
		m.Config.StripeWebhookSecret = moneyWebhookSecret
		m.Config.StripeAPIBase = srv.URL
	})
	fake.shop.Store(&s.URL)
	const rounds = 12
	s.mustStockedProduct(t, "money-cancel-race", "MNY-RACE", 1000, rounds)

	// refunded reports whether the payment of an order was refunded.
	refunded := func(orderID string) int {
		fake.mu.Lock()
		defer fake.mu.Unlock()
		n := 0
		for _, pi := range fake.refunds {
			if md, _ := fake.intents[pi]["metadata"].(map[string]string); md["order_id"] == orderID {
				n++
			}
		}
		return n
	}
	post := func(path string, delay time.Duration, out **Response, wg *sync.WaitGroup) {
		defer wg.Done()
		time.Sleep(delay)
		res, err := s.send("POST", path, nil, "x-functions-key", testAdminKey)
		if err != nil {
			t.Error(err)
			return
		}
		e2eCheckResponse(t, "POST", path, res)
		*out = res
	}
	wins := map[string]int{}
	for i := range rounds {
		r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-RACE", 1}), "pm_card_visa"), ""))
		s.moneyWaitOrder(t, r.OrderID, "placed")
		// Round by round: both at once, the cancel ahead, the fulfilment ahead.
		cancelAfter, fulfilAfter := time.Duration(0), time.Duration(0)
		switch i % 3 {
		case 1:
			fulfilAfter = 30 * time.Millisecond
		case 2:
			cancelAfter = 30 * time.Millisecond
		}
		var cancel, fulfil *Response
		var wg sync.WaitGroup
		wg.Add(2)
		go post("/api/admin/orders/"+r.OrderID+"/cancel", cancelAfter, &cancel, &wg)
		go post("/api/admin/orders/"+r.OrderID+"/fulfil", fulfilAfter, &fulfil, &wg)
		wg.Wait()
		if cancel == nil || fulfil == nil {
			t.Fatalf("round %d: a request failed", i)
		}
		var final moneyOrder
		moneyWait(t, "order "+r.OrderID+" settled", func() (bool, string) {
			var res *Response
			res, final = s.moneyGetOrder(t, r.OrderID)
			return final.Status == "cancelled" || final.Status == "fulfilled", fmt.Sprintf("%d %s", res.Status, res.Body)
		})
		wins[final.Status]++
		what := fmt.Sprintf("round %d (order %s %s): cancel %s, fulfil %s", i, r.OrderID, final.Status, moneyAnswer(cancel), moneyAnswer(fulfil))
		if cancel.Status == 200 && fulfil.Status == 200 {
			t.Errorf("%s: both answered 200", what)
		}
		n := refunded(r.OrderID)
		switch final.Status {
		case "fulfilled":
			if n != 0 {
				t.Errorf("%s: a fulfilled order was refunded %d times", what, n)
			}
			if fulfil.Status != 200 || moneyProblemCode(cancel) != "order_fulfilled" {
				t.Errorf("%s: want fulfil 200 and cancel 409 order_fulfilled", what)
			}
		case "cancelled":
			if n != 1 {
				t.Errorf("%s: a cancelled order was refunded %d times, want once", what, n)
			}
			if code := moneyProblemCode(fulfil); cancel.Status != 200 || (code != "order_cancelling" && code != "order_not_placed") {
				t.Errorf("%s: want cancel 200 and fulfil 409 order_cancelling or order_not_placed", what)
			}
		}
	}
	t.Logf("wins over %d rounds: %v", rounds, wins)
	s.moneyWaitQueues(t, 0, rounds) // the checkouts' scheduled expiries
	s.moneyWantStockMatchesOrders(t, "MNY-RACE", rounds, 0)
}

// moneyProblemCode returns the code of a problem response, or "".
func moneyProblemCode(res *Response) string {
	var p struct {
		Code string `json:"code"`
	}
	if res.Status < 400 || json.Unmarshal(res.Body, &p) != nil {
		return ""
	}
	return p.Code
}

// moneyAnswer sums a response up: its status and its problem code, or the
// order status it returns.
func moneyAnswer(res *Response) string {
	if code := moneyProblemCode(res); code != "" {
		return fmt.Sprintf("%d %s", res.Status, code)
	}
	var o struct {
		Status string `json:"status"`
	}
	json.Unmarshal(res.Body, &o)
	return fmt.Sprintf("%d order %s", res.Status, o.Status)
}
