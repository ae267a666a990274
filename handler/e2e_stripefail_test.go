package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
	"shopfn/handler/sqlstore"
	"shopfn/handler/stripe"
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
	case "slow":
		time.Sleep(400 * time.Millisecond)
		f.next.ServeHTTP(w, r)
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

	t.Run("ClientDisconnects", func(t *testing.T) {
		s.mustStockedProduct(t, "money-gone", "MNY-GONE", 1000, 1)
		// 3-D Secure, so that no webhook settles it behind the request's back.
		req := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-GONE", 1}), "pm_card_authenticationRequired")
		body, _ := json.Marshal(req)
		flaky.mode.Store("slow")
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		hr, _ := http.NewRequestWithContext(ctx, "POST", s.URL+"/api/checkout", bytes.NewReader(body))
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("Idempotency-Key", "money-gone")
		if res, err := http.DefaultClient.Do(hr); err == nil {
			res.Body.Close()
			t.Fatalf("the client was to give up mid-charge, got %d", res.StatusCode)
		}
		cancel()
		flaky.mode.Store("")
		// The charge and its record complete without the client: its
		// replay finds them well within the 30 s lease.
		var res *Response
		moneyWait(t, "the replay", func() (bool, string) {
			res = s.moneyCheckout(t, req, "money-gone")
			return res.Status != 409, fmt.Sprintf("%d %s", res.Status, res.Body)
		})
		r := moneyWantActionAny(t, "replay after the client gave up", res)
		fake.mu.Lock()
		creates := fake.creates[r.CheckoutID]
		fake.mu.Unlock()
		if creates != 1 {
			t.Errorf("PaymentIntent creates: got %d, want 1", creates)
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

func TestE2EStripeRecovery(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	fake := newMoneyStripe(t)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	s := startMoney(t, func(m *Main) {
		m.Config.Payments = "stripe"
		m.Config.StripeSecretKey = "sk_test_x"
		m.Config.StripeWebhookSecret = moneyWebhookSecret
		m.Config.StripeAPIBase = srv.URL
		m.Config.ReservationTTL = ttl
	})
	fake.shop.Store(&s.URL)
	s.mustStockedProduct(t, "money-recover", "MNY-RECOVER", 1000, 5)

	t.Run("RefundKey", func(t *testing.T) {
		r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-RECOVER", 1}), "pm_card_visa"), ""))
		s.moneyWaitOrder(t, r.OrderID, "placed")
		e2eWantStatus(t, "cancel", s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/cancel", nil), 200)
		fake.mu.Lock()
		_, ok := fake.refunds["refund-"+r.OrderID]
		keys := fmt.Sprint(fake.refunds)
		fake.mu.Unlock()
		if !ok {
			t.Errorf("refund idempotency keys: got %s, want refund-%s", keys, r.OrderID)
		}
	})

	t.Run("ExpiredActionCancelled", func(t *testing.T) {
		s.mustStockedProduct(t, "money-3ds-cancel", "MNY-3DS-CANCEL", 1000, 1)
		r := moneyWantActionAny(t, "3-D Secure", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-3DS-CANCEL", 1}), "pm_card_authenticationRequired"), ""))
		s.Clock.Advance(ttl + time.Minute)
		s.moneyWaitAvailable(t, "MNY-3DS-CANCEL", 1)
		moneyWait(t, "PaymentIntent cancelled", func() (bool, string) {
			fake.mu.Lock()
			defer fake.mu.Unlock()
			status := fmt.Sprint(fake.intents[fake.byKey[r.CheckoutID]]["status"])
			return status == "canceled", status
		})
	})

	t.Run("ProcessingAtExpiry", func(t *testing.T) {
		s.mustStockedProduct(t, "money-processing", "MNY-PROCESSING", 1000, 1)
		req := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-PROCESSING", 1}), "pm_card_processing")
		first := s.moneyCheckout(t, req, "money-processing")
		e2eWantStatus(t, "processing", first, 202)
		var r moneyResult
		first.JSON(t, &r)
		s.Clock.Advance(ttl + time.Minute)
		s.moneyWaitAvailable(t, "MNY-PROCESSING", 1)
		e2eWantProblem(t, "replay after expiry", s.moneyCheckout(t, req, "money-processing"), 409, "checkout_expired")
		// Stripe decides the payment after all: the checkout is paid, and
		// the buyer's replay says so instead of the 409.
		pi := fake.succeed(r.CheckoutID)
		status, body, err := fake.deliver(moneyEvent("payment_intent.succeeded", pi), moneyWebhookSecret, time.Now())
		if err != nil || status != 200 {
			t.Fatalf("webhook: %d %s %v", status, body, err)
		}
		s.moneyWaitOrder(t, r.OrderID, "placed")
		moneyWantPaid(t, "replay after the late settlement", s.moneyCheckout(t, req, "money-processing"))
	})

	t.Run("ChargeCutOff", func(t *testing.T) {
		// A process charged at Stripe and died before it recorded the
		// PaymentIntent: the checkout is pending with no payment. The
		// buyer then finished 3-D Secure, and the webhook was lost.
		ctx := context.Background()
		rel := s.rel
		now := s.Clock.Now().UTC()
		c := &commerce.Checkout{
			ID: commerce.NewCheckoutID(), OrderID: commerce.NewOrderID(now), IdempotencyKey: "money-cut", RequestHash: "h",
			CartID: commerce.NewCartID(), Email: "buyer@example.com", PaymentMethod: "pm_card_authenticationRequired",
			Address: commerce.Address{Name: "A", Line1: "1 St", City: "C", PostalCode: "1", Country: "US"},
			Lines:   []commerce.OrderLine{{SKU: "MNY-RECOVER", Quantity: 1, UnitPrice: commerce.Money{Amount: 1000, Currency: "USD"}, LineTotal: commerce.Money{Amount: 1000, Currency: "USD"}}},
			Totals:  commerce.Totals{Subtotal: commerce.Money{Amount: 1000, Currency: "USD"}, Shipping: commerce.Money{Currency: "USD"}, Tax: commerce.Money{Currency: "USD"}, Total: commerce.Money{Amount: 1000, Currency: "USD"}},
			Status:  commerce.CheckoutPending, CreatedAt: now, UpdatedAt: now, ReservedUntil: now.Add(ttl), LeaseUntil: now.Add(30 * time.Second),
		}
		expiry := checkout.Message(commerce.MsgReservationExpired, "reservation-expired-"+c.ID, map[string]any{"checkoutId": c.ID})
		expiry.ScheduledAt = c.ReservedUntil
		if err := sqlstore.NewCheckoutStore(rel).BeginCheckout(ctx, c, []commerce.Message{expiry}); err != nil {
			t.Fatal(err)
		}
		sp := stripe.New(stripe.Config{SecretKey: "sk_test_x", APIBase: srv.URL})
		p, err := sp.Charge(ctx, commerce.PaymentRequest{CheckoutID: c.ID, OrderID: c.OrderID, Amount: c.Total, PaymentMethod: c.PaymentMethod, Email: c.Email})
		if err != nil || p.Status != commerce.PaymentRequiresAction {
			t.Fatalf("charge at the fake Stripe: %+v, %v", p, err)
		}
		fake.succeed(c.ID)
		s.Clock.Advance(ttl + time.Minute)
		s.moneyWaitOrder(t, c.OrderID, "placed")
		fake.mu.Lock()
		creates, intents := fake.creates[c.ID], len(fake.intents)
		fake.mu.Unlock()
		if creates != 2 || intents != 4 { // this checkout's and the three before
			t.Errorf("PaymentIntent creates with the checkout's key: got %d (%d PaymentIntents), want 2 (the charge and the replay at expiry) and 4", creates, intents)
		}
	})
}
