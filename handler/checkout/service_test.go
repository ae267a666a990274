package checkout_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
)

func TestCheckoutPays(t *testing.T) {
	ctx := context.Background()
	written := map[string]error{} // message ID -> the outbox write's outcome
	f := newFixtureWith(t, func(c *checkout.Config) {
		c.Publishing = func(_ context.Context, m *commerce.Message) func(error) {
			m.Attributes = map[string]string{commerce.AttrTraceParent: "trace-of-" + m.Type}
			return func(err error) { written[m.ID] = err }
		}
	})
	id := f.cart(t, "A", 2, "B", 1)
	out, err := f.svc.Checkout(ctx, request(id, pmVisa), "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	c := out.Checkout
	if c.Status != commerce.CheckoutPaid || out.Replay != nil {
		t.Errorf("got status %q, replay %v, want paid, no replay", c.Status, out.Replay)
	}
	usd := func(a int64) commerce.Money { return commerce.Money{Amount: a, Currency: "USD"} }
	if want := (commerce.Totals{Subtotal: usd(4500), Shipping: usd(500), Tax: usd(100), Total: usd(5100)}); c.Totals != want {
		t.Errorf("totals: got %+v, want %+v", c.Totals, want)
	}
	f.wantStock(t, "A", 5, 0, 2)
	f.wantStock(t, "B", 5, 0, 1)
	placed := f.outbox(t, commerce.MsgOrderPlaced)
	if len(placed) != 1 || !commerce.IsID(c.OrderID, 'o') {
		t.Fatalf("OrderPlaced messages: got %d for order %q, want 1", len(placed), c.OrderID)
	}
	expiry := f.outbox(t, commerce.MsgReservationExpired)
	if len(expiry) != 1 || !expiry[0].ScheduledAt.Equal(t0.Add(reservationTTL)) {
		t.Errorf("ReservationExpired messages: got %+v, want one scheduled at %v", expiry, t0.Add(reservationTTL))
	}
	for _, m := range append(placed, expiry...) {
		if got := m.Attributes[commerce.AttrTraceParent]; got != "trace-of-"+m.Type {
			t.Errorf("outbox %s traceparent: got %q, want the one Publishing stamped", m.Type, got)
		}
		if err, ok := written[m.ID]; !ok || err != nil {
			t.Errorf("Publishing's done of %s: got called %v with %v, want called with nil", m.ID, ok, err)
		}
	}
	if n := f.published.Load(); n < 2 {
		t.Errorf("Published called %d times, want at least 2 (reservation, order)", n)
	}
	// The orders function places it; the reservation becomes committed stock.
	if ok, err := f.orders.PlaceOrder(ctx, c.OrderID, t0); err != nil || !ok {
		t.Fatalf("PlaceOrder: got %v, %v, want true", ok, err)
	}
	f.wantStock(t, "A", 5, 2, 0)
}

// The cart is re-priced from the catalog at checkout: a price changed
// after the buyer saw the cart is the price charged.
func TestCheckoutReprices(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := f.cart(t, "A", 3)
	p := f.products["A"]
	p.Variants[0].Price.Amount = 1200
	if err := f.catalog.ReplaceProduct(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.Checkout(ctx, request(id, pmVisa), "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Checkout.Lines[0]; got.UnitPrice.Amount != 1200 || got.LineTotal.Amount != 3600 {
		t.Errorf("line: got unit %d, total %d, want 1200, 3600", got.UnitPrice.Amount, got.LineTotal.Amount)
	}
	if got := out.Checkout.Total.Amount; got != 3600+500+100 {
		t.Errorf("total: got %d, want %d", got, 3600+500+100)
	}
	if p, _ := f.pay.Payment(ctx, out.Checkout.PaymentID); p.Amount != out.Checkout.Total {
		t.Errorf("charged %v, want the re-priced total %v", p.Amount, out.Checkout.Total)
	}
}

func TestCheckoutRefusals(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, f *fixture) string // returns the cart ID
		code  string
		skus  []string
	}{
		{"all or nothing", func(t *testing.T, f *fixture) string {
			id := f.cart(t, "A", 2, "B", 4)
			f.setStock(t, "B", 3)
			return id
		}, commerce.CodeInsufficientStock, []string{"B"}},
		{"unavailable line", func(t *testing.T, f *fixture) string {
			id := f.cart(t, "A", 2, "B", 1)
			if err := f.catalog.DeleteProduct(ctx, f.products["B"].ID); err != nil {
				t.Fatal(err)
			}
			return id
		}, commerce.CodeUnknownSKU, []string{"B"}},
		{"empty cart", func(t *testing.T, f *fixture) string { return f.cart(t) }, "empty_cart", nil},
		{"unknown cart", func(t *testing.T, f *fixture) string { return commerce.NewCartID() }, commerce.CodeNotFound, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			id := tc.setup(t, f)
			_, err := f.svc.Checkout(ctx, request(id, pmVisa), "key-1", "")
			e := wantCode(t, err, tc.code)
			if diff := cmp.Diff(tc.skus, e.SKUs); diff != "" {
				t.Errorf("error SKUs (-want +got):\n%s", diff)
			}
			f.wantStock(t, "A", 5, 0, 0)
			if _, err := f.checkouts.CheckoutByKey(ctx, "key-1"); commerce.ErrorCode(err) != commerce.CodeNotFound {
				t.Errorf("a refused checkout was stored: %v", err)
			}
			if f.pay.count() != 0 {
				t.Errorf("a refused checkout charged %d times", f.pay.count())
			}
		})
	}
}

func TestCheckoutReplay(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	id := f.cart(t, "A", 1)
	req := request(id, pmVisa)
	first, err := f.svc.Checkout(ctx, req, "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.Checkout(ctx, req, "key-1", "")
	if err != nil {
		t.Fatal(err)
	}
	if again.Checkout.ID != first.Checkout.ID || again.Replay == nil || string(again.Replay.Body) != `{"status":"paid"}` {
		t.Errorf("replay: got checkout %s, replay %+v, want %s and the stored paid response", again.Checkout.ID, again.Replay, first.Checkout.ID)
	}
	if f.pay.count() != 1 || len(f.outbox(t, commerce.MsgOrderPlaced)) != 1 {
		t.Errorf("after a replay: got %d charges, %d OrderPlaced, want 1, 1", f.pay.count(), len(f.outbox(t, commerce.MsgOrderPlaced)))
	}
	f.wantStock(t, "A", 5, 0, 1)

	other := req
	other.Email = "bob@example.com"
	_, err = f.svc.Checkout(ctx, other, "key-1", "")
	wantCode(t, err, "idempotency_key_reused")
}

// Concurrent requests with one key make one checkout and one charge.
func TestCheckoutConcurrentReplays(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	req := request(f.cart(t, "A", 1), pmVisa)
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			out, err := f.svc.Checkout(ctx, req, "key-1", "")
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = out.Checkout.ID
		})
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("concurrent requests with one key: got checkouts %v, want one", ids)
		}
	}
	if f.pay.count() != 1 {
		t.Errorf("got %d charges, want 1", f.pay.count())
	}
	f.wantStock(t, "A", 5, 0, 1)
}
