package main

import (
	"encoding/json"
	"maps"
	"net/url"
	"strconv"
	"testing"
)

// crashLocations are the crash test's locations: all ship to the buyers
// (US), us-1 first, then us-2, then the default location.
var crashLocations = []struct{ id, body string }{
	{"default", `{"name":"Default","priority":3,"countries":[]}`},
	{"us-1", `{"name":"Reno","priority":1,"countries":["US"]}`},
	{"us-2", `{"name":"Newark","priority":2,"countries":["US","CA"]}`},
}

// crashStockAt returns how many units of sku each location holds: a tenth
// at us-1 and at us-2 (so that CRASH-C runs out there first and later
// orders split), the rest at the default location.
func crashStockAt(sku string) map[string]int64 {
	n := int64(crashStock[sku])
	return map[string]int64{"us-1": n / 10, "us-2": n / 10, "default": n - 2*(n/10)}
}

// TestCrashCheckoutLocations is TestCrashCheckout with each SKU's stock
// spread over three locations: besides the totals, no (SKU, location) is
// oversold, every order's allocations sum to its items, and each
// location's committed count is what the orders allocated there; then
// every order ships, each from where it is allocated, and on hand drops
// by exactly that at each location.
func TestCrashCheckoutLocations(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the crash test (builds the binary and kills it repeatedly) in -short mode")
	}
	crashRunShop(t, true)
}

// stockLocations makes the locations (once) and spreads a SKU's stock over them.
func (r *crashRig) stockLocations(sku string) {
	for _, l := range crashLocations {
		r.must("PUT", "/api/admin/locations/"+l.id, []byte(l.body), 200)
		n := crashStockAt(sku)[l.id]
		r.must("PUT", "/api/admin/inventory/"+sku+"/locations/"+l.id, []byte(`{"onHand":`+strconv.FormatInt(n, 10)+`}`), 200)
	}
}

// checkLocations checks, once every paid order is placed, that each
// placed order's allocations sum to its items, and that at every location
// nothing is reserved, nothing shipped, and committed is what the orders
// allocated there, never more than on hand.
func (r *crashRig) checkLocations() {
	t := r.t
	allocated := map[string]map[string]int{} // sku -> location -> units
	var placed []crashShipment
	q := url.Values{"status": {"placed"}, "limit": {"100"}}
	for page := 0; page < 1000; page++ {
		var p struct {
			Items []struct {
				ID    string `json:"id"`
				Items []struct {
					SKU      string `json:"sku"`
					Quantity int    `json:"quantity"`
				} `json:"items"`
				Allocations []e2eAllocation `json:"allocations"`
			} `json:"items"`
			NextCursor *string `json:"nextCursor"`
		}
		body := r.must("GET", "/api/admin/orders?"+q.Encode(), nil, 200)
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("GET /api/admin/orders: %v", err)
		}
		for _, o := range p.Items {
			placed = append(placed, crashShipment{o.ID, o.Allocations})
			sum := map[string]int{}
			for _, a := range o.Allocations {
				sum[a.SKU] += a.Quantity
				if allocated[a.SKU] == nil {
					allocated[a.SKU] = map[string]int{}
				}
				allocated[a.SKU][a.LocationID] += a.Quantity
			}
			for _, it := range o.Items {
				if sum[it.SKU] != it.Quantity {
					t.Errorf("order %s: %s allocated %d, want its %d", o.ID, it.SKU, sum[it.SKU], it.Quantity)
				}
			}
		}
		if p.NextCursor == nil {
			break
		}
		q.Set("cursor", *p.NextCursor)
	}
	for _, sku := range crashSKUs {
		var levels struct {
			Locations []e2eLocationLevel `json:"locations"`
		}
		body := r.must("GET", "/api/admin/inventory/"+sku, nil, 200)
		if err := json.Unmarshal(body, &levels); err != nil {
			t.Fatalf("GET /api/admin/inventory/%s: %v", sku, err)
		}
		stocked := crashStockAt(sku)
		for _, l := range levels.Locations {
			if l.OnHand != stocked[l.LocationID] || l.Reserved != 0 || l.Committed != int64(allocated[sku][l.LocationID]) || l.Committed > l.OnHand {
				t.Errorf("%s at %s: got %+v, want onHand %d, committed %d (the orders' allocations there), reserved 0",
					sku, l.LocationID, l, stocked[l.LocationID], allocated[sku][l.LocationID])
			}
		}
		t.Logf("%s allocated by location: %v", sku, allocated[sku])
	}
	r.shipPlaced(placed, allocated)
}

// crashShipment is a placed order and where its units are allocated.
type crashShipment struct {
	id          string
	allocations []e2eAllocation
}

// shipPlaced ships every placed order and checks that each shipped from
// where it is allocated, then that at every location on hand dropped by
// what the orders allocated there and nothing is committed or reserved.
func (r *crashRig) shipPlaced(placed []crashShipment, allocated map[string]map[string]int) {
	t := r.t
	for _, o := range placed {
		var got e2eFulfilledOrder
		if err := json.Unmarshal(r.must("POST", "/api/admin/orders/"+o.id+"/fulfil", nil, 200), &got); err != nil {
			t.Fatalf("POST /api/admin/orders/%s/fulfil: %v", o.id, err)
		}
		from, want := map[e2eAllocation]int{}, map[e2eAllocation]int{}
		for _, f := range got.Fulfilments {
			for _, l := range f.Lines {
				from[e2eAllocation{SKU: l.SKU, LocationID: f.LocationID}] += l.Quantity
			}
		}
		for _, a := range o.allocations {
			want[e2eAllocation{SKU: a.SKU, LocationID: a.LocationID}] += a.Quantity
		}
		if got.Status != "fulfilled" || !maps.Equal(from, want) {
			t.Errorf("order %s: got %s, shipped %v, want fulfilled, shipped from its allocations %v", o.id, got.Status, from, want)
		}
	}
	for _, sku := range crashSKUs {
		var levels struct {
			Locations []e2eLocationLevel `json:"locations"`
		}
		if err := json.Unmarshal(r.must("GET", "/api/admin/inventory/"+sku, nil, 200), &levels); err != nil {
			t.Fatalf("GET /api/admin/inventory/%s: %v", sku, err)
		}
		stocked := crashStockAt(sku)
		for _, l := range levels.Locations {
			if want := stocked[l.LocationID] - int64(allocated[sku][l.LocationID]); l.OnHand != want || l.Committed != 0 || l.Reserved != 0 {
				t.Errorf("%s at %s after shipping every order: got %+v, want onHand %d, nothing committed or reserved", sku, l.LocationID, l, want)
			}
		}
	}
}
