package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// e2eRefund is a refund as an order lists it.
type e2eRefund struct {
	ID          string   `json:"id"`
	Amount      e2eMoney `json:"amount"`
	Reason      string   `json:"reason"`
	Status      string   `json:"status"`
	CreatedAt   string   `json:"createdAt"`
	FailureCode string   `json:"failureCode"`
}

// e2eRefundedOrder is an order with its fulfilments and refunds.
type e2eRefundedOrder struct {
	e2eFulfilledOrder
	CancelledAt string      `json:"cancelledAt"`
	Refunds     []e2eRefund `json:"refunds"`
}

// refundReplayer delivers every RefundRequested message twice at once, as
// two consumers racing on one message would, and keeps the function and
// the message, to deliver it again later.
type refundReplayer struct {
	mu   sync.Mutex
	next Handler
	msgs []commerce.Message
}

func (r *refundReplayer) middleware(next Handler) Handler {
	return func(ctx context.Context, queue string, m commerce.Message) error {
		if m.Type != commerce.MsgRefundRequested {
			return next(ctx, queue, m)
		}
		r.mu.Lock()
		r.next = next
		r.msgs = append(r.msgs, m)
		r.mu.Unlock()
		errs := make(chan error, 2)
		for range 2 {
			go func() { errs <- next(ctx, queue, m) }()
		}
		return errors.Join(<-errs, <-errs)
	}
}

// TestE2EPartialCancel: an order of 3 units allocated at two locations
// ships 1; cancelling it releases the 2 unshipped units where they were
// allocated and refunds their value (their share of tax, no shipping) at
// the provider, exactly once however often the cancel is sent and the
// refund message delivered; the order lists the refund, and the feed has
// order.refunded with its amount. A fully fulfilled order stays 409.
func TestE2EPartialCancel(t *testing.T) {
	t.Parallel()
	replay := &refundReplayer{}
	s := startMoney(t, func(m *Main) {
		m.Config.Shipping, m.Config.Tax = 500, 300
		m.Middleware = replay.middleware
	})
	const sku = "REF-ONE"
	s.mustStockedProduct(t, "ref-one", sku, 1000, 1) // at default
	s.mustPutLocation(t, "default", 9, "active")
	s.mustPutLocation(t, "us-1", 1, "active", "US")
	s.mustSetStockAt(t, sku, "us-1", 2)
	res := s.moneySendCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 3}), "pm_card_visa"), "")
	paid, _ := moneySplit(t, []*Response{res})
	if len(paid) != 1 {
		t.Fatalf("checkout: got %d paid, want 1", len(paid))
	}
	if paid[0].Total.Amount != 3800 {
		t.Fatalf("total: got %d, want 3000 + 500 shipping + 300 tax", paid[0].Total.Amount)
	}
	s.moneyWantPlaced(t, paid)
	id, token := paid[0].OrderID, paid[0].OrderToken
	levels := func() map[string][3]int64 {
		got := map[string][3]int64{}
		for _, l := range s.stockLevels(t, sku).Locations {
			got[l.LocationID] = [3]int64{l.OnHand, l.Committed, l.Reserved}
		}
		return got
	}
	res = s.admin(t, "POST", "/api/admin/orders/"+id+"/fulfilments", map[string]any{"locationId": "us-1", "lines": []map[string]any{{"sku": sku, "quantity": 1}}})
	e2eWantStatus(t, "ship 1 from us-1", res, 200)
	if got, want := levels(), map[string][3]int64{"us-1": {1, 1, 0}, "default": {1, 1, 0}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after shipping 1: %s [onHand committed reserved] got %v, want %v", sku, got, want)
	}

	res = s.admin(t, "POST", "/api/admin/orders/"+id+"/cancel", nil)
	e2eWantStatus(t, "cancel the partially fulfilled order", res, 200)
	var o e2eRefundedOrder
	res.JSON(t, &o)
	// 2 of the 3 units' share of what was paid for goods (3800 - 500).
	if o.Status != "cancelled" || o.CancelledAt == "" || len(o.Fulfilments) != 1 || len(o.Refunds) != 1 ||
		o.Refunds[0].Amount != (e2eMoney{Amount: 2200, Currency: "USD"}) || o.Refunds[0].Reason != "cancelled_unshipped" {
		t.Fatalf("cancelled order: got %+v, want cancelled with 1 fulfilment and a refund of 2200 USD", o)
	}
	refundID := o.Refunds[0].ID
	// The unshipped units are back on sale where they were allocated.
	if got, want := levels(), map[string][3]int64{"us-1": {1, 0, 0}, "default": {1, 0, 0}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after cancel: %s [onHand committed reserved] got %v, want %v", sku, got, want)
	}
	moneyWait(t, "refund succeeded", func() (bool, string) {
		var o e2eRefundedOrder
		s.do(t, "GET", "/api/orders/"+id, nil, "X-Order-Token", token).JSON(t, &o)
		return len(o.Refunds) == 1 && o.Refunds[0].Status == "succeeded", fmt.Sprintf("%+v", o.Refunds)
	})
	wantProvider := func(when string) {
		t.Helper()
		tp := s.moneyTestPay(t)
		p, err := tp.PaymentForCheckout(context.Background(), paid[0].CheckoutID)
		if err != nil {
			t.Fatal(err)
		}
		amount, err := tp.RefundedAmount(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := s.moneyRefunds(t); n != 1 || amount != 2200 {
			t.Errorf("%s: the provider made %d refunds of %d in all, want 1 of 2200", when, n, amount)
		}
	}
	wantProvider("after the refund message was delivered twice at once")

	// The cancel again: the same order, nothing more released or refunded.
	res = s.admin(t, "POST", "/api/admin/orders/"+id+"/cancel", nil)
	e2eWantStatus(t, "cancel again", res, 200)
	res.JSON(t, &o)
	if o.Status != "cancelled" || len(o.Refunds) != 1 || o.Refunds[0].ID != refundID || o.Refunds[0].Status != "succeeded" {
		t.Errorf("cancel again: got %+v", o)
	}
	// The refund message delivered once more, after it succeeded.
	replay.mu.Lock()
	next, msgs := replay.next, replay.msgs
	replay.mu.Unlock()
	if len(msgs) == 0 {
		t.Fatal("no RefundRequested message was delivered")
	}
	if err := next(context.Background(), commerce.QueueOrders, msgs[0]); err != nil {
		t.Errorf("redelivered refund message: %v", err)
	}
	wantProvider("after the refund message was delivered again")
	if got, want := levels(), map[string][3]int64{"us-1": {1, 0, 0}, "default": {1, 0, 0}}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after it all: %s [onHand committed reserved] got %v, want %v", sku, got, want)
	}

	// The buyer sees the refund, with the order token and without.
	for _, h := range [][]string{{"X-Order-Token", token}, nil} {
		res = s.do(t, "GET", "/api/orders/"+id, nil, h...)
		e2eWantStatus(t, "the buyer reads the order", res, 200)
		var v e2eRefundedOrder
		res.JSON(t, &v)
		if len(v.Refunds) != 1 || v.Refunds[0].Amount.Amount != 2200 || v.Refunds[0].Status != "succeeded" {
			t.Errorf("buyer's order (token %v): got refunds %+v", h != nil, v.Refunds)
		}
	}
	// The feed: one order.refunded, of the refund's amount.
	var refunded []events.OrderRefundedData
	for _, e := range s.feedAll(t, "", string(events.OrderRefunded)) {
		var d events.OrderRefundedData
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatal(err)
		}
		refunded = append(refunded, d)
	}
	if len(refunded) != 1 || refunded[0].Refund.Amount != (commerce.Money{Amount: 2200, Currency: "USD"}) {
		t.Errorf("order.refunded events: got %+v, want one of 2200 USD", refunded)
	}

	// A fully fulfilled order cannot be cancelled: nothing refunded.
	s.mustSetStockAt(t, sku, "us-1", 3)
	res = s.moneySendCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 1}), "pm_card_visa"), "")
	paid2, _ := moneySplit(t, []*Response{res})
	if len(paid2) != 1 {
		t.Fatalf("second checkout: got %d paid, want 1", len(paid2))
	}
	s.moneyWantPlaced(t, paid2)
	e2eWantStatus(t, "fulfil the second order", s.admin(t, "POST", "/api/admin/orders/"+paid2[0].OrderID+"/fulfil", nil), 200)
	e2eWantProblem(t, "cancel a fulfilled order", s.admin(t, "POST", "/api/admin/orders/"+paid2[0].OrderID+"/cancel", nil), 409, "order_fulfilled")
	wantProvider("after the fulfilled order's cancel was refused")
}

// TestE2EFullCancelRefund: an order cancelled before anything shipped
// lists its refund of the whole total, succeeded.
func TestE2EFullCancelRefund(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	const sku = "REF-TWO"
	s.mustStockedProduct(t, "ref-two", sku, 1000, 2)
	res := s.moneySendCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 2}), "pm_card_visa"), "")
	paid, _ := moneySplit(t, []*Response{res})
	if len(paid) != 1 {
		t.Fatalf("checkout: got %d paid, want 1", len(paid))
	}
	s.moneyWantPlaced(t, paid)
	res = s.admin(t, "POST", "/api/admin/orders/"+paid[0].OrderID+"/cancel", nil)
	e2eWantStatus(t, "cancel", res, 200)
	var o e2eRefundedOrder
	res.JSON(t, &o)
	if o.Status != "cancelled" || len(o.Refunds) != 1 || o.Refunds[0].Amount != *paid[0].Total ||
		o.Refunds[0].Status != "succeeded" || o.Refunds[0].Reason != "cancelled" {
		t.Errorf("cancelled order: got %+v, want one succeeded refund of %+v", o, *paid[0].Total)
	}
	if n := s.moneyRefunds(t); n != 1 {
		t.Errorf("provider refunds: got %d, want 1", n)
	}
}

// TestE2EPartialCancelStripe: on Stripe, the partial refund sends its
// amount under the refund's own idempotency key. While Stripe is down the
// order is cancelled and its units released at once, and the refund waits
// pending, its last error listed; the queue delivers it again after its
// backoff, and once Stripe is back it succeeds, once.
func TestE2EPartialCancelStripe(t *testing.T) {
	t.Parallel()
	s, fake, flaky := startMoneyFlaky(t)
	const sku = "REF-STRIPE"
	s.mustStockedProduct(t, "ref-stripe", sku, 1000, 1)
	s.mustPutLocation(t, "default", 9, "active")
	s.mustPutLocation(t, "us-1", 1, "active", "US")
	s.mustSetStockAt(t, sku, "us-1", 2)
	r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 3}), "pm_card_visa"), ""))
	s.moneyWaitOrder(t, r.OrderID, "placed")
	res := s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/fulfilments", map[string]any{"locationId": "us-1", "lines": []map[string]any{{"sku": sku, "quantity": 1}}})
	e2eWantStatus(t, "ship 1 from us-1", res, 200)
	unshipped := r.Total.Amount - r.Shipping.Amount - (r.Total.Amount-r.Shipping.Amount)/3 // 2 of 3 equal units
	if (r.Total.Amount-r.Shipping.Amount)%3 != 0 {
		t.Fatalf("total %d less shipping %d does not split in thirds: pick other prices", r.Total.Amount, r.Shipping.Amount)
	}

	flaky.mode.Store("down")
	res = s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/cancel", nil)
	e2eWantStatus(t, "cancel while Stripe is down", res, 200)
	var o e2eRefundedOrder
	res.JSON(t, &o)
	if o.Status != "cancelled" || len(o.Refunds) != 1 || o.Refunds[0].Amount.Amount != unshipped {
		t.Fatalf("cancelled order: got %+v, want cancelled with a refund of %d", o, unshipped)
	}
	refundID := o.Refunds[0].ID
	for _, l := range s.stockLevels(t, sku).Locations {
		if l.Committed != 0 {
			t.Errorf("%s at %s: committed %d while the refund waits, want 0", sku, l.LocationID, l.Committed)
		}
	}
	read := func() e2eRefund {
		var o e2eRefundedOrder
		s.do(t, "GET", "/api/orders/"+r.OrderID, nil, "X-Order-Token", r.OrderToken).JSON(t, &o)
		if len(o.Refunds) != 1 {
			t.Fatalf("order refunds: got %+v, want 1", o.Refunds)
		}
		return o.Refunds[0]
	}
	moneyWait(t, "refund attempted while Stripe is down", func() (bool, string) {
		f := read()
		return f.Status == "pending" && f.FailureCode == "payment_unavailable", fmt.Sprintf("%+v", f)
	})

	flaky.mode.Store("")
	moneyWait(t, "refund succeeded once Stripe is back", func() (bool, string) {
		s.Clock.Advance(time.Minute) // past any backoff on the shop's clock
		f := read()
		return f.Status == "succeeded", fmt.Sprintf("%+v", f)
	})
	fake.mu.Lock()
	amount, ok := fake.refundAmounts["refund-"+refundID]
	n := len(fake.refunds)
	fake.mu.Unlock()
	if !ok || amount != fmt.Sprint(unshipped) || n != 1 {
		t.Errorf("Stripe refunds: %d, the one under refund-%s of %q; want 1 of %d", n, refundID, amount, unshipped)
	}
}
