package commerce

import (
	"cmp"
	"encoding/json"
	"slices"
)

// Allocation is how many units of an order line ship from one location.
type Allocation struct {
	SKU        string `json:"sku"`
	LocationID string `json:"locationId"`
	Quantity   int    `json:"quantity"`
}

// AllocationStrategy chooses the locations a checkout's lines are reserved
// at (SHOPFN_ALLOCATION).
type AllocationStrategy string

// The allocation strategies.
const (
	// AllocateFewestShipments ships a whole order from the first location
	// by priority that holds all of it, and otherwise splits it as
	// AllocatePriority does. The default.
	AllocateFewestShipments AllocationStrategy = "fewest_shipments"
	// AllocatePriority takes each line from locations in priority order.
	AllocatePriority AllocationStrategy = "priority"
	// AllocateMostStock takes each line from the location with the most
	// available first.
	AllocateMostStock AllocationStrategy = "most_stock"
)

// ValidAllocationStrategy reports whether s is a strategy ("" is not).
func ValidAllocationStrategy(s AllocationStrategy) bool {
	return s == AllocateFewestShipments || s == AllocatePriority || s == AllocateMostStock
}

// Allocate plans where each line of an order ships from: locs are the
// active locations that serve the order's country, in priority order, and
// available[location][sku] what each can sell. It returns the allocations,
// sorted by SKU then location, whose quantities per SKU sum to the line's,
// or the SKUs that the locations cannot cover (and no allocations).
func Allocate(lines []OrderLine, locs []Location, available map[string]map[string]int64, strategy AllocationStrategy) ([]Allocation, []string) {
	var out []Allocation
	if strategy != AllocatePriority && strategy != AllocateMostStock {
		for _, l := range locs {
			if slices.IndexFunc(lines, func(ol OrderLine) bool { return available[l.ID][ol.SKU] < int64(ol.Quantity) }) < 0 {
				for _, ol := range lines {
					out = append(out, Allocation{SKU: ol.SKU, LocationID: l.ID, Quantity: ol.Quantity})
				}
				sortAllocations(out)
				return out, nil
			}
		}
	}
	var short []string
	for _, ol := range lines {
		order := slices.Clone(locs)
		if strategy == AllocateMostStock {
			slices.SortStableFunc(order, func(a, b Location) int {
				return cmp.Compare(available[b.ID][ol.SKU], available[a.ID][ol.SKU])
			})
		}
		need := int64(ol.Quantity)
		for _, l := range order {
			if take := min(need, available[l.ID][ol.SKU]); take > 0 {
				out = append(out, Allocation{SKU: ol.SKU, LocationID: l.ID, Quantity: int(take)})
				need -= take
			}
		}
		if need > 0 {
			short = append(short, ol.SKU)
		}
	}
	if len(short) > 0 {
		slices.Sort(short)
		return nil, short
	}
	sortAllocations(out)
	return out, nil
}

// sortAllocations sorts allocations by SKU then location: the order in
// which stores lock stock rows, so that concurrent checkouts lock in one
// order.
func sortAllocations(a []Allocation) {
	slices.SortFunc(a, func(x, y Allocation) int {
		return cmp.Or(cmp.Compare(x.SKU, y.SKU), cmp.Compare(x.LocationID, y.LocationID))
	})
}

// AllocationsOf returns allocations as stored, or, for none, every line at
// the default location.
func AllocationsOf(stored []Allocation, lines []OrderLine) []Allocation {
	if len(stored) > 0 {
		return stored
	}
	out := make([]Allocation, 0, len(lines))
	for _, l := range lines {
		out = append(out, Allocation{SKU: l.SKU, LocationID: DefaultLocation, Quantity: l.Quantity})
	}
	return out
}

// MarshalJSON writes an order with its allocations always listed.
func (o Order) MarshalJSON() ([]byte, error) {
	type plain Order
	p := plain(o)
	p.Allocations = AllocationsOf(o.Allocations, o.Items)
	return json.Marshal(p)
}
