package checkout_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
)

func TestDeclineReleases(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	req := request(f.cart(t, "A", 2), pmDeclined)
	out, err := f.svc.Checkout(ctx, req, "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if out.Checkout.Status != commerce.CheckoutDeclined {
		t.Errorf("got status %q, want declined", out.Checkout.Status)
	}
	if got := out.Checkout.NextAction["declineCode"]; got != "generic_decline" {
		t.Errorf("decline code: got %v, want generic_decline", got)
	}
	f.wantStock(t, "A", 5, 0, 0)
	again, err := f.svc.Checkout(ctx, req, "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if again.Replay == nil || string(again.Replay.Body) != `{"status":"declined"}` || f.pay.count() != 1 {
		t.Errorf("replay of a decline: got replay %+v, %d charges, want the declined response, 1 charge", again.Replay, f.pay.count())
	}
	if n := len(f.outbox(t, commerce.MsgOrderPlaced)); n != 0 {
		t.Errorf("a declined checkout stored %d OrderPlaced messages", n)
	}
}

func TestRequiresActionThenConfirm(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		finish   commerce.PaymentStatus
		want     commerce.CheckoutStatus
		reserved int64
	}{
		{"authenticated", commerce.PaymentSucceeded, commerce.CheckoutPaid, 2},
		{"failed", commerce.PaymentDeclined, commerce.CheckoutDeclined, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			out, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 2), pm3DS), "key-1", "")
			if err != nil {
				t.Fatal(err)
			}
			c := out.Checkout
			if c.Status != commerce.CheckoutRequiresAction || c.NextAction["type"] != "redirect_to_url" {
				t.Fatalf("got status %q, next action %v, want requires_action with a redirect", c.Status, c.NextAction)
			}
			f.wantStock(t, "A", 5, 0, 2)
			_, err = f.svc.Confirm(ctx, c.ID)
			wantCode(t, err, "requires_action")

			f.pay.authenticate(c.PaymentID, tc.finish)
			got, err := f.svc.Confirm(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.want {
				t.Errorf("after Confirm: got status %q, want %q", got.Status, tc.want)
			}
			f.wantStock(t, "A", 5, 0, tc.reserved)
			// The webhook reporting the same outcome changes nothing more.
			p, _ := f.pay.Payment(ctx, c.PaymentID)
			if err := f.svc.PaymentSucceeded(ctx, p); err != nil {
				t.Fatal(err)
			}
			f.wantStatus(t, c.ID, tc.want)
			if n, want := len(f.outbox(t, commerce.MsgOrderPlaced)), int(tc.reserved/2); n != want {
				t.Errorf("OrderPlaced messages: got %d, want %d", n, want)
			}
		})
	}
}

// The webhook is a second, independent path to paid.
func TestWebhookPays(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	out, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 1), pm3DS), "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	p := f.pay.authenticate(out.Checkout.PaymentID, commerce.PaymentSucceeded)
	for range 2 {
		if err := f.svc.PaymentSucceeded(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	f.wantStatus(t, out.Checkout.ID, commerce.CheckoutPaid)
	if n := len(f.outbox(t, commerce.MsgOrderPlaced)); n != 1 {
		t.Errorf("OrderPlaced messages after two webhooks: got %d, want 1", n)
	}
	// Events for no checkout, or an unknown one, are ignored.
	for _, p := range []commerce.Payment{{ID: "pi_x", Status: commerce.PaymentSucceeded}, {ID: "pi_y", Status: commerce.PaymentSucceeded, CheckoutID: "k_nope"}} {
		if err := f.svc.PaymentSucceeded(ctx, p); err != nil {
			t.Errorf("PaymentSucceeded(%+v): %v", p, err)
		}
	}
}

// A payment that succeeds after the reservation was released is placed
// when the stock and the cart are still there, and refunded, for good, when
// either is gone.
func TestPaidAfterRelease(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		take     string // what another checkout takes meanwhile: "", "stock" or "cart"
		onHand   int64
		want     commerce.CheckoutStatus
		reserved int64
	}{
		{"stock and cart still there", "", 5, commerce.CheckoutPaid, 4},
		{"stock gone", "stock", 5, commerce.CheckoutRefunded, 3},
		// Stock enough for both: only the cart's one live checkout refuses it.
		{"cart checked out again", "cart", 10, commerce.CheckoutRefunded, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.setStock(t, "A", tc.onHand)
			id := f.cart(t, "A", 4)
			out, err := f.svc.Checkout(ctx, request(id, pm3DS), "key-1", "")
			if err != nil {
				t.Fatal(err)
			}
			c := out.Checkout
			f.clock.Advance(reservationTTL + time.Second)
			if err := f.svc.Expire(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			f.wantStatus(t, c.ID, commerce.CheckoutExpired)
			f.wantStock(t, "A", tc.onHand, 0, 0)
			switch tc.take {
			case "stock":
				if _, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 3), pmVisa), "key-2", ""); err != nil {
					t.Fatal(err)
				}
			case "cart":
				if _, err := f.svc.Checkout(ctx, request(id, pmVisa), "key-2", ""); err != nil {
					t.Fatal(err)
				}
			}
			p := f.pay.authenticate(c.PaymentID, commerce.PaymentSucceeded)
			for range 2 { // a second report changes nothing
				if err := f.svc.PaymentSucceeded(ctx, p); err != nil {
					t.Fatal(err)
				}
				f.wantStatus(t, c.ID, tc.want)
				f.wantStock(t, "A", tc.onHand, 0, tc.reserved)
			}
			var wantRefunded []string
			if tc.want == commerce.CheckoutRefunded {
				wantRefunded = []string{c.PaymentID}
			}
			if diff := cmp.Diff(wantRefunded, f.pay.refunded()); diff != "" {
				t.Errorf("refunded payments (-want +got):\n%s", diff)
			}
		})
	}
}

// TestChargeDeadline checks that the provider is asked to charge under a
// deadline shorter than the checkout's lease: a provider that hangs (the
// Stripe client waits 80 s per attempt) must not outlive the lease, after
// which a replay may take the checkout over.
func TestChargeDeadline(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.Checkout(context.Background(), request(f.cart(t, "A", 1), pmVisa), "key-1", ""); err != nil {
		t.Fatal(err)
	}
	lease := checkout.LeaseTTL
	f.pay.mu.Lock()
	defer f.pay.mu.Unlock()
	if len(f.pay.chargeDeadlines) != 1 {
		t.Fatalf("charges: got %d, want 1", len(f.pay.chargeDeadlines))
	}
	if left := f.pay.chargeDeadlines[0]; left <= 0 || left >= lease {
		t.Errorf("the charge's deadline: got %v left (-1: none), want one shorter than the lease (%v)", left, lease)
	}
}
