package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// TestFulfilment runs the partial fulfilment conformance suite: an order
// ships from one location at a time, only units allocated there and not
// shipped yet, all or nothing per request, and once per Idempotency-Key.
// newStores must return new, empty stores on one database, whose Inventory
// is also a commerce.LocationStore.
func TestFulfilment(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)
	at := moneyT0.Add(time.Minute)
	// setup places order ord_1 for 3 of A to the US: 1 allocated at the
	// default location and 2 at us-1.
	setup := func(t *testing.T) (MoneyStores, commerce.LocationStore, *commerce.Checkout) {
		st := newStores(t)
		ls, ok := st.Inventory.(commerce.LocationStore)
		if !ok {
			t.Fatalf("%T is not a commerce.LocationStore", st.Inventory)
		}
		for _, l := range []commerce.Location{
			{ID: commerce.DefaultLocation, Name: "Default", Priority: 9, Status: commerce.LocationActive},
			{ID: "us-1", Name: "Reno", Priority: 1, Countries: []string{"US"}, Status: commerce.LocationActive},
			{ID: "eu-1", Name: "Rotterdam", Priority: 1, Countries: []string{"NL"}, Status: commerce.LocationActive},
		} {
			_, err := ls.PutLocation(ctx, l)
			must(t, err)
		}
		_, err := ls.SetLocationOnHand(ctx, "A", "us-1", 2)
		must(t, err)
		_, err = ls.SetLocationOnHand(ctx, "A", "eu-1", 5)
		must(t, err)
		stockUp(t, st, "A", 1)
		c := newCheckout("1", "A", 3)
		paid(t, st, c)
		place(t, st, c, at)
		return st, ls, c
	}
	wantAt := func(t *testing.T, ls commerce.LocationStore, want map[string][2]int64) {
		t.Helper()
		levels, err := ls.LocationLevels(ctx, "A")
		must(t, err)
		got := map[string][2]int64{}
		for _, l := range levels {
			if _, ok := want[l.LocationID]; ok {
				got[l.LocationID] = [2]int64{l.OnHand, l.Committed}
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("A per location [onHand committed] (-want +got):\n%s", diff)
		}
	}
	ship := func(loc string, q int, key string) commerce.FulfilmentRequest {
		f := commerce.FulfilmentRequest{LocationID: loc, Lines: []commerce.FulfilmentLine{{SKU: "A", Quantity: q}}, TrackingNumber: "T-" + key, Carrier: "UPS"}
		f = f.Hash()
		f.IdempotencyKey = key
		return f
	}
	wantCode := func(t *testing.T, err error, code string) {
		t.Helper()
		if commerce.ErrorCode(err) != code {
			t.Errorf("got %v, want %s", err, code)
		}
	}
	wantStatus := func(t *testing.T, st MoneyStores, id string, status commerce.OrderStatus, fulfilments int) *commerce.Order {
		t.Helper()
		o, err := st.Orders.Order(ctx, id)
		must(t, err)
		if o.Status != status || len(o.Fulfilments) != fulfilments {
			t.Errorf("order: got %s with %d fulfilments, want %s with %d", o.Status, len(o.Fulfilments), status, fulfilments)
		}
		return o
	}

	t.Run("PartlyThenTheRest", func(t *testing.T) {
		st, ls, c := setup(t)
		o, err := st.Orders.Fulfil(ctx, c.OrderID, ship("us-1", 1, "k1"), at)
		must(t, err)
		if o.Status != commerce.OrderPartiallyFulfilled || len(o.Fulfilments) != 1 {
			t.Fatalf("Fulfil: got %s with %d fulfilments, want partially_fulfilled with 1", o.Status, len(o.Fulfilments))
		}
		f := o.Fulfilments[0]
		if f.LocationID != "us-1" || f.TrackingNumber != "T-k1" || f.Carrier != "UPS" || f.ID == "" || !f.CreatedAt.Equal(at) ||
			!cmp.Equal(f.Lines, []commerce.FulfilmentLine{{SKU: "A", Quantity: 1}}) {
			t.Errorf("fulfilment: got %+v", f)
		}
		wantAt(t, ls, map[string][2]int64{"us-1": {1, 1}, "default": {1, 1}, "eu-1": {5, 0}})
		// More than is left at us-1, and where nothing is allocated.
		_, err = st.Orders.Fulfil(ctx, c.OrderID, ship("us-1", 2, "k2"), at)
		wantCode(t, err, commerce.CodeNotAllocated)
		_, err = st.Orders.Fulfil(ctx, c.OrderID, ship("eu-1", 1, "k3"), at)
		wantCode(t, err, commerce.CodeNotAllocated)
		wantAt(t, ls, map[string][2]int64{"us-1": {1, 1}, "default": {1, 1}, "eu-1": {5, 0}})
		// A failed key is free: nothing was stored under it.
		_, err = st.Orders.Fulfil(ctx, c.OrderID, ship("default", 1, "k2"), at)
		must(t, err)
		wantAt(t, ls, map[string][2]int64{"us-1": {1, 1}, "default": {0, 0}, "eu-1": {5, 0}})
		wantStatus(t, st, c.OrderID, commerce.OrderPartiallyFulfilled, 2)
		// The rest, from where it is allocated (later: fulfilments list
		// by time).
		ok, err := st.Orders.FulfilOrder(ctx, c.OrderID, at.Add(time.Second))
		must(t, err)
		if !ok {
			t.Error("FulfilOrder: got false, want true")
		}
		wantAt(t, ls, map[string][2]int64{"us-1": {0, 0}, "default": {0, 0}, "eu-1": {5, 0}})
		o = wantStatus(t, st, c.OrderID, commerce.OrderFulfilled, 3)
		if last := o.Fulfilments[len(o.Fulfilments)-1]; last.LocationID != "us-1" || !cmp.Equal(last.Lines, []commerce.FulfilmentLine{{SKU: "A", Quantity: 1}}) {
			t.Errorf("the rest: got %+v, want 1 of A from us-1", last)
		}
		if o.FulfilledAt == nil {
			t.Error("FulfilledAt: got nil")
		}
		if ok, err := st.Orders.FulfilOrder(ctx, c.OrderID, at); err != nil || ok {
			t.Errorf("FulfilOrder again: got %v, %v, want false, nil", ok, err)
		}
		_, err = st.Orders.Fulfil(ctx, c.OrderID, ship("us-1", 1, "k9"), at)
		wantCode(t, err, commerce.CodeNotAllocated)
		wantAt(t, ls, map[string][2]int64{"us-1": {0, 0}, "default": {0, 0}, "eu-1": {5, 0}})
	})

	t.Run("LastShipmentFulfils", func(t *testing.T) {
		st, ls, c := setup(t)
		_, err := st.Orders.Fulfil(ctx, c.OrderID, ship("us-1", 2, ""), at)
		must(t, err)
		o, err := st.Orders.Fulfil(ctx, c.OrderID, ship("default", 1, ""), at)
		must(t, err)
		if o.Status != commerce.OrderFulfilled || o.FulfilledAt == nil || len(o.Fulfilments) != 2 {
			t.Errorf("got %s, fulfilled at %v, %d fulfilments; want fulfilled with 2", o.Status, o.FulfilledAt, len(o.Fulfilments))
		}
		wantAt(t, ls, map[string][2]int64{"us-1": {0, 0}, "default": {0, 0}})
		list, err := st.Orders.Orders(ctx, commerce.OrderFilter{Status: commerce.OrderFulfilled, Limit: 10})
		must(t, err)
		if len(list) != 1 || len(list[0].Fulfilments) != 2 {
			t.Errorf("Orders: got %d orders, want 1 with 2 fulfilments", len(list))
		}
	})

	t.Run("IdempotencyKey", func(t *testing.T) {
		st, ls, c := setup(t)
		for i := range 2 {
			o, err := st.Orders.Fulfil(ctx, c.OrderID, ship("us-1", 1, "k1"), at)
			must(t, err)
			if len(o.Fulfilments) != 1 {
				t.Errorf("call %d: got %d fulfilments, want 1", i+1, len(o.Fulfilments))
			}
		}
		wantAt(t, ls, map[string][2]int64{"us-1": {1, 1}})
		_, err := st.Orders.Fulfil(ctx, c.OrderID, withTracking(ship("us-1", 1, "k1"), "other"), at)
		wantCode(t, err, commerce.CodeIdempotencyKeyReused)
		wantAt(t, ls, map[string][2]int64{"us-1": {1, 1}})
		// Without a key, each request is another shipment.
		for range 2 {
			_, err := st.Orders.Fulfil(ctx, c.OrderID, ship("default", 1, ""), at)
			if err != nil {
				wantCode(t, err, commerce.CodeNotAllocated)
			}
		}
		wantAt(t, ls, map[string][2]int64{"us-1": {1, 1}, "default": {0, 0}})
	})

	t.Run("UnknownLocation", func(t *testing.T) {
		st, ls, c := setup(t)
		_, err := st.Orders.Fulfil(ctx, c.OrderID, ship("nowhere", 1, "k1"), at)
		if commerce.ErrorKind(err) != commerce.KindNotFound {
			t.Errorf("Fulfil from an unknown location: got %v, want KindNotFound", err)
		}
		wantAt(t, ls, map[string][2]int64{"us-1": {2, 2}, "default": {1, 1}})
		wantStatus(t, st, c.OrderID, commerce.OrderPlaced, 0)
	})

	t.Run("EverythingLeftAtALocation", func(t *testing.T) {
		// A request with no lines, as a warehouse's OrderFulfilled
		// message makes it: what is left at the location ships, once.
		st, ls, c := setup(t)
		_, err := st.Orders.Fulfil(ctx, c.OrderID, ship("us-1", 1, ""), at)
		must(t, err)
		left := commerce.FulfilmentRequest{LocationID: "us-1"}
		for i := range 2 {
			o, err := st.Orders.Fulfil(ctx, c.OrderID, left, at)
			must(t, err)
			if o.Status != commerce.OrderPartiallyFulfilled || len(o.Fulfilments) != 2 ||
				!cmp.Equal(o.Fulfilments[1].Lines, []commerce.FulfilmentLine{{SKU: "A", Quantity: 1}}) {
				t.Errorf("call %d: got %s with fulfilments %+v, want the last unit at us-1 shipped once", i+1, o.Status, o.Fulfilments)
			}
		}
		wantAt(t, ls, map[string][2]int64{"us-1": {0, 0}, "default": {1, 1}, "eu-1": {5, 0}})
		_, err = st.Orders.Fulfil(ctx, c.OrderID, commerce.FulfilmentRequest{LocationID: "eu-1"}, at)
		wantCode(t, err, commerce.CodeNotAllocated)
		_, err = st.Orders.Fulfil(ctx, c.OrderID, commerce.FulfilmentRequest{LocationID: "nowhere"}, at)
		if commerce.ErrorKind(err) != commerce.KindNotFound {
			t.Errorf("everything at an unknown location: got %v, want KindNotFound", err)
		}
		o, err := st.Orders.Fulfil(ctx, c.OrderID, commerce.FulfilmentRequest{LocationID: commerce.DefaultLocation}, at)
		must(t, err)
		if o.Status != commerce.OrderFulfilled || len(o.Fulfilments) != 3 {
			t.Errorf("the default location's: got %s with %d fulfilments, want fulfilled with 3", o.Status, len(o.Fulfilments))
		}
		if _, err := st.Orders.Fulfil(ctx, c.OrderID, left, at); err != nil {
			t.Errorf("again once fulfilled: got %v, want nil", err)
		}
		wantAt(t, ls, map[string][2]int64{"us-1": {0, 0}, "default": {0, 0}, "eu-1": {5, 0}})
		wantStatus(t, st, c.OrderID, commerce.OrderFulfilled, 3)
	})

	t.Run("NotCancellable", func(t *testing.T) {
		st, _, c := setup(t)
		_, err := st.Orders.Fulfil(ctx, c.OrderID, ship("us-1", 1, ""), at)
		must(t, err)
		ok, err := st.Orders.ClaimCancel(ctx, c.OrderID, at)
		must(t, err)
		if ok {
			t.Error("ClaimCancel of a partially fulfilled order: got true, want false")
		}
		wantStatus(t, st, c.OrderID, commerce.OrderPartiallyFulfilled, 1)
	})

	t.Run("UnplacedOrCancelling", func(t *testing.T) {
		st, ls, c := setup(t)
		ok, err := st.Orders.ClaimCancel(ctx, c.OrderID, at)
		must(t, err)
		if !ok {
			t.Fatal("ClaimCancel: got false")
		}
		_, err = st.Orders.Fulfil(ctx, c.OrderID, ship("us-1", 1, ""), at)
		wantCode(t, err, commerce.CodeOrderCancelling)
		_, err = st.Orders.Fulfil(ctx, "ord_none", ship("us-1", 1, ""), at)
		if err == nil {
			t.Error("Fulfil of an unknown order: got nil error")
		}
		wantAt(t, ls, map[string][2]int64{"us-1": {2, 2}, "default": {1, 1}})
	})

	t.Run("ConcurrentShipmentsNeverShipTwice", func(t *testing.T) {
		st, ls, c := setup(t)
		errs := race(func(i int) error {
			_, err := st.Orders.Fulfil(ctx, c.OrderID, ship("us-1", 1, fmt.Sprint("r", i)), at)
			return err
		})
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else if commerce.ErrorCode(err) != commerce.CodeNotAllocated {
				t.Errorf("Fulfil: got %v, want success or not_allocated", err)
			}
		}
		if won != 2 {
			t.Errorf("shipments: got %d, want 2, the units allocated at us-1", won)
		}
		wantAt(t, ls, map[string][2]int64{"us-1": {0, 0}, "default": {1, 1}})
		wantStatus(t, st, c.OrderID, commerce.OrderPartiallyFulfilled, 2)
	})
}

// withTracking returns f with another tracking number and its hash again.
func withTracking(f commerce.FulfilmentRequest, tracking string) commerce.FulfilmentRequest {
	key := f.IdempotencyKey
	f.TrackingNumber = tracking
	f = f.Hash()
	f.IdempotencyKey = key
	return f
}
