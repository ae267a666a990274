package main

import (
	"encoding/json"
	"sync"
	"time"
)

// This file holds the crash test's final checks: keys, replays, orders,
// stock and dead letters.

// checkKeys checks that no key saw two order IDs and no order ID two keys.
func (r *crashRig) checkKeys(l *crashLedger) {
	t := r.t
	byOrder := map[string]string{}
	for _, c := range l.all {
		seen := map[string]bool{}
		for _, a := range c.attempts {
			if a.orderID != "" {
				seen[a.orderID] = true
			}
		}
		if len(seen) > 1 {
			t.Errorf("key %s: got %d order IDs, want one: %s", c.key, len(seen), c.history())
		}
		if c.outcome == "paid" && c.orderID == "" {
			t.Errorf("key %s: 201 without an orderId: %s", c.key, c.history())
		}
		for id := range seen {
			if other, ok := byOrder[id]; ok && other != c.key {
				t.Errorf("order %s: answered to keys %s and %s, want one", id, other, c.key)
			}
			byOrder[id] = c.key
		}
	}
}

// checkReplays sends every settled paid or declined checkout again with its
// key: the answer must be the first one.
func (r *crashRig) checkReplays(l *crashLedger) {
	t := r.t
	var mu sync.Mutex
	var wg sync.WaitGroup
	work := make(chan *crashCheckout)
	for range crashBuyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				a := r.attempt(c, -1)
				want := map[string]int{"paid": 201, "declined": 402}[c.outcome]
				if a.status != want || a.orderID != c.orderID {
					mu.Lock()
					t.Errorf("key %s: replay got %d %s order=%q %s, want %d order=%q; %s",
						c.key, a.status, a.code, a.orderID, a.err, want, c.orderID, c.history())
					mu.Unlock()
				}
			}
		}()
	}
	for _, c := range l.all {
		if c.outcome == "paid" || c.outcome == "declined" {
			work <- c
		}
	}
	close(work)
	wg.Wait()
}

// crashOrder is an order as the API shows it.
type crashOrder struct {
	ID         string `json:"id"`
	CheckoutID string `json:"checkoutId"`
	Status     string `json:"status"`
	Items      []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	} `json:"items"`
}

// waitPlaced polls GET /api/orders/{id} of every paid checkout until it is
// placed, within limit in all, and returns the orders by ID. An order whose
// OrderPlaced message was in the hands of a killed process waits for the
// embedded queue's message lock (30 s, as on Service Bus) to run out, so
// limit must be longer than that.
func (r *crashRig) waitPlaced(l *crashLedger, limit time.Duration) map[string]crashOrder {
	t := r.t
	start := time.Now()
	deadline := start.Add(limit)
	waiting := map[string]*crashCheckout{}
	for _, c := range l.all {
		if c.outcome == "paid" {
			waiting[c.orderID] = c
		}
	}
	placed := map[string]crashOrder{}
	late := map[string]time.Duration{} // placed more than 5 s after the wait began
	last := map[string]crashResponse{}
	for len(waiting) > 0 && time.Now().Before(deadline) {
		for id, c := range waiting {
			res := r.do("GET", "/api/orders/"+id, nil)
			last[id] = res
			var o crashOrder
			if res.status != 200 || json.Unmarshal(res.body, &o) != nil || o.Status != "placed" {
				continue
			}
			placed[id] = o
			delete(waiting, id)
			if d := time.Since(start); d > 5*time.Second {
				late[id] = d.Round(100 * time.Millisecond)
			}
			if got := crashQuantities(o); !crashSameLines(got, c.lines) {
				t.Errorf("order %s of key %s: lines %v, want the cart's %v", id, c.key, got, c.lines)
			}
		}
		if len(waiting) > 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	for id, c := range waiting {
		res := last[id]
		t.Errorf("order %s of key %s: GET got %d %s (%v), want placed within %v; %s",
			id, c.key, res.status, res.body, res.err, limit, c.history())
	}
	t.Logf("%d orders placed; the queues drained %v after the last checkout settled", len(placed), time.Since(start).Round(time.Millisecond))
	if len(late) > 0 {
		t.Logf("%d orders were placed only after their message lock, taken by a killed process, ran out: %v", len(late), late)
	}
	return placed
}

// checkOrderList pages through GET /api/admin/orders: each paid checkout's
// order is there exactly once, and no other order is.
func (r *crashRig) checkOrderList(l *crashLedger) {
	t := r.t
	listed := map[string]int{}
	cursor := ""
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatalf("GET /api/admin/orders: more than 1000 pages")
		}
		path := "/api/admin/orders?limit=100"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var p struct {
			Items      []crashOrder `json:"items"`
			NextCursor *string      `json:"nextCursor"`
		}
		if err := json.Unmarshal(r.must("GET", path, nil, 200), &p); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		for _, o := range p.Items {
			listed[o.ID]++
		}
		if p.NextCursor == nil {
			break
		}
		cursor = *p.NextCursor
	}
	paid := map[string]string{}
	for _, c := range l.all {
		if c.outcome == "paid" {
			paid[c.orderID] = c.key
			if n := listed[c.orderID]; n != 1 {
				t.Errorf("order %s of key %s: listed %d times, want 1; %s", c.orderID, c.key, n, c.history())
			}
		}
	}
	for id, n := range listed {
		if _, ok := paid[id]; !ok {
			res := r.do("GET", "/api/orders/"+id, nil)
			t.Errorf("order %s is listed %d times but no checkout answered 201 with it: %d %s", id, n, res.status, res.body)
		}
	}
	t.Logf("GET /api/admin/orders lists %d orders; %d checkouts answered 201", len(listed), len(paid))
}

// checkStock checks available + sold == initial for every SKU, from the
// placed orders and from the buyers' paid carts, and that the stored counts
// match them: on hand the initial count, committed what was sold, nothing
// reserved.
func (r *crashRig) checkStock(l *crashLedger, placed map[string]crashOrder) {
	t := r.t
	soldByOrders := map[string]int{}
	for _, o := range placed {
		for sku, q := range crashQuantities(o) {
			soldByOrders[sku] += q
		}
	}
	soldByBuyers := map[string]int{}
	for _, c := range l.all {
		if c.outcome == "paid" {
			for sku, q := range c.lines {
				soldByBuyers[sku] += q
			}
		}
	}
	for _, sku := range crashSKUs {
		res := r.do("GET", "/api/inventory/"+sku, nil)
		var inv struct{ Available *int }
		if res.status != 200 || json.Unmarshal(res.body, &inv) != nil || inv.Available == nil {
			t.Errorf("GET /api/inventory/%s: got %d %s (%v), want 200 with available", sku, res.status, res.body, res.err)
			continue
		}
		sold := soldByOrders[sku]
		initial := crashStock[sku]
		t.Logf("%s: initial %d, sold %d (buyers' 201s: %d), available %d", sku, initial, sold, soldByBuyers[sku], *inv.Available)
		if sold > initial {
			t.Errorf("%s: sold %d, more than the %d on hand", sku, sold, initial)
		}
		if sold != soldByBuyers[sku] {
			t.Errorf("%s: placed orders hold %d units, the 201 checkouts' carts %d", sku, sold, soldByBuyers[sku])
		}
		if got, want := *inv.Available, initial-sold; got != want {
			t.Errorf("%s: available %d + sold %d = %d, want the initial %d (%d units still held or lost)",
				sku, got, sold, got+sold, initial, want-got)
		}
		// The stored counts: nothing shipped, the placed orders' units
		// committed, nothing left reserved.
		var level struct{ OnHand, Committed, Reserved, Available int }
		body := r.must("GET", "/api/admin/inventory/"+sku, nil, 200)
		if err := json.Unmarshal(body, &level); err != nil {
			t.Errorf("GET /api/admin/inventory/%s: %s: %v", sku, body, err)
		} else if level.OnHand != initial || level.Committed != sold || level.Reserved != 0 || level.Available != initial-sold {
			t.Errorf("GET /api/admin/inventory/%s: got %s, want onHand %d, committed %d, reserved 0, available %d", sku, body, initial, sold, initial-sold)
		}
	}
}

// checkDeadLetters checks that no message was dead-lettered.
func (r *crashRig) checkDeadLetters() {
	var dl struct{ Items []json.RawMessage }
	body := r.must("GET", "/api/admin/deadletters", nil, 200)
	if err := json.Unmarshal(body, &dl); err != nil || len(dl.Items) != 0 {
		r.t.Errorf("GET /api/admin/deadletters: %s (%v), want no dead letters", body, err)
	}
}

func crashQuantities(o crashOrder) map[string]int {
	out := map[string]int{}
	for _, it := range o.Items {
		out[it.SKU] += it.Quantity
	}
	return out
}

func crashSameLines(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
