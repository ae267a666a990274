package checkout_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/memstore"
	"shopfn/handler/worker"
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

// cutOrders is the fixture's order store with faults: failFinish fails
// the next CancelOrder, as a process that dies after the refund does, and
// beforeClaim runs once before the next ClaimCancel.
type cutOrders struct {
	*memstore.OrderStore
	failFinish  bool
	beforeClaim func()
}

func (o *cutOrders) ClaimCancel(ctx context.Context, id string, now time.Time) (bool, error) {
	if hook := o.beforeClaim; hook != nil {
		o.beforeClaim = nil
		hook()
	}
	return o.OrderStore.ClaimCancel(ctx, id, now)
}

func (o *cutOrders) CancelOrder(ctx context.Context, id string, now time.Time, m commerce.Message) (bool, error) {
	if o.failFinish {
		o.failFinish = false
		return false, errors.New("the process died after the refund")
	}
	return o.OrderStore.CancelOrder(ctx, id, now, m)
}

// placedOrder checks out 2 units of A and places the order.
func placedOrder(t *testing.T, f *fixture) *commerce.Checkout {
	t.Helper()
	out, err := f.svc.Checkout(context.Background(), request(f.cart(t, "A", 2), pmVisa), "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.orders.PlaceOrder(context.Background(), out.Checkout.OrderID, t0); err != nil {
		t.Fatal(err)
	}
	return out.Checkout
}

// TestCancelCutOff cuts a cancel off after its refund: the order stays
// cancelling, which fulfilment refuses, and a retry of the cancel or the
// sweep finishes it, the payment refunded once.
func TestCancelCutOff(t *testing.T) {
	ctx := context.Background()
	for _, finish := range []string{"retry", "sweep"} {
		t.Run(finish, func(t *testing.T) {
			f := newFixture(t)
			c := placedOrder(t, f)
			orders := &cutOrders{OrderStore: f.orders, failFinish: true}
			if _, err := f.svc.Cancel(ctx, orders, c.OrderID); err == nil {
				t.Fatal("Cancel cut off after the refund: got no error")
			}
			o, err := f.orders.Order(ctx, c.OrderID)
			if err != nil {
				t.Fatal(err)
			}
			if o.Status != commerce.OrderCancelling {
				t.Fatalf("order after the cut: got status %q, want cancelling", o.Status)
			}
			_, err = f.orders.FulfilOrder(ctx, c.OrderID, t0)
			wantCode(t, err, commerce.CodeOrderCancelling)

			switch finish {
			case "retry":
				if o, err = f.svc.Cancel(ctx, orders, c.OrderID); err != nil {
					t.Fatal(err)
				}
			case "sweep":
				sw := &worker.Sweeper{Checkouts: noOverdue{}, Orders: f.orders, Now: f.clock.Now, Grace: time.Minute,
					FinishCancel: func(ctx context.Context, id string) error { _, err := f.svc.Cancel(ctx, f.orders, id); return err },
					Log:          slog.New(slog.NewTextHandler(io.Discard, nil))}
				if n, err := sw.Sweep(ctx); err != nil || n != 0 {
					t.Fatalf("sweep within the grace: got %d, %v, want 0 tried", n, err)
				}
				f.clock.Advance(2 * time.Minute)
				if n, err := sw.Sweep(ctx); err != nil || n != 1 {
					t.Fatalf("sweep past the grace: got %d, %v, want 1 tried", n, err)
				}
				if o, err = f.orders.Order(ctx, c.OrderID); err != nil {
					t.Fatal(err)
				}
			}
			if o.Status != commerce.OrderCancelled {
				t.Errorf("order after the %s: got status %q, want cancelled", finish, o.Status)
			}
			if diff := cmp.Diff([]string{c.PaymentID}, f.pay.refunded()); diff != "" {
				t.Errorf("refunded payments (-want +got):\n%s", diff)
			}
			if n := len(f.outbox(t, commerce.MsgOrderCancelled)); n != 1 {
				t.Errorf("OrderCancelled messages: got %d, want 1", n)
			}
			_, err = f.orders.FulfilOrder(ctx, c.OrderID, t0)
			wantCode(t, err, commerce.CodeOrderNotPlaced)
			f.wantStock(t, "A", 5, 2, 0) // committed until the inventory function restocks
		})
	}
}

// TestCancelLosesToFulfil fulfils an order between the cancel's read and
// its claim: the cancel answers order_fulfilled and refunds nothing.
func TestCancelLosesToFulfil(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := placedOrder(t, f)
	orders := &cutOrders{OrderStore: f.orders, beforeClaim: func() {
		if _, err := f.orders.FulfilOrder(ctx, c.OrderID, t0); err != nil {
			t.Error(err)
		}
	}}
	_, err := f.svc.Cancel(ctx, orders, c.OrderID)
	wantCode(t, err, commerce.CodeOrderFulfilled)
	if got := f.pay.refunded(); len(got) != 0 {
		t.Errorf("a fulfilled order was refunded: %v", got)
	}
	f.wantStock(t, "A", 3, 0, 0)
}

// noOverdue is a sweep's checkout store with no overdue checkouts.
type noOverdue struct{}

func (noOverdue) OverdueCheckouts(context.Context, time.Time, int) ([]string, error) { return nil, nil }

// TestRefundDeadline checks that the provider is asked to refund under a
// deadline: a provider that hangs (the Stripe client waits 80 s per
// attempt) must not hold a cancel, whose claim a retry or the sweep
// finishes, for longer.
func TestRefundDeadline(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	out, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 1), pmVisa), "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, f.orders, out.Checkout.OrderID); err != nil {
		t.Fatal(err)
	}
	f.pay.mu.Lock()
	defer f.pay.mu.Unlock()
	if len(f.pay.refundDeadlines) != 1 {
		t.Fatalf("refunds: got %d, want 1", len(f.pay.refundDeadlines))
	}
	if left := f.pay.refundDeadlines[0]; left <= 0 || left > time.Minute {
		t.Errorf("the refund's deadline: got %v left (-1: none), want one within a minute", left)
	}
}
