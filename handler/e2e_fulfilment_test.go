package main

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// e2eFulfilledOrder is an order as the admin API answers it, with its
// fulfilments.
type e2eFulfilledOrder struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	FulfilledAt string `json:"fulfilledAt"`
	Fulfilments []struct {
		ID             string    `json:"id"`
		LocationID     string    `json:"locationId"`
		Lines          []e2eLine `json:"lines"`
		TrackingNumber string    `json:"trackingNumber"`
		Carrier        string    `json:"carrier"`
		CreatedAt      string    `json:"createdAt"`
	} `json:"fulfilments"`
}

// TestE2EFulfilments: an order allocated at two locations ships from each
// in turn over POST /api/admin/orders/{id}/fulfilments, only what is
// allocated there, once per Idempotency-Key; /fulfil ships the rest.
// (Cancelling a partially fulfilled order: TestE2EPartialCancel.)
func TestE2EFulfilments(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	const sku = "FUL-ONE"
	s.mustStockedProduct(t, "ful-one", sku, 1000, 1) // at default
	s.mustPutLocation(t, "default", 9, "active")
	s.mustPutLocation(t, "us-1", 1, "active", "US")
	s.mustSetStockAt(t, sku, "us-1", 2)
	res := s.moneySendCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 3}), "pm_card_visa"), "")
	paid, _ := moneySplit(t, []*Response{res})
	if len(paid) != 1 {
		t.Fatalf("checkout: got %d paid, want 1", len(paid))
	}
	s.moneyWantPlaced(t, paid)
	id := paid[0].OrderID
	path := "/api/admin/orders/" + id + "/fulfilments"
	body := func(loc string, q int) map[string]any {
		return map[string]any{"locationId": loc, "lines": []map[string]any{{"sku": sku, "quantity": q}}, "trackingNumber": "1Z999", "carrier": "UPS"}
	}
	post := func(what string, b any, status int, header ...string) e2eFulfilledOrder {
		t.Helper()
		res := s.admin(t, "POST", path, b, header...)
		e2eWantStatus(t, what, res, status)
		var o e2eFulfilledOrder
		res.JSON(t, &o)
		return o
	}
	wantAt := func(when string, want map[string][2]int64) {
		t.Helper()
		got := map[string][2]int64{}
		for _, l := range s.stockLevels(t, sku).Locations {
			got[l.LocationID] = [2]int64{l.OnHand, l.Committed}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: %s per location [onHand committed] (-want +got):\n%s", when, sku, diff)
		}
	}
	wantAt("placed", map[string][2]int64{"us-1": {2, 2}, "default": {1, 1}})

	o := post("ship 1 from us-1", body("us-1", 1), 200, "Idempotency-Key", "ship-1")
	if o.Status != "partially_fulfilled" || len(o.Fulfilments) != 1 || o.Fulfilments[0].TrackingNumber != "1Z999" || o.Fulfilments[0].LocationID != "us-1" {
		t.Errorf("after the first shipment: got %+v", o)
	}
	again := post("the same request again", body("us-1", 1), 200, "Idempotency-Key", "ship-1")
	if len(again.Fulfilments) != 1 || again.Fulfilments[0].ID != o.Fulfilments[0].ID {
		t.Errorf("replay: got %+v, want the one fulfilment", again.Fulfilments)
	}
	e2eWantProblem(t, "the key with another body", s.admin(t, "POST", path, body("us-1", 2), "Idempotency-Key", "ship-1"), 422, "idempotency_key_reused")
	e2eWantProblem(t, "more than is left at us-1", s.admin(t, "POST", path, body("us-1", 2)), 409, "not_allocated")
	e2eWantProblem(t, "more than is allocated at default", s.admin(t, "POST", path, body("default", 2)), 409, "not_allocated")
	e2eWantProblem(t, "from an unknown location", s.admin(t, "POST", path, body("eu-1", 1)), 404, "not_found")
	for _, tt := range []struct {
		name string
		body any
	}{
		{"no lines", map[string]any{"locationId": "us-1", "lines": []any{}}},
		{"a zero quantity", body("us-1", 0)},
		{"a bad location id", body("US 1", 1)},
		{"an unknown field", map[string]any{"locationId": "us-1", "lines": []map[string]any{{"sku": sku, "quantity": 1}}, "priority": 1}},
	} {
		e2eWantProblem(t, "a fulfilment with "+tt.name, s.admin(t, "POST", path, tt.body), 400, "invalid_request")
	}
	e2eWantProblem(t, "an unknown order", s.admin(t, "POST", "/api/admin/orders/o0000000000aaaaaaaaaaaaaaaaaaaaaaaaaa/fulfilments", body("us-1", 1)), 404, "not_found")
	e2eWantProblem(t, "without the key", s.do(t, "POST", path, body("us-1", 1)), 401, "unauthorized")
	wantAt("one shipped from us-1", map[string][2]int64{"us-1": {1, 1}, "default": {1, 1}})

	res = s.admin(t, "GET", "/api/admin/orders?status=partially_fulfilled", nil)
	e2eWantStatus(t, "list partially fulfilled orders", res, 200)
	var page struct{ Items []e2eFulfilledOrder }
	res.JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != id || len(page.Items[0].Fulfilments) != 1 {
		t.Errorf("partially fulfilled orders: got %+v", page.Items)
	}

	// The rest ships from where it is allocated.
	res = s.admin(t, "POST", "/api/admin/orders/"+id+"/fulfil", nil)
	e2eWantStatus(t, "fulfil the rest", res, 200)
	res.JSON(t, &o)
	if o.Status != "fulfilled" || o.FulfilledAt == "" || len(o.Fulfilments) != 3 {
		t.Errorf("after /fulfil: got %+v, want fulfilled with 3 fulfilments", o)
	}
	wantAt("fulfilled", map[string][2]int64{"us-1": {0, 0}, "default": {0, 0}})
	e2eWantProblem(t, "ship a fulfilled order", s.admin(t, "POST", path, body("us-1", 1)), 409, "not_allocated")
	post("a replay after it fulfilled", body("us-1", 1), 200, "Idempotency-Key", "ship-1")
}

// TestE2EFulfilledMessageAtLocation: a warehouse's OrderFulfilled message
// that names a location ships the units allocated there, once however
// often it is delivered; one naming no location ships the rest.
func TestE2EFulfilledMessageAtLocation(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	const sku = "FUL-MSG"
	s.mustStockedProduct(t, "ful-msg", sku, 1000, 1) // at default
	s.mustPutLocation(t, "default", 9, "active")
	s.mustPutLocation(t, "us-1", 1, "active", "US")
	s.mustSetStockAt(t, sku, "us-1", 2)
	res := s.moneySendCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 3}), "pm_card_visa"), "")
	paid, _ := moneySplit(t, []*Response{res})
	if len(paid) != 1 {
		t.Fatalf("checkout: got %d paid, want 1", len(paid))
	}
	s.moneyWantPlaced(t, paid)
	id := paid[0].OrderID
	order := func() e2eFulfilledOrder {
		t.Helper()
		res := s.admin(t, "GET", "/api/admin/orders?limit=100", nil)
		e2eWantStatus(t, "list orders", res, 200)
		var page struct{ Items []e2eFulfilledOrder }
		res.JSON(t, &page)
		for _, o := range page.Items {
			if o.ID == id {
				return o
			}
		}
		t.Fatalf("order %s is not listed", id)
		return e2eFulfilledOrder{}
	}
	wantAt := func(when string, want map[string][2]int64) {
		t.Helper()
		got := map[string][2]int64{}
		for _, l := range s.stockLevels(t, sku).Locations {
			got[l.LocationID] = [2]int64{l.OnHand, l.Committed}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: %s per location [onHand committed] (-want +got):\n%s", when, sku, diff)
		}
	}
	msg := map[string]any{"type": "OrderFulfilled", "orderId": id, "locationId": "us-1"}
	for i := range 2 { // delivered twice: ships once
		moneyWantInvoked(t, fmt.Sprintf("POST /inventory OrderFulfilled at us-1 (delivery %d)", i+1), s.moneyInvoke(t, "inventory", "object", msg, true))
	}
	o := order()
	if o.Status != "partially_fulfilled" || len(o.Fulfilments) != 1 || o.Fulfilments[0].LocationID != "us-1" ||
		!cmp.Equal(o.Fulfilments[0].Lines, []e2eLine{{sku, 2}}) {
		t.Errorf("after us-1 shipped: got %+v, want partially_fulfilled with 2 shipped from us-1", o)
	}
	wantAt("us-1 shipped", map[string][2]int64{"us-1": {0, 0}, "default": {1, 1}})

	// A location the order has nothing at, or one that does not exist,
	// fails the message (retried, then dead-lettered); nothing ships.
	for _, loc := range []string{"eu-1", "nowhere"} {
		if loc == "eu-1" {
			s.mustPutLocation(t, "eu-1", 1, "active", "NL")
		}
		res := s.moneyInvoke(t, "inventory", "object", map[string]any{"type": "OrderFulfilled", "orderId": id, "locationId": loc}, true)
		if res.Status != 500 {
			t.Errorf("OrderFulfilled at %s: got %d %s, want 500, a failure the host retries", loc, res.Status, res.Body)
		}
	}
	wantAt("after the failed messages", map[string][2]int64{"us-1": {0, 0}, "default": {1, 1}, "eu-1": {0, 0}})

	// No location: the rest, from where it is allocated.
	moneyWantInvoked(t, "POST /inventory OrderFulfilled", s.moneyInvoke(t, "inventory", "object", map[string]any{"type": "OrderFulfilled", "orderId": id}, true))
	if o := order(); o.Status != "fulfilled" || len(o.Fulfilments) != 2 {
		t.Errorf("after the rest shipped: got %+v, want fulfilled with 2 fulfilments", o)
	}
	wantAt("fulfilled", map[string][2]int64{"us-1": {0, 0}, "default": {0, 0}, "eu-1": {0, 0}})
	moneyWantInvoked(t, "POST /inventory OrderFulfilled at us-1 after it fulfilled", s.moneyInvoke(t, "inventory", "object", msg, true))
}
