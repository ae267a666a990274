package storetest

import (
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// TestStock runs the conformance suite of the stock model across
// commerce.OrderStore and commerce.InventoryStore: placed orders commit
// units, fulfilment ships them, counts never go negative. newStores must
// return new, empty stores on one database each time it is called.
func TestStock(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)
	placedAt := moneyT0.Add(time.Minute)

	t.Run("FulfilOrder", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5, "B", 5)
		c := newCheckout("1", "A", 2, "B", 1)
		paid(t, st, c)
		_, err := st.Orders.FulfilOrder(ctx, c.OrderID, placedAt)
		wantCode(t, err, commerce.CodeOrderNotPlaced)
		place(t, st, c, placedAt)
		shipAt := placedAt.Add(time.Hour)
		for i, want := range []bool{true, false} {
			ok, err := st.Orders.FulfilOrder(ctx, c.OrderID, shipAt)
			must(t, err)
			if ok != want {
				t.Errorf("FulfilOrder #%d: got %v, want %v", i+1, ok, want)
			}
			wantStock(t, st, "A", 3, 0, 0)
			wantStock(t, st, "B", 4, 0, 0)
		}
		got, err := st.Orders.Order(ctx, c.OrderID)
		must(t, err)
		if got.Status != commerce.OrderFulfilled || got.FulfilledAt == nil || !got.FulfilledAt.Equal(shipAt) {
			t.Errorf("fulfilled order: got status %q, fulfilledAt %v, want %q, %v", got.Status, got.FulfilledAt, commerce.OrderFulfilled, shipAt)
		}
		if ok, err := st.Orders.ClaimCancel(ctx, c.OrderID, shipAt); err != nil || ok {
			t.Errorf("ClaimCancel of a fulfilled order: got %v, %v, want false", ok, err)
		}
		if ok, err := st.Orders.CancelOrder(ctx, c.OrderID, shipAt, cancelledMsg(c.OrderID)); err != nil || ok {
			t.Errorf("CancelOrder of a fulfilled order: got %v, %v, want false", ok, err)
		}

		d := newCheckout("2", "A", 1)
		paid(t, st, d)
		place(t, st, d, placedAt)
		cancel(t, st, d.OrderID, placedAt)
		_, err = st.Orders.FulfilOrder(ctx, d.OrderID, shipAt)
		wantCode(t, err, commerce.CodeOrderNotPlaced)
	})

	t.Run("OnHandBelowHeld", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 2)
		paid(t, st, c)
		place(t, st, c, placedAt) // committed 2
		begin(t, st, newCheckout("2", "A", 1))
		wantStock(t, st, "A", 5, 2, 1)
		_, err := st.Inventory.SetOnHand(ctx, "A", 2)
		wantCode(t, err, commerce.CodeStockBelowHeld)
		wantStock(t, st, "A", 5, 2, 1)
		l, err := st.Inventory.SetOnHand(ctx, "A", 3)
		must(t, err)
		if want := (commerce.StockLevel{SKU: "A", OnHand: 3, Committed: 2, Reserved: 1}); l != want || l.Available() != 0 {
			t.Errorf("SetOnHand(A, 3): got %+v (available %d), want %+v (available 0)", l, l.Available(), want)
		}
		// A physical count from an ERP is applied as counted; available
		// stays 0 and no count is negative.
		ok, err := st.Inventory.ApplyStockLevel(ctx, "A", 1, "erp", 1)
		must(t, err)
		if !ok {
			t.Errorf("ApplyStockLevel below held: got false, want true")
		}
		wantStock(t, st, "A", 1, 2, 1)
		_, err = st.Orders.FulfilOrder(ctx, c.OrderID, placedAt)
		must(t, err)
		wantStock(t, st, "A", 0, 0, 1)
	})

	t.Run("WriteOff", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 2)
		paid(t, st, c)
		place(t, st, c, placedAt)
		begin(t, st, newCheckout("2", "A", 1))
		for range 2 {
			l, err := st.Inventory.WriteOff(ctx, "A")
			must(t, err)
			if want := (commerce.StockLevel{SKU: "A", OnHand: 3, Committed: 2, Reserved: 1}); l != want {
				t.Errorf("WriteOff(A): got %+v, want %+v", l, want)
			}
		}
		l, err := st.Inventory.WriteOff(ctx, "NEVER")
		must(t, err)
		if l != (commerce.StockLevel{SKU: "NEVER"}) {
			t.Errorf("WriteOff(NEVER): got %+v, want a zero level", l)
		}
	})
}
