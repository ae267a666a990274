package checkout_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

func TestCancel(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	out, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 2), pmVisa), "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	c := out.Checkout
	// Its OrderPlaced message has not been handled: the order is processing,
	// and cancelling places it first.
	for range 2 {
		o, err := f.svc.Cancel(ctx, f.orders, c.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != commerce.OrderCancelled {
			t.Errorf("Cancel: got status %q, want cancelled", o.Status)
		}
	}
	if diff := cmp.Diff([]string{c.PaymentID}, f.pay.refunded()); diff != "" {
		t.Errorf("refunded payments (-want +got):\n%s", diff)
	}
	if n := len(f.outbox(t, commerce.MsgOrderCancelled)); n != 1 {
		t.Errorf("OrderCancelled messages: got %d, want 1", n)
	}
	f.wantStock(t, "A", 5, 2, 0) // committed until the inventory function restocks
	if ok, err := f.orders.Restock(ctx, c.OrderID); err != nil || !ok {
		t.Fatalf("Restock: got %v, %v, want true", ok, err)
	}
	f.wantStock(t, "A", 5, 0, 0)

	_, err = f.svc.Cancel(ctx, f.orders, "o_nope")
	wantCode(t, err, commerce.CodeNotFound)
}

func TestCancelFulfilled(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	out, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 2), pmVisa), "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	id := out.Checkout.OrderID
	if _, err := f.orders.PlaceOrder(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.orders.FulfilOrder(ctx, id, t0); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Cancel(ctx, f.orders, id)
	wantCode(t, err, commerce.CodeOrderFulfilled)
	if got := f.pay.refunded(); len(got) != 0 {
		t.Errorf("a fulfilled order was refunded: %v", got)
	}
	f.wantStock(t, "A", 3, 0, 0)
}
