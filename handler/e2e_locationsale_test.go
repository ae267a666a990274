package main

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// e2eAllocation is where some units of an order's item ship from.
type e2eAllocation struct {
	SKU        string `json:"sku"`
	LocationID string `json:"locationId"`
	Quantity   int    `json:"quantity"`
}

// TestE2EFlashSaleLocations: 120 buyers in the US, the Netherlands and
// Japan race for 20 units at three locations with different countries and
// priorities. No location is oversold; every order's allocations sum to
// its items and are at locations that ship to its country; a move to a
// sold-out location is refused; fulfilment, whole or location by
// location, ships from where each order is allocated (its fulfilments
// say so) and a cancel gives units back there; on hand, committed and reserved at each location match the
// orders at the end.
func TestE2EFlashSaleLocations(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	const sku = "LOC-FLASH"
	s.mustCreateProduct(t, e2eProductInput("loc-flash", sku, 1000))
	s.mustPutLocation(t, "default", 0, "inactive")
	s.mustPutLocation(t, "us-1", 1, "active", "US", "CA")
	s.mustPutLocation(t, "eu-1", 1, "active", "NL", "DE")
	s.mustPutLocation(t, "ww-1", 2, "active") // ships everywhere, tried last
	stocked := map[string]int64{"us-1": 8, "eu-1": 6, "ww-1": 6}
	for loc, n := range stocked {
		s.mustSetStockAt(t, sku, loc, n)
	}
	serves := map[string][]string{"us-1": {"US", "CA"}, "eu-1": {"NL", "DE"}, "ww-1": nil}
	countries := []string{"US", "NL", "JP"}

	carts := make([]string, 120)
	for i := range carts {
		carts[i] = s.moneyCart(t, e2eLine{sku, 1})
	}
	res := make([]*Response, len(carts))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, cart := range carts {
		wg.Go(func() {
			req := moneyNewRequest(cart, "pm_card_visa")
			req.ShippingAddress.Country = countries[i%len(countries)]
			<-start
			res[i] = s.moneySendCheckout(t, req, "")
		})
	}
	close(start)
	wg.Wait()
	paid, short := moneySplit(t, res, sku)
	if len(paid) != 20 || short != 100 {
		t.Errorf("got %d paid and %d insufficient_stock, want 20 and 100: every unit sells, to a country its location ships to", len(paid), short)
	}
	s.moneyWantPlaced(t, paid)
	s.moneyWaitQueues(t, 0, len(paid))
	s.Clock.Advance(NewTestConfig(t, false).ReservationTTL + time.Minute)
	s.moneyWaitQueues(t, 0, 0)

	orders := s.moneyOrders(t, "placed", 100)
	committed := map[string]int64{}
	for _, o := range orders {
		sum := 0
		for _, a := range o.Allocations {
			if a.SKU != sku || a.Quantity < 1 {
				t.Errorf("order %s: allocation %+v", o.ID, a)
			}
			if c := serves[a.LocationID]; c != nil && !slices.Contains(c, o.ShippingAddress.Country) {
				t.Errorf("order %s to %s: allocated at %s, which does not ship there", o.ID, o.ShippingAddress.Country, a.LocationID)
			}
			sum += a.Quantity
			committed[a.LocationID] += int64(a.Quantity)
		}
		if sum != o.Items[0].Quantity {
			t.Errorf("order %s: allocations %+v sum to %d, want %d", o.ID, o.Allocations, sum, o.Items[0].Quantity)
		}
	}
	wantLocations := func(when string, shipped map[string]int64) {
		t.Helper()
		levels := s.stockLevels(t, sku)
		for _, l := range levels.Locations {
			want := e2eLocationLevel{sku, l.LocationID, stocked[l.LocationID] - shipped[l.LocationID], committed[l.LocationID], 0, 0}
			want.Available = want.OnHand - want.Committed
			if l != want {
				t.Errorf("%s: %s: got %+v, want %+v", when, l.LocationID, l, want)
			}
			if l.Committed+l.Reserved > l.OnHand {
				t.Errorf("%s: %s oversold: %+v", when, l.LocationID, l)
			}
		}
	}
	wantLocations("after the sale", nil)

	// A move to a sold-out location is refused and changes nothing.
	for _, a := range orders[0].Allocations {
		for loc := range stocked {
			if loc != a.LocationID && (serves[loc] == nil || slices.Contains(serves[loc], orders[0].ShippingAddress.Country)) {
				e2eWantProblem(t, "move to sold-out "+loc, s.admin(t, "POST", "/api/admin/orders/"+orders[0].ID+"/allocations/move",
					map[string]any{"sku": sku, "from": a.LocationID, "to": loc, "quantity": 1}), 409, "insufficient_stock")
			}
		}
	}
	wantLocations("after refused moves", nil)

	// Ship half the orders whole and the rest but one location by
	// location: each leaves the shelves it is allocated at, and its
	// fulfilments say so.
	shipped := map[string]int64{}
	for i, o := range orders[:len(orders)-1] {
		var got e2eFulfilledOrder
		if i < len(orders)/2 {
			res := s.admin(t, "POST", "/api/admin/orders/"+o.ID+"/fulfil", nil)
			e2eWantStatus(t, "fulfil "+o.ID, res, 200)
			res.JSON(t, &got)
		}
		for _, a := range o.Allocations {
			if i >= len(orders)/2 {
				res := s.admin(t, "POST", "/api/admin/orders/"+o.ID+"/fulfilments",
					map[string]any{"locationId": a.LocationID, "lines": []map[string]any{{"sku": a.SKU, "quantity": a.Quantity}}})
				e2eWantStatus(t, "ship "+o.ID+" from "+a.LocationID, res, 200)
				res.JSON(t, &got)
			}
			shipped[a.LocationID] += int64(a.Quantity)
			committed[a.LocationID] -= int64(a.Quantity)
		}
		from, want := map[e2eAllocation]int{}, map[e2eAllocation]int{}
		for _, f := range got.Fulfilments {
			for _, l := range f.Lines {
				from[e2eAllocation{SKU: l.SKU, LocationID: f.LocationID}] += l.Quantity
			}
		}
		for _, a := range o.Allocations {
			want[e2eAllocation{SKU: a.SKU, LocationID: a.LocationID}] += a.Quantity
		}
		if got.Status != "fulfilled" || !cmp.Equal(from, want) {
			t.Errorf("order %s: got %s, shipped %v, want fulfilled, shipped from its allocations %v", o.ID, got.Status, from, want)
		}
	}
	wantLocations("after shipping all but one", shipped)

	// Cancel one that has not shipped: its units go back where they were.
	last := orders[len(orders)-1]
	e2eWantStatus(t, "cancel "+last.ID, s.admin(t, "POST", "/api/admin/orders/"+last.ID+"/cancel", nil), 200)
	for _, a := range last.Allocations {
		committed[a.LocationID] -= int64(a.Quantity)
	}
	moneyWait(t, "the cancel restocked", func() (bool, string) {
		var c int64
		for _, l := range s.stockLevels(t, sku).Locations {
			c += l.Committed
		}
		var want int64
		for _, n := range committed {
			want += n
		}
		return c == want, fmt.Sprintf("committed %d, want %d", c, want)
	})
	wantLocations("after a cancel", shipped)
}
