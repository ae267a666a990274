package storetest

import (
	"sync"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// TestRefunds runs the refund conformance suite: cancelling a partially
// fulfilled order releases its unshipped units where they are allocated
// and records a pending refund of their value, once, with its
// RefundRequested message; settling a refund happens once; a full cancel
// records its refund too. newStores must return new, empty stores on one
// database, whose Orders is also a commerce.RefundStore and whose
// Inventory a commerce.LocationStore.
func TestRefunds(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)
	at := moneyT0.Add(time.Minute)
	// setup places ord_1 for 3 of A to the US (3000 + 500 shipping + 300
	// tax = 3800): 1 unit allocated at the default location and 2 at
	// us-1, and ships 1 from us-1.
	setup := func(t *testing.T) (MoneyStores, commerce.RefundStore, commerce.LocationStore, *commerce.Checkout) {
		st := newStores(t)
		rs, ok := st.Orders.(commerce.RefundStore)
		if !ok {
			t.Fatalf("%T is not a commerce.RefundStore", st.Orders)
		}
		ls, ok := st.Inventory.(commerce.LocationStore)
		if !ok {
			t.Fatalf("%T is not a commerce.LocationStore", st.Inventory)
		}
		for _, l := range []commerce.Location{
			{ID: commerce.DefaultLocation, Name: "Default", Priority: 9, Status: commerce.LocationActive},
			{ID: "us-1", Name: "Reno", Priority: 1, Countries: []string{"US"}, Status: commerce.LocationActive},
		} {
			_, err := ls.PutLocation(ctx, l)
			must(t, err)
		}
		_, err := ls.SetLocationOnHand(ctx, "A", "us-1", 2)
		must(t, err)
		stockUp(t, st, "A", 1)
		c := newCheckout("1", "A", 3)
		paid(t, st, c)
		place(t, st, c, at)
		f := commerce.FulfilmentRequest{LocationID: "us-1", Lines: []commerce.FulfilmentLine{{SKU: "A", Quantity: 1}}}.Hash()
		_, err = st.Orders.Fulfil(ctx, c.OrderID, f, at)
		must(t, err)
		return st, rs, ls, c
	}
	// levels returns A's [onHand committed reserved] by location.
	levels := func(t *testing.T, ls commerce.LocationStore) map[string][3]int64 {
		t.Helper()
		got, err := ls.LocationLevels(ctx, "A")
		must(t, err)
		out := map[string][3]int64{}
		for _, l := range got {
			out[l.LocationID] = [3]int64{l.OnHand, l.Committed, l.Reserved}
		}
		return out
	}
	wantLevels := func(t *testing.T, ls commerce.LocationStore, want map[string][3]int64) {
		t.Helper()
		got := levels(t, ls)
		for loc, w := range want {
			if got[loc] != w {
				t.Errorf("A at %s [onHand committed reserved]: got %v, want %v", loc, got[loc], w)
			}
		}
	}

	t.Run("CancelRemainder", func(t *testing.T) {
		st, rs, ls, c := setup(t)
		wantLevels(t, ls, map[string][3]int64{"us-1": {1, 1, 0}, "default": {1, 1, 0}})
		ok, err := rs.CancelRemainder(ctx, c.OrderID, at.Add(time.Second))
		must(t, err)
		if !ok {
			t.Fatal("CancelRemainder: got false, want true")
		}
		// The unshipped units are back on sale where they were allocated;
		// the shipped one stays gone.
		wantLevels(t, ls, map[string][3]int64{"us-1": {1, 0, 0}, "default": {1, 0, 0}})
		o, err := st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		if o.Status != commerce.OrderCancelled || o.CancelledAt == nil || len(o.Fulfilments) != 1 || len(o.Refunds) != 1 {
			t.Fatalf("order: got %s, cancelled at %v, %d fulfilments, %d refunds; want cancelled with 1 and 1", o.Status, o.CancelledAt, len(o.Fulfilments), len(o.Refunds))
		}
		// 2 of 3 units of what was paid for goods (3800 - 500): 2200.
		r := o.Refunds[0]
		if r.Amount != (commerce.Money{Amount: 2200, Currency: "USD"}) || r.Status != commerce.RefundPending ||
			r.Reason != commerce.RefundReasonUnshipped || r.ID == "" || !r.CreatedAt.Equal(at.Add(time.Second)) {
			t.Errorf("refund: got %+v, want pending 2200 USD cancelled_unshipped", r)
		}
		msgs := outboxOf(t, st, commerce.MsgRefundRequested)
		if len(msgs) != 1 || msgs[0].Queue != commerce.QueueOrders || msgs[0].Message.ID != "refund-"+r.ID {
			t.Fatalf("outbox RefundRequested: got %+v, want one on orders for %s", msgs, r.ID)
		}
		got, err := rs.Refund(ctx, r.ID)
		must(t, err)
		if got.PaymentID != "pi_"+c.ID || got.Key != r.ID || got.OrderID != c.OrderID || got.Amount.Amount != 2200 {
			t.Errorf("Refund(%s): got %+v", r.ID, got)
		}

		// Again: nothing changes, nothing is released or refunded twice.
		ok, err = rs.CancelRemainder(ctx, c.OrderID, at.Add(2*time.Second))
		must(t, err)
		if ok {
			t.Error("CancelRemainder again: got true, want false")
		}
		wantLevels(t, ls, map[string][3]int64{"us-1": {1, 0, 0}, "default": {1, 0, 0}})
		if n := len(outboxOf(t, st, commerce.MsgRefundRequested)); n != 1 {
			t.Errorf("RefundRequested messages after a second cancel: got %d, want 1", n)
		}
		// A cancelled order ships nothing more, and is not restocked again.
		f := commerce.FulfilmentRequest{LocationID: commerce.DefaultLocation, Lines: []commerce.FulfilmentLine{{SKU: "A", Quantity: 1}}}.Hash()
		if _, err := st.Orders.Fulfil(ctx, c.OrderID, f, at); commerce.ErrorCode(err) != commerce.CodeOrderNotPlaced {
			t.Errorf("Fulfil after cancel: got %v, want order_not_placed", err)
		}
		ok, err = st.Orders.Restock(ctx, c.OrderID)
		must(t, err)
		if ok {
			t.Error("Restock after CancelRemainder: got true, want false")
		}
		wantLevels(t, ls, map[string][3]int64{"us-1": {1, 0, 0}, "default": {1, 0, 0}})

		// Settling: once.
		for i, want := range []bool{true, false} {
			ok, err := rs.SettleRefund(ctx, r.ID, commerce.RefundSucceeded, "", at.Add(3*time.Second))
			must(t, err)
			if ok != want {
				t.Errorf("SettleRefund call %d: got %v, want %v", i+1, ok, want)
			}
		}
		ok, err = rs.SettleRefund(ctx, r.ID, commerce.RefundFailed, "not_refundable", at.Add(4*time.Second))
		must(t, err)
		if ok {
			t.Error("SettleRefund failed after succeeded: got true, want false")
		}
		o, err = st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		if o.Refunds[0].Status != commerce.RefundSucceeded || o.Refunds[0].FailureCode != "" {
			t.Errorf("settled refund: got %+v, want succeeded", o.Refunds[0])
		}
	})

	t.Run("FailedAttemptsStayPending", func(t *testing.T) {
		_, rs, _, c := setup(t)
		_, err := rs.CancelRemainder(ctx, c.OrderID, at.Add(time.Second))
		must(t, err)
		id := refundOf(t, rs.(commerce.OrderStore), c.OrderID).ID
		for range 2 {
			must(t, rs.NoteRefundAttempt(ctx, id, "payment_unavailable"))
		}
		r, err := rs.Refund(ctx, id)
		must(t, err)
		if r.Status != commerce.RefundPending || r.Attempts != 2 || r.FailureCode != "payment_unavailable" {
			t.Errorf("after two attempts: got %+v, want pending, 2 attempts, payment_unavailable", r)
		}
		ok, err := rs.SettleRefund(ctx, id, commerce.RefundFailed, "not_refundable", at.Add(time.Minute))
		must(t, err)
		if !ok {
			t.Fatal("SettleRefund failed: got false, want true")
		}
		if r, _ := rs.Refund(ctx, id); r.Status != commerce.RefundFailed || r.FailureCode != "not_refundable" {
			t.Errorf("failed refund: got %+v", r)
		}
		if _, err := rs.Refund(ctx, "r_unknown"); commerce.ErrorKind(err) != commerce.KindNotFound {
			t.Errorf("Refund(unknown): got %v, want not_found", err)
		}
	})

	t.Run("NotPartiallyFulfilled", func(t *testing.T) {
		st := newStores(t)
		rs := st.Orders.(commerce.RefundStore)
		stockUp(t, st, "A", 3)
		c := newCheckout("2", "A", 3)
		paid(t, st, c)
		place(t, st, c, at)
		ok, err := rs.CancelRemainder(ctx, c.OrderID, at)
		must(t, err)
		if ok {
			t.Error("CancelRemainder of a placed order: got true, want false")
		}
		// A full cancel lists its refund too: the total, succeeded.
		cancel(t, st, c.OrderID, at.Add(time.Second))
		r := refundOf(t, st.Orders, c.OrderID)
		if r.Amount != c.Total || r.Status != commerce.RefundSucceeded || r.Reason != commerce.RefundReasonCancelled {
			t.Errorf("full cancel's refund: got %+v, want succeeded %v cancelled", r, c.Total)
		}
		list, err := st.Orders.Orders(ctx, commerce.OrderFilter{Limit: 10})
		must(t, err)
		if len(list) != 1 || len(list[0].Refunds) != 1 {
			t.Errorf("Orders: got %+v, want the order with its refund", list)
		}
	})

	// A full cancel whose refund the provider did not make lists it
	// pending (not asked) or failed (refused); a failed one leaves the
	// sweep; the cancel that finishes marks it succeeded.
	t.Run("FullCancelRefundNotes", func(t *testing.T) {
		st := newStores(t)
		rs := st.Orders.(commerce.RefundStore)
		stockUp(t, st, "A", 3)
		c := newCheckout("3", "A", 1)
		paid(t, st, c)
		place(t, st, c, at)
		ok, err := st.Orders.ClaimCancel(ctx, c.OrderID, at)
		must(t, err)
		if !ok {
			t.Fatal("ClaimCancel: got false")
		}
		sweep := func() []string {
			ids, err := st.Orders.CancellingOrders(ctx, at.Add(time.Hour), 10)
			must(t, err)
			return ids
		}
		for range 2 {
			must(t, rs.NoteCancelRefund(ctx, c.OrderID, false, "payment_unavailable", at))
		}
		r := refundOf(t, st.Orders, c.OrderID)
		if r.Status != commerce.RefundPending || r.FailureCode != "payment_unavailable" || r.Amount != c.Total || r.Reason != commerce.RefundReasonCancelled {
			t.Errorf("after two unanswered attempts: got %+v, want pending payment_unavailable of the total", r)
		}
		if got, _ := rs.Refund(ctx, r.ID); got.Attempts != 2 || got.Key != c.OrderID {
			t.Errorf("attempts and key: got %+v, want 2 keyed by the order", got)
		}
		if ids := sweep(); len(ids) != 1 {
			t.Errorf("sweep with a pending refund: got %v, want the order", ids)
		}
		must(t, rs.NoteCancelRefund(ctx, c.OrderID, true, commerce.CodeNotRefundable, at))
		if r := refundOf(t, st.Orders, c.OrderID); r.Status != commerce.RefundFailed || r.FailureCode != commerce.CodeNotRefundable {
			t.Errorf("after a refusal: got %+v, want failed not_refundable", r)
		}
		if ids := sweep(); len(ids) != 0 {
			t.Errorf("sweep with a failed refund: got %v, want none", ids)
		}
		// Staff refunded by hand and cancelled again: the same row succeeds.
		ok, err = st.Orders.CancelOrder(ctx, c.OrderID, at.Add(time.Minute), cancelledMsg(c.OrderID))
		must(t, err)
		if !ok {
			t.Fatal("CancelOrder: got false")
		}
		if r2 := refundOf(t, st.Orders, c.OrderID); r2.ID != r.ID || r2.Status != commerce.RefundSucceeded || r2.FailureCode != "" {
			t.Errorf("after the cancel finished: got %+v, want %s succeeded", r2, r.ID)
		}
		// Noting after the cancel finished changes nothing.
		must(t, rs.NoteCancelRefund(ctx, c.OrderID, false, "payment_unavailable", at))
		if r := refundOf(t, st.Orders, c.OrderID); r.Status != commerce.RefundSucceeded {
			t.Errorf("note after cancel: got %+v, want succeeded", r)
		}
	})

	// A cancel racing a fulfilment of the rest: exactly one takes each
	// unit, and the refund pays for exactly the units that did not ship.
	t.Run("RaceWithFulfil", func(t *testing.T) {
		for i := range 5 {
			st, rs, ls, c := setup(t)
			var wg sync.WaitGroup
			var cancelErr, fulfilErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, cancelErr = rs.CancelRemainder(ctx, c.OrderID, at.Add(time.Second))
			}()
			go func() {
				defer wg.Done()
				f := commerce.FulfilmentRequest{LocationID: commerce.DefaultLocation, Lines: []commerce.FulfilmentLine{{SKU: "A", Quantity: 1}}}.Hash()
				_, fulfilErr = st.Orders.Fulfil(ctx, c.OrderID, f, at.Add(time.Second))
			}()
			wg.Wait()
			must(t, cancelErr)
			o, err := st.Orders.Order(ctx, c.OrderID)
			must(t, err)
			if o.Status != commerce.OrderCancelled || len(o.Refunds) != 1 {
				t.Fatalf("run %d: got %s with %d refunds, want cancelled with 1", i, o.Status, len(o.Refunds))
			}
			shipped := 0
			for _, f := range o.Fulfilments {
				for _, l := range f.Lines {
					shipped += l.Quantity
				}
			}
			want := map[int]int64{1: 2200, 2: 1100}[shipped]
			if (fulfilErr == nil) != (shipped == 2) || o.Refunds[0].Amount.Amount != want {
				t.Errorf("run %d: fulfil err %v, %d shipped, refund %d; want %d", i, fulfilErr, shipped, o.Refunds[0].Amount.Amount, want)
			}
			lv := levels(t, ls)
			if lv["default"][1] != 0 || lv["us-1"][1] != 0 || lv["default"][0]+lv["us-1"][0]+int64(shipped) != 3 {
				t.Errorf("run %d: levels %v with %d shipped: want nothing committed and 3 units in all", i, lv, shipped)
			}
		}
	})
}

// refundOf returns the one refund of an order.
func refundOf(t *testing.T, orders commerce.OrderStore, orderID string) commerce.Refund {
	t.Helper()
	o, err := orders.Order(callContext(t), orderID)
	must(t, err)
	if len(o.Refunds) != 1 {
		t.Fatalf("order %s: got %d refunds, want 1", orderID, len(o.Refunds))
	}
	return o.Refunds[0]
}
