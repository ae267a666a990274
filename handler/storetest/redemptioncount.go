package storetest

import (
	"context"
	"fmt"
	"testing"

	"shopfn/handler/commerce"
)

// wantCounts fails the test unless promotion id has used and reserved,
// read alone and in the list of all promotions.
func wantCounts(t *testing.T, st RedemptionStores, id string, used, reserved int64) {
	t.Helper()
	wantCounters(t, st, id, used, reserved)
	all, err := st.Promotions.Promotions(callContext(t))
	must(t, err)
	for _, p := range all {
		if p.ID == id && (p.Used != used || p.Reserved != reserved) {
			t.Errorf("promotion %s in the list: used %d, reserved %d; want %d and %d", id, p.Used, p.Reserved, used, reserved)
		}
	}
	// The list pricing reads (cache.PricingLister), when the store has
	// one: every promotion, the counters of a limited one exact, of
	// another 0 (not counted).
	l, ok := st.Promotions.(interface {
		PricingPromotions(context.Context) ([]commerce.Promotion, error)
	})
	if !ok {
		return
	}
	priced, err := l.PricingPromotions(callContext(t))
	must(t, err)
	if len(priced) != len(all) {
		t.Errorf("PricingPromotions: got %d promotions, want %d", len(priced), len(all))
	}
	for _, p := range priced {
		if p.ID != id {
			continue
		}
		want := [2]int64{used, reserved}
		if p.UsageLimit == nil {
			want = [2]int64{} // not counted
		}
		if got := [2]int64{p.Used, p.Reserved}; got != want {
			t.Errorf("promotion %s in PricingPromotions (usageLimit %v): used and reserved %v, want %v", id, p.UsageLimit, got, want)
		}
	}
}

// wantStoredCounters fails the test unless the counters promotion id's
// own record holds are used and reserved, when the stores can say.
func wantStoredCounters(t *testing.T, st RedemptionStores, id string, used, reserved int64) {
	t.Helper()
	if st.StoredCounters == nil {
		return
	}
	u, r, err := st.StoredCounters(id)
	must(t, err)
	if u != used || r != reserved {
		t.Errorf("promotion %s's own record: used %d, reserved %d; want %d and %d", id, u, r, used, reserved)
	}
}

// setLimit sets p's usage limit (nil: none) and checks the counters the
// update returns.
func setLimit(t *testing.T, st RedemptionStores, p *commerce.Promotion, limit *int64, used, reserved int64) {
	t.Helper()
	p.UsageLimit = limit
	must(t, st.Promotions.UpdatePromotion(callContext(t), p, p.ETag))
	if p.Used != used || p.Reserved != reserved {
		t.Errorf("UpdatePromotion(usageLimit %v): used %d, reserved %d; want %d and %d", limit, p.Used, p.Reserved, used, reserved)
	}
	wantCounts(t, st, p.ID, used, reserved)
}

// testRedemptionCounts runs the counters of a promotion without a usage
// limit (counted from its redemptions, as it keeps none) through every
// transition, and through a limit added below and above its uses, and
// removed again.
func testRedemptionCounts(t *testing.T, newStores func(t *testing.T) RedemptionStores) {
	t.Run("UnlimitedCounters", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st.MoneyStores, "SKU-U", 1000)
		p := NewPromotion("munl", "UNLIMITED")
		p.UsageLimit, p.Refundable = nil, true
		must(t, st.Promotions.CreatePromotion(callContext(t), p))
		other := NewPromotion("mother", "OTHER") // its redemptions are not counted for p
		other.UsageLimit = nil
		must(t, st.Promotions.CreatePromotion(callContext(t), other))
		begin(t, st.MoneyStores, promoCheckout("x", "SKU-U", other, ""))
		var cs []*commerce.Checkout
		for i := range 5 {
			c := promoCheckout(fmt.Sprintf("u%d", i), "SKU-U", p, "")
			begin(t, st.MoneyStores, c)
			cs = append(cs, c)
		}
		wantCounts(t, st, p.ID, 0, 5)
		wantCounts(t, st, other.ID, 0, 1)
		wantStoredCounters(t, st, p.ID, 0, 0)
		for range 2 { // paid, twice: used once
			_, err := st.Checkouts.MarkPaid(callContext(t), cs[0].ID, "pay_u0", placedMsg(cs[0]), nil)
			must(t, err)
		}
		wantCounts(t, st, p.ID, 1, 4)
		for range 2 { // declined, twice: given back once
			_, err := st.Checkouts.Release(callContext(t), cs[1].ID, commerce.CheckoutDeclined, nil)
			must(t, err)
		}
		wantCounts(t, st, p.ID, 1, 3)
		// Failed, then resumed: released, then held again.
		_, err := st.Checkouts.Release(callContext(t), cs[2].ID, commerce.CheckoutFailed, nil)
		must(t, err)
		wantCounts(t, st, p.ID, 1, 2)
		must(t, st.Checkouts.Resume(callContext(t), cs[2].ID, moneyT0, moneyT0.Add(15*60e9), nil))
		wantCounts(t, st, p.ID, 1, 3)
		// Expired, then paid after all: held again and used.
		_, err = st.Checkouts.Release(callContext(t), cs[3].ID, commerce.CheckoutExpired, nil)
		must(t, err)
		wantCounts(t, st, p.ID, 1, 2)
		_, err = st.Checkouts.MarkPaid(callContext(t), cs[3].ID, "pay_u3", placedMsg(cs[3]), nil)
		must(t, err)
		wantCounts(t, st, p.ID, 2, 2)
		// Paid, placed and cancelled (refundable), twice: returned once.
		_, err = st.Checkouts.MarkPaid(callContext(t), cs[4].ID, "pay_u4", placedMsg(cs[4]), nil)
		must(t, err)
		wantCounts(t, st, p.ID, 3, 1)
		place(t, st.MoneyStores, cs[4], moneyT0)
		cancel(t, st.MoneyStores, cs[4].OrderID, moneyT0)
		_, err = st.Orders.CancelOrder(callContext(t), cs[4].OrderID, moneyT0, cancelledMsg(cs[4].OrderID))
		must(t, err)
		wantCounts(t, st, p.ID, 2, 1)
		wantCounts(t, st, other.ID, 0, 1)
		wantStoredCounters(t, st, p.ID, 0, 0)
	})

	t.Run("LimitAddedAndRemoved", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st.MoneyStores, "SKU-L", 1000)
		p := NewPromotion("mlim", "LATER")
		p.UsageLimit = nil
		must(t, st.Promotions.CreatePromotion(callContext(t), p))
		n := 0
		next := func() *commerce.Checkout { n++; return promoCheckout(fmt.Sprintf("l%d", n), "SKU-L", p, "") }
		var held []*commerce.Checkout
		for range 3 {
			c := next()
			begin(t, st.MoneyStores, c)
			held = append(held, c)
		}
		_, err := st.Checkouts.MarkPaid(callContext(t), held[0].ID, "pay_l0", placedMsg(held[0]), nil)
		must(t, err)
		wantCounts(t, st, p.ID, 1, 2)

		// A limit below the uses so far: counted, and no checkout more.
		two := int64(2)
		setLimit(t, st, p, &two, 1, 2)
		wantStoredCounters(t, st, p.ID, 1, 2)
		began, refused := raceCheckouts(t, st, 4, commerce.CodePromotionExhausted, func(int) *commerce.Checkout { return next() })
		if len(began) != 0 || refused != 4 {
			t.Errorf("limit 2 below 3 uses: %d began, %d refused; want 0 and 4", len(began), refused)
		}
		// The redemptions held before the limit move its counters now.
		_, err = st.Checkouts.Release(callContext(t), held[1].ID, commerce.CheckoutDeclined, nil)
		must(t, err)
		wantCounts(t, st, p.ID, 1, 1)
		_, err = st.Checkouts.MarkPaid(callContext(t), held[2].ID, "pay_l2", placedMsg(held[2]), nil)
		must(t, err)
		wantCounts(t, st, p.ID, 2, 0)
		began, refused = raceCheckouts(t, st, 3, commerce.CodePromotionExhausted, func(int) *commerce.Checkout { return next() })
		if len(began) != 0 || refused != 3 {
			t.Errorf("limit 2 at 2 uses: %d began, %d refused; want 0 and 3", len(began), refused)
		}

		// A limit above: exactly limit - uses checkouts more, at once.
		five := int64(5)
		setLimit(t, st, p, &five, 2, 0)
		began, refused = raceCheckouts(t, st, 8, commerce.CodePromotionExhausted, func(int) *commerce.Checkout { return next() })
		if len(began) != 3 || refused != 5 {
			t.Fatalf("limit 5 at 2 uses, 8 checkouts at once: %d began, %d refused; want 3 and 5", len(began), refused)
		}
		wantCounts(t, st, p.ID, 2, 3)
		_, err = st.Checkouts.Release(callContext(t), began[0].ID, commerce.CheckoutExpired, nil)
		must(t, err)
		wantCounts(t, st, p.ID, 2, 2)

		// The limit removed: counted from the redemptions, and no limit.
		setLimit(t, st, p, nil, 2, 2)
		began, refused = raceCheckouts(t, st, 4, commerce.CodePromotionExhausted, func(int) *commerce.Checkout { return next() })
		if len(began) != 4 || refused != 0 {
			t.Errorf("no limit: %d began, %d refused; want 4 and 0", len(began), refused)
		}
		wantCounts(t, st, p.ID, 2, 6)
		_, err = st.Checkouts.MarkPaid(callContext(t), began[0].ID, "pay_b0", placedMsg(began[0]), nil)
		must(t, err)
		wantCounts(t, st, p.ID, 3, 5)

		// And added again, at the uses: counted again, exactly.
		eight := int64(8)
		setLimit(t, st, p, &eight, 3, 5)
		wantConflict(t, st.Checkouts.BeginCheckout(callContext(t), next(), nil), commerce.CodePromotionExhausted)
	})
}
