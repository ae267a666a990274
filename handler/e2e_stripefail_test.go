package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// This file holds the E2E tests of shopfn on a Stripe that fails: down,
// refusing the key, or reporting payments that are not the checkout's.

// moneyFlaky answers every Stripe call with mode's error while mode is set,
// and hands the call to the fake Stripe otherwise.
type moneyFlaky struct {
	mode atomic.Value // "", "down" or "auth"
	next http.Handler
}

func (f *moneyFlaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mode, _ := f.mode.Load().(string)
	w.Header().Set("Content-Type", "application/json")
	switch mode {
	case "down":
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"type": "api_error", "message": "Stripe is down"}})
	case "auth":
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"type": "invalid_request_error", "message": "Invalid API Key provided: sk_test_x"}})
	default:
		f.next.ServeHTTP(w, r)
	}
}

// startMoneyFlaky runs the shop on the fake Stripe behind a moneyFlaky.
func startMoneyFlaky(t *testing.T) (e2eShop, *moneyStripe, *moneyFlaky) {
	t.Helper()
	fake := newMoneyStripe(t)
	flaky := &moneyFlaky{next: fake}
	srv := httptest.NewServer(flaky)
	t.Cleanup(srv.Close)
	s := startMoney(t, func(m *Main) {
		m.Config.Payments = "stripe"
		m.Config.StripeSecretKey = "sk_test_x"
		m.Config.StripeWebhookSecret = moneyWebhookSecret
		m.Config.StripeAPIBase = srv.URL
	})
	fake.shop.Store(&s.URL)
	return s, fake, flaky
}

func TestE2EStripeFailures(t *testing.T) {
	t.Parallel()
	s, fake, flaky := startMoneyFlaky(t)

	t.Run("OutageReleasesAndRetryProceeds", func(t *testing.T) {
		s.mustStockedProduct(t, "money-down", "MNY-DOWN", 1000, 1)
		id := s.moneyCart(t, e2eLine{"MNY-DOWN", 1})
		flaky.mode.Store("down")
		s.moneyWantUnavailable(t, "checkout while Stripe is down", moneyNewRequest(id, "pm_card_visa"), "money-down")
		flaky.mode.Store("")
		if got := s.moneyAvailable(t, "MNY-DOWN"); got != 1 {
			t.Errorf("available after the outage: got %d, want 1 (released at once)", got)
		}
		if got := s.moneyCartStatus(t, id); got.Status != "open" {
			t.Errorf("cart after the outage: status %q, want open", got.Status)
		}
		r := moneyWantPaid(t, "retry after the outage", s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), "money-down"))
		s.moneyWaitOrder(t, r.OrderID, "placed")
		fake.mu.Lock()
		creates := fake.creates[r.CheckoutID]
		fake.mu.Unlock()
		if creates != 1 {
			t.Errorf("PaymentIntents created for the checkout once Stripe was up: got %d, want 1", creates)
		}
	})

	t.Run("BadKey", func(t *testing.T) {
		s.mustStockedProduct(t, "money-badkey", "MNY-BADKEY", 1000, 1)
		id := s.moneyCart(t, e2eLine{"MNY-BADKEY", 1})
		flaky.mode.Store("auth")
		defer flaky.mode.Store("")
		s.moneyWantUnavailable(t, "checkout with a key Stripe refuses", moneyNewRequest(id, "pm_card_visa"), "")
		if got := s.moneyAvailable(t, "MNY-BADKEY"); got != 1 {
			t.Errorf("available: got %d, want 1", got)
		}
	})

	t.Run("WebhookMismatch", func(t *testing.T) {
		s.mustStockedProduct(t, "money-mismatch", "MNY-MISMATCH", 1000, 5)
		r := moneyWantActionAny(t, "3-D Secure", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-MISMATCH", 1}), "pm_card_authenticationRequired"), ""))
		fake.mu.Lock()
		pi := fake.intents[fake.byKey[r.CheckoutID]]
		fake.mu.Unlock()
		for _, tt := range []struct {
			name string
			obj  map[string]any
		}{
			{"other PaymentIntent", map[string]any{"id": moneyStripeID("pi_"), "amount": pi["amount"], "currency": "usd"}},
			{"other amount", map[string]any{"id": pi["id"], "amount": 1, "currency": "usd"}},
			{"other currency", map[string]any{"id": pi["id"], "amount": pi["amount"], "currency": "eur"}},
		} {
			obj := map[string]any{"object": "payment_intent", "status": "succeeded", "metadata": map[string]string{"checkout_id": r.CheckoutID}}
			for k, v := range tt.obj {
				obj[k] = v
			}
			status, body, err := fake.deliver(moneyEvent("payment_intent.succeeded", obj), moneyWebhookSecret, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if status != 200 {
				t.Errorf("%s: webhook got %d %s, want 200 (logged and ignored)", tt.name, status, body)
			}
		}
		res, _ := s.moneyGetOrder(t, r.OrderID)
		e2eWantProblem(t, "order of a checkout settled by foreign payments", res, 404, "not_found")
		e2eWantProblem(t, "confirm", s.do(t, "POST", "/api/checkout/"+r.CheckoutID+"/confirm", nil), 409, "requires_action")
	})
}

// moneyWantUnavailable checks that a checkout answers 503
// payment_unavailable, a problem like any other error.
func (s e2eShop) moneyWantUnavailable(tb testing.TB, what string, req moneyRequest, key string) {
	tb.Helper()
	var h []string
	if key != "" {
		h = []string{"Idempotency-Key", key}
	}
	res, err := s.send("POST", "/api/checkout", req, h...)
	if err != nil {
		tb.Fatal(err)
	}
	var p e2eProblem
	json.Unmarshal(res.Body, &p)
	if res.Status != 503 || p.Code != "payment_unavailable" || p.Status != 503 || res.Header.Get("Content-Type") != "application/problem+json" {
		tb.Errorf("%s: got %d %s %s, want a 503 problem payment_unavailable", what, res.Status, res.Header.Get("Content-Type"), res.Body)
	}
}

// moneyWantActionAny checks a 200 requires_action response of any provider.
func moneyWantActionAny(tb testing.TB, what string, res *Response) moneyResult {
	tb.Helper()
	e2eWantStatus(tb, what, res, 200)
	var r moneyResult
	res.JSON(tb, &r)
	if r.Status != "requires_action" {
		tb.Fatalf("%s: status %q, want requires_action", what, r.Status)
	}
	return r
}
