package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// e2eLocation is a stock location as the admin API answers it.
type e2eLocation struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Priority  int      `json:"priority"`
	Countries []string `json:"countries"`
	Status    string   `json:"status"`
}

// e2eLocationLevel is a SKU's stock at one location.
type e2eLocationLevel struct {
	SKU        string `json:"sku"`
	LocationID string `json:"locationId"`
	OnHand     int64  `json:"onHand"`
	Committed  int64  `json:"committed"`
	Reserved   int64  `json:"reserved"`
	Available  int64  `json:"available"`
}

// e2eStockLevels is GET /api/admin/inventory/{sku}: totals and locations.
type e2eStockLevels struct {
	Totals    e2eStock           `json:"-"`
	Locations []e2eLocationLevel `json:"locations"`
}

// mustPutLocation creates or replaces a location.
func (s e2eShop) mustPutLocation(tb testing.TB, id string, priority int, status string, countries ...string) e2eLocation {
	tb.Helper()
	if countries == nil {
		countries = []string{}
	}
	res := s.admin(tb, "PUT", "/api/admin/locations/"+id, map[string]any{"name": "Location " + id, "priority": priority, "countries": countries, "status": status})
	e2eWantStatus(tb, "PUT location "+id, res, 200)
	var l e2eLocation
	res.JSON(tb, &l)
	return l
}

// mustSetStockAt sets a SKU's on-hand count at a location.
func (s e2eShop) mustSetStockAt(tb testing.TB, sku, location string, onHand int64) e2eLocationLevel {
	tb.Helper()
	res := s.admin(tb, "PUT", "/api/admin/inventory/"+sku+"/locations/"+location, map[string]any{"onHand": onHand})
	e2eWantStatus(tb, "PUT stock of "+sku+" at "+location, res, 200)
	var l e2eLocationLevel
	res.JSON(tb, &l)
	return l
}

// stockLevels reads a SKU's totals and its level at every location.
func (s e2eShop) stockLevels(tb testing.TB, sku string) e2eStockLevels {
	tb.Helper()
	res := s.admin(tb, "GET", "/api/admin/inventory/"+sku, nil)
	e2eWantStatus(tb, "GET /api/admin/inventory/"+sku, res, 200)
	var l e2eStockLevels
	res.JSON(tb, &l)
	res.JSON(tb, &l.Totals)
	return l
}

// availableIn reads how many units of sku can ship to country.
func (s e2eShop) availableIn(tb testing.TB, sku, country string) int64 {
	tb.Helper()
	res := s.do(tb, "GET", "/api/inventory/"+sku+"?country="+country, nil)
	e2eWantStatus(tb, "GET /api/inventory/"+sku+"?country="+country, res, 200)
	var l struct {
		Country   string `json:"country"`
		Available int64  `json:"available"`
	}
	res.JSON(tb, &l)
	if l.Country != country {
		tb.Errorf("GET /api/inventory/%s?country=%s: got country %q", sku, country, l.Country)
	}
	return l.Available
}

// TestE2ELocations: locations over HTTP; the default location always
// exists and holds what PUT /api/admin/inventory/{sku} sets; totals count
// active locations only; a country counts the locations that ship there;
// ERPs count a location through the inventory queue.
func TestE2ELocations(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)

	res := s.admin(t, "GET", "/api/admin/locations", nil)
	e2eWantStatus(t, "GET locations", res, 200)
	var list struct{ Items []e2eLocation }
	res.JSON(t, &list)
	def := e2eLocation{ID: "default", Name: "Default", Countries: []string{}, Status: "active"}
	if diff := cmp.Diff([]e2eLocation{def}, list.Items); diff != "" {
		t.Errorf("locations of a new shop (-want +got):\n%s", diff)
	}
	eu := s.mustPutLocation(t, "eu-1", 2, "active", "NL", "DE")
	us := s.mustPutLocation(t, "us-1", 1, "active", "US", "CA")
	if want := (e2eLocation{ID: "us-1", Name: "Location us-1", Priority: 1, Countries: []string{"US", "CA"}, Status: "active"}); !cmp.Equal(us, want) {
		t.Errorf("PUT us-1: got %+v, want %+v", us, want)
	}
	res = s.admin(t, "GET", "/api/admin/locations/eu-1", nil)
	e2eWantStatus(t, "GET eu-1", res, 200)
	var got e2eLocation
	res.JSON(t, &got)
	if !cmp.Equal(got, eu) {
		t.Errorf("GET eu-1: got %+v, want %+v", got, eu)
	}
	res = s.admin(t, "GET", "/api/admin/locations", nil)
	res.JSON(t, &list)
	if ids := []string{list.Items[0].ID, list.Items[1].ID, list.Items[2].ID}; !cmp.Equal(ids, []string{"default", "us-1", "eu-1"}) {
		t.Errorf("locations: got %v, want by priority then id", ids)
	}

	for _, tt := range []struct {
		name string
		path string
		body any
		code string
	}{
		{"an upper-case id", "/api/admin/locations/EU", map[string]any{"name": "x", "priority": 1}, "invalid_request"},
		{"no priority", "/api/admin/locations/x", map[string]any{"name": "x"}, "invalid_request"},
		{"a bad country", "/api/admin/locations/x", map[string]any{"name": "x", "priority": 1, "countries": []string{"usa"}}, "invalid_request"},
		{"a bad status", "/api/admin/locations/x", map[string]any{"name": "x", "priority": 1, "status": "open"}, "invalid_request"},
		{"countries on default", "/api/admin/locations/default", map[string]any{"name": "x", "priority": 1, "countries": []string{"US"}}, "invalid_request"},
		{"an unknown field", "/api/admin/locations/x", map[string]any{"name": "x", "priority": 1, "city": "Reno"}, "invalid_request"},
	} {
		e2eWantProblem(t, "PUT location with "+tt.name, s.admin(t, "PUT", tt.path, tt.body), 400, tt.code)
	}
	e2eWantProblem(t, "GET an unknown location", s.admin(t, "GET", "/api/admin/locations/nowhere", nil), 404, "not_found")
	e2eWantProblem(t, "GET locations without the key", s.do(t, "GET", "/api/admin/locations", nil), 401, "unauthorized")
	e2eWantProblem(t, "PUT a location without the key", s.do(t, "PUT", "/api/admin/locations/x", map[string]any{"name": "x", "priority": 1}), 401, "unauthorized")

	s.mustStockedProduct(t, "loc-one", "LOC-ONE", 1000, 5) // at default
	if got, want := s.mustSetStockAt(t, "LOC-ONE", "eu-1", 3), (e2eLocationLevel{"LOC-ONE", "eu-1", 3, 0, 0, 3}); got != want {
		t.Errorf("PUT stock at eu-1: got %+v, want %+v", got, want)
	}
	e2eWantProblem(t, "PUT stock at an unknown location", s.admin(t, "PUT", "/api/admin/inventory/LOC-ONE/locations/nowhere", map[string]any{"onHand": 1}), 404, "not_found")
	e2eWantProblem(t, "PUT stock of a SKU of no product", s.admin(t, "PUT", "/api/admin/inventory/NO-SUCH/locations/eu-1", map[string]any{"onHand": 1}), 404, "not_found")
	e2eWantProblem(t, "PUT a negative count at eu-1", s.admin(t, "PUT", "/api/admin/inventory/LOC-ONE/locations/eu-1", map[string]any{"onHand": -1}), 400, "invalid_request")

	want := e2eStockLevels{e2eStock{"LOC-ONE", 8, 0, 0, 8}, []e2eLocationLevel{
		{"LOC-ONE", "default", 5, 0, 0, 5}, {"LOC-ONE", "us-1", 0, 0, 0, 0}, {"LOC-ONE", "eu-1", 3, 0, 0, 3},
	}}
	if diff := cmp.Diff(want, s.stockLevels(t, "LOC-ONE")); diff != "" {
		t.Errorf("GET admin inventory (-want +got):\n%s", diff)
	}
	if got := s.moneyAvailable(t, "LOC-ONE"); got != 8 {
		t.Errorf("public available: got %d, want 8 over every active location", got)
	}
	for country, want := range map[string]int64{"US": 5, "NL": 8, "JP": 5} {
		if got := s.availableIn(t, "LOC-ONE", country); got != want {
			t.Errorf("available in %s: got %d, want %d", country, got, want)
		}
	}
	e2eWantProblem(t, "a malformed country", s.do(t, "GET", "/api/inventory/LOC-ONE?country=usa", nil), 400, "invalid_request")

	// A warehouse counts its shelf through the inventory queue.
	msg := map[string]any{"type": "StockLevelSet", "sku": "LOC-ONE", "locationId": "us-1", "onHand": 4, "source": "wms-reno", "sequence": 7}
	moneyWantInvoked(t, "POST /inventory StockLevelSet at us-1", s.moneyInvoke(t, "inventory", "object", msg, true))
	msg["onHand"], msg["sequence"] = 1, 6 // older: changes nothing
	moneyWantInvoked(t, "POST /inventory an older StockLevelSet at us-1", s.moneyInvoke(t, "inventory", "object", msg, true))
	if got := s.availableIn(t, "LOC-ONE", "US"); got != 9 {
		t.Errorf("available in US after the warehouse's count: got %d, want 9", got)
	}

	// Inactive locations do not count.
	s.mustPutLocation(t, "eu-1", 2, "inactive", "NL", "DE")
	if got := s.stockLevels(t, "LOC-ONE").Totals; got != (e2eStock{"LOC-ONE", 9, 0, 0, 9}) {
		t.Errorf("totals with eu-1 inactive: got %+v, want default and us-1 only", got)
	}
	if got := s.availableIn(t, "LOC-ONE", "NL"); got != 5 {
		t.Errorf("available in NL with eu-1 inactive: got %d, want 5", got)
	}
}
