package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// TestInventoryStore runs the inventory conformance suite. newStore must
// return a new, empty store each time it is called.
func TestInventoryStore(t *testing.T, newStore func(t *testing.T) commerce.InventoryStore) {
	ctx := callContext(t)

	t.Run("SetAndRead", func(t *testing.T) {
		s := newStore(t)
		l, err := s.SetOnHand(ctx, "A", 5)
		must(t, err)
		if want := (commerce.StockLevel{SKU: "A", OnHand: 5}); l != want {
			t.Errorf("SetOnHand: got %+v, want %+v", l, want)
		}
		l, err = s.SetOnHand(ctx, "A", 3)
		must(t, err)
		if l.OnHand != 3 {
			t.Errorf("second SetOnHand: got onHand %d, want 3", l.OnHand)
		}
		got, err := s.StockLevels(ctx, []string{"A", "NEVER"})
		must(t, err)
		want := map[string]commerce.StockLevel{"A": {SKU: "A", OnHand: 3}, "NEVER": {SKU: "NEVER"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("StockLevels (-want +got):\n%s", diff)
		}
	})

	t.Run("Bounds", func(t *testing.T) {
		s := newStore(t)
		for _, n := range []int64{-1, commerce.MaxOnHand + 1} {
			_, err := s.SetOnHand(ctx, "A", n)
			wantCode(t, err, commerce.CodeInvalidRequest)
		}
		for _, n := range []int64{0, commerce.MaxOnHand} {
			_, err := s.SetOnHand(ctx, "A", n)
			must(t, err)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		s := newStore(t)
		got, err := s.StockLevels(ctx, nil)
		must(t, err)
		if len(got) != 0 {
			t.Errorf("StockLevels(nil): got %v, want empty", got)
		}
	})
}
