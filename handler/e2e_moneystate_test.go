package main

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/testpay"
)

// This file holds the money-path E2E helpers that read the shop's state
// (orders, stock, queues, charges) and wait for it to settle.

// moneyWait polls cond until it reports done, failing the test after
// moneyWaitLimit with the last state it described.
func moneyWait(tb testing.TB, what string, cond func() (done bool, state string)) {
	tb.Helper()
	deadline := time.Now().Add(moneyWaitLimit)
	for {
		done, state := cond()
		if done {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: still %s after %v", what, state, moneyWaitLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// moneyGetOrder returns GET /api/orders/{id}, with the order's access token
// when one is given, checking a 200's shape: the buyer's details only with
// the token.
func (s e2eShop) moneyGetOrder(tb testing.TB, id string, token ...string) (*Response, moneyOrder) {
	tb.Helper()
	var header []string
	if len(token) > 0 {
		header = []string{"X-Order-Token", token[0]}
	}
	res := s.do(tb, "GET", "/api/orders/"+url.PathEscape(id), nil, header...)
	var o moneyOrder
	if res.Status == 200 {
		if len(token) > 0 {
			e2eCheckShape(tb, "order "+id, res.Body, moneyOrderShape)
		} else {
			e2eCheckShape(tb, "order "+id+" without its token", res.Body, moneyOrderViewShape)
			moneyWantNoBuyer(tb, "order "+id+" without its token", res.Body)
		}
		res.JSON(tb, &o)
		if o.ID != id {
			tb.Errorf("GET /api/orders/%s: id %q", id, o.ID)
		}
		switch o.Status {
		case "processing", "placed", "cancelling", "fulfilled", "cancelled":
		default:
			tb.Errorf("GET /api/orders/%s: status %q, want processing, placed, cancelling, fulfilled or cancelled", id, o.Status)
		}
	}
	return res, o
}

// moneyWaitOrder waits until the order has the given status.
func (s e2eShop) moneyWaitOrder(tb testing.TB, id, status string) moneyOrder {
	tb.Helper()
	var o moneyOrder
	moneyWait(tb, "order "+id+" "+status, func() (bool, string) {
		var res *Response
		res, o = s.moneyGetOrder(tb, id)
		return res.Status == 200 && o.Status == status, fmt.Sprintf("%d %s", res.Status, res.Body)
	})
	return o
}

// moneyAvailable returns GET /api/inventory/{sku}'s available count.
func (s e2eShop) moneyAvailable(tb testing.TB, sku string) int64 {
	tb.Helper()
	res := s.do(tb, "GET", "/api/inventory/"+sku, nil)
	e2eWantStatus(tb, "GET /api/inventory/"+sku, res, 200)
	var l e2eStock
	res.JSON(tb, &l)
	return l.Available
}

// moneyWaitAvailable waits until a SKU's available count is want.
func (s e2eShop) moneyWaitAvailable(tb testing.TB, sku string, want int64) {
	tb.Helper()
	moneyWait(tb, sku+" available", func() (bool, string) {
		got := s.moneyAvailable(tb, sku)
		return got == want, fmt.Sprintf("%d, want %d", got, want)
	})
}

// moneySettledStock returns a SKU's stock level from
// GET /api/admin/inventory/{sku}.
func (s e2eShop) moneySettledStock(tb testing.TB, sku string) e2eStock {
	tb.Helper()
	res := s.admin(tb, "GET", "/api/admin/inventory/"+sku, nil)
	e2eWantStatus(tb, "GET /api/admin/inventory/"+sku, res, 200)
	e2eCheckShape(tb, "admin stock level", res.Body, e2eStockShape)
	var l e2eStock
	res.JSON(tb, &l)
	return l
}

// moneyWantStockMatchesOrders asserts the stock invariant of sku: on hand
// is what was stocked less what fulfilled orders shipped, committed is
// what placed orders hold, reserved is what open checkouts hold, and no
// paid order is left processing. Call it once the queues are drained.
func (s e2eShop) moneyWantStockMatchesOrders(tb testing.TB, sku string, stocked, reserved int64) {
	tb.Helper()
	var committed, shipped int64
	for _, o := range s.moneyOrders(tb, "", 100) {
		for _, it := range o.Items {
			if it.SKU != sku {
				continue
			}
			switch o.Status {
			case "placed":
				committed += int64(it.Quantity)
			case "fulfilled":
				shipped += int64(it.Quantity)
			case "processing":
				tb.Errorf("order %s of %s is still processing", o.ID, sku)
			}
		}
	}
	onHand := stocked - shipped
	want := e2eStock{sku, onHand, committed, reserved, max(0, onHand-committed-reserved)}
	if got := s.moneySettledStock(tb, sku); got != want {
		tb.Errorf("stock of %s against the orders: got %+v, want %+v", sku, got, want)
	}
}

// moneyPending returns how many messages of a queue are not completed
// (scheduled ones included).
func (s e2eShop) moneyPending(tb testing.TB, queue string) int {
	tb.Helper()
	var n int
	var err error
	if s.Queue != nil {
		n, err = s.Queue.Pending(context.Background(), queue)
	} else {
		n, err = sbPeer.Pending(queue) // on Service Bus
	}
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// moneyWaitQueues waits until the orders and inventory queues hold exactly
// the given numbers of messages.
func (s e2eShop) moneyWaitQueues(tb testing.TB, orders, inventory int) {
	tb.Helper()
	moneyWait(tb, "queues", func() (bool, string) {
		o, i := s.moneyPending(tb, commerce.QueueOrders), s.moneyPending(tb, commerce.QueueInventory)
		return o == orders && i == inventory, fmt.Sprintf("orders %d inventory %d, want %d and %d", o, i, orders, inventory)
	})
}

// moneyTestPay returns the test payment provider.
func (s e2eShop) moneyTestPay(tb testing.TB) *testpay.Provider {
	tb.Helper()
	tp, ok := s.Payments.(*testpay.Provider)
	if !ok {
		tb.Fatalf("payment provider is %T, want *testpay.Provider", s.Payments)
	}
	return tp
}

// moneyCharges returns the number of succeeded test payments.
func (s e2eShop) moneyCharges(tb testing.TB) int {
	tb.Helper()
	n, err := s.moneyTestPay(tb).Charges(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// moneyRefunds returns the number of test refunds.
func (s e2eShop) moneyRefunds(tb testing.TB) int {
	tb.Helper()
	n, err := s.moneyTestPay(tb).Refunds(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// moneyOrders returns every stored order with the given status filter
// ("" for all), walking the pages of GET /api/admin/orders.
func (s e2eShop) moneyOrders(tb testing.TB, status string, limit int) []moneyOrder {
	tb.Helper()
	var all []moneyOrder
	q := url.Values{"limit": {fmt.Sprint(limit)}}
	if status != "" {
		q.Set("status", status)
	}
	for page := 0; ; page++ {
		if page > 1000 {
			tb.Fatalf("GET /api/admin/orders: more than 1000 pages")
		}
		res := s.admin(tb, "GET", "/api/admin/orders?"+q.Encode(), nil)
		e2eWantStatus(tb, "GET /api/admin/orders?"+q.Encode(), res, 200)
		e2eCheckShape(tb, "order page", res.Body, moneyOrderPageShape)
		var p moneyOrderPage
		res.JSON(tb, &p)
		if len(p.Items) > limit {
			tb.Errorf("GET /api/admin/orders?%s: %d items, want at most %d", q.Encode(), len(p.Items), limit)
		}
		all = append(all, p.Items...)
		if p.NextCursor == nil {
			return all
		}
		q.Set("cursor", *p.NextCursor)
	}
}
