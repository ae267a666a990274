package memstore

import (
	"slices"

	"shopfn/handler/commerce"
)

// Allocation, as sqlstore does it: a reservation's units of a SKU are at
// the locations of its at map; a nil map means all at the default
// location, the only one before locations.

// plan chooses where want (SKU -> quantity) is reserved for a checkout to
// country: nil when every unit is at the default location, which is all
// there is to ship from. It returns "insufficient_stock" listing every
// short SKU in SKU order. It changes nothing. The caller holds db.mu.
func (db *DB) plan(country string, want map[string]int, strategy commerce.AllocationStrategy) (map[string]map[string]int, error) {
	var locs []commerce.Location
	for _, l := range db.sortedLocations() {
		if l.Status == commerce.LocationActive && l.Serves(country) {
			locs = append(locs, l)
		}
	}
	if len(locs) == 1 && locs[0].ID == commerce.DefaultLocation {
		return nil, db.checkAvailable(want)
	}
	var lines []commerce.OrderLine
	for sku, q := range want {
		lines = append(lines, commerce.OrderLine{SKU: sku, Quantity: q})
	}
	slices.SortFunc(lines, func(a, b commerce.OrderLine) int { return compareStrings(a.SKU, b.SKU) })
	avail := map[string]map[string]int64{}
	for _, l := range locs {
		avail[l.ID] = map[string]int64{}
		for _, ol := range lines {
			avail[l.ID][ol.SKU] = db.levelAt(ol.SKU, l.ID).Available()
		}
	}
	plan, short := commerce.Allocate(lines, locs, avail, strategy)
	if len(short) > 0 {
		e := commerce.Errorf(commerce.KindConflict, commerce.CodeInsufficientStock, "not enough stock for %v", short)
		e.SKUs = short
		return nil, e
	}
	out := map[string]map[string]int{}
	for _, a := range plan {
		if out[a.SKU] == nil {
			out[a.SKU] = map[string]int{}
		}
		out[a.SKU][a.LocationID] += a.Quantity
	}
	return out, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// allocations lists a plan as a checkout shows it: nil when every unit is
// at the default location.
func allocations(plan map[string]map[string]int) []commerce.Allocation {
	var out []commerce.Allocation
	other := false
	for sku, at := range plan {
		for loc, q := range at {
			out = append(out, commerce.Allocation{SKU: sku, LocationID: loc, Quantity: q})
			other = other || loc != commerce.DefaultLocation
		}
	}
	if !other {
		return nil
	}
	slices.SortFunc(out, func(a, b commerce.Allocation) int {
		if c := compareStrings(a.SKU, b.SKU); c != 0 {
			return c
		}
		return compareStrings(a.LocationID, b.LocationID)
	})
	return out
}

// unitsAt returns where a reservation's units are, by location.
func (r *reservation) unitsAt() map[string]int {
	if r.at == nil {
		return map[string]int{commerce.DefaultLocation: r.quantity}
	}
	return r.at
}

// change applies fn to the level of sku at every location of at, with the
// units there. The caller holds db.mu.
func (db *DB) change(sku string, at map[string]int, fn func(l *commerce.StockLevel, q int64)) {
	for loc, q := range at {
		l := db.levelAt(sku, loc)
		fn(&l, int64(q))
		db.setLevelAt(loc, l)
	}
}

// orderUnits returns where an order's units of each SKU are, by location.
func orderUnits(o *commerce.Order) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, a := range commerce.AllocationsOf(o.Allocations, o.Items) {
		if out[a.SKU] == nil {
			out[a.SKU] = map[string]int{}
		}
		out[a.SKU][a.LocationID] += a.Quantity
	}
	return out
}
