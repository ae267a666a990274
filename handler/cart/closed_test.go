package cart_test

import (
	"context"
	"strings"
	"testing"

	"shopfn/handler/cart"
	"shopfn/handler/commerce"
)

// checkoutOf returns a checkout of cart p's priced lines, named by n.
func checkoutOf(p *cart.Priced, n string) *commerce.Checkout {
	return &commerce.Checkout{
		ID: "k_" + n, IdempotencyKey: "key_" + n, OrderID: "o_" + n, CartID: p.ID,
		Lines: p.Items, Status: commerce.CheckoutPending, CreatedAt: t0, UpdatedAt: t0, ReservedUntil: t0.Add(ttl),
	}
}

// A cart is open, checking_out from the moment a checkout holds it, and
// completed once that checkout is paid; the relational store decides, so a
// document that lags behind it (a crash before Settle) is read right.
func TestCartStatus(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		after func(t *testing.T, f *fixture, k *commerce.Checkout) // what happens to the checkout after Hold
		want  commerce.CartStatus
		order bool   // whether the cart names the order
		write string // the code of a cart write, or "" when writes work
	}{
		{"checking out", func(*testing.T, *fixture, *commerce.Checkout) {}, commerce.CartCheckingOut, false, commerce.CodeCartClosed},
		{"released, document lagging", func(t *testing.T, f *fixture, k *commerce.Checkout) {
			mustChange(t)(f.checkouts.Release(ctx, k.ID, commerce.CheckoutDeclined, nil))
		}, commerce.CartOpen, false, ""},
		{"released and settled", func(t *testing.T, f *fixture, k *commerce.Checkout) {
			mustChange(t)(f.checkouts.Release(ctx, k.ID, commerce.CheckoutExpired, nil))
			k.Status = commerce.CheckoutExpired
			if err := f.svc.Settle(ctx, k.CartID, k); err != nil {
				t.Fatal(err)
			}
		}, commerce.CartOpen, false, ""},
		{"paid, document lagging", func(t *testing.T, f *fixture, k *commerce.Checkout) {
			mustChange(t)(f.checkouts.MarkPaid(ctx, k.ID, "pi_1", commerce.Message{ID: "m", Type: commerce.MsgOrderPlaced}, nil))
		}, commerce.CartCompleted, true, commerce.CodeCartClosed},
		{"paid and settled", func(t *testing.T, f *fixture, k *commerce.Checkout) {
			mustChange(t)(f.checkouts.MarkPaid(ctx, k.ID, "pi_1", commerce.Message{ID: "m", Type: commerce.MsgOrderPlaced}, nil))
			k.Status = commerce.CheckoutPaid
			if err := f.svc.Settle(ctx, k.CartID, k); err != nil {
				t.Fatal(err)
			}
		}, commerce.CartCompleted, true, commerce.CodeCartClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			p := f.create(t, "B", 2)
			if p.Status != commerce.CartOpen {
				t.Fatalf("new cart: got status %q, want open", p.Status)
			}
			k := checkoutOf(p, "1")
			if err := f.checkouts.BeginCheckout(ctx, k, nil); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Hold(ctx, p.ID, k); err != nil {
				t.Fatal(err)
			}
			tc.after(t, f, k)

			got, err := f.svc.Get(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantOrder := ""
			if tc.order {
				wantOrder = k.OrderID
			}
			if got.Status != tc.want || got.OrderID != wantOrder {
				t.Errorf("Get: got status %q, order %q, want %q, %q", got.Status, got.OrderID, tc.want, wantOrder)
			}
			if got.ETag == p.ETag {
				t.Errorf("Get: kept ETag %s across a status change", p.ETag)
			}
			for _, w := range []struct {
				name string
				do   func() error
			}{
				{"Add", func() error { _, err := f.svc.Add(ctx, p.ID, "", "B", 1); return err }},
				{"SetQuantity", func() error { _, err := f.svc.SetQuantity(ctx, p.ID, "", "A-1", 1); return err }},
				{"Remove", func() error { _, err := f.svc.Remove(ctx, p.ID, "", "B"); return err }},
				{"Delete", func() error { return f.svc.Delete(ctx, p.ID, "") }},
			} {
				err := w.do()
				if tc.write == "" {
					if err != nil {
						t.Errorf("%s of an open cart: %v", w.name, err)
					}
					continue
				}
				// A cart ID is no proof of being the buyer: never the order.
				if e := wantCode(t, err, tc.write); strings.Contains(e.Message, k.OrderID) {
					t.Errorf("%s: got cart_closed naming order %s: %q", w.name, k.OrderID, e.Message)
				}
			}
		})
	}
}

// Hold refuses a cart whose lines changed since the checkout priced them,
// and changes nothing.
func TestHoldChangedCart(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	p := f.create(t, "B", 2)
	k := checkoutOf(p, "1")
	if _, err := f.svc.Add(ctx, p.ID, "", "B", 1); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.svc.Hold(ctx, p.ID, k), commerce.CodeCartChanged)
	got, err := f.svc.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != commerce.CartOpen || got.ItemCount != 3 {
		t.Errorf("after a refused Hold: got status %q, %d items, want open, 3", got.Status, got.ItemCount)
	}
}

// mustChange returns a function that fails the test unless the store call
// whose results it is given changed something.
func mustChange(t *testing.T) func(changed bool, err error) {
	return func(changed bool, err error) {
		t.Helper()
		if err != nil || !changed {
			t.Fatalf("got changed %v, %v, want true", changed, err)
		}
	}
}
