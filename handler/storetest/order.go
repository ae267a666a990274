package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// paid begins checkout c and marks it paid with payment "pi_"+c.ID.
func paid(t *testing.T, st MoneyStores, c *commerce.Checkout) {
	t.Helper()
	begin(t, st, c)
	ok, err := st.Checkouts.MarkPaid(callContext(t), c.ID, "pi_"+c.ID, placedMsg(c), nil)
	must(t, err)
	if !ok {
		t.Fatalf("MarkPaid(%s): got false, want true", c.ID)
	}
}

// place places the order of a paid checkout c at now.
func place(t *testing.T, st MoneyStores, c *commerce.Checkout, now time.Time) {
	t.Helper()
	ok, err := st.Orders.PlaceOrder(callContext(t), c.OrderID, now)
	must(t, err)
	if !ok {
		t.Fatalf("PlaceOrder(%s): got false, want true", c.OrderID)
	}
}

// cancel claims a placed order for cancelling and cancels it, at now.
func cancel(t *testing.T, st MoneyStores, orderID string, now time.Time) {
	t.Helper()
	ok, err := st.Orders.ClaimCancel(callContext(t), orderID, now)
	must(t, err)
	if !ok {
		t.Fatalf("ClaimCancel(%s): got false, want true", orderID)
	}
	ok, err = st.Orders.CancelOrder(callContext(t), orderID, now, cancelledMsg(orderID))
	must(t, err)
	if !ok {
		t.Fatalf("CancelOrder(%s): got false, want true", orderID)
	}
}

// cancelledMsg is an order's OrderCancelled message.
func cancelledMsg(orderID string) commerce.Message {
	return commerce.Message{ID: "cancelled_" + orderID, Type: commerce.MsgOrderCancelled,
		Body: []byte(`{"type":"OrderCancelled","orderId":"` + orderID + `"}`)}
}

// orderOf is the order a paid checkout c pays for.
func orderOf(c *commerce.Checkout, status commerce.OrderStatus, created time.Time) *commerce.Order {
	return &commerce.Order{ID: c.OrderID, CheckoutID: c.ID, Status: status, Email: c.Email, Items: c.Lines,
		Subtotal: c.Subtotal, Shipping: c.Shipping, Tax: c.Tax, Total: c.Total, ShippingAddress: c.Address,
		PaymentID: "pi_" + c.ID, CreatedAt: created}
}

// TestOrderStore runs the conformance suite of commerce.OrderStore and
// commerce.StockLevelSetter. newStores must return new, empty stores on one
// database each time it is called.
func TestOrderStore(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)
	placedAt := moneyT0.Add(time.Minute)

	t.Run("PlaceOrder", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5, "B", 4)
		c := newCheckout("1", "A", 2, "B", 1)
		paid(t, st, c)
		place(t, st, c, placedAt)
		got, err := st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		if diff := cmp.Diff(orderOf(c, commerce.OrderPlaced, placedAt), got); diff != "" {
			t.Errorf("Order (-want +got):\n%s", diff)
		}
		wantStock(t, st, "A", 5, 2, 0)
		wantStock(t, st, "B", 4, 1, 0)
	})

	t.Run("PlaceOrderTwice", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 2)
		paid(t, st, c)
		place(t, st, c, placedAt)
		ok, err := st.Orders.PlaceOrder(ctx, c.OrderID, placedAt.Add(time.Minute))
		must(t, err)
		if ok {
			t.Errorf("second PlaceOrder: got true, want false")
		}
		wantStock(t, st, "A", 5, 2, 0)
		if got, err := st.Orders.Order(ctx, c.OrderID); err != nil || !got.CreatedAt.Equal(placedAt) {
			t.Errorf("Order after a second PlaceOrder: got %+v (%v), want CreatedAt %v", got, err, placedAt)
		}
	})

	t.Run("PlaceOrderNotPaid", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		pending, expired := newCheckout("1", "A", 1), newCheckout("2", "A", 1)
		begin(t, st, pending)
		begin(t, st, expired)
		_, err := st.Checkouts.Release(ctx, expired.ID, commerce.CheckoutExpired, nil)
		must(t, err)
		for _, c := range []*commerce.Checkout{pending, expired} {
			_, err := st.Orders.PlaceOrder(ctx, c.OrderID, placedAt)
			wantConflict(t, err, commerce.CodeNotPaid)
			_, err = st.Orders.Order(ctx, c.OrderID)
			wantCode(t, err, commerce.CodeNotFound)
		}
		wantStock(t, st, "A", 5, 0, 1)
	})

	t.Run("Unknown", func(t *testing.T) {
		st := newStores(t)
		_, err := st.Orders.PlaceOrder(ctx, "ord_nope", placedAt)
		wantCode(t, err, commerce.CodeNotFound)
		_, err = st.Orders.Order(ctx, "ord_nope")
		wantCode(t, err, commerce.CodeNotFound)
	})

	t.Run("Processing", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 2)
		paid(t, st, c)
		got, err := st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		want := orderOf(c, commerce.OrderProcessing, got.CreatedAt)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Order of a paid checkout (-want +got):\n%s", diff)
		}
		for _, status := range []commerce.OrderStatus{"", commerce.OrderProcessing} {
			list, err := st.Orders.Orders(ctx, commerce.OrderFilter{Status: status, Limit: 10})
			must(t, err)
			if diff := cmp.Diff([]commerce.Order{*want}, list); diff != "" {
				t.Errorf("Orders(status %q) with none stored, one paid (-want +got):\n%s", status, diff)
			}
		}
	})

	t.Run("Orders", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 100)
		for _, n := range []string{"c", "a", "e", "b", "d"} {
			c := newCheckout(n, "A", 1)
			paid(t, st, c)
			place(t, st, c, placedAt)
		}
		paid(t, st, newCheckout("f", "A", 1)) // processing: listed as such
		for _, id := range []string{"ord_b", "ord_d"} {
			cancel(t, st, id, placedAt)
		}
		_, err := st.Orders.ClaimCancel(ctx, "ord_e", placedAt)
		must(t, err)
		for _, tc := range []struct {
			f    commerce.OrderFilter
			want []string
		}{
			{commerce.OrderFilter{Limit: 2}, []string{"ord_a", "ord_b"}},
			{commerce.OrderFilter{After: "ord_b", Limit: 2}, []string{"ord_c", "ord_d"}},
			{commerce.OrderFilter{After: "ord_d", Limit: 2}, []string{"ord_e", "ord_f"}},
			{commerce.OrderFilter{After: "ord_e", Limit: 2}, []string{"ord_f"}},
			{commerce.OrderFilter{After: "ord_f", Limit: 2}, []string{}},
			{commerce.OrderFilter{Status: commerce.OrderProcessing, Limit: 10}, []string{"ord_f"}},
			{commerce.OrderFilter{Status: commerce.OrderPlaced, Limit: 10}, []string{"ord_a", "ord_c"}},
			{commerce.OrderFilter{Status: commerce.OrderCancelling, Limit: 10}, []string{"ord_e"}},
			{commerce.OrderFilter{Status: commerce.OrderCancelled, Limit: 10}, []string{"ord_b", "ord_d"}},
			{commerce.OrderFilter{Status: commerce.OrderPlaced, After: "ord_a", Limit: 1}, []string{"ord_c"}},
		} {
			list, err := st.Orders.Orders(ctx, tc.f)
			must(t, err)
			got := []string{}
			for _, o := range list {
				got = append(got, o.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Orders(%+v) IDs (-want +got):\n%s", tc.f, diff)
			}
		}
	})

	t.Run("CancelOrder", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 2)
		paid(t, st, c)
		ok, err := st.Orders.ClaimCancel(ctx, c.OrderID, placedAt)
		must(t, err)
		if ok {
			t.Errorf("ClaimCancel of a processing order: got true, want false")
		}
		place(t, st, c, placedAt)
		ok, err = st.Orders.CancelOrder(ctx, c.OrderID, placedAt, cancelledMsg(c.OrderID))
		must(t, err)
		if ok {
			t.Errorf("CancelOrder of a placed order, not claimed: got true, want false")
		}
		cancelAt := placedAt.Add(time.Hour)
		for i, want := range []bool{true, false} {
			ok, err := st.Orders.ClaimCancel(ctx, c.OrderID, placedAt.Add(time.Duration(i)*time.Minute))
			must(t, err)
			if ok != want {
				t.Errorf("ClaimCancel #%d: got %v, want %v", i+1, ok, want)
			}
		}
		if n := len(outboxOf(t, st, commerce.MsgOrderCancelled)); n != 0 {
			t.Errorf("outbox OrderCancelled messages once claimed: got %d, want 0 (the refund comes first)", n)
		}
		for i, want := range []bool{true, false} {
			ok, err := st.Orders.CancelOrder(ctx, c.OrderID, cancelAt.Add(time.Duration(i)*time.Minute), cancelledMsg(c.OrderID))
			must(t, err)
			if ok != want {
				t.Errorf("CancelOrder #%d: got %v, want %v", i+1, ok, want)
			}
		}
		got, err := st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		if got.Status != commerce.OrderCancelled || got.CancelledAt == nil || !got.CancelledAt.Equal(cancelAt) {
			t.Errorf("cancelled order: got status %q, cancelledAt %v, want %q, %v", got.Status, got.CancelledAt, commerce.OrderCancelled, cancelAt)
		}
		if n := len(outboxOf(t, st, commerce.MsgOrderCancelled)); n != 1 {
			t.Fatalf("outbox OrderCancelled messages: got %d, want 1", n)
		}
		if diff := cmp.Diff(cancelledMsg(c.OrderID), outboxOf(t, st, commerce.MsgOrderCancelled)[0].Message); diff != "" {
			t.Errorf("outbox OrderCancelled (-want +got):\n%s", diff)
		}
		wantStock(t, st, "A", 5, 2, 0)
	})

	t.Run("Restock", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5, "B", 5)
		c := newCheckout("1", "A", 2, "B", 1)
		paid(t, st, c)
		place(t, st, c, placedAt)
		ok, err := st.Orders.Restock(ctx, c.OrderID)
		must(t, err)
		if ok {
			t.Errorf("Restock of a placed order: got true, want false")
		}
		cancel(t, st, c.OrderID, placedAt)
		for i, want := range []bool{true, false} {
			ok, err := st.Orders.Restock(ctx, c.OrderID)
			must(t, err)
			if ok != want {
				t.Errorf("Restock #%d: got %v, want %v", i+1, ok, want)
			}
			wantStock(t, st, "A", 5, 0, 0)
			wantStock(t, st, "B", 5, 0, 0)
		}
	})

	t.Run("ApplyStockLevel", func(t *testing.T) {
		st := newStores(t)
		for _, tc := range []struct {
			onHand   int64
			source   string
			sequence int64
			applied  bool
			want     int64
		}{
			{10, "erp", 1, true, 10},
			{7, "erp", 3, true, 7},
			{9, "erp", 2, false, 7}, // older
			{9, "erp", 3, false, 7}, // equal
			{4, "warehouse", 1, true, 4},
			{6, "erp", 4, true, 6},
			{8, "warehouse", 1, false, 6},
		} {
			ok, err := st.Inventory.ApplyStockLevel(ctx, "A", tc.onHand, tc.source, tc.sequence)
			must(t, err)
			if ok != tc.applied {
				t.Errorf("ApplyStockLevel(A, %d, %s, %d): got %v, want %v", tc.onHand, tc.source, tc.sequence, ok, tc.applied)
			}
			wantStock(t, st, "A", tc.want, 0, 0)
		}
	})

	t.Run("ClaimCancel", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c, d := newCheckout("1", "A", 2), newCheckout("2", "A", 1)
		for _, k := range []*commerce.Checkout{c, d} {
			paid(t, st, k)
			place(t, st, k, placedAt)
		}
		claimAt := placedAt.Add(time.Hour)
		for _, tc := range []struct {
			id string
			at time.Time
		}{{c.OrderID, claimAt}, {d.OrderID, claimAt.Add(time.Minute)}} {
			ok, err := st.Orders.ClaimCancel(ctx, tc.id, tc.at)
			must(t, err)
			if !ok {
				t.Fatalf("ClaimCancel(%s): got false, want true", tc.id)
			}
		}
		got, err := st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		if got.Status != commerce.OrderCancelling || got.CancelledAt != nil {
			t.Errorf("claimed order: got status %q, cancelledAt %v, want %q and none yet", got.Status, got.CancelledAt, commerce.OrderCancelling)
		}
		// Fulfilment refuses it, changing nothing.
		_, err = st.Orders.FulfilOrder(ctx, c.OrderID, claimAt)
		wantConflict(t, err, commerce.CodeOrderCancelling)
		wantStock(t, st, "A", 5, 3, 0)
		for _, tc := range []struct {
			before time.Time
			want   []string
		}{
			{claimAt, []string{}},
			{claimAt.Add(time.Second), []string{c.OrderID}},
			{claimAt.Add(time.Hour), []string{c.OrderID, d.OrderID}},
		} {
			ids, err := st.Orders.CancellingOrders(ctx, tc.before, 10)
			must(t, err)
			if diff := cmp.Diff(tc.want, append([]string{}, ids...)); diff != "" {
				t.Errorf("CancellingOrders(before %v) (-want +got):\n%s", tc.before, diff)
			}
		}
		cancelAt := claimAt.Add(2 * time.Minute)
		ok, err := st.Orders.CancelOrder(ctx, c.OrderID, cancelAt, cancelledMsg(c.OrderID))
		must(t, err)
		if !ok {
			t.Fatal("CancelOrder of a cancelling order: got false, want true")
		}
		got, err = st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		if got.Status != commerce.OrderCancelled || got.CancelledAt == nil || !got.CancelledAt.Equal(cancelAt) {
			t.Errorf("finished order: got status %q, cancelledAt %v, want %q, %v", got.Status, got.CancelledAt, commerce.OrderCancelled, cancelAt)
		}
		ids, err := st.Orders.CancellingOrders(ctx, cancelAt.Add(time.Hour), 10)
		must(t, err)
		if diff := cmp.Diff([]string{d.OrderID}, ids); diff != "" {
			t.Errorf("CancellingOrders once one finished (-want +got):\n%s", diff)
		}
	})

	t.Run("ClaimCancelRacesFulfil", func(t *testing.T) {
		// Cancels and fulfilments of one order at once: exactly one side
		// wins, and the loser changes nothing.
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 2)
		paid(t, st, c)
		place(t, st, c, placedAt)
		claimed, fulfilled := make([]bool, racers), make([]bool, racers)
		errs := race(func(i int) (err error) {
			if i%2 == 0 {
				claimed[i], err = st.Orders.ClaimCancel(ctx, c.OrderID, placedAt)
				return err
			}
			fulfilled[i], err = st.Orders.FulfilOrder(ctx, c.OrderID, placedAt)
			if commerce.ErrorCode(err) == commerce.CodeOrderCancelling {
				return nil
			}
			return err
		})
		nc, nf := 0, 0
		for i, err := range errs {
			must(t, err)
			if claimed[i] {
				nc++
			}
			if fulfilled[i] {
				nf++
			}
		}
		got, err := st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		switch {
		case nc+nf != 1:
			t.Errorf("racing ClaimCancel and FulfilOrder: %d claims and %d fulfilments won, want one in all", nc, nf)
		case nc == 1 && got.Status != commerce.OrderCancelling:
			t.Errorf("the claim won: got status %q, want cancelling", got.Status)
		case nc == 1:
			wantStock(t, st, "A", 5, 2, 0)
		case got.Status != commerce.OrderFulfilled:
			t.Errorf("the fulfilment won: got status %q, want fulfilled", got.Status)
		default:
			wantStock(t, st, "A", 3, 0, 0)
		}
	})

	t.Run("ConcurrentPlaceOrder", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 2)
		paid(t, st, c)
		var wg sync.WaitGroup
		oks, errs := make([]bool, 8), make([]error, 8)
		for i := range oks {
			wg.Go(func() { oks[i], errs[i] = st.Orders.PlaceOrder(ctx, c.OrderID, placedAt) })
		}
		wg.Wait()
		n := 0
		for i := range oks {
			must(t, errs[i])
			if oks[i] {
				n++
			}
		}
		if n != 1 {
			t.Errorf("concurrent PlaceOrder: got %d true, want 1", n)
		}
		wantStock(t, st, "A", 5, 2, 0)
	})
}
