package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// This file holds the E2E tests of order reads, admin order actions and
// order processing.

// TestE2EOrders covers order reads and the admin order actions. Its
// subtests count orders and refunds, so they run one at a time.
func TestE2EOrders(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "money-orders", "MNY-ORD", 1000, 100)
	checkouts := 0 // each schedules one ReservationExpired
	buy := func(t *testing.T, qty int) moneyResult {
		t.Helper()
		checkouts++
		r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-ORD", qty}), "pm_card_visa"), ""))
		s.moneyWaitOrder(t, r.OrderID, "placed")
		return r
	}
	var ids []string
	for range 5 {
		ids = append(ids, buy(t, 1).OrderID)
	}
	slices.Sort(ids)

	t.Run("List", func(t *testing.T) {
		all := s.moneyOrders(t, "", 2)
		got := make([]string, len(all))
		for i, o := range all {
			got[i] = o.ID
			if o.Status != "placed" {
				t.Errorf("order %s: status %q, want placed", o.ID, o.Status)
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff(ids, got); diff != "" {
			t.Errorf("orders walked 2 a page, each once (-want +got):\n%s", diff)
		}
		if got := len(s.moneyOrders(t, "cancelled", 100)); got != 0 {
			t.Errorf("cancelled orders: got %d, want 0", got)
		}
		for _, q := range []string{"status=bogus", "limit=0", "limit=101", "limit=x", "cursor=!!!", "cursor=abc"} {
			res := s.admin(t, "GET", "/api/admin/orders?"+q, nil)
			e2eWantProblem(t, "GET /api/admin/orders?"+q, res, 400, "invalid_request")
		}
		e2eWantProblem(t, "without the admin key", s.do(t, "GET", "/api/admin/orders", nil), 401, "unauthorized")
	})

	t.Run("Cancel", func(t *testing.T) {
		r := buy(t, 3)
		if got := s.moneyAvailable(t, "MNY-ORD"); got != 92 {
			t.Fatalf("available after 8 units sold: got %d, want 92", got)
		}
		refunds := s.moneyRefunds(t)
		const n = 5
		res := make([]*Response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				res[i], err = s.send("POST", "/api/admin/orders/"+r.OrderID+"/cancel", nil, "x-functions-key", testAdminKey)
				if err != nil {
					t.Error(err)
				} else {
					e2eCheckResponse(t, "POST", "cancel", res[i])
				}
			}()
		}
		wg.Wait()
		for i, c := range res {
			if c == nil {
				continue
			}
			var o moneyOrder
			if c.Status != 200 || json.Unmarshal(c.Body, &o) != nil || o.Status != "cancelled" || o.ID != r.OrderID {
				t.Errorf("cancel %d: got %d %s, want 200 with order %s cancelled", i, c.Status, c.Body, r.OrderID)
			}
		}
		if got := s.moneyRefunds(t) - refunds; got != 1 {
			t.Errorf("refunds: got %d, want 1", got)
		}
		s.moneyWaitAvailable(t, "MNY-ORD", 95)
		// Once the inventory queue holds only the scheduled expiries, the
		// restock has run as often as it ever will.
		s.moneyWaitQueues(t, 0, checkouts)
		if got, want := s.moneySettledStock(t, "MNY-ORD"), (e2eStock{"MNY-ORD", 100, 5, 0, 95}); got != want {
			t.Errorf("stock after cancelling: got %+v, want %+v (restocked once)", got, want)
		}
		res2 := s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/cancel", nil)
		e2eWantStatus(t, "cancel again", res2, 200)
		if got := s.moneyRefunds(t) - refunds; got != 1 {
			t.Errorf("refunds after cancelling again: got %d, want 1", got)
		}
		if o := s.moneyWaitOrder(t, r.OrderID, "cancelled"); o.Total != (e2eMoney{3000, "USD"}) {
			t.Errorf("cancelled order total %+v, want 3000 USD", o.Total)
		}
		cancelled := s.moneyOrders(t, "cancelled", 100)
		if len(cancelled) != 1 || cancelled[0].ID != r.OrderID {
			t.Errorf("GET /api/admin/orders?status=cancelled: got %+v, want only %s", cancelled, r.OrderID)
		}
		if got := len(s.moneyOrders(t, "placed", 100)); got != 5 {
			t.Errorf("placed orders: got %d, want 5", got)
		}
		for _, id := range []string{"no-such-order", "o" + strings.Repeat("0", 26)} {
			e2eWantProblem(t, "cancel "+id, s.admin(t, "POST", "/api/admin/orders/"+id+"/cancel", nil), 404, "not_found")
		}
	})
}

// TestE2EOrderProcessing holds the orders queue, so that a paid order stays
// processing: readable, listed for staff, not fulfillable, and cancellable
// (placed first, then cancelled and refunded); the late OrderPlaced then
// changes nothing.
func TestE2EOrderProcessing(t *testing.T) {
	t.Parallel()
	hold, release := moneyHoldOrders()
	s := startMoney(t, func(m *Main) { m.Middleware = hold })
	t.Cleanup(release) // before Close, which waits for the messages in hand
	s.mustStockedProduct(t, "money-processing", "MNY-PROC", 1000, 10)
	req := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-PROC", 2}), "pm_card_visa")
	r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, req, ""))

	res, o := s.moneyGetOrder(t, r.OrderID, r.OrderToken)
	e2eWantStatus(t, "GET order while processing", res, 200)
	if o.Status != "processing" || o.Total != *r.Total || o.Email != req.Email {
		t.Errorf("order while processing: got %s, want status processing with the checkout's total and email", res.Body)
	}
	if list := s.moneyOrders(t, "processing", 10); len(list) != 1 || list[0].ID != r.OrderID {
		t.Errorf("GET /api/admin/orders?status=processing: got %+v, want only %s", list, r.OrderID)
	}
	if list := s.moneyOrders(t, "", 10); len(list) != 1 || list[0].Status != "processing" {
		t.Errorf("GET /api/admin/orders: got %+v, want %s processing", list, r.OrderID)
	}
	e2eWantProblem(t, "fulfil while processing", s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/fulfil", nil), 409, "order_not_placed")
	e2eWantStatus(t, "cancel while processing", s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/cancel", nil), 200)
	s.moneyWaitOrder(t, r.OrderID, "cancelled")
	if got := s.moneyRefunds(t); got != 1 {
		t.Errorf("refunds: got %d, want 1", got)
	}

	release()
	s.moneyWaitQueues(t, 0, 1) // the checkout's scheduled expiry
	s.moneyWaitOrder(t, r.OrderID, "cancelled")
	s.moneyWaitAvailable(t, "MNY-PROC", 10)
	s.moneyWantStockMatchesOrders(t, "MNY-PROC", 10, 0)
	e2eWantProblem(t, "fulfil a cancelled order", s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/fulfil", nil), 409, "order_not_placed")
}

// moneyHoldOrders returns a middleware that holds every orders message until
// release is called, and release.
func moneyHoldOrders() (hold func(Handler) Handler, release func()) {
	held := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(held) }) }
	hold = func(next Handler) Handler {
		return func(ctx context.Context, queue string, msg commerce.Message) error {
			if queue == commerce.QueueOrders {
				<-held
			}
			return next(ctx, queue, msg)
		}
	}
	return hold, release
}
