package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// TestAllocation runs the allocation conformance suite: checkouts reserve
// at the active locations that ship to their country (fewest shipments,
// then by priority), and expiry, payment, fulfilment and cancellation move
// units exactly where they were allocated. newStores must return new,
// empty stores on one database, with the default strategy, whose
// Inventory is also a commerce.LocationStore.
func TestAllocation(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)
	placedAt := moneyT0.Add(time.Minute)
	// setup makes locations us-1 (priority 1) and us-2 (priority 2) that
	// ship to the US, eu-1 for NL, and the default location last.
	setup := func(t *testing.T) (MoneyStores, commerce.LocationStore) {
		st := newStores(t)
		ls, ok := st.Inventory.(commerce.LocationStore)
		if !ok {
			t.Fatalf("%T is not a commerce.LocationStore", st.Inventory)
		}
		for _, l := range []commerce.Location{
			{ID: commerce.DefaultLocation, Name: "Default", Priority: 9, Status: commerce.LocationActive},
			{ID: "us-1", Name: "Reno", Priority: 1, Countries: []string{"US"}, Status: commerce.LocationActive},
			{ID: "us-2", Name: "Newark", Priority: 2, Countries: []string{"US", "CA"}, Status: commerce.LocationActive},
			{ID: "eu-1", Name: "Rotterdam", Priority: 1, Countries: []string{"NL"}, Status: commerce.LocationActive},
		} {
			_, err := ls.PutLocation(ctx, l)
			must(t, err)
		}
		return st, ls
	}
	stockAt := func(t *testing.T, ls commerce.LocationStore, sku, loc string, n int64) {
		t.Helper()
		_, err := ls.SetLocationOnHand(ctx, sku, loc, n)
		must(t, err)
	}
	// wantAt fails the test unless a SKU's levels at locs are want (on
	// hand, committed, reserved per location).
	wantAt := func(t *testing.T, ls commerce.LocationStore, sku string, want map[string][3]int64) {
		t.Helper()
		levels, err := ls.LocationLevels(ctx, sku)
		must(t, err)
		got := map[string][3]int64{}
		for _, l := range levels {
			if _, ok := want[l.LocationID]; ok {
				got[l.LocationID] = [3]int64{l.OnHand, l.Committed, l.Reserved}
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s per location [onHand committed reserved] (-want +got):\n%s", sku, diff)
		}
	}
	wantAllocations := func(t *testing.T, st MoneyStores, c *commerce.Checkout, want []commerce.Allocation) {
		t.Helper()
		got, err := st.Checkouts.Checkout(ctx, c.ID)
		must(t, err)
		if diff := cmp.Diff(want, commerce.AllocationsOf(got.Allocations, got.Lines)); diff != "" {
			t.Errorf("allocations of %s (-want +got):\n%s", c.ID, diff)
		}
	}

	t.Run("OneLocationForTheWholeOrder", func(t *testing.T) {
		st, ls := setup(t)
		stockAt(t, ls, "A", "us-1", 1)
		stockAt(t, ls, "A", "us-2", 3)
		stockAt(t, ls, "B", "us-2", 2)
		stockUp(t, st, "A", 10, "B", 10)
		c := newCheckout("1", "A", 2, "B", 1)
		begin(t, st, c)
		wantAllocations(t, st, c, []commerce.Allocation{{SKU: "A", LocationID: "us-2", Quantity: 2}, {SKU: "B", LocationID: "us-2", Quantity: 1}})
		wantAt(t, ls, "A", map[string][3]int64{"us-1": {1, 0, 0}, "us-2": {3, 0, 2}, "default": {10, 0, 0}})
		wantAt(t, ls, "B", map[string][3]int64{"us-2": {2, 0, 1}, "default": {10, 0, 0}})
		wantStock(t, st, "A", 14, 0, 2)
	})

	t.Run("SplitByPriority", func(t *testing.T) {
		st, ls := setup(t)
		stockAt(t, ls, "A", "us-1", 1)
		stockAt(t, ls, "A", "us-2", 1)
		stockAt(t, ls, "A", "eu-1", 50) // does not ship to the US
		stockUp(t, st, "A", 3)          // no location holds all 5
		c := newCheckout("1", "A", 5)
		begin(t, st, c)
		wantAllocations(t, st, c, []commerce.Allocation{
			{SKU: "A", LocationID: "default", Quantity: 3}, {SKU: "A", LocationID: "us-1", Quantity: 1}, {SKU: "A", LocationID: "us-2", Quantity: 1},
		})
		wantAt(t, ls, "A", map[string][3]int64{"us-1": {1, 0, 1}, "us-2": {1, 0, 1}, "eu-1": {50, 0, 0}, "default": {3, 0, 3}})
	})

	t.Run("NoLocationShipsThere", func(t *testing.T) {
		st, ls := setup(t)
		stockAt(t, ls, "A", "us-1", 5)
		stockUp(t, st, "A", 5)
		_, err := ls.PutLocation(ctx, commerce.Location{ID: commerce.DefaultLocation, Name: "Default", Priority: 9, Status: commerce.LocationInactive})
		must(t, err)
		c := newCheckout("1", "A", 1)
		c.Address.Country = "JP"
		wantShort(t, st.Checkouts.BeginCheckout(ctx, c, []commerce.Message{expiryMsg(c)}), "A")
		d := newCheckout("2", "A", 6) // the inactive default's stock does not sell
		wantShort(t, st.Checkouts.BeginCheckout(ctx, d, []commerce.Message{expiryMsg(d)}), "A")
		wantAt(t, ls, "A", map[string][3]int64{"us-1": {5, 0, 0}, "default": {5, 0, 0}})
	})

	t.Run("ReleasedWhereAllocated", func(t *testing.T) {
		st, ls := setup(t)
		stockAt(t, ls, "A", "us-1", 1)
		stockAt(t, ls, "A", "us-2", 1)
		stockUp(t, st, "A", 10)
		c := newCheckout("1", "A", 4)
		begin(t, st, c)
		ok, err := st.Checkouts.Release(ctx, c.ID, commerce.CheckoutExpired, nil)
		must(t, err)
		if !ok {
			t.Fatal("Release: got false, want true")
		}
		wantAt(t, ls, "A", map[string][3]int64{"us-1": {1, 0, 0}, "us-2": {1, 0, 0}, "default": {10, 0, 0}})
		// Paid after it expired: reserved again, where stock is now.
		stockAt(t, ls, "A", "us-1", 4)
		ok, err = st.Checkouts.MarkPaid(ctx, c.ID, "pi_"+c.ID, placedMsg(c), nil)
		must(t, err)
		if !ok {
			t.Fatal("MarkPaid after expiry: got false, want true")
		}
		wantAllocations(t, st, c, []commerce.Allocation{{SKU: "A", LocationID: "us-1", Quantity: 4}})
		wantAt(t, ls, "A", map[string][3]int64{"us-1": {4, 0, 4}, "us-2": {1, 0, 0}, "default": {10, 0, 0}})
	})

	t.Run("PlacedShippedAndRestockedWhereAllocated", func(t *testing.T) {
		st, ls := setup(t)
		stockAt(t, ls, "A", "us-1", 2)
		stockUp(t, st, "A", 1)
		c := newCheckout("1", "A", 3)
		paid(t, st, c)
		place(t, st, c, placedAt)
		wantAt(t, ls, "A", map[string][3]int64{"us-1": {2, 2, 0}, "default": {1, 1, 0}})
		o, err := st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		want := []commerce.Allocation{{SKU: "A", LocationID: "default", Quantity: 1}, {SKU: "A", LocationID: "us-1", Quantity: 2}}
		if diff := cmp.Diff(want, o.Allocations); diff != "" {
			t.Errorf("order allocations (-want +got):\n%s", diff)
		}
		_, err = st.Orders.FulfilOrder(ctx, c.OrderID, placedAt)
		must(t, err)
		wantAt(t, ls, "A", map[string][3]int64{"us-1": {0, 0, 0}, "default": {0, 0, 0}})

		d := newCheckout("2", "A", 2)
		stockAt(t, ls, "A", "us-1", 1)
		stockUp(t, st, "A", 1)
		paid(t, st, d)
		place(t, st, d, placedAt)
		wantAt(t, ls, "A", map[string][3]int64{"us-1": {1, 1, 0}, "default": {1, 1, 0}})
		cancel(t, st, d.OrderID, placedAt)
		for i, want := range []bool{true, false} {
			ok, err := st.Orders.Restock(ctx, d.OrderID)
			must(t, err)
			if ok != want {
				t.Errorf("Restock #%d: got %v, want %v", i+1, ok, want)
			}
		}
		wantAt(t, ls, "A", map[string][3]int64{"us-1": {1, 0, 0}, "default": {1, 0, 0}})
	})

	t.Run("ConcurrentCheckoutsNeverOversellALocation", func(t *testing.T) {
		st, ls := setup(t)
		stockAt(t, ls, "A", "us-1", 2)
		stockAt(t, ls, "A", "us-2", 1)
		stockUp(t, st, "A", 2)
		errs := race(func(i int) error {
			c := newCheckout(fmt.Sprint(i), "A", 1)
			return st.Checkouts.BeginCheckout(ctx, c, []commerce.Message{expiryMsg(c)})
		})
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else if commerce.ErrorCode(err) != commerce.CodeInsufficientStock {
				t.Errorf("BeginCheckout: got %v, want success or insufficient_stock", err)
			}
		}
		if want := min(racers, 5); won != want {
			t.Errorf("checkouts that reserved: got %d, want %d", won, want)
		}
		levels, err := ls.LocationLevels(ctx, "A")
		must(t, err)
		var reserved int64
		for _, l := range levels {
			if l.Reserved > l.OnHand {
				t.Errorf("%s: reserved %d above on hand %d", l.LocationID, l.Reserved, l.OnHand)
			}
			reserved += l.Reserved
		}
		if reserved != int64(won) {
			t.Errorf("reserved over locations: got %d, want %d, one per checkout", reserved, won)
		}
	})
}
