package stripe_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"shopfn/handler/commerce"
	shopstripe "shopfn/handler/stripe"
)

// fakeStripe is a local server that speaks Stripe's JSON and error format,
// for the outcomes stripe-mock never produces (declines, 3-D Secure,
// failures). check, when set, inspects each request.
func fakeStripe(t *testing.T, status int, body string, check func(*http.Request)) *shopstripe.Provider {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("parse form: %v", err)
		}
		if check != nil {
			check(r)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_test")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return shopstripe.New(shopstripe.Config{SecretKey: "sk_test_fake", APIBase: srv.URL})
}

// checkCharge fails the test unless r creates a confirmed card PaymentIntent
// for request("pm_card_visa") with the checkout's idempotency key.
func checkCharge(t *testing.T) func(*http.Request) {
	return func(r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/payment_intents" {
			t.Errorf("got %s %s, want POST /v1/payment_intents", r.Method, r.URL.Path)
		}
		if got, want := r.Header.Get("Idempotency-Key"), "ck_1"; got != want {
			t.Errorf("got Idempotency-Key %q, want %q", got, want)
		}
		if got, want := r.Header.Get("Authorization"), "Bearer sk_test_fake"; got != want {
			t.Errorf("got Authorization %q, want %q", got, want)
		}
		for k, want := range map[string]string{
			"amount": "1999", "currency": "usd", "payment_method": "pm_card_visa", "confirm": "true",
			"automatic_payment_methods[enabled]": "true", "automatic_payment_methods[allow_redirects]": "never",
			"payment_method_types[0]": "", "return_url": "", "receipt_email": "buyer@example.com",
			"metadata[checkout_id]": "ck_1", "metadata[order_id]": "ord_1",
		} {
			if got := r.PostForm.Get(k); got != want {
				t.Errorf("got form %s = %q, want %q", k, got, want)
			}
		}
	}
}

const (
	succeededIntent = `{"id":"pi_123","object":"payment_intent","amount":1999,"currency":"usd",
		"status":"succeeded","metadata":{"checkout_id":"ck_1"}}`
	actionIntent = `{"id":"pi_123","object":"payment_intent","amount":1999,"currency":"usd",
		"status":"requires_action","client_secret":"pi_123_secret_x","metadata":{"checkout_id":"ck_1"},
		"next_action":{"type":"redirect_to_url","redirect_to_url":{"url":"https://hooks.stripe.com/3ds/x","return_url":null}}}`
	cardError = `{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds",
		"message":"Your card has insufficient funds.","payment_intent":{"id":"pi_123","object":"payment_intent",
		"amount":1999,"currency":"usd","status":"requires_payment_method","metadata":{"checkout_id":"ck_1"}}}}`
	expiredCard = `{"error":{"type":"card_error","code":"expired_card","message":"Your card has expired."}}`
)

func TestCharge(t *testing.T) {
	amount := commerce.Money{Amount: 1999, Currency: "USD"}
	for _, tt := range []struct {
		name   string
		status int
		body   string
		want   commerce.Payment
	}{
		{"Succeeded", 200, succeededIntent,
			commerce.Payment{ID: "pi_123", Status: commerce.PaymentSucceeded, Amount: amount, CheckoutID: "ck_1"}},
		{"Declined", 402, cardError,
			commerce.Payment{ID: "pi_123", Status: commerce.PaymentDeclined, Amount: amount, CheckoutID: "ck_1", DeclineCode: "insufficient_funds"}},
		{"DeclinedWithoutIntent", 402, expiredCard,
			commerce.Payment{Status: commerce.PaymentDeclined, Amount: amount, CheckoutID: "ck_1", DeclineCode: "expired_card"}},
		{"RequiresAction", 200, actionIntent,
			commerce.Payment{ID: "pi_123", Status: commerce.PaymentRequiresAction, Amount: amount, CheckoutID: "ck_1",
				NextAction: map[string]any{"type": "redirect_to_url", "url": "https://hooks.stripe.com/3ds/x", "clientSecret": "pi_123_secret_x"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeStripe(t, tt.status, tt.body, checkCharge(t))
			got, err := p.Charge(context.Background(), request("pm_card_visa"))
			if err != nil {
				t.Fatalf("Charge: %v", err)
			}
			if got.ID != tt.want.ID || got.Status != tt.want.Status || got.Amount != tt.want.Amount ||
				got.CheckoutID != tt.want.CheckoutID || got.DeclineCode != tt.want.DeclineCode ||
				len(got.NextAction) != len(tt.want.NextAction) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for k, v := range tt.want.NextAction {
				if got.NextAction[k] != v {
					t.Errorf("got next action %s = %v, want %v", k, got.NextAction[k], v)
				}
			}
		})
	}
}

// stripeError returns the body of a Stripe error of type typ and code.
func stripeError(typ, code, param string) string {
	return `{"error":{"type":"` + typ + `","code":"` + code + `","param":"` + param + `","message":"test"}}`
}

func TestCharge_Errors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		body   string
		kind   commerce.Kind
		code   string
	}{
		{"ServerError", 500, stripeError("api_error", "", ""), commerce.KindUnavailable, "payment_unavailable"},
		{"NotJSON", 502, "<html>bad gateway</html>", commerce.KindUnavailable, "payment_unavailable"},
		{"RateLimited", 429, stripeError("invalid_request_error", "rate_limit", ""), commerce.KindUnavailable, "payment_unavailable"},
		{"UnknownPaymentMethod", 400, stripeError("invalid_request_error", "resource_missing", "payment_method"), commerce.KindRule, "invalid_payment_method"},
		{"IdempotencyMismatch", 400, stripeError("idempotency_error", "", ""), commerce.KindConflict, "idempotency_mismatch"},
		{"BadRequest", 400, stripeError("invalid_request_error", "parameter_unknown", "bogus"), commerce.KindInternal, commerce.CodeInternal},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeStripe(t, tt.status, tt.body, checkCharge(t))
			_, err := p.Charge(context.Background(), request("pm_card_visa"))
			if err == nil || commerce.ErrorKind(err) != tt.kind || commerce.ErrorCode(err) != tt.code {
				t.Fatalf("got error %v, want kind %d code %q", err, tt.kind, tt.code)
			}
		})
	}

	t.Run("Invalid", func(t *testing.T) {
		p := fakeStripe(t, 500, "", func(*http.Request) { t.Error("got a request, want none") })
		req := request("pm_card_visa")
		req.Amount.Amount = 0
		if _, err := p.Charge(context.Background(), req); commerce.ErrorKind(err) != commerce.KindInvalid {
			t.Errorf("got error %v, want KindInvalid", err)
		}
	})
}

func TestPayment_NotFound(t *testing.T) {
	p := fakeStripe(t, 404, stripeError("invalid_request_error", "resource_missing", "intent"), func(r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/payment_intents/pi_gone" {
			t.Errorf("got %s %s, want GET /v1/payment_intents/pi_gone", r.Method, r.URL.Path)
		}
	})
	_, err := p.Payment(context.Background(), "pi_gone")
	if commerce.ErrorKind(err) != commerce.KindNotFound {
		t.Errorf("got error %v, want KindNotFound", err)
	}
}

func TestRefund(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		body   string
		code   string // "" for no error
	}{
		{"OK", 200, `{"id":"re_1","object":"refund","amount":1999,"currency":"usd","payment_intent":"pi_123","status":"succeeded"}`, ""},
		{"AlreadyRefunded", 400, stripeError("invalid_request_error", "charge_already_refunded", ""), "already_refunded"},
		{"ServerError", 503, stripeError("api_error", "", ""), "payment_unavailable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeStripe(t, tt.status, tt.body, func(r *http.Request) {
				if got, want := r.Header.Get("Idempotency-Key"), "refund-order-1"; got != want {
					t.Errorf("got Idempotency-Key %q, want %q", got, want)
				}
				if got := r.PostForm.Get("payment_intent"); got != "pi_123" {
					t.Errorf("got payment_intent %q, want pi_123", got)
				}
			})
			err := p.Refund(context.Background(), "pi_123", "order-1")
			if (tt.code == "" && err != nil) || (tt.code != "" && commerce.ErrorCode(err) != tt.code) {
				t.Errorf("got error %v, want code %q", err, tt.code)
			}
		})
	}
}

// TestRefundAmount: a partial refund sends its amount and the refund's
// idempotency key; a refund of nothing never reaches Stripe.
func TestRefundAmount(t *testing.T) {
	calls := 0
	p := fakeStripe(t, 200, `{"id":"re_1","object":"refund","amount":2200,"currency":"usd","payment_intent":"pi_123","status":"succeeded"}`, func(r *http.Request) {
		calls++
		if got, want := r.Header.Get("Idempotency-Key"), "refund-r1"; got != want {
			t.Errorf("got Idempotency-Key %q, want %q", got, want)
		}
		if got := r.PostForm.Get("payment_intent"); got != "pi_123" {
			t.Errorf("got payment_intent %q, want pi_123", got)
		}
		if got := r.PostForm.Get("amount"); got != "2200" {
			t.Errorf("got amount %q, want 2200", got)
		}
	})
	if err := p.RefundAmount(context.Background(), "pi_123", "r1", commerce.Money{Amount: 2200, Currency: "USD"}); err != nil {
		t.Errorf("RefundAmount: %v", err)
	}
	err := p.RefundAmount(context.Background(), "pi_123", "r2", commerce.Money{Amount: 0, Currency: "USD"})
	if commerce.ErrorKind(err) != commerce.KindInvalid || calls != 1 {
		t.Errorf("a zero refund: got %v after %d calls, want invalid after 1", err, calls)
	}
}

func TestCancelPayment(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		body   string
		code   string // "" for no error
	}{
		{"OK", 200, `{"id":"pi_123","object":"payment_intent","amount":1999,"currency":"usd","status":"canceled"}`, ""},
		{"Succeeded", 400, stripeError("invalid_request_error", "payment_intent_unexpected_state", ""), "not_cancellable"},
		{"Missing", 404, stripeError("invalid_request_error", "resource_missing", "intent"), "not_found"},
		{"ServerError", 503, stripeError("api_error", "", ""), "payment_unavailable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := fakeStripe(t, tt.status, tt.body, func(r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v1/payment_intents/pi_123/cancel" {
					t.Errorf("got %s %s, want POST /v1/payment_intents/pi_123/cancel", r.Method, r.URL.Path)
				}
				if got := r.PostForm.Get("cancellation_reason"); got != "abandoned" {
					t.Errorf("got cancellation_reason %q, want abandoned", got)
				}
			})
			err := p.CancelPayment(context.Background(), "pi_123")
			if (tt.code == "" && err != nil) || (tt.code != "" && commerce.ErrorCode(err) != tt.code) {
				t.Errorf("got error %v, want code %q", err, tt.code)
			}
		})
	}
}

func TestCharge_BadKey(t *testing.T) {
	p := fakeStripe(t, 401, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_*ake"}}`, nil)
	_, err := p.Charge(context.Background(), commerce.PaymentRequest{CheckoutID: "ck_1", Amount: commerce.Money{Amount: 1999, Currency: "USD"}, PaymentMethod: "pm_card_visa"})
	if got := commerce.ErrorCode(err); got != commerce.CodePaymentUnavailable {
		t.Errorf("got error %v, want code %q", err, commerce.CodePaymentUnavailable)
	}
}

// TestCharge_ReturnURL checks that a configured return URL goes with the
// PaymentIntent and lets automatic payment methods redirect.
func TestCharge_ReturnURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		for k, want := range map[string]string{
			"automatic_payment_methods[enabled]": "true", "automatic_payment_methods[allow_redirects]": "",
			"return_url": "https://shop.example/checkout/return", "payment_method_types[0]": "",
		} {
			if got := r.PostForm.Get(k); got != want {
				t.Errorf("got form %s = %q, want %q", k, got, want)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(succeededIntent))
	}))
	defer srv.Close()
	p := shopstripe.New(shopstripe.Config{SecretKey: "sk_test_fake", APIBase: srv.URL, ReturnURL: "https://shop.example/checkout/return"})
	if _, err := p.Charge(context.Background(), request("pm_card_visa")); err != nil {
		t.Fatalf("Charge: %v", err)
	}
}
