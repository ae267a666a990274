package main

import (
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"shopfn/handler/telemetry"
)

// TestE2ECustomerNoPersonalDataInLogs runs every customer route, the
// customer's carts, checkouts, orders, claim and erasure included, with
// the log at debug level, an access log and a span recorder, and finds no
// token, email, name, phone or address line in what they recorded.
func TestE2ECustomerNoPersonalDataInLogs(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	rec := tracetest.NewSpanRecorder()
	p := MustRunMainWith(t, false, func(m *Main) {
		m.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		var err error
		if m.AccessLog, err = telemetry.NewAccessLog(&logs, telemetry.LogConfig{Level: "debug", JSON: true}); err != nil {
			t.Fatal(err)
		}
		m.Telemetry = telemetry.Config{SpanProcessors: []sdktrace.SpanProcessor{rec}}
	})
	const email, name, phone, line1 = "grace.hopper@navy.example", "Grace Brewster Hopper", "+1 202 555 0143", "1 Compiler Way"
	c := devSignIn(t, p, email, name)
	me := c.me(t)
	c.do(t, "PATCH", "/api/me", map[string]any{"phone": phone})
	a := c.addAddress(t, testAddress(line1, true))
	c.do(t, "PUT", "/api/me/addresses/"+a.ID, testAddress(line1+" North", true))
	c.addresses(t)
	c.do(t, "POST", "/api/me/addresses", map[string]any{"line1": line1}) // refused: 422
	c.do(t, "PATCH", "/api/me", map[string]any{"phone": "not " + phone}) // refused: 400
	p.Admin(t, "GET", "/api/admin/customers?email="+email, nil)
	p.Admin(t, "GET", "/api/admin/customers/"+me.ID, nil)
	p.Admin(t, "PUT", "/api/admin/customers/"+me.ID+"/groups", map[string]any{"groups": []string{"vip"}})
	tampered := customerClient{p: p, token: c.token[:len(c.token)-6] + "AAAAAA"}
	tampered.do(t, "GET", "/api/me", nil)
	customerClient{p: p, token: "garbage." + email}.do(t, "GET", "/api/me", nil)
	// Carts, checkout and orders of the same customer.
	s := e2eShop{p}
	s.mustStockedProduct(t, "log-tee", "LOG-TEE", 2000, 100)
	_, mine := cartAs(t, s, c, "POST", "/api/carts", map[string][]e2eLine{"items": {{"LOG-TEE", 1}}})
	guest := s.mustNewCart(t, []e2eLine{{"LOG-TEE", 2}})
	cartAs(t, s, c, "POST", "/api/carts/"+guest.ID+"/customer", map[string]string{"mode": "merge"})
	cartAs(t, s, c, "GET", "/api/me/cart", nil)
	cartAs(t, s, c, "GET", "/api/carts/"+mine.ID, nil)
	cartAs(t, s, customerClient{}, "GET", "/api/carts/"+mine.ID, nil) // refused: 401
	_, orderID, _ := checkoutAs(t, s, c, map[string]any{"cartId": mine.ID, "shippingAddressId": a.ID})
	c.do(t, "GET", "/api/orders/"+orderID, nil)
	c.do(t, "GET", "/api/me/orders?limit=1", nil)
	other := s.mustNewCart(t, []e2eLine{{"LOG-TEE", 1}})
	_, guestOrder, _ := checkoutAs(t, s, customerClient{}, map[string]any{"cartId": other.ID, "email": email, "shippingAddress": shipTo(line1)})
	c.do(t, "POST", "/api/me/orders/claim", map[string]string{"orderId": guestOrder})
	_, _, _ = checkoutAs(t, s, c, map[string]any{"cartId": other.ID, "shippingAddressId": "a_unknown"}) // refused: 404
	c.do(t, "DELETE", "/api/me/addresses/"+a.ID, nil)
	c.do(t, "DELETE", "/api/me", nil)

	var spans strings.Builder
	for _, s := range rec.Ended() {
		fmt.Fprintf(&spans, "%s %v %v\n", s.Name(), s.Attributes(), s.Events())
	}
	recorded := logs.String() + spans.String()
	if !strings.Contains(recorded, "/api/me/addresses") || !strings.Contains(spans.String(), "/api/me") {
		t.Fatalf("the logs or spans recorded no customer request:\n%s", recorded)
	}
	secrets := map[string]string{
		"token": c.token, "token signature": c.token[strings.LastIndexByte(c.token, '.')+1:],
		"email": email, "email's local part": "grace.hopper", "name": name, "phone": phone, "phone digits": "555 0143", "address": line1,
	}
	for what, s := range secrets {
		if strings.Contains(recorded, s) {
			t.Errorf("the %s %q is in the logs or spans:\n%s", what, s, recorded)
		}
	}
}

// TestE2ECustomerRateLimit checks that a signed-in customer's writes are
// limited per customer as well as per address: from ever new addresses,
// the customer's own bucket runs out.
func TestE2ECustomerRateLimit(t *testing.T) {
	t.Parallel()
	p := MustRunMainWith(t, false, func(m *Main) {
		m.Config.RateLimit, m.Config.RateBurst = 0.001, 3
		m.Config.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	from := func(c customerClient, addr string, body any) *Response {
		return p.Do(t, "PATCH", "/api/me", body, "Authorization", "Bearer "+c.token, "X-Forwarded-For", addr)
	}
	token := func(email, addr string) customerClient {
		res := p.Do(t, "POST", "/api/dev/oidc/token", map[string]any{"email": email}, "X-Forwarded-For", addr)
		var tok struct {
			AccessToken string `json:"accessToken"`
		}
		res.JSON(t, &tok)
		return customerClient{p: p, token: tok.AccessToken}
	}
	ada := token("ada@example.com", "10.0.0.100")
	for i := 1; i <= 3; i++ {
		if res := from(ada, fmt.Sprintf("10.0.1.%d", i), map[string]any{"name": "Ada"}); res.Status != 200 {
			t.Fatalf("write %d of the burst: got %d %s, want 200", i, res.Status, res.Body)
		}
	}
	res := from(ada, "10.0.1.4", map[string]any{"name": "Ada"})
	wantProblem(t, "the customer's 4th write, from a new address", res, 429, "rate_limited")
	if res.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	bob := token("bob@example.com", "10.0.2.100")
	if res := from(bob, "10.0.2.1", map[string]any{"name": "Bob"}); res.Status != 200 {
		t.Errorf("another customer: got %d %s, want 200", res.Status, res.Body)
	}

	// Cart writes and checkouts with a token share the customer's bucket.
	carol := token("carol@example.com", "10.0.3.100")
	cart := func(i int, method, path string, body any) *Response {
		return p.Do(t, method, path, body, "Authorization", "Bearer "+carol.token, "X-Forwarded-For", fmt.Sprintf("10.0.4.%d", i))
	}
	res = cart(1, "POST", "/api/carts", nil)
	if res.Status != 201 {
		t.Fatalf("carol's cart: got %d %s, want 201", res.Status, res.Body)
	}
	var c struct {
		ID string `json:"id"`
	}
	res.JSON(t, &c)
	for i := 2; i <= 3; i++ {
		if res := cart(i, "DELETE", "/api/carts/"+c.ID+"/items/NOPE", nil); res.Status != 404 {
			t.Fatalf("carol's cart write %d: got %d %s, want 404 (no such line)", i, res.Status, res.Body)
		}
	}
	wantProblem(t, "the customer's 4th cart write, from a new address", cart(4, "DELETE", "/api/carts/"+c.ID+"/items/NOPE", nil), 429, "rate_limited")
	wantProblem(t, "the customer's checkout, from a new address", cart(5, "POST", "/api/checkout", map[string]any{"cartId": c.ID, "paymentMethod": "pm_card_visa"}), 429, "rate_limited")
}
