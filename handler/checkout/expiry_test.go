package checkout_test

import (
	"context"
	"testing"
	"time"

	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
)

// orphan stores the checkout that a request with key began before its
// process died: pending, its stock reserved, leased for 30 seconds, never
// charged.
func (f *fixture) orphan(t *testing.T, req checkout.Request, key string) *commerce.Checkout {
	t.Helper()
	ctx := context.Background()
	priced, err := f.carts.Get(ctx, req.CartID)
	if err != nil {
		t.Fatal(err)
	}
	now := f.clock.Now()
	c := &commerce.Checkout{
		ID: commerce.NewCheckoutID(), OrderID: commerce.NewOrderID(now), IdempotencyKey: key, RequestHash: req.Hash(),
		CartID: req.CartID, Email: req.Email, Address: req.ShippingAddress, PaymentMethod: req.PaymentMethod,
		Lines: priced.Items, Status: commerce.CheckoutPending, CreatedAt: now, UpdatedAt: now,
		ReservedUntil: now.Add(reservationTTL), LeaseUntil: now.Add(30 * time.Second),
	}
	if c.Totals, err = pricing.Flat("USD", 500, 100, nil, nil).Price(priced.Currency, c.Lines); err != nil {
		t.Fatal(err)
	}
	if err := f.checkouts.BeginCheckout(ctx, c, nil); err != nil {
		t.Fatal(err)
	}
	return c
}

// A retry of a request whose process died takes the checkout over once
// the dead request's lease ends, and charges it once.
func TestLeaseResume(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	req := request(f.cart(t, "A", 2), pmVisa)
	c := f.orphan(t, req, "key-1")
	_, err := f.svc.Checkout(ctx, req, "key-1", "")
	wantCode(t, err, "checkout_in_progress")
	if f.pay.count() != 0 {
		t.Fatalf("a retry during the lease charged %d times", f.pay.count())
	}
	f.clock.Advance(31 * time.Second)
	out, err := f.svc.Checkout(ctx, req, "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if out.Checkout.ID != c.ID || out.Checkout.Status != commerce.CheckoutPaid {
		t.Errorf("resumed checkout: got %s %q, want %s paid", out.Checkout.ID, out.Checkout.Status, c.ID)
	}
	if f.pay.count() != 1 || len(f.outbox(t, commerce.MsgOrderPlaced)) != 1 {
		t.Errorf("got %d charges, %d OrderPlaced, want 1, 1", f.pay.count(), len(f.outbox(t, commerce.MsgOrderPlaced)))
	}
	f.wantStock(t, "A", 5, 0, 2)
}

func TestExpire(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		charged  bool // the provider charged the checkout before its process died
		want     commerce.CheckoutStatus
		reserved int64
	}{
		{"never charged", false, commerce.CheckoutExpired, 0},
		{"charged, never recorded", true, commerce.CheckoutPaid, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := f.orphan(t, request(f.cart(t, "A", 2), pmVisa), "key-1")
			if tc.charged {
				if _, err := f.pay.Charge(ctx, commerce.PaymentRequest{CheckoutID: c.ID, Amount: c.Total, PaymentMethod: pmVisa}); err != nil {
					t.Fatal(err)
				}
			}
			f.clock.Advance(reservationTTL)
			for range 2 { // the message may arrive twice
				if err := f.svc.Expire(ctx, c.ID); err != nil {
					t.Fatal(err)
				}
				f.wantStatus(t, c.ID, tc.want)
				f.wantStock(t, "A", 5, 0, tc.reserved)
			}
			if f.pay.count() != 1 && tc.charged || f.pay.count() != 0 && !tc.charged {
				t.Errorf("Expire charged: got %d payments", f.pay.count())
			}
		})
	}

	t.Run("paid is left alone", func(t *testing.T) {
		f := newFixture(t)
		out, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 2), pmVisa), "key-1", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Expire(ctx, out.Checkout.ID); err != nil {
			t.Fatal(err)
		}
		f.wantStatus(t, out.Checkout.ID, commerce.CheckoutPaid)
		f.wantStock(t, "A", 5, 0, 2)
	})

	t.Run("unknown", func(t *testing.T) {
		f := newFixture(t)
		if err := f.svc.Expire(ctx, commerce.NewCheckoutID()); err != nil {
			t.Errorf("Expire of an unknown checkout: %v", err)
		}
	})
}
