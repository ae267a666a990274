package storetest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// LocationInventory is a store of stock levels with locations.
type LocationInventory interface {
	commerce.InventoryStore
	commerce.LocationStore
}

// TestLocations runs the locations conformance suite. newStore must return
// a new, empty store each time it is called.
func TestLocations(t *testing.T, newStore func(t *testing.T) LocationInventory) {
	ctx := callContext(t)
	def := commerce.Location{ID: commerce.DefaultLocation, Name: "Default", Countries: []string{}, Status: commerce.LocationActive}
	eu := commerce.Location{ID: "eu-1", Name: "Rotterdam", Priority: 5, Countries: []string{"NL", "DE"}, Status: commerce.LocationActive}
	us := commerce.Location{ID: "us-1", Name: "Reno", Priority: 1, Countries: []string{"US"}, Status: commerce.LocationActive}

	t.Run("DefaultExists", func(t *testing.T) {
		s := newStore(t)
		got, err := s.Locations(ctx)
		must(t, err)
		if diff := cmp.Diff([]commerce.Location{def}, got); diff != "" {
			t.Errorf("Locations of a new store (-want +got):\n%s", diff)
		}
		l, err := s.Location(ctx, commerce.DefaultLocation)
		must(t, err)
		if diff := cmp.Diff(def, l); diff != "" {
			t.Errorf("Location(default) (-want +got):\n%s", diff)
		}
	})

	t.Run("PutAndRead", func(t *testing.T) {
		s := newStore(t)
		for _, l := range []commerce.Location{eu, us} {
			got, err := s.PutLocation(ctx, l)
			must(t, err)
			if diff := cmp.Diff(l, got); diff != "" {
				t.Errorf("PutLocation(%s) (-want +got):\n%s", l.ID, diff)
			}
		}
		got, err := s.Locations(ctx)
		must(t, err)
		if diff := cmp.Diff([]commerce.Location{def, us, eu}, got); diff != "" {
			t.Errorf("Locations: by priority then id (-want +got):\n%s", diff)
		}
		moved := eu
		moved.Priority, moved.Countries, moved.Status = 0, nil, commerce.LocationInactive
		_, err = s.PutLocation(ctx, moved)
		must(t, err)
		l, err := s.Location(ctx, eu.ID)
		must(t, err)
		moved.Countries = []string{}
		if diff := cmp.Diff(moved, l); diff != "" {
			t.Errorf("Location after replacing (-want +got):\n%s", diff)
		}
		_, err = s.Location(ctx, "nowhere")
		wantCode(t, err, commerce.CodeNotFound)
	})

	t.Run("Invalid", func(t *testing.T) {
		s := newStore(t)
		bad := []commerce.Location{
			{ID: "Upper", Name: "x", Status: commerce.LocationActive},
			{ID: "x", Name: "", Status: commerce.LocationActive},
			{ID: "x", Name: "x", Status: "open"},
			{ID: "x", Name: "x", Priority: -1, Status: commerce.LocationActive},
			{ID: "x", Name: "x", Countries: []string{"us"}, Status: commerce.LocationActive},
			{ID: "x", Name: "x", Countries: []string{"US", "US"}, Status: commerce.LocationActive},
			{ID: commerce.DefaultLocation, Name: "x", Countries: []string{"US"}, Status: commerce.LocationActive},
		}
		for _, l := range bad {
			_, err := s.PutLocation(ctx, l)
			wantCode(t, err, commerce.CodeInvalidRequest)
		}
		got, err := s.Locations(ctx)
		must(t, err)
		if len(got) != 1 {
			t.Errorf("Locations after refused puts: got %d, want only the default", len(got))
		}
	})

	t.Run("TotalsOverActiveLocations", func(t *testing.T) {
		s := newStore(t)
		must2(t)(s.PutLocation(ctx, eu))
		must2(t)(s.PutLocation(ctx, us))
		must2(t)(s.SetOnHand(ctx, "A", 5))
		l, err := s.SetLocationOnHand(ctx, "A", eu.ID, 3)
		must(t, err)
		if want := (commerce.LocationLevel{StockLevel: commerce.StockLevel{SKU: "A", OnHand: 3}, LocationID: eu.ID}); l != want {
			t.Errorf("SetLocationOnHand: got %+v, want %+v", l, want)
		}
		must2(t)(s.SetLocationOnHand(ctx, "B", us.ID, 2))
		wantTotals(t, s, map[string]int64{"A": 8, "B": 2, "C": 0})

		levels, err := s.LocationLevels(ctx, "A")
		must(t, err)
		want := []commerce.LocationLevel{
			{StockLevel: commerce.StockLevel{SKU: "A", OnHand: 5}, LocationID: commerce.DefaultLocation},
			{StockLevel: commerce.StockLevel{SKU: "A"}, LocationID: us.ID},
			{StockLevel: commerce.StockLevel{SKU: "A", OnHand: 3}, LocationID: eu.ID},
		}
		if diff := cmp.Diff(want, levels); diff != "" {
			t.Errorf("LocationLevels (-want +got):\n%s", diff)
		}

		off := eu
		off.Status = commerce.LocationInactive
		must2(t)(s.PutLocation(ctx, off))
		wantTotals(t, s, map[string]int64{"A": 5, "B": 2})
		d := def
		d.Status = commerce.LocationInactive
		must2(t)(s.PutLocation(ctx, d))
		wantTotals(t, s, map[string]int64{"A": 0, "B": 2})
		must2(t)(s.PutLocation(ctx, eu))
		wantTotals(t, s, map[string]int64{"A": 3, "B": 2})
	})

	t.Run("UnknownLocation", func(t *testing.T) {
		s := newStore(t)
		_, err := s.SetLocationOnHand(ctx, "A", "nowhere", 1)
		wantCode(t, err, commerce.CodeNotFound)
		_, err = s.ApplyLocationStockLevel(ctx, "A", "nowhere", 1, "erp", 1)
		wantCode(t, err, commerce.CodeNotFound)
		_, err = s.SetLocationOnHand(ctx, "A", commerce.DefaultLocation, -1)
		wantCode(t, err, commerce.CodeInvalidRequest)
		must2(t)(s.PutLocation(ctx, eu))
		_, err = s.SetLocationOnHand(ctx, "A", eu.ID, commerce.MaxOnHand+1)
		wantCode(t, err, commerce.CodeInvalidRequest)
		wantTotals(t, s, map[string]int64{"A": 0})
	})

	t.Run("SequencesPerLocation", func(t *testing.T) {
		s := newStore(t)
		must2(t)(s.PutLocation(ctx, eu))
		steps := []struct {
			location string
			onHand   int64
			seq      int64
			want     bool
		}{
			{eu.ID, 4, 2, true},
			{eu.ID, 9, 1, false},                   // older, from the same source at the same location
			{eu.ID, 9, 2, false},                   // a redelivery
			{commerce.DefaultLocation, 6, 1, true}, // the same source counts another location
			{commerce.DefaultLocation, 7, 1, false},
			{eu.ID, 1, 3, true},
		}
		for i, st := range steps {
			got, err := s.ApplyLocationStockLevel(ctx, "A", st.location, st.onHand, "erp", st.seq)
			must(t, err)
			if got != st.want {
				t.Errorf("step %d: ApplyLocationStockLevel(%s, %d, seq %d): got applied %v, want %v", i, st.location, st.onHand, st.seq, got, st.want)
			}
		}
		wantTotals(t, s, map[string]int64{"A": 7})
	})

	t.Run("ConcurrentFirstCount", func(t *testing.T) {
		s := newStore(t)
		must2(t)(s.PutLocation(ctx, eu))
		errs := race(func(i int) error {
			_, err := s.SetLocationOnHand(ctx, "NEW", eu.ID, int64(10+i))
			return err
		})
		for _, err := range errs {
			must(t, err)
		}
		levels, err := s.LocationLevels(ctx, "NEW")
		must(t, err)
		if n := levels[1].OnHand; n < 10 {
			t.Errorf("on hand after concurrent first counts: got %d, want one of them", n)
		}
	})
}

// wantTotals fails the test unless the SKUs' totals available are want.
func wantTotals(t *testing.T, s commerce.InventoryStore, want map[string]int64) {
	t.Helper()
	var skus []string
	for sku := range want {
		skus = append(skus, sku)
	}
	got, err := s.StockLevels(callContext(t), skus)
	must(t, err)
	for sku, n := range want {
		if a := got[sku].Available(); a != n {
			t.Errorf("available %s over active locations: got %d (%+v), want %d", sku, a, got[sku], n)
		}
	}
}

// must2 returns a function failing the test on the error of a call that
// also returns a value.
func must2(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		must(t, err)
	}
}
