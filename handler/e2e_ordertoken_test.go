package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"shopfn/handler/telemetry"
)

// This file holds the E2E tests of who sees a buyer's details: only the
// holder of the order's access token, which only the buyer's own checkout
// request gets; and the logs and traces of a whole checkout name no ID and
// no personal data.

// moneyWantNoBuyer checks that an order body holds none of the buyer's
// details, nor the checkout behind it.
func moneyWantNoBuyer(tb testing.TB, what string, body []byte) {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Fatalf("%s: %s: %v", what, body, err)
	}
	for _, k := range []string{"email", "shippingAddress", "checkoutId", "phone", "name"} {
		if _, ok := m[k]; ok {
			tb.Errorf("%s: got %q in %s, want none of the buyer's details", what, k, body)
		}
	}
}

func TestE2EOrderToken(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	rec := tracetest.NewSpanRecorder()
	s := startMoney(t, func(m *Main) {
		m.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		access, err := telemetry.NewAccessLog(&logs, telemetry.LogConfig{JSON: true, Level: "debug"})
		if err != nil {
			t.Fatal(err)
		}
		m.AccessLog = access
		m.Telemetry = telemetry.Config{SpanProcessors: []sdktrace.SpanProcessor{rec}}
	})
	s.mustStockedProduct(t, "token-lamp", "TOK-1", 1200, 10)
	req := moneyNewRequest(s.moneyCart(t, e2eLine{"TOK-1", 1}), "pm_card_visa")
	req.Email, req.ShippingAddress.Name, req.ShippingAddress.Line1 = "grace.hopper@example.org", "Grace Hopper", "7 Cobol Lane"
	// What nobody but the buyer may learn from an ID, and no log may hold.
	secret := []string{req.CartID, req.Email, req.ShippingAddress.Name, req.ShippingAddress.Line1}

	first := s.moneyCheckout(t, req, "token-key-1")
	paid := moneyWantPaid(t, "checkout", first)
	if paid.OrderToken == "" {
		t.Fatalf("checkout: got %s, want an orderToken", first.Body)
	}
	secret = append(secret, paid.OrderID, paid.CheckoutID, paid.OrderToken)
	again := s.moneyCheckout(t, req, "token-key-1")
	if !bytes.Equal(again.Body, first.Body) {
		t.Errorf("replay: got %s, want the first answer %s, token included", again.Body, first.Body)
	}
	s.moneyWaitOrder(t, paid.OrderID, "placed")

	t.Run("Order", func(t *testing.T) {
		// Without the token, or with a wrong one: status, lines, totals.
		for _, token := range []string{"", "wrong-token", paid.OrderToken + "x"} {
			res := s.do(t, "GET", "/api/orders/"+paid.OrderID, nil, "X-Order-Token", token)
			e2eWantStatus(t, "order with token "+token, res, 200)
			e2eCheckShape(t, "order with token "+token, res.Body, moneyOrderViewShape)
			moneyWantNoBuyer(t, "order with token "+token, res.Body)
		}
		// With it: everything.
		_, o := s.moneyGetOrder(t, paid.OrderID, paid.OrderToken)
		if o.Email != req.Email || o.ShippingAddress != req.ShippingAddress || o.CheckoutID != paid.CheckoutID {
			t.Errorf("order with its token: got %+v, want the buyer's email, address and checkout", o)
		}
	})

	t.Run("CartAndOtherKeys", func(t *testing.T) {
		moneyWantNoOrder(t, "GET cart", s.do(t, "GET", "/api/carts/"+req.CartID, nil), paid.OrderID)
		res := s.moneyCheckout(t, req, "token-key-other")
		e2eWantProblem(t, "checkout under another key", res, 409, "cart_closed")
		moneyWantNoOrder(t, "checkout under another key", res, paid.OrderID)
	})

	var action moneyResult
	t.Run("ThreeDSecure", func(t *testing.T) {
		req3 := req
		req3.CartID, req3.PaymentMethod = s.moneyCart(t, e2eLine{"TOK-1", 1}), "pm_card_authenticationRequired"
		secret = append(secret, req3.CartID)
		action = moneyWantAction(t, "checkout", s.moneyCheckout(t, req3, ""))
		if action.OrderToken == "" || action.OrderToken == paid.OrderToken {
			t.Fatalf("requires_action: got token %q, want the order's own", action.OrderToken)
		}
		secret = append(secret, action.OrderID, action.CheckoutID, action.OrderToken)
		if p, err := s.moneyTestPay(t).PaymentForCheckout(context.Background(), action.CheckoutID); err == nil {
			secret = append(secret, p.ID)
		}
		url, _ := action.NextAction["url"].(string)
		e2eWantStatus(t, "authenticate", s.moneyFollow(t, url, ""), 200)
		// Anyone holding a checkout ID may confirm: no token there.
		res := s.do(t, "POST", "/api/checkout/"+action.CheckoutID+"/confirm", nil)
		e2eWantStatus(t, "confirm", res, 200)
		if strings.Contains(string(res.Body), "orderToken") {
			t.Errorf("confirm: got %s, want no orderToken", res.Body)
		}
		s.moneyWaitOrder(t, action.OrderID, "placed")
		if _, o := s.moneyGetOrder(t, action.OrderID, action.OrderToken); o.Email != req.Email {
			t.Errorf("3-D Secure order with its token: got %+v, want the buyer's email", o)
		}
		// One order's token opens no other order.
		res = s.do(t, "GET", "/api/orders/"+action.OrderID, nil, "X-Order-Token", paid.OrderToken)
		moneyWantNoBuyer(t, "order with another order's token", res.Body)
	})
	if p, err := s.moneyTestPay(t).PaymentForCheckout(context.Background(), paid.CheckoutID); err == nil {
		secret = append(secret, p.ID)
	}

	t.Run("Logs", func(t *testing.T) {
		out := logs.String()
		for _, want := range []string{`"route":"/api/checkout"`, `"route":"/api/orders/{orderId}"`, `"route":"/api/carts/{cartId}"`} {
			if !strings.Contains(out, want) {
				t.Errorf("logs: no %s in\n%s", want, out)
			}
		}
		for _, v := range secret {
			if v != "" && strings.Contains(out, v) {
				t.Errorf("logs hold %q:\n%s", v, out)
			}
		}
	})

	t.Run("Spans", func(t *testing.T) {
		spans := rec.Ended()
		if len(spans) == 0 {
			t.Fatal("no spans recorded")
		}
		for _, sp := range spans {
			// Queue spans name their message, whose ID holds an order or
			// checkout ID (never a cart's, never personal data); HTTP
			// spans name their route only.
			check := secret
			if sp.SpanKind() != trace.SpanKindServer {
				check = []string{req.CartID, req.Email, req.ShippingAddress.Name, req.ShippingAddress.Line1, paid.OrderToken}
			}
			text := sp.Name()
			for _, a := range sp.Attributes() {
				text += " " + string(a.Key) + "=" + a.Value.Emit()
			}
			for _, v := range check {
				if v != "" && strings.Contains(text, v) {
					t.Errorf("span %q holds %q: %s", sp.Name(), v, text)
				}
			}
		}
	})
}
