package checkout_test

import (
	"context"
	"strings"
	"testing"

	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
)

// A cart has one live checkout: checking_out while it waits for the buyer,
// completed once paid, open again when it is declined.
func TestOneCheckoutPerCart(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		finish  commerce.PaymentStatus
		status  commerce.CartStatus
		another string // the code of a second checkout under another key, "" for success
	}{
		{"paid", commerce.PaymentSucceeded, commerce.CartCompleted, commerce.CodeCartClosed},
		{"declined", commerce.PaymentDeclined, commerce.CartOpen, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			id := f.cart(t, "A", 1)
			out, err := f.svc.Checkout(ctx, request(id, pm3DS), "key-1", "")
			if err != nil {
				t.Fatal(err)
			}
			c := out.Checkout
			if p, err := f.carts.Get(ctx, id); err != nil || p.Status != commerce.CartCheckingOut {
				t.Fatalf("cart while its checkout waits: got %v (%v), want checking_out", p, err)
			}
			_, err = f.svc.Checkout(ctx, request(id, pmVisa), "key-2", "")
			wantCode(t, err, commerce.CodeCartClosed)
			_, err = f.carts.Add(ctx, id, "", "B", 1)
			wantCode(t, err, commerce.CodeCartClosed)

			f.pay.authenticate(c.PaymentID, tc.finish)
			if _, err := f.svc.Confirm(ctx, c.ID); err != nil {
				t.Fatal(err)
			}
			p, err := f.carts.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if p.Status != tc.status {
				t.Errorf("cart after the checkout ended: got %q, want %q", p.Status, tc.status)
			}
			_, err = f.svc.Checkout(ctx, request(id, pmVisa), "key-3", "")
			if tc.another == "" {
				if err != nil {
					t.Errorf("checkout of a reopened cart: %v", err)
				}
				return
			}
			// Another key is no proof of being the buyer: never the order.
			if e := wantCode(t, err, tc.another); strings.Contains(e.Message, c.OrderID) {
				t.Errorf("cart_closed of a completed cart: names order %s: %q", c.OrderID, e.Message)
			}
			if f.pay.count() != 1 {
				t.Errorf("got %d charges, want 1", f.pay.count())
			}
		})
	}
}

func TestPriceChanged(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := f.cart(t, "A", 2)
	req := request(id, pmVisa)
	seen := commerce.Money{Amount: 2*1000 + 500 + 100, Currency: "USD"}
	req.ExpectedTotal = &seen
	p := f.products["A"]
	p.Variants[0].Price.Amount = 1100
	if err := f.catalog.ReplaceProduct(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.Checkout(ctx, req, "key-1", "")
	e := wantCode(t, err, commerce.CodePriceChanged)
	if want := (commerce.Money{Amount: 2*1100 + 500 + 100, Currency: "USD"}); e.Totals == nil || e.Totals.Total != want {
		t.Errorf("price_changed totals: got %+v, want total %v", e.Totals, want)
	}
	f.wantStock(t, "A", 5, 0, 0)
	if p, _ := f.carts.Get(ctx, id); p.Status != commerce.CartOpen {
		t.Errorf("cart after price_changed: got %q, want open", p.Status)
	}
	// The buyer agrees to the new total, under a new key.
	agreed := e.Totals.Total
	req.ExpectedTotal = &agreed
	out, err := f.svc.Checkout(ctx, req, "key-2", "")
	if err != nil {
		t.Fatal(err)
	}
	if out.Checkout.Status != commerce.CheckoutPaid || out.Checkout.Total != e.Totals.Total {
		t.Errorf("got %q for %v, want paid for %v", out.Checkout.Status, out.Checkout.Total, e.Totals.Total)
	}
}

// A provider that cannot be asked leaves nothing reserved; a retry under
// the same key resumes the checkout and charges it once.
func TestProviderDownResumes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := f.cart(t, "A", 2)
	req := request(id, pmVisa)
	f.pay.setDown(true)
	_, err := f.svc.Checkout(ctx, req, "key-1", "")
	wantCode(t, err, commerce.CodePaymentUnavailable)
	c, err := f.checkouts.CheckoutByKey(ctx, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	f.wantStatus(t, c.ID, commerce.CheckoutFailed)
	f.wantStock(t, "A", 5, 0, 0)
	if p, _ := f.carts.Get(ctx, id); p.Status != commerce.CartOpen {
		t.Errorf("cart of a failed checkout: got %q, want open", p.Status)
	}

	f.pay.setDown(false)
	out, err := f.svc.Checkout(ctx, req, "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if out.Checkout.ID != c.ID || out.Checkout.Status != commerce.CheckoutPaid {
		t.Errorf("retry: got %s %q, want %s paid", out.Checkout.ID, out.Checkout.Status, c.ID)
	}
	if f.pay.count() != 1 || len(f.outbox(t, commerce.MsgOrderPlaced)) != 1 {
		t.Errorf("got %d charges, %d OrderPlaced, want 1, 1", f.pay.count(), len(f.outbox(t, commerce.MsgOrderPlaced)))
	}
	f.wantStock(t, "A", 5, 0, 2)
}

// One client holds at most MaxHeld checkouts waiting for the buyer; the
// one over the bound is declined and gives its stock back.
func TestTooManyCheckouts(t *testing.T) {
	ctx := context.Background()
	f := newFixtureWith(t, func(c *checkout.Config) { c.MaxHeld = 1 })
	if _, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 1), pm3DS), "key-1", "203.0.113.7"); err != nil {
		t.Fatal(err)
	}
	id := f.cart(t, "A", 1)
	_, err := f.svc.Checkout(ctx, request(id, pm3DS), "key-2", "203.0.113.7")
	wantCode(t, err, commerce.CodeTooManyCheckouts)
	f.wantStock(t, "A", 5, 0, 1)
	if p, _ := f.carts.Get(ctx, id); p.Status != commerce.CartOpen {
		t.Errorf("cart of the refused checkout: got %q, want open", p.Status)
	}
	// Another client, or a card that needs no action, is not bounded.
	if _, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 1), pm3DS), "key-3", "198.51.100.1"); err != nil {
		t.Errorf("another client: %v", err)
	}
	if _, err := f.svc.Checkout(ctx, request(f.cart(t, "A", 1), pmVisa), "key-4", "203.0.113.7"); err != nil {
		t.Errorf("a card with no action: %v", err)
	}
}

// Without an Idempotency-Key, the same request on the same cart replays,
// whatever the checkout wrote to the cart since; another request on that
// cart is refused while the first holds it.
func TestKeylessReplay(t *testing.T) {
	ctx := context.Background()
	for _, pm := range []string{pm3DS, pmVisa} {
		t.Run(pm, func(t *testing.T) {
			f := newFixture(t)
			req := request(f.cart(t, "A", 1), pm)
			first, err := f.svc.Checkout(ctx, req, "", "")
			if err != nil {
				t.Fatal(err)
			}
			again, err := f.svc.Checkout(ctx, req, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if again.Checkout.ID != first.Checkout.ID || again.Replay == nil || f.pay.count() != 1 {
				t.Errorf("keyless replay: got checkout %s (replay %v), %d charges, want %s replayed, 1 charge",
					again.Checkout.ID, again.Replay, f.pay.count(), first.Checkout.ID)
			}
			other := req
			other.Email = "bob@example.com"
			_, err = f.svc.Checkout(ctx, other, "", "")
			wantCode(t, err, commerce.CodeCartClosed)
		})
	}
}

// A cart write that lands between the checkout's pricing and its hold on
// the cart makes the checkout give up before charging: nothing is charged
// or reserved, and the cart stays open with the write in it.
func TestCartChangedWhileCheckingOut(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := f.cart(t, "A", 1)
	f.beforeVariants = func() {
		if _, err := f.carts.Add(ctx, id, "", "B", 1); err != nil {
			t.Error(err)
		}
	}
	_, err := f.svc.Checkout(ctx, request(id, pmVisa), "key-1", "")
	wantCode(t, err, commerce.CodeCartChanged)
	if f.pay.count() != 0 {
		t.Errorf("got %d charges, want 0", f.pay.count())
	}
	f.wantStock(t, "A", 5, 0, 0)
	p, err := f.carts.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != commerce.CartOpen || p.ItemCount != 2 {
		t.Errorf("cart: got %q with %d items, want open with 2", p.Status, p.ItemCount)
	}
	// Checking the changed cart out again works.
	out, err := f.svc.Checkout(ctx, request(id, pmVisa), "key-2", "")
	if err != nil {
		t.Fatal(err)
	}
	if out.Checkout.Status != commerce.CheckoutPaid || len(out.Checkout.Lines) != 2 {
		t.Errorf("second checkout: got %q with %d lines, want paid with 2", out.Checkout.Status, len(out.Checkout.Lines))
	}
}
