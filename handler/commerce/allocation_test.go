package commerce

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAllocate(t *testing.T) {
	us := Location{ID: "us", Priority: 1}
	eu := Location{ID: "eu", Priority: 2}
	def := Location{ID: "default", Priority: 3}
	locs := []Location{us, eu, def}
	lines := []OrderLine{{SKU: "B", Quantity: 2}, {SKU: "A", Quantity: 3}}
	tests := []struct {
		name      string
		available map[string]map[string]int64
		strategy  AllocationStrategy
		want      []Allocation
		wantShort []string
	}{
		{"one location holds all, the first by priority", map[string]map[string]int64{"us": {"A": 3, "B": 1}, "eu": {"A": 5, "B": 5}, "default": {"A": 9, "B": 9}},
			AllocateFewestShipments, []Allocation{{"A", "eu", 3}, {"B", "eu", 2}}, nil},
		{"no location holds all: split by priority", map[string]map[string]int64{"us": {"A": 1, "B": 2}, "eu": {"A": 1}, "default": {"A": 1}},
			AllocateFewestShipments, []Allocation{{"A", "default", 1}, {"A", "eu", 1}, {"A", "us", 1}, {"B", "us", 2}}, nil},
		{"priority splits even when one location holds all", map[string]map[string]int64{"us": {"A": 1, "B": 2}, "eu": {"A": 5, "B": 5}},
			AllocatePriority, []Allocation{{"A", "eu", 2}, {"A", "us", 1}, {"B", "us", 2}}, nil},
		{"most stock first", map[string]map[string]int64{"us": {"A": 1, "B": 2}, "eu": {"A": 2, "B": 1}, "default": {"A": 2, "B": 1}},
			AllocateMostStock, []Allocation{{"A", "eu", 2}, {"A", "default", 1}, {"B", "us", 2}}, nil},
		{"short", map[string]map[string]int64{"us": {"A": 2, "B": 2}, "eu": {"B": 1}},
			AllocateFewestShipments, nil, []string{"A"}},
		{"no location", nil, AllocateFewestShipments, nil, []string{"A", "B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls := locs
			if tt.available == nil {
				ls = nil
			}
			got, short := Allocate(lines, ls, tt.available, tt.strategy)
			if tt.strategy == AllocateMostStock && got != nil {
				sortAllocations(tt.want)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("allocations (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantShort, short); diff != "" {
				t.Errorf("short SKUs (-want +got):\n%s", diff)
			}
		})
	}
}
