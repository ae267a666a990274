package main

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// e2eMovedOrder is an order as the admin API answers a move: its
// allocations and fulfilments.
type e2eMovedOrder struct {
	ID          string          `json:"id"`
	Status      string          `json:"status"`
	Allocations []e2eAllocation `json:"allocations"`
	Fulfilments []struct {
		LocationID string    `json:"locationId"`
		Lines      []e2eLine `json:"lines"`
	} `json:"fulfilments"`
}

// TestE2EAllocationMove: an order's unshipped units move between
// locations over POST /api/admin/orders/{id}/allocations/move, only to a
// location that ships to the order's country and has them, once per
// Idempotency-Key; committed follows them and they ship from where they
// moved to.
func TestE2EAllocationMove(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	const sku = "MOVE-ONE"
	s.mustStockedProduct(t, "move-one", sku, 1000, 1) // at default
	s.mustPutLocation(t, "default", 9, "active")
	s.mustPutLocation(t, "us-1", 1, "active", "US")
	s.mustPutLocation(t, "us-2", 2, "active", "US")
	s.mustPutLocation(t, "eu-1", 1, "active", "NL")
	s.mustSetStockAt(t, sku, "us-1", 2)
	s.mustSetStockAt(t, sku, "us-2", 3)
	s.mustSetStockAt(t, sku, "eu-1", 4)
	res := s.moneySendCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 3}), "pm_card_visa"), "")
	paid, _ := moneySplit(t, []*Response{res})
	if len(paid) != 1 {
		t.Fatalf("checkout: got %d paid, want 1", len(paid))
	}
	s.moneyWantPlaced(t, paid)
	id := paid[0].OrderID
	path := "/api/admin/orders/" + id + "/allocations/move"
	body := func(from, to string, q int) map[string]any {
		return map[string]any{"sku": sku, "from": from, "to": to, "quantity": q}
	}
	post := func(what string, b any, header ...string) e2eMovedOrder {
		t.Helper()
		res := s.admin(t, "POST", path, b, header...)
		e2eWantStatus(t, what, res, 200)
		var o e2eMovedOrder
		res.JSON(t, &o)
		return o
	}
	wantAt := func(when string, want map[string][2]int64) {
		t.Helper()
		got := map[string][2]int64{}
		for _, l := range s.stockLevels(t, sku).Locations {
			got[l.LocationID] = [2]int64{l.OnHand, l.Committed}
			if l.Available < 0 {
				t.Errorf("%s: %s oversold: %+v", when, l.LocationID, l)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: %s per location [onHand committed] (-want +got):\n%s", when, sku, diff)
		}
	}
	// The whole order fits at us-2 (fewest shipments).
	wantAt("placed", map[string][2]int64{"default": {1, 0}, "us-1": {2, 0}, "us-2": {3, 3}, "eu-1": {4, 0}})

	o := post("move 1 from us-2 to us-1", body("us-2", "us-1", 1), "Idempotency-Key", "move-1")
	want := []e2eAllocation{{sku, "us-1", 1}, {sku, "us-2", 2}}
	if o.Status != "placed" || !cmp.Equal(o.Allocations, want) {
		t.Errorf("after the move: got %+v, want placed with allocations %+v", o, want)
	}
	if again := post("the same move again", body("us-2", "us-1", 1), "Idempotency-Key", "move-1"); !cmp.Equal(again.Allocations, want) {
		t.Errorf("replay: got allocations %+v, want %+v", again.Allocations, want)
	}
	wantAt("moved 1 to us-1", map[string][2]int64{"default": {1, 0}, "us-1": {2, 1}, "us-2": {3, 2}, "eu-1": {4, 0}})
	e2eWantProblem(t, "the key with another body", s.admin(t, "POST", path, body("us-2", "us-1", 2), "Idempotency-Key", "move-1"), 422, "idempotency_key_reused")
	e2eWantProblem(t, "more than is allocated at us-2", s.admin(t, "POST", path, body("us-2", "us-1", 3)), 409, "not_allocated")
	e2eWantProblem(t, "from where nothing is allocated", s.admin(t, "POST", path, body("eu-1", "us-1", 1)), 409, "not_allocated")
	e2eWantProblem(t, "more than us-1 has", s.admin(t, "POST", path, body("us-2", "us-1", 2)), 409, "insufficient_stock")
	e2eWantProblem(t, "to a location that does not ship to the US", s.admin(t, "POST", path, body("us-2", "eu-1", 1)), 409, "insufficient_stock")
	e2eWantProblem(t, "to an unknown location", s.admin(t, "POST", path, body("us-2", "nowhere", 1)), 404, "not_found")
	e2eWantProblem(t, "from an unknown location", s.admin(t, "POST", path, body("nowhere", "us-1", 1)), 404, "not_found")
	for _, tt := range []struct {
		name string
		body any
	}{
		{"the same location twice", body("us-2", "us-2", 1)},
		{"a zero quantity", body("us-2", "us-1", 0)},
		{"a bad location id", body("US 2", "us-1", 1)},
		{"no sku", map[string]any{"from": "us-2", "to": "us-1", "quantity": 1}},
		{"an unknown field", map[string]any{"sku": sku, "from": "us-2", "to": "us-1", "quantity": 1, "priority": 1}},
	} {
		e2eWantProblem(t, "a move with "+tt.name, s.admin(t, "POST", path, tt.body), 400, "invalid_request")
	}
	e2eWantProblem(t, "an unknown order", s.admin(t, "POST", "/api/admin/orders/o0000000000aaaaaaaaaaaaaaaaaaaaaaaaaa/allocations/move", body("us-2", "us-1", 1)), 404, "not_found")
	e2eWantProblem(t, "without the key", s.do(t, "POST", path, body("us-2", "us-1", 1)), 401, "unauthorized")
	wantAt("after the refusals", map[string][2]int64{"default": {1, 0}, "us-1": {2, 1}, "us-2": {3, 2}, "eu-1": {4, 0}})

	// A shipped unit cannot move; the rest ships from where it moved to.
	e2eWantStatus(t, "ship 1 from us-1", s.admin(t, "POST", "/api/admin/orders/"+id+"/fulfilments",
		map[string]any{"locationId": "us-1", "lines": []map[string]any{{"sku": sku, "quantity": 1}}}), 200)
	e2eWantProblem(t, "move a shipped unit", s.admin(t, "POST", path, body("us-1", "default", 1)), 409, "not_allocated")
	o = post("move 1 from us-2 to the default location", body("us-2", "default", 1))
	if want := []e2eAllocation{{sku, "default", 1}, {sku, "us-1", 1}, {sku, "us-2", 1}}; o.Status != "partially_fulfilled" || !cmp.Equal(o.Allocations, want) {
		t.Errorf("after the second move: got %+v, want partially_fulfilled with allocations %+v", o, want)
	}
	res = s.admin(t, "POST", "/api/admin/orders/"+id+"/fulfil", nil)
	e2eWantStatus(t, "fulfil the rest", res, 200)
	res.JSON(t, &o)
	shipped := map[string]int{}
	for _, f := range o.Fulfilments {
		for _, l := range f.Lines {
			shipped[f.LocationID] += l.Quantity
		}
	}
	if want := map[string]int{"default": 1, "us-1": 1, "us-2": 1}; o.Status != "fulfilled" || !cmp.Equal(shipped, want) {
		t.Errorf("fulfilled: got %s, shipped %v, want fulfilled, shipped %v", o.Status, shipped, want)
	}
	wantAt("fulfilled", map[string][2]int64{"default": {0, 0}, "us-1": {1, 0}, "us-2": {2, 0}, "eu-1": {4, 0}})
	e2eWantProblem(t, "move in a fulfilled order", s.admin(t, "POST", path, body("us-2", "us-1", 1)), 409, "not_allocated")
}

// TestE2EAllocationMoveRace: orders move their units to one location
// while buyers check out there, over HTTP. The location is never
// oversold: its committed and reserved units are exactly the moves and
// the paid checkouts that won, within its stock.
func TestE2EAllocationMoveRace(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	const sku = "MOVE-RACE"
	s.mustStockedProduct(t, "move-race", sku, 1000, 6) // at default: the orders to move
	s.mustPutLocation(t, "default", 1, "active")
	var orders []string
	for range 6 {
		res := s.moneySendCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 1}), "pm_card_visa"), "")
		paid, _ := moneySplit(t, []*Response{res})
		if len(paid) != 1 {
			t.Fatalf("checkout: got %d paid, want 1", len(paid))
		}
		s.moneyWaitOrder(t, paid[0].OrderID, "placed")
		orders = append(orders, paid[0].OrderID)
	}
	// The target: 5 units, for 6 moves and 10 buyers.
	s.mustPutLocation(t, "us-1", 2, "active", "US")
	s.mustSetStockAt(t, sku, "us-1", 5)
	carts := make([]string, 10)
	for i := range carts {
		carts[i] = s.moneyCart(t, e2eLine{sku, 1})
	}
	moves := make([]*Response, len(orders))
	buys := make([]*Response, len(carts))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, id := range orders {
		wg.Go(func() {
			<-start
			moves[i] = s.admin(t, "POST", "/api/admin/orders/"+id+"/allocations/move", map[string]any{"sku": sku, "from": "default", "to": "us-1", "quantity": 1})
		})
	}
	for i, cart := range carts {
		wg.Go(func() {
			<-start
			buys[i] = s.moneySendCheckout(t, moneyNewRequest(cart, "pm_card_visa"), "")
		})
	}
	close(start)
	wg.Wait()
	moved := 0
	for i, res := range moves {
		switch res.Status {
		case 200:
			moved++
		case 409:
			e2eWantProblem(t, fmt.Sprintf("move %d", i), res, 409, "insufficient_stock")
		default:
			t.Errorf("move %d: got %d %s", i, res.Status, res.Body)
		}
	}
	paid, _ := moneySplit(t, buys, sku)
	for _, r := range paid {
		s.moneyWaitOrder(t, r.OrderID, "placed")
	}
	atUS := 0
	for _, o := range s.moneyOrders(t, "placed", 100) {
		for _, a := range o.Allocations {
			if a.LocationID == "us-1" {
				atUS += a.Quantity
			}
		}
	}
	var us e2eLocationLevel
	for _, l := range s.stockLevels(t, sku).Locations {
		if l.Committed+l.Reserved > l.OnHand {
			t.Errorf("%s oversold: %+v", l.LocationID, l)
		}
		if l.LocationID == "us-1" {
			us = l
		}
	}
	if us.Committed != int64(atUS) || atUS > 5 || moved > 5 {
		t.Errorf("us-1: committed %d, %d units allocated there by placed orders (%d moved), want equal and at most 5", us.Committed, atUS, moved)
	}
	// us-1's 5 units, less those moved there, plus the default
	// location's units the moves freed: 5 in all.
	if len(paid) > 5 || us.Reserved != 0 {
		t.Errorf("%d sold after %d moves, %d still reserved at us-1: want at most 5 sold, none reserved", len(paid), moved, us.Reserved)
	}
}
