package storetest

import (
	"testing"

	"shopfn/handler/commerce"
)

// TestShopifyStock runs the conformance suite of Shopify orders in the
// stock pool (commerce.ShopifyStock, which MoneyStores.Inventory must
// implement): a create commits at most what is available, once however
// often and however concurrently it is applied; cancel gives back and
// fulfil ships what it committed, once; shopfn's own reservations are
// never undercut.
func TestShopifyStock(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)
	shopify := func(t *testing.T, st MoneyStores) commerce.ShopifyStock {
		s, ok := st.Inventory.(commerce.ShopifyStock)
		if !ok {
			t.Fatalf("%T is not a commerce.ShopifyStock", st.Inventory)
		}
		return s
	}
	order := func(action, id string, lines ...commerce.ShopifyLine) commerce.ShopifyOrderEvent {
		return commerce.ShopifyOrderEvent{Type: commerce.MsgShopifyOrder, Action: action, OrderID: id, Lines: lines}
	}
	apply := func(t *testing.T, s commerce.ShopifyStock, e commerce.ShopifyOrderEvent, want bool) {
		t.Helper()
		got, err := s.ApplyShopifyOrder(ctx, e)
		must(t, err)
		if got != want {
			t.Errorf("ApplyShopifyOrder(%s %s): got %v, want %v", e.Action, e.OrderID, got, want)
		}
	}

	t.Run("CreateCancelOnce", func(t *testing.T) {
		st := newStores(t)
		s := shopify(t, st)
		stockUp(t, st, "A", 5, "B", 1)
		create := order(commerce.ShopifyCreate, "1001",
			commerce.ShopifyLine{SKU: "A", Quantity: 2}, commerce.ShopifyLine{SKU: "B", Quantity: 3},
			commerce.ShopifyLine{SKU: "NEVER", Quantity: 1}, commerce.ShopifyLine{SKU: "", Quantity: 1})
		for i, want := range []bool{true, false, false} {
			apply(t, s, create, want)
			if t.Failed() {
				t.Fatalf("create #%d", i+1)
			}
		}
		wantStock(t, st, "A", 5, 2, 0)
		wantStock(t, st, "B", 1, 1, 0) // 2 short: never below zero
		wantStock(t, st, "NEVER", 0, 0, 0)

		cancelled := order(commerce.ShopifyCancel, "1001")
		apply(t, s, cancelled, true)
		apply(t, s, cancelled, false)
		wantStock(t, st, "A", 5, 0, 0)
		wantStock(t, st, "B", 1, 0, 0) // the shortfall is not given back
		apply(t, s, create, false)     // a late redelivery
		apply(t, s, order(commerce.ShopifyFulfil, "1001"), false)
		wantStock(t, st, "A", 5, 0, 0)
	})

	t.Run("Concurrent", func(t *testing.T) {
		st := newStores(t)
		s := shopify(t, st)
		stockUp(t, st, "A", 100)
		create := order(commerce.ShopifyCreate, "2002", commerce.ShopifyLine{SKU: "A", Quantity: 3})
		applied := make([]bool, racers)
		for _, err := range race(func(i int) error {
			var err error
			applied[i], err = s.ApplyShopifyOrder(ctx, create)
			return err
		}) {
			must(t, err)
		}
		if n := trues(applied); n != 1 {
			t.Errorf("concurrent creates: %d applied, want 1", n)
		}
		wantStock(t, st, "A", 100, 3, 0)
		for _, err := range race(func(i int) error {
			var err error
			applied[i], err = s.ApplyShopifyOrder(ctx, order(commerce.ShopifyCancel, "2002"))
			return err
		}) {
			must(t, err)
		}
		if n := trues(applied); n != 1 {
			t.Errorf("concurrent cancels: %d applied, want 1", n)
		}
		wantStock(t, st, "A", 100, 0, 0)
	})

	t.Run("NoOversellOfCheckouts", func(t *testing.T) {
		st := newStores(t)
		s := shopify(t, st)
		stockUp(t, st, "A", 3)
		c := newCheckout("1", "A", 2)
		begin(t, st, c) // a buyer of shopfn's own holds 2 of 3
		apply(t, s, order(commerce.ShopifyCreate, "3003", commerce.ShopifyLine{SKU: "A", Quantity: 2}), true)
		wantStock(t, st, "A", 3, 1, 2) // Shopify gets the 1 left; 1 short
	})

	t.Run("Fulfil", func(t *testing.T) {
		st := newStores(t)
		s := shopify(t, st)
		stockUp(t, st, "A", 5)
		apply(t, s, order(commerce.ShopifyCreate, "4004", commerce.ShopifyLine{SKU: "A", Quantity: 2}), true)
		apply(t, s, order(commerce.ShopifyFulfil, "4004"), true)
		apply(t, s, order(commerce.ShopifyFulfil, "4004"), false)
		wantStock(t, st, "A", 3, 0, 0)
		apply(t, s, order(commerce.ShopifyCancel, "4004"), false) // shipped: nothing to give back
		wantStock(t, st, "A", 3, 0, 0)
	})

	t.Run("CancelBeforeCreate", func(t *testing.T) {
		st := newStores(t)
		s := shopify(t, st)
		stockUp(t, st, "A", 5)
		apply(t, s, order(commerce.ShopifyCancel, "5005"), true)
		apply(t, s, order(commerce.ShopifyCreate, "5005", commerce.ShopifyLine{SKU: "A", Quantity: 2}), false)
		wantStock(t, st, "A", 5, 0, 0)
	})

	t.Run("Invalid", func(t *testing.T) {
		s := shopify(t, newStores(t))
		_, err := s.ApplyShopifyOrder(ctx, order("refund", "6006"))
		wantCode(t, err, commerce.CodeInvalidRequest)
		_, err = s.ApplyShopifyOrder(ctx, order(commerce.ShopifyCreate, ""))
		wantCode(t, err, commerce.CodeInvalidRequest)
	})
}

func trues(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
