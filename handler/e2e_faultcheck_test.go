package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file holds the fault suite's cancel/fulfil race and the checks run
// once a fault has cleared: every message settled, and the money
// invariants.

// faultRace cancels and fulfils each order at once through the admin API,
// retrying 503s, while the fault lasts; it reports that it ran.
func faultRace(r *faultRun, orders []string, async func(func())) bool {
	for _, id := range orders {
		for _, action := range []string{"cancel", "fulfil"} {
			async(func() {
				path := "/api/admin/orders/" + id + "/" + action
				res := r.log.call(r.t, r.s, r.deadline, "POST", path, nil, "x-functions-key", testAdminKey)
				if res != nil && res.Status != 200 && res.Status != 409 {
					r.t.Errorf("POST %s: got %d %s, want 200, or 409 when the other action won", path, res.Status, res.Body)
				}
			})
		}
	}
	return true
}

// wantSettled waits until every successful charge has its order (or its
// OrderPlaced message is a dead letter), letting the peer's message locks
// lapse when a delivery was lost with its connection, then lets the
// unpaid reservations expire and waits for both queues to empty.
func (r *faultRun) wantSettled() {
	t, s := r.t, r.s
	lapse := time.Now()
	moneyWait(t, "every charge's order", func() (bool, string) {
		missing := r.unsettled()
		if len(missing) == 0 {
			return true, ""
		}
		if time.Since(lapse) > 2*time.Second {
			// A delivery lost with its connection stays locked until its
			// lock lapses (30 s on the peer's clock).
			s.Clock.Advance(31 * time.Second)
			lapse = time.Now()
		}
		time.Sleep(100 * time.Millisecond)
		return false, fmt.Sprintf("charges without a settled order: %v", missing)
	})
	s.Clock.Advance(NewTestConfig(t, false).ReservationTTL + time.Minute)
	s.moneyWaitQueues(t, 0, 0)
}

// charges returns the fake Stripe's succeeded PaymentIntents by checkout
// ID, with their order IDs, and the refunds of each PaymentIntent.
func (r *faultRun) charges() (orderOf map[string]string, refunds map[string]int, paymentOf map[string]string) {
	f := r.rig.fake
	f.mu.Lock()
	defer f.mu.Unlock()
	orderOf, refunds, paymentOf = map[string]string{}, map[string]int{}, map[string]string{}
	for key, id := range f.byKey {
		pi := f.intents[id]
		if pi["status"] != "succeeded" {
			continue
		}
		md, _ := pi["metadata"].(map[string]string)
		orderOf[key], paymentOf[key] = md["order_id"], id
	}
	for _, pi := range f.refunds {
		refunds[pi]++
	}
	return orderOf, refunds, paymentOf
}

// unsettled returns the checkouts charged whose order is missing or still
// processing, and whose OrderPlaced message is not a dead letter.
func (r *faultRun) unsettled() []string {
	orderOf, _, _ := r.charges()
	status := map[string]string{}
	for _, o := range r.s.moneyOrders(r.t, "", 100) {
		status[o.ID] = o.Status
	}
	dead := r.deadLetters()
	var missing []string
	for checkout, order := range orderOf {
		if st := status[order]; (st == "" || st == "processing") && !slices.Contains(dead, "order-placed-"+order) {
			missing = append(missing, checkout)
		}
	}
	return missing
}

// deadLetters returns the message IDs of both queues' dead letters.
func (r *faultRun) deadLetters() []string {
	res := r.s.admin(r.t, "GET", "/api/admin/deadletters", nil)
	e2eWantStatus(r.t, "GET /api/admin/deadletters", res, 200)
	var page struct{ Items []moneyDeadLetter }
	res.JSON(r.t, &page)
	var ids []string
	for _, d := range page.Items {
		ids = append(ids, d.MessageID)
	}
	return ids
}

// wantInvariants checks the money invariants once everything settled:
// every successful charge is exactly one order (placed, fulfilled, or
// cancelled and refunded once) or, with no order, one refund; no order
// without a charge; no refund of an order that is not cancelled (a
// fulfilled one above all); no unit oversold, and on hand, committed and
// reserved what the orders say; no answer 5xx but 503, and every 503 with
// Retry-After.
func (r *faultRun) wantInvariants(raced []string, raceRan bool) {
	t, s := r.t, r.s
	orderOf, refunds, paymentOf := r.charges()
	byCheckout := map[string][]moneyOrder{}
	orders := s.moneyOrders(t, "", 100)
	for _, o := range orders {
		byCheckout[o.CheckoutID] = append(byCheckout[o.CheckoutID], o)
		if _, ok := orderOf[o.CheckoutID]; !ok {
			t.Errorf("order %s (%s) has no successful charge", o.ID, o.Status)
		}
	}
	dead := r.deadLetters()
	for checkout, order := range orderOf {
		os, pi := byCheckout[checkout], paymentOf[checkout]
		switch {
		case len(os) > 1:
			t.Errorf("charge %s of checkout %s: %d orders, want one", pi, checkout, len(os))
		case len(os) == 0 && refunds[pi] != 1 && !slices.Contains(dead, "order-placed-"+order):
			t.Errorf("charge %s of checkout %s: no order, %d refunds, and no dead letter; want one order or one refund", pi, checkout, refunds[pi])
		case len(os) == 1 && os[0].Status == "cancelled" && refunds[pi] != 1:
			t.Errorf("cancelled order %s: %d refunds of %s, want one", os[0].ID, refunds[pi], pi)
		case len(os) == 1 && os[0].Status != "cancelled" && refunds[pi] != 0:
			t.Errorf("%s order %s (%+v): %d refunds of %s, want none", os[0].Status, os[0].ID, os[0].Items, refunds[pi], pi)
		}
	}
	for sku, stocked := range r.stocked {
		var sold int64
		for _, o := range orders {
			for _, it := range o.Items {
				if it.SKU == sku && (o.Status == "placed" || o.Status == "fulfilled") {
					sold += int64(it.Quantity)
				}
			}
		}
		if sold > stocked {
			t.Errorf("%s: %d units sold of %d stocked: oversold", sku, sold, stocked)
		}
		s.moneyWantStockMatchesOrders(t, sku, stocked, 0)
	}
	if raceRan {
		for _, id := range raced {
			_, o := s.moneyGetOrder(t, id)
			if o.Status != "cancelled" && o.Status != "fulfilled" {
				t.Errorf("raced order %s: %s, want cancelled or fulfilled", id, o.Status)
			}
		}
	}
	for _, b := range r.log.broken {
		t.Error(b)
	}
	if len(dead) > 0 {
		t.Logf("dead letters (visible, re-drivable): %s", strings.Join(dead, ", "))
	}
}

// tally adds the run's orders and refunds to the suite's figures.
func (r *faultRun) tally(tot *faultTotals) {
	_, refunds, _ := r.charges()
	n := 0
	for _, c := range refunds {
		n += c
	}
	orders := len(r.s.moneyOrders(r.t, "", 100))
	tot.mu.Lock()
	defer tot.mu.Unlock()
	tot.orders += orders
	tot.refunds += n
}
