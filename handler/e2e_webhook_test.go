package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

// This file holds the E2E tests of shopfn on Stripe: the webhook racing
// the checkout's own path, arriving twice, and refused when unsigned.

const moneyWebhookSecret = "whsec_test"

// moneyStripe is an in-process stand-in for Stripe's PaymentIntent and
// Refund API. Every PaymentIntent it creates succeeds, and before it
// answers the create call it delivers the payment_intent.succeeded webhook
// to the shop twice, at once, so that the webhook races the checkout.
type moneyStripe struct {
	t    *testing.T
	shop atomic.Pointer[string] // the shop's URL, once it runs

	mu       sync.Mutex
	intents  map[string]map[string]any // by ID
	byKey    map[string]string         // PaymentIntent ID by Idempotency-Key
	creates  map[string]int            // create calls by Idempotency-Key
	refunds  map[string]string         // PaymentIntent refunded, by Idempotency-Key
	webhooks []int                     // the shop's answers to the webhooks
	// patient sends a webhook the shop answers 503 again, as Stripe does,
	// before judging the answer (the fault suite: a dependency is down).
	patient bool
	// refundAmounts are the amounts refunds asked for, by Idempotency-Key
	// ("" for a refund in full).
	refundAmounts map[string]string
}

func newMoneyStripe(t *testing.T) *moneyStripe {
	return &moneyStripe{t: t, intents: map[string]map[string]any{}, byKey: map[string]string{}, creates: map[string]int{}, refunds: map[string]string{}, refundAmounts: map[string]string{}}
}

func moneyStripeID(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func (f *moneyStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("fake Stripe: %s %s: %v", r.Method, r.URL.Path, err)
	}
	key := r.Header.Get("Idempotency-Key")
	switch {
	case r.Method == "POST" && r.URL.Path == "/v1/payment_intents":
		f.mu.Lock()
		f.creates[key]++
		id, replay := f.byKey[key]
		pi := f.intents[id]
		pm := r.PostForm.Get("payment_method")
		if !replay {
			amount, _ := strconv.ParseInt(r.PostForm.Get("amount"), 10, 64)
			id = moneyStripeID("pi_")
			pi = map[string]any{
				"id": id, "object": "payment_intent", "amount": amount, "currency": r.PostForm.Get("currency"),
				"status": "succeeded", "client_secret": id + "_secret_x", "livemode": false, "created": time.Now().Unix(),
				"metadata": map[string]string{
					"checkout_id": r.PostForm.Get("metadata[checkout_id]"), "order_id": r.PostForm.Get("metadata[order_id]"),
				},
			}
			switch pm {
			case "pm_card_authenticationRequired":
				pi["status"] = "requires_action"
				pi["next_action"] = map[string]any{"type": "redirect_to_url", "redirect_to_url": map[string]string{"url": "https://hooks.stripe.com/3ds/" + id}}
			case "pm_card_chargeDeclined":
				pi["status"] = "requires_payment_method"
			case "pm_card_processing": // not a Stripe test card: a payment Stripe has not decided yet
				pi["status"] = "processing"
			}
			f.byKey[key], f.intents[id] = id, pi
		}
		f.mu.Unlock()
		switch {
		case pm == "pm_card_chargeDeclined":
			f.reply(w, 402, map[string]any{"error": map[string]any{
				"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
				"message": "Your card was declined.", "payment_intent": pi,
			}})
			return
		case !replay && pi["status"] == "succeeded":
			f.race(pi)
		}
		f.reply(w, 200, pi)
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/v1/payment_intents/"):
		f.mu.Lock()
		pi, ok := f.intents[strings.TrimPrefix(r.URL.Path, "/v1/payment_intents/")]
		f.mu.Unlock()
		if !ok {
			f.reply(w, 404, map[string]any{"error": map[string]string{"type": "invalid_request_error", "code": "resource_missing", "message": "No such payment_intent"}})
			return
		}
		f.reply(w, 200, pi)
	case r.Method == "POST" && strings.HasPrefix(r.URL.Path, "/v1/payment_intents/") && strings.HasSuffix(r.URL.Path, "/cancel"):
		f.mu.Lock()
		pi, ok := f.intents[strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v1/payment_intents/"), "/cancel")]
		if ok && pi["status"] == "requires_action" {
			pi["status"] = "canceled"
			delete(pi, "next_action")
		}
		f.mu.Unlock()
		if !ok || pi["status"] != "canceled" {
			f.reply(w, 400, map[string]any{"error": map[string]string{"type": "invalid_request_error", "code": "payment_intent_unexpected_state", "message": "cannot cancel"}})
			return
		}
		f.reply(w, 200, pi)
	case r.Method == "POST" && r.URL.Path == "/v1/refunds":
		f.mu.Lock()
		pi := r.PostForm.Get("payment_intent")
		f.refunds[key] = pi
		f.refundAmounts[key] = r.PostForm.Get("amount")
		amount := f.intents[pi]["amount"]
		f.mu.Unlock()
		f.reply(w, 200, map[string]any{"id": moneyStripeID("re_"), "object": "refund", "payment_intent": pi, "amount": amount, "currency": "usd", "status": "succeeded"})
	default:
		f.t.Errorf("fake Stripe: unexpected %s %s", r.Method, r.URL.Path)
		f.reply(w, 404, map[string]any{"error": map[string]string{"type": "invalid_request_error", "message": "unrecognized request URL"}})
	}
}

// succeed finishes a PaymentIntent's 3-D Secure, as the buyer does with
// their bank, and returns it.
func (f *moneyStripe) succeed(checkoutID string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	pi := f.intents[f.byKey[checkoutID]]
	if pi == nil {
		f.t.Fatalf("fake Stripe: no PaymentIntent for checkout %s", checkoutID)
	}
	pi["status"] = "succeeded"
	delete(pi, "next_action")
	return pi
}

func (f *moneyStripe) reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", moneyStripeID("req_"))
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// race delivers the payment_intent.succeeded webhook of pi twice at once
// and waits for the shop's answers.
func (f *moneyStripe) race(pi map[string]any) {
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body, err := f.deliver(moneyEvent("payment_intent.succeeded", pi), moneyWebhookSecret, time.Now())
			for deadline := time.Now().Add(moneyWaitLimit); f.patient && err == nil && status == 503 && time.Now().Before(deadline); {
				time.Sleep(100 * time.Millisecond)
				status, body, err = f.deliver(moneyEvent("payment_intent.succeeded", pi), moneyWebhookSecret, time.Now())
			}
			if err != nil {
				f.t.Errorf("webhook: %v", err)
				return
			}
			if status != 200 {
				f.t.Errorf("webhook payment_intent.succeeded: got %d %s, want 200", status, body)
			}
			f.mu.Lock()
			f.webhooks = append(f.webhooks, status)
			f.mu.Unlock()
		}()
	}
	wg.Wait()
}

// deliver posts an event to the shop's webhook, signed with secret at ts.
func (f *moneyStripe) deliver(event []byte, secret string, ts time.Time) (int, []byte, error) {
	shop := f.shop.Load()
	if shop == nil {
		return 0, nil, fmt.Errorf("the shop is not running yet")
	}
	req, err := http.NewRequest("POST", *shop+"/api/webhooks/stripe", bytes.NewReader(event))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", moneySign(event, secret, ts))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res.StatusCode, body, err
}

// moneyEvent returns a Stripe event of the given type whose data.object is object.
func moneyEvent(typ string, object any) []byte {
	b, _ := json.Marshal(map[string]any{
		"id": moneyStripeID("evt_"), "object": "event", "api_version": "2023-10-16", "created": time.Now().Unix(),
		"livemode": false, "pending_webhooks": 1, "type": typ, "data": map[string]any{"object": object},
	})
	return b
}

// moneySign returns the Stripe-Signature header of payload.
func moneySign(payload []byte, secret string, ts time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: ts}).Header
}

// startMoneyStripe runs the shop with Stripe, the fake, as its payment provider.
func startMoneyStripe(t *testing.T) (e2eShop, *moneyStripe) {
	t.Helper()
	fake := newMoneyStripe(t)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close) // after the shop closes
	s := startMoney(t, func(m *Main) {
		m.Config.Payments = "stripe"
		m.Config.StripeSecretKey = "sk_test_x"
		m.Config.StripeWebhookSecret = moneyWebhookSecret
		m.Config.StripeAPIBase = srv.URL
		m.Config.Shipping, m.Config.Tax = 500, 100
	})
	fake.shop.Store(&s.URL)
	return s, fake
}

func TestE2EStripeWebhookRace(t *testing.T) {
	t.Parallel()
	s, fake := startMoneyStripe(t)
	s.mustStockedProduct(t, "money-stripe", "MNY-STRIPE", 1999, 20)

	const buyers = 3
	carts := make([]string, buyers)
	for i := range carts {
		carts[i] = s.moneyCart(t, e2eLine{"MNY-STRIPE", 2})
	}
	res := s.moneyStampede(t, carts, "pm_card_visa")
	var paid []moneyResult
	for i, r := range res {
		if r != nil {
			paid = append(paid, moneyWantPaid(t, fmt.Sprintf("checkout %d", i), r))
		}
	}
	s.moneyWantPlaced(t, paid)

	fake.mu.Lock()
	creates, webhooks := fake.creates, len(fake.webhooks)
	for _, r := range paid {
		key := r.CheckoutID
		if n := creates[key]; n != 1 {
			t.Errorf("PaymentIntents created with Idempotency-Key %s: got %d, want 1", key, n)
		}
		pi := fake.intents[fake.byKey[key]]
		if pi == nil || pi["amount"] != r.Total.Amount || pi["currency"] != "usd" || r.Total.Amount != 2*1999+600 {
			t.Errorf("PaymentIntent of checkout %s: got %v, want the total %+v = 2 × 1999 + 500 + 100", r.CheckoutID, pi, r.Total)
		}
	}
	if len(creates) != buyers {
		t.Errorf("PaymentIntent idempotency keys: got %v, want one per checkout (%d)", creates, buyers)
	}
	fake.mu.Unlock()
	if webhooks != 2*buyers {
		t.Errorf("webhooks delivered: got %d, want %d", webhooks, 2*buyers)
	}
	s.moneyWaitQueues(t, 0, buyers)
	if got, want := s.moneySettledStock(t, "MNY-STRIPE"), (e2eStock{"MNY-STRIPE", 20, 2 * buyers, 0, 20 - 2*buyers}); got != want {
		t.Errorf("stock: got %+v, want %+v", got, want)
	}
	if len(paid) == 0 {
		t.FailNow()
	}

	t.Run("Replay", func(t *testing.T) {
		again := s.moneyCheckout(t, moneyNewRequest(carts[0], "pm_card_visa"), "")
		if again.Status != res[0].Status || string(again.Body) != string(res[0].Body) {
			t.Errorf("replay: got %d %s, want %d %s", again.Status, again.Body, res[0].Status, res[0].Body)
		}
	})

	t.Run("LateWebhook", func(t *testing.T) {
		fake.mu.Lock()
		pi := fake.intents[fake.byKey[paid[0].CheckoutID]]
		fake.mu.Unlock()
		for range 2 {
			status, body, err := fake.deliver(moneyEvent("payment_intent.succeeded", pi), moneyWebhookSecret, time.Now())
			if err != nil || status != 200 {
				t.Errorf("late webhook: got %d %s %v, want 200", status, body, err)
			}
		}
		s.moneyWaitQueues(t, 0, buyers)
		if got := len(s.moneyOrders(t, "", 100)); got != buyers {
			t.Errorf("orders: got %d, want %d", got, buyers)
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		id := paid[0].OrderID
		for range 2 {
			e2eWantStatus(t, "cancel", s.admin(t, "POST", "/api/admin/orders/"+id+"/cancel", nil), 200)
		}
		s.moneyWaitOrder(t, id, "cancelled")
		fake.mu.Lock()
		refunds := fake.refunds
		want := fake.byKey[paid[0].CheckoutID]
		var got []string
		for _, pi := range refunds {
			got = append(got, pi)
		}
		fake.mu.Unlock()
		if len(got) != 1 || got[0] != want {
			t.Errorf("refunds by key: got %v, want one of %s", got, want)
		}
		s.moneyWaitAvailable(t, "MNY-STRIPE", 20-2*(buyers-1))
	})
}

// TestE2EStripeRequiresAction takes a Stripe payment that needs 3-D
// Secure: the webhook, delivered twice, completes the order, and confirm
// reports it paid. A declined card releases the stock at once.
func TestE2EStripeRequiresAction(t *testing.T) {
	t.Parallel()
	s, fake := startMoneyStripe(t)
	s.mustStockedProduct(t, "money-stripe-3ds", "MNY-STRIPE-3DS", 1000, 5)

	t.Run("Webhook", func(t *testing.T) {
		res := s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-STRIPE-3DS", 2}), "pm_card_authenticationRequired"), "")
		e2eWantStatus(t, "checkout", res, 200)
		var r moneyResult
		res.JSON(t, &r)
		if r.Status != "requires_action" || r.NextAction == nil {
			t.Fatalf("checkout: got %s, want requires_action with a nextAction", res.Body)
		}
		confirm := "/api/checkout/" + r.CheckoutID + "/confirm"
		e2eWantProblem(t, "confirm before 3-D Secure", s.do(t, "POST", confirm, nil), 409, "requires_action")
		if got := s.moneyAvailable(t, "MNY-STRIPE-3DS"); got != 3 {
			t.Errorf("available while 3-D Secure waits: got %d, want 3", got)
		}

		pi := fake.succeed(r.CheckoutID)
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, body, err := fake.deliver(moneyEvent("payment_intent.succeeded", pi), moneyWebhookSecret, time.Now())
				if err != nil || status != 200 {
					t.Errorf("webhook: got %d %s %v, want 200", status, body, err)
				}
			}()
		}
		wg.Wait()
		s.moneyWaitOrder(t, r.OrderID, "placed")
		paid := s.do(t, "POST", confirm, nil)
		e2eWantStatus(t, "confirm", paid, 200)
		var c moneyResult
		paid.JSON(t, &c)
		if c.Status != "paid" || c.OrderID != r.OrderID {
			t.Errorf("confirm: got %s, want order %s paid", paid.Body, r.OrderID)
		}
		moneyCheckSum(t, "confirm", c)
		s.moneyWaitQueues(t, 0, 1)
		if got, want := s.moneySettledStock(t, "MNY-STRIPE-3DS"), (e2eStock{"MNY-STRIPE-3DS", 5, 2, 0, 3}); got != want {
			t.Errorf("stock: got %+v, want %+v", got, want)
		}
	})

	t.Run("Declined", func(t *testing.T) {
		res := s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-STRIPE-3DS", 2}), "pm_card_chargeDeclined"), "")
		e2eWantProblem(t, "checkout", res, 402, "payment_declined")
		if got := s.moneyAvailable(t, "MNY-STRIPE-3DS"); got != 3 {
			t.Errorf("available after the decline: got %d, want 3", got)
		}
	})
}

func TestE2EStripeWebhookSignature(t *testing.T) {
	t.Parallel()
	s, fake := startMoneyStripe(t)
	pi := map[string]any{
		"id": "pi_unknown", "object": "payment_intent", "amount": 1000, "currency": "usd", "status": "succeeded",
		"metadata": map[string]string{"checkout_id": "k" + strings.Repeat("0", 26)},
	}
	succeeded := moneyEvent("payment_intent.succeeded", pi)
	now := time.Now()

	for _, tt := range []struct {
		name   string
		event  []byte
		header string
	}{
		{"WrongSecret", succeeded, moneySign(succeeded, "whsec_other", now)},
		{"Stale", succeeded, moneySign(succeeded, moneyWebhookSecret, now.Add(-10*time.Minute))},
		{"Tampered", succeeded, moneySign(bytes.Replace(succeeded, []byte("1000"), []byte("1"), 1), moneyWebhookSecret, now)},
		{"Missing", succeeded, ""},
		{"Garbage", succeeded, "t=1,v1=abc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := s.do(t, "POST", "/api/webhooks/stripe", tt.event, "Stripe-Signature", tt.header)
			e2eWantStatus(t, "webhook", res, 400)
		})
	}

	for _, tt := range []struct {
		name  string
		event []byte
	}{
		{"UnusedType", moneyEvent("customer.created", map[string]any{"id": "cus_1", "object": "customer"})},
		{"UnknownCheckout", succeeded},
		{"NoCheckout", moneyEvent("payment_intent.succeeded", map[string]any{"id": "pi_other", "object": "payment_intent", "amount": 5, "currency": "usd", "status": "succeeded"})},
		{"FailedUnknownCheckout", moneyEvent("payment_intent.payment_failed", pi)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body, err := fake.deliver(tt.event, moneyWebhookSecret, time.Now())
			if err != nil || status != 200 {
				t.Errorf("webhook: got %d %s %v, want 200", status, body, err)
			}
		})
	}
	if got := len(s.moneyOrders(t, "", 100)); got != 0 {
		t.Errorf("orders: got %d, want 0", got)
	}
}
