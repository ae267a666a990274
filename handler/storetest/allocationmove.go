package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// TestAllocationMove runs the conformance suite of moving an order's
// unshipped units between locations: only units allocated at the source
// and not shipped move, only to an active location that ships to the
// order's country and has them available, committed follows them, the
// order's allocations show them, and a move racing checkouts at its
// destination never oversells it. newStores must return new, empty
// stores on one database, whose Inventory is also a
// commerce.LocationStore.
func TestAllocationMove(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)
	at := moneyT0.Add(time.Minute)
	// setup places order ord_1 for 3 of A to the US (1 allocated at the
	// default location, 2 at us-1), then adds us-2 for the US with 3 of A
	// and eu-1 for NL with 5.
	setup := func(t *testing.T) (MoneyStores, commerce.LocationStore, *commerce.Checkout) {
		st := newStores(t)
		ls, ok := st.Inventory.(commerce.LocationStore)
		if !ok {
			t.Fatalf("%T is not a commerce.LocationStore", st.Inventory)
		}
		put := func(l commerce.Location) {
			_, err := ls.PutLocation(ctx, l)
			must(t, err)
		}
		put(commerce.Location{ID: commerce.DefaultLocation, Name: "Default", Priority: 9, Status: commerce.LocationActive})
		put(commerce.Location{ID: "us-1", Name: "Reno", Priority: 1, Countries: []string{"US"}, Status: commerce.LocationActive})
		_, err := ls.SetLocationOnHand(ctx, "A", "us-1", 2)
		must(t, err)
		stockUp(t, st, "A", 1)
		c := newCheckout("1", "A", 3)
		paid(t, st, c)
		place(t, st, c, at)
		put(commerce.Location{ID: "us-2", Name: "Newark", Priority: 2, Countries: []string{"US"}, Status: commerce.LocationActive})
		put(commerce.Location{ID: "eu-1", Name: "Rotterdam", Priority: 1, Countries: []string{"NL"}, Status: commerce.LocationActive})
		_, err = ls.SetLocationOnHand(ctx, "A", "us-2", 3)
		must(t, err)
		_, err = ls.SetLocationOnHand(ctx, "A", "eu-1", 5)
		must(t, err)
		return st, ls, c
	}
	// wantAt fails the test unless A's levels are want: [on hand,
	// committed, reserved] per location.
	wantAt := func(t *testing.T, ls commerce.LocationStore, want map[string][3]int64) {
		t.Helper()
		levels, err := ls.LocationLevels(ctx, "A")
		must(t, err)
		got := map[string][3]int64{}
		for _, l := range levels {
			got[l.LocationID] = [3]int64{l.OnHand, l.Committed, l.Reserved}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("A per location [onHand committed reserved] (-want +got):\n%s", diff)
		}
	}
	wantAllocated := func(t *testing.T, o *commerce.Order, want map[string]int) {
		t.Helper()
		got := map[string]int{}
		for _, a := range commerce.AllocationsOf(o.Allocations, o.Items) {
			if a.SKU != "A" || a.Quantity <= 0 {
				t.Errorf("allocation %+v: want positive units of A", a)
			}
			got[a.LocationID] += a.Quantity
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("order %s: A allocated per location (-want +got):\n%s", o.ID, diff)
		}
	}
	move := func(from, to string, q int, key string) commerce.AllocationMove {
		m := commerce.AllocationMove{SKU: "A", From: from, To: to, Quantity: q}.Hash()
		m.IdempotencyKey = key
		return m
	}
	placed := map[string][3]int64{"default": {1, 1, 0}, "us-1": {2, 2, 0}, "us-2": {3, 0, 0}, "eu-1": {5, 0, 0}}

	t.Run("MovesAndShipsFromTheNewLocation", func(t *testing.T) {
		st, ls, c := setup(t)
		o, err := st.Orders.MoveAllocation(ctx, c.OrderID, move("us-1", "us-2", 1, ""), at)
		must(t, err)
		wantAllocated(t, o, map[string]int{"default": 1, "us-1": 1, "us-2": 1})
		wantAt(t, ls, map[string][3]int64{"default": {1, 1, 0}, "us-1": {2, 1, 0}, "us-2": {3, 1, 0}, "eu-1": {5, 0, 0}})
		o, err = st.Orders.MoveAllocation(ctx, c.OrderID, move("default", "us-2", 1, ""), at)
		must(t, err)
		wantAllocated(t, o, map[string]int{"us-1": 1, "us-2": 2})
		wantAt(t, ls, map[string][3]int64{"default": {1, 0, 0}, "us-1": {2, 1, 0}, "us-2": {3, 2, 0}, "eu-1": {5, 0, 0}})
		o, err = st.Orders.MoveAllocation(ctx, c.OrderID, move("us-1", "default", 1, ""), at)
		must(t, err)
		wantAllocated(t, o, map[string]int{"default": 1, "us-2": 2})
		if o, err = st.Orders.Order(ctx, c.OrderID); err != nil {
			t.Fatal(err)
		}
		wantAllocated(t, o, map[string]int{"default": 1, "us-2": 2})
		// Ships from where the units are now.
		_, err = st.Orders.Fulfil(ctx, c.OrderID, commerce.FulfilmentRequest{LocationID: "us-1", Lines: []commerce.FulfilmentLine{{SKU: "A", Quantity: 1}}}, at)
		wantCode(t, err, commerce.CodeNotAllocated)
		_, err = st.Orders.Fulfil(ctx, c.OrderID, commerce.FulfilmentRequest{LocationID: "us-2", Lines: []commerce.FulfilmentLine{{SKU: "A", Quantity: 1}}}, at)
		must(t, err)
		wantAt(t, ls, map[string][3]int64{"default": {1, 1, 0}, "us-1": {2, 0, 0}, "us-2": {2, 1, 0}, "eu-1": {5, 0, 0}})
		// A shipped unit stays where it shipped from; the other moves.
		_, err = st.Orders.MoveAllocation(ctx, c.OrderID, move("us-2", "us-1", 2, ""), at)
		wantCode(t, err, commerce.CodeNotAllocated)
		o, err = st.Orders.MoveAllocation(ctx, c.OrderID, move("us-2", "us-1", 1, ""), at)
		must(t, err)
		wantAllocated(t, o, map[string]int{"default": 1, "us-1": 1, "us-2": 1})
		ok, err := st.Orders.FulfilOrder(ctx, c.OrderID, at.Add(time.Second))
		must(t, err)
		if !ok {
			t.Error("FulfilOrder: got false")
		}
		wantAt(t, ls, map[string][3]int64{"default": {0, 0, 0}, "us-1": {1, 0, 0}, "us-2": {2, 0, 0}, "eu-1": {5, 0, 0}})
		_, err = st.Orders.MoveAllocation(ctx, c.OrderID, move("us-1", "us-2", 1, ""), at)
		wantCode(t, err, commerce.CodeNotAllocated)
	})

	t.Run("Refused", func(t *testing.T) {
		st, ls, c := setup(t)
		_, err := ls.PutLocation(ctx, commerce.Location{ID: "us-3", Name: "Closed", Priority: 3, Countries: []string{"US"}, Status: commerce.LocationInactive})
		must(t, err)
		_, err = ls.SetLocationOnHand(ctx, "A", "us-3", 9)
		must(t, err)
		for _, tt := range []struct {
			name string
			m    commerce.AllocationMove
			code string
		}{
			{"more than is allocated at the source", move("us-1", "us-2", 3, ""), commerce.CodeNotAllocated},
			{"from where nothing is allocated", move("eu-1", "us-2", 1, ""), commerce.CodeNotAllocated},
			{"to a location that does not ship to the US", move("us-1", "eu-1", 1, ""), commerce.CodeInsufficientStock},
			{"to an inactive location", move("us-1", "us-3", 1, ""), commerce.CodeInsufficientStock},
			{"more than is available there", move("us-1", "default", 1, ""), commerce.CodeInsufficientStock},
			{"from an unknown location", move("nowhere", "us-2", 1, ""), commerce.CodeNotFound},
			{"to an unknown location", move("us-1", "nowhere", 1, ""), commerce.CodeNotFound},
			{"a SKU not in the order", commerce.AllocationMove{SKU: "B", From: "us-1", To: "us-2", Quantity: 1}, commerce.CodeNotAllocated},
		} {
			_, err := st.Orders.MoveAllocation(ctx, c.OrderID, tt.m, at)
			if commerce.ErrorCode(err) != tt.code {
				t.Errorf("%s: got %v, want %s", tt.name, err, tt.code)
			}
		}
		_, err = st.Orders.MoveAllocation(ctx, c.OrderID, move("us-1", "default", 1, ""), at)
		if e := wantConflict(t, err, commerce.CodeInsufficientStock); e != nil && !cmp.Equal(e.SKUs, []string{"A"}) {
			t.Errorf("a short move: got SKUs %v, want [A]", e.SKUs)
		}
		wantAt(t, ls, map[string][3]int64{"default": {1, 1, 0}, "us-1": {2, 2, 0}, "us-2": {3, 0, 0}, "eu-1": {5, 0, 0}, "us-3": {9, 0, 0}})
	})

	t.Run("IdempotencyKey", func(t *testing.T) {
		st, ls, c := setup(t)
		for i := range 2 {
			o, err := st.Orders.MoveAllocation(ctx, c.OrderID, move("us-1", "us-2", 1, "k1"), at)
			must(t, err)
			if i == 1 {
				wantAllocated(t, o, map[string]int{"default": 1, "us-1": 1, "us-2": 1})
			}
		}
		_, err := st.Orders.MoveAllocation(ctx, c.OrderID, move("us-1", "us-2", 2, "k1"), at)
		wantCode(t, err, commerce.CodeIdempotencyKeyReused)
		// A failed key is free: nothing was stored under it.
		_, err = st.Orders.MoveAllocation(ctx, c.OrderID, move("us-1", "us-2", 5, "k2"), at)
		wantCode(t, err, commerce.CodeNotAllocated)
		_, err = st.Orders.MoveAllocation(ctx, c.OrderID, move("us-2", "us-1", 1, "k2"), at)
		must(t, err)
		wantAt(t, ls, placed)
	})

	t.Run("OrderStates", func(t *testing.T) {
		st, ls, c := setup(t)
		_, err := st.Orders.MoveAllocation(ctx, "ord_none", move("us-1", "us-2", 1, ""), at)
		if err == nil {
			t.Error("a move of an unknown order: got nil error")
		}
		cancel(t, st, c.OrderID, at)
		_, err = st.Orders.MoveAllocation(ctx, c.OrderID, move("us-1", "us-2", 1, ""), at)
		wantCode(t, err, commerce.CodeOrderNotPlaced)
		wantAt(t, ls, placed)
	})

	t.Run("CancelReleasesWhereMoved", func(t *testing.T) {
		st, ls, c := setup(t)
		_, err := st.Orders.MoveAllocation(ctx, c.OrderID, move("us-1", "us-2", 2, ""), at)
		must(t, err)
		_, err = st.Orders.MoveAllocation(ctx, c.OrderID, move("default", "us-2", 1, ""), at)
		must(t, err)
		wantAt(t, ls, map[string][3]int64{"default": {1, 0, 0}, "us-1": {2, 0, 0}, "us-2": {3, 3, 0}, "eu-1": {5, 0, 0}})
		cancel(t, st, c.OrderID, at)
		ok, err := st.Orders.Restock(ctx, c.OrderID)
		must(t, err)
		if !ok {
			t.Error("Restock: got false")
		}
		wantAt(t, ls, map[string][3]int64{"default": {1, 0, 0}, "us-1": {2, 0, 0}, "us-2": {3, 0, 0}, "eu-1": {5, 0, 0}})
	})

	t.Run("MovesRacingCheckoutsNeverOversell", func(t *testing.T) {
		// us-2 has 3 available; the order moves its 3 units there one at
		// a time while checkouts for the US take what they can.
		st, ls, c := setup(t)
		_, err := ls.PutLocation(ctx, commerce.Location{ID: "us-1", Name: "Reno", Priority: 1, Countries: []string{"US"}, Status: commerce.LocationInactive})
		must(t, err)
		errs := race(func(i int) error {
			if i < 3 {
				from := "us-1"
				if i == 2 {
					from = commerce.DefaultLocation
				}
				_, err := st.Orders.MoveAllocation(ctx, c.OrderID, move(from, "us-2", 1, fmt.Sprint("m", i)), at)
				return err
			}
			return st.Checkouts.BeginCheckout(ctx, newCheckout(fmt.Sprint("r", i), "A", 1), nil)
		})
		moved, sold := 0, 0
		for i, err := range errs {
			switch {
			case err == nil && i < 3:
				moved++
			case err == nil:
				sold++
			case commerce.ErrorCode(err) != commerce.CodeInsufficientStock:
				t.Errorf("racer %d: got %v, want success or insufficient_stock", i, err)
			}
		}
		levels, err := ls.LocationLevels(ctx, "A")
		must(t, err)
		for _, l := range levels {
			if l.Available() < 0 || l.Committed < 0 || l.Reserved < 0 {
				t.Errorf("%s oversold: %+v", l.LocationID, l.StockLevel)
			}
		}
		o, err := st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		units := map[string]int{}
		for _, a := range commerce.AllocationsOf(o.Allocations, o.Items) {
			units[a.LocationID] += a.Quantity
		}
		if units["us-2"] != moved || units["us-1"]+units["default"]+units["us-2"] != 3 {
			t.Errorf("order allocations %v after %d moves to us-2", units, moved)
		}
		want := map[string][3]int64{
			"us-2": {3, int64(moved), 0}, "us-1": {2, int64(units["us-1"]), 0},
		}
		got := map[string][3]int64{}
		reserved := int64(0)
		for _, l := range levels {
			reserved += l.Reserved
			if _, ok := want[l.LocationID]; ok {
				got[l.LocationID] = [3]int64{l.OnHand, l.Committed, 0}
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after the race (-want +got):\n%s", diff)
		}
		if reserved != int64(sold) || moved+sold > 3+1 {
			t.Errorf("reserved %d for %d checkouts after %d moves: want one unit each, within us-2's 3 and the default's 1", reserved, sold, moved)
		}
	})
}
