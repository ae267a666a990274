package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
	"testing"
)

// This file holds the E2E test of Shopify's order webhooks into the one
// stock pool shopfn's own checkouts sell from.

const e2eShopifySecret = "shpss_e2e"

// shopifyDeliver posts body as Shopify would: signed with secret, with a
// topic and a webhook ID. It is safe for goroutines.
func (s e2eShop) shopifyDeliver(tb testing.TB, secret, topic, webhookID string, body []byte) *Response {
	tb.Helper()
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	res, err := s.send("POST", "/api/webhooks/shopify", body,
		"X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(m.Sum(nil)),
		"X-Shopify-Topic", topic, "X-Shopify-Webhook-Id", webhookID)
	if err != nil {
		tb.Error(err)
		return &Response{}
	}
	e2eCheckResponse(tb, "POST", "/api/webhooks/shopify", res)
	return res
}

// shopifyStorm delivers body n times at once under each of ids webhook
// IDs (Shopify's retries keep one ID; another subscription has its own),
// and wants every delivery answered 200.
func (s e2eShop) shopifyStorm(t *testing.T, topic string, body []byte, ids, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range ids * n {
		wg.Go(func() {
			res := s.shopifyDeliver(t, e2eShopifySecret, topic, fmt.Sprintf("%s-%d", topic[len("orders/"):], i%ids), body)
			if res.Status != 200 {
				t.Errorf("%s delivery %d: got %d %s, want 200", topic, i, res.Status, res.Body)
			}
		})
	}
	wg.Wait()
}

// TestE2EShopifyOrders: a Shopify-signed orders/create takes stock once
// however often and however concurrently it is delivered, takes no more
// than shopfn has available, and records what it could not take; a bad
// signature is refused with 401 and changes nothing; orders/cancelled
// gives the units back once, and a late create changes nothing.
func TestE2EShopifyOrders(t *testing.T) {
	t.Parallel()
	s := startMoney(t, func(m *Main) { m.Config.ShopifyWebhookSecret = e2eShopifySecret })
	s.mustStockedProduct(t, "shopify-a", "SHP-A", 1000, 5)
	s.mustStockedProduct(t, "shopify-b", "SHP-B", 1000, 1)
	order := []byte(`{"id":820982911946154508,"email":"buyer@example.com","line_items":[
		{"sku":"SHP-A","quantity":2},{"sku":"SHP-B","quantity":3},{"sku":"SHP-NEVER","quantity":1},{"sku":null,"quantity":1}]}`)

	bad := s.shopifyDeliver(t, "not the secret", "orders/create", "forged", order)
	e2eWantProblem(t, "a forged signature", bad, 401, "invalid_signature")
	res, err := s.send("POST", "/api/webhooks/shopify", order, "X-Shopify-Topic", "orders/create", "X-Shopify-Webhook-Id", "unsigned")
	if err != nil {
		t.Fatal(err)
	}
	e2eWantProblem(t, "no signature", res, 401, "invalid_signature")
	s.moneyWaitQueues(t, 0, 0)
	if got, want := s.moneySettledStock(t, "SHP-A"), (e2eStock{"SHP-A", 5, 0, 0, 5}); got != want {
		t.Fatalf("stock after refused webhooks: got %+v, want %+v", got, want)
	}

	s.shopifyStorm(t, "orders/create", order, 3, 8)
	s.moneyWaitQueues(t, 0, 0)
	if got, want := s.moneySettledStock(t, "SHP-A"), (e2eStock{"SHP-A", 5, 2, 0, 3}); got != want {
		t.Errorf("SHP-A after 24 deliveries of one create: got %+v, want %+v (taken once)", got, want)
	}
	if got, want := s.moneySettledStock(t, "SHP-B"), (e2eStock{"SHP-B", 1, 1, 0, 0}); got != want {
		t.Errorf("SHP-B, 3 sold on Shopify of 1: got %+v, want %+v (never below zero)", got, want)
	}
	if s.db != nil { // the embedded file holds the relational tables
		var short, unknown int64
		err = s.db.Read.QueryRow(`SELECT SUM(shortfall), SUM(unknown) FROM shopify_order_lines WHERE order_id = '820982911946154508'`).Scan(&short, &unknown)
		if err != nil || short != 4 || unknown != 2 {
			t.Errorf("recorded lines: got shortfall %d, unknown %d (%v); want 4 (2 of SHP-B, 1 unknown SKU, 1 without) and 2", short, unknown, err)
		}
	}
	cart := s.moneyCart(t)
	e2eWantProblem(t, "add SHP-B sold on Shopify", s.do(t, "POST", "/api/carts/"+cart+"/items", map[string]any{"sku": "SHP-B", "quantity": 1}), 422, "insufficient_stock")

	s.shopifyStorm(t, "orders/cancelled", order, 3, 4)
	s.moneyWaitQueues(t, 0, 0)
	s.shopifyDeliver(t, e2eShopifySecret, "orders/create", "late-create", order)
	s.moneyWaitQueues(t, 0, 0)
	for _, want := range []e2eStock{{"SHP-A", 5, 0, 0, 5}, {"SHP-B", 1, 0, 0, 1}} {
		if got := s.moneySettledStock(t, want.SKU); got != want {
			t.Errorf("%s after the cancel and a late create: got %+v, want %+v (given back once)", want.SKU, got, want)
		}
	}

	// Another order ships: its committed units leave the shelf.
	second := []byte(`{"id":820982911946154509,"line_items":[{"sku":"SHP-A","quantity":1}]}`)
	s.shopifyDeliver(t, e2eShopifySecret, "orders/create", "second-create", second)
	s.shopifyDeliver(t, e2eShopifySecret, "orders/fulfilled", "second-fulfilled", second)
	s.moneyWaitQueues(t, 0, 0)
	if got, want := s.moneySettledStock(t, "SHP-A"), (e2eStock{"SHP-A", 4, 0, 0, 4}); got != want {
		t.Errorf("SHP-A after a Shopify order shipped: got %+v, want %+v", got, want)
	}
	if got := s.shopifyDeliver(t, e2eShopifySecret, "products/update", "ignored", second); got.Status != 200 {
		t.Errorf("a topic shopfn ignores: got %d, want 200", got.Status)
	}
}

// TestE2EShopifyOff: without SHOPFN_SHOPIFY_WEBHOOK_SECRET the route is
// not there.
func TestE2EShopifyOff(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	res := s.shopifyDeliver(t, "", "orders/create", "w", []byte(`{"id":1}`))
	e2eWantProblem(t, "no Shopify secret", res, 404, "not_found")
}
