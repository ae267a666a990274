package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

func testCheckoutPayment(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)
	// open begins checkout "1" of 2 units of A, with 5 on hand.
	open := func(t *testing.T) (MoneyStores, *commerce.Checkout) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 2)
		begin(t, st, c)
		return st, c
	}
	wantChanged := func(t *testing.T, what string, got bool, err error, want bool) {
		t.Helper()
		must(t, err)
		if got != want {
			t.Errorf("%s: got changed %v, want %v", what, got, want)
		}
	}

	t.Run("Lease", func(t *testing.T) {
		st, c := open(t)
		ok, err := st.Checkouts.Lease(ctx, c.ID, moneyT0, moneyT0.Add(30*time.Second))
		wantChanged(t, "Lease of a free checkout", ok, err, true)
		ok, err = st.Checkouts.Lease(ctx, c.ID, moneyT0.Add(10*time.Second), moneyT0.Add(40*time.Second))
		wantChanged(t, "Lease while held", ok, err, false)
		ok, err = st.Checkouts.Lease(ctx, c.ID, moneyT0.Add(31*time.Second), moneyT0.Add(61*time.Second))
		wantChanged(t, "Lease after the claim ended", ok, err, true)
		if got := wantStatus(t, st, c.ID, commerce.CheckoutPending); !got.LeaseUntil.Equal(moneyT0.Add(61 * time.Second)) {
			t.Errorf("LeaseUntil: got %v, want %v", got.LeaseUntil, moneyT0.Add(61*time.Second))
		}
		ok, err = st.Checkouts.Release(ctx, c.ID, commerce.CheckoutDeclined, nil)
		wantChanged(t, "Release", ok, err, true)
		ok, err = st.Checkouts.Lease(ctx, c.ID, moneyT0.Add(time.Hour), moneyT0.Add(2*time.Hour))
		wantChanged(t, "Lease of a declined checkout", ok, err, false)
	})

	t.Run("SetPaymentRequiresAction", func(t *testing.T) {
		st, c := open(t)
		next := map[string]any{"type": "redirect_to_url", "url": "https://pay.example.com/3ds"}
		ok, err := st.Checkouts.SetPayment(ctx, c.ID, commerce.Payment{ID: "pi_1", Status: commerce.PaymentRequiresAction, NextAction: next}, commerce.Hold{}, nil)
		wantChanged(t, "SetPayment", ok, err, true)
		got := wantStatus(t, st, c.ID, commerce.CheckoutRequiresAction)
		if got.PaymentID != "pi_1" {
			t.Errorf("PaymentID: got %q, want %q", got.PaymentID, "pi_1")
		}
		if diff := cmp.Diff(next, got.NextAction); diff != "" {
			t.Errorf("NextAction (-want +got):\n%s", diff)
		}
		wantStock(t, st, "A", 5, 0, 2)
	})

	for _, from := range []commerce.CheckoutStatus{commerce.CheckoutPending, commerce.CheckoutRequiresAction} {
		t.Run("MarkPaidFrom_"+string(from), func(t *testing.T) {
			st, c := open(t)
			if from == commerce.CheckoutRequiresAction {
				ok, err := st.Checkouts.SetPayment(ctx, c.ID, commerce.Payment{ID: "pi_1", Status: commerce.PaymentRequiresAction}, commerce.Hold{}, nil)
				wantChanged(t, "SetPayment", ok, err, true)
			}
			ok, err := st.Checkouts.MarkPaid(ctx, c.ID, "pi_1", placedMsg(c), nil)
			wantChanged(t, "MarkPaid", ok, err, true)
			if got := wantStatus(t, st, c.ID, commerce.CheckoutPaid); got.PaymentID != "pi_1" {
				t.Errorf("PaymentID: got %q, want %q", got.PaymentID, "pi_1")
			}
			wantOutbox(t, st, commerce.QueueOrders, placedMsg(c))
			ok, err = st.Checkouts.MarkPaid(ctx, c.ID, "pi_1", placedMsg(c), nil)
			wantChanged(t, "second MarkPaid", ok, err, false)
			wantOutbox(t, st, commerce.QueueOrders, placedMsg(c))
			wantStock(t, st, "A", 5, 0, 2)
			ok, err = st.Checkouts.Release(ctx, c.ID, commerce.CheckoutExpired, nil)
			wantChanged(t, "Release of a paid checkout", ok, err, false)
			wantStock(t, st, "A", 5, 0, 2)
		})
	}

	for _, status := range []commerce.CheckoutStatus{commerce.CheckoutDeclined, commerce.CheckoutExpired} {
		t.Run("Release_"+string(status), func(t *testing.T) {
			st, c := open(t)
			ok, err := st.Checkouts.Release(ctx, c.ID, status, nil)
			wantChanged(t, "Release", ok, err, true)
			wantStatus(t, st, c.ID, status)
			wantStock(t, st, "A", 5, 0, 0)
			for _, again := range []commerce.CheckoutStatus{commerce.CheckoutDeclined, commerce.CheckoutExpired} {
				ok, err = st.Checkouts.Release(ctx, c.ID, again, nil)
				wantChanged(t, "Release("+string(again)+") again", ok, err, false)
			}
			wantStatus(t, st, c.ID, status)
			wantStock(t, st, "A", 5, 0, 0)
			ok, err = st.Checkouts.SetPayment(ctx, c.ID, commerce.Payment{ID: "pi_1", Status: commerce.PaymentRequiresAction}, commerce.Hold{}, nil)
			wantChanged(t, "SetPayment after Release", ok, err, false)
		})
	}

	t.Run("MarkPaidAfterExpiry", func(t *testing.T) {
		st, c := open(t)
		ok, err := st.Checkouts.Release(ctx, c.ID, commerce.CheckoutExpired, nil)
		wantChanged(t, "Release", ok, err, true)
		ok, err = st.Checkouts.MarkPaid(ctx, c.ID, "pi_1", placedMsg(c), nil)
		wantChanged(t, "MarkPaid of an expired checkout", ok, err, true)
		wantStatus(t, st, c.ID, commerce.CheckoutPaid)
		wantStock(t, st, "A", 5, 0, 2)
		wantOutbox(t, st, commerce.QueueOrders, placedMsg(c))
	})

	t.Run("MarkPaidAfterExpiryShort", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5, "B", 1)
		c := newCheckout("1", "A", 2, "B", 1)
		begin(t, st, c)
		ok, err := st.Checkouts.Release(ctx, c.ID, commerce.CheckoutExpired, nil)
		wantChanged(t, "Release", ok, err, true)
		begin(t, st, newCheckout("2", "B", 1)) // takes the last B
		_, err = st.Checkouts.MarkPaid(ctx, c.ID, "pi_1", placedMsg(c), &commerce.StoredResponse{Status: 201, Body: []byte("{}")})
		wantConflict(t, err, commerce.CodeCheckoutRefunded)
		if got := wantStatus(t, st, c.ID, commerce.CheckoutRefunded); got.PaymentID != "pi_1" || got.Response != nil {
			t.Errorf("refunded by MarkPaid: got PaymentID %q, Response %v, want pi_1 and none", got.PaymentID, got.Response)
		}
		wantStock(t, st, "A", 5, 0, 0)
		wantStock(t, st, "B", 1, 0, 1)
		// The stock comes back; the same success reported again stays refunded.
		stockUp(t, st, "B", 2)
		_, err = st.Checkouts.MarkPaid(ctx, c.ID, "pi_1", placedMsg(c), nil)
		wantConflict(t, err, commerce.CodeCheckoutRefunded)
		wantStatus(t, st, c.ID, commerce.CheckoutRefunded)
		wantStock(t, st, "A", 5, 0, 0)
		if got := outboxOf(t, st, commerce.MsgOrderPlaced); len(got) != 0 {
			t.Errorf("outbox OrderPlaced after a refused MarkPaid: got %d, want 0", len(got))
		}
	})

	t.Run("SetResponse", func(t *testing.T) {
		st, c := open(t)
		first := &commerce.StoredResponse{Status: 202, Body: []byte(`{"status":"pending"}`)}
		must(t, st.Checkouts.SetResponse(ctx, c.ID, first))
		must(t, st.Checkouts.SetResponse(ctx, c.ID, &commerce.StoredResponse{Status: 409, Body: []byte(`{"later":true}`)}))
		ok, err := st.Checkouts.MarkPaid(ctx, c.ID, "pi_1", placedMsg(c), &commerce.StoredResponse{Status: 201, Body: []byte(`{}`)})
		wantChanged(t, "MarkPaid", ok, err, true)
		got, err := st.Checkouts.Checkout(ctx, c.ID)
		must(t, err)
		if diff := cmp.Diff(first, got.Response); diff != "" {
			t.Errorf("Response (-want +got):\n%s", diff)
		}
	})
}
