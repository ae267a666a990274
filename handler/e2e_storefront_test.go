package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// This file holds the E2E tests of what a storefront needs to start:
// GET /api/config, Stripe PaymentIntents with automatic payment methods,
// and 3-D Secure links built from the address the buyer reached the API
// at, not the listen address.

// storefrontConfigBody is the body of GET /api/config.
type storefrontConfigBody struct {
	DefaultCurrency string   `json:"defaultCurrency"`
	Currencies      []string `json:"currencies"`
	Payments        struct {
		Provider       string  `json:"provider"`
		PublishableKey *string `json:"publishableKey"`
	} `json:"payments"`
	CartTTLHours       int `json:"cartTtlHours"`
	ReservationMinutes int `json:"reservationMinutes"`
}

// getStorefrontConfig reads GET /api/config.
func (s e2eShop) getStorefrontConfig(tb testing.TB) storefrontConfigBody {
	tb.Helper()
	res := s.do(tb, "GET", "/api/config", nil)
	e2eWantStatus(tb, "GET /api/config", res, 200)
	var c storefrontConfigBody
	res.JSON(tb, &c)
	return c
}

// formRecorder records the forms of the PaymentIntents a fake Stripe is
// asked to create, then lets the fake answer.
type formRecorder struct {
	next  http.Handler
	mu    sync.Mutex
	forms []url.Values
}

func (f *formRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == "POST" && r.URL.Path == "/v1/payment_intents" {
		r.ParseForm()
		f.mu.Lock()
		f.forms = append(f.forms, r.PostForm)
		f.mu.Unlock()
	}
	f.next.ServeHTTP(w, r)
}

func TestE2EStorefrontConfig(t *testing.T) {
	t.Parallel()

	t.Run("TestPayments", func(t *testing.T) {
		t.Parallel()
		s := startMoney(t, func(m *Main) {
			m.Config.ShippingBy = map[string]int64{"EUR": 450, "USD": 500}
			m.Config.TaxBy = map[string]int64{"GBP": 100}
			m.Config.StripePublishableKey = "pk_test_unused" // not the provider: not shown
		})
		c := s.getStorefrontConfig(t)
		if c.DefaultCurrency != "USD" || strings.Join(c.Currencies, ",") != "USD,EUR,GBP" {
			t.Errorf("got currencies %q %v, want USD then EUR, GBP", c.DefaultCurrency, c.Currencies)
		}
		if c.Payments.Provider != "test" || c.Payments.PublishableKey != nil {
			t.Errorf("got payments %+v, want test with no publishable key", c.Payments)
		}
		if c.CartTTLHours != 72 || c.ReservationMinutes != 15 {
			t.Errorf("got cart TTL %d h, reservation %d min, want 72 and 15", c.CartTTLHours, c.ReservationMinutes)
		}
	})

	t.Run("Stripe", func(t *testing.T) {
		t.Parallel()
		fake := newMoneyStripe(t)
		rec := &formRecorder{next: fake}
		srv := httptest.NewServer(rec)
		t.Cleanup(srv.Close)
		s := startMoney(t, func(m *Main) {
			m.Config.Payments, m.Config.StripeSecretKey, m.Config.StripeWebhookSecret = "stripe", "sk_test_x", moneyWebhookSecret
			m.Config.StripeAPIBase, m.Config.StripePublishableKey = srv.URL, "pk_test_123"
			m.Config.StripeReturnURL = "https://shop.example/checkout/return"
		})
		fake.shop.Store(&s.URL)
		c := s.getStorefrontConfig(t)
		if c.Payments.Provider != "stripe" || c.Payments.PublishableKey == nil || *c.Payments.PublishableKey != "pk_test_123" {
			t.Errorf("got payments %+v, want stripe with pk_test_123", c.Payments)
		}
		if strings.Contains(string(s.do(t, "GET", "/api/config", nil).Body), "sk_test_x") {
			t.Error("GET /api/config shows the secret key")
		}

		s.mustStockedProduct(t, "apm-lamp", "APM-1", 1000, 5)
		moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"APM-1", 1}), "pm_card_visa"), "apm-key-1"))
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if len(rec.forms) == 0 {
			t.Fatal("Stripe was asked for no PaymentIntent")
		}
		f := rec.forms[0]
		if f.Get("automatic_payment_methods[enabled]") != "true" || f.Get("payment_method_types[0]") != "" || f.Get("return_url") != "https://shop.example/checkout/return" {
			t.Errorf("PaymentIntent form %v: want automatic payment methods, no payment_method_types, the return URL", f)
		}
	})
}

func TestE2EThreeDSecureURL(t *testing.T) {
	t.Parallel()

	t.Run("RequestHost", func(t *testing.T) {
		t.Parallel()
		s := startMoney(t, nil)
		s.mustStockedProduct(t, "host-lamp", "HOST-1", 1000, 5)
		req := moneyNewRequest(s.moneyCart(t, e2eLine{"HOST-1", 1}), "pm_card_authenticationRequired")
		// The buyer reaches the API by a name, not by the address it
		// listens on.
		port := s.URL[strings.LastIndexByte(s.URL, ':')+1:]
		host := "localhost:" + port
		body, _ := json.Marshal(req)
		hr, _ := http.NewRequest("POST", s.URL+"/api/checkout", bytes.NewReader(body))
		hr.Host = host
		hr.Header.Set("Content-Type", "application/json")
		hres, err := http.DefaultClient.Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(hres.Body)
		hres.Body.Close()
		res := &Response{Status: hres.StatusCode, Header: hres.Header, Body: data}
		e2eCheckResponse(t, "POST", "/api/checkout", res)
		action := moneyWantAction(t, "checkout by name", res)
		got, _ := action.NextAction["url"].(string)
		if want := "http://" + host + "/api/testpay/authenticate/"; !strings.HasPrefix(got, want) {
			t.Errorf("nextAction.url %q, want it to start with %q (the request's host)", got, want)
		}
	})

	t.Run("PublicURL", func(t *testing.T) {
		t.Parallel()
		s := startMoney(t, func(m *Main) {
			m.Config.Addr = "127.0.0.1:0"
			m.Config.PublicURL = "https://api.shop.example"
		})
		s.mustStockedProduct(t, "public-lamp", "PUB-1", 1000, 5)
		action := moneyWantAction(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"PUB-1", 1}), "pm_card_authenticationRequired"), ""))
		got, _ := action.NextAction["url"].(string)
		if want := "https://api.shop.example/api/testpay/authenticate/"; !strings.HasPrefix(got, want) {
			t.Errorf("nextAction.url %q, want it to start with %q (SHOPFN_PUBLIC_URL)", got, want)
		}
	})
}
