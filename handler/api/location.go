package api

import (
	"net/http"

	"shopfn/handler/commerce"
)

// locationStore returns the inventory's locations, or KindNotFound when the
// store has none.
func (s *Server) locationStore() (commerce.LocationStore, error) {
	ls, ok := s.Inventory.(commerce.LocationStore)
	if !ok {
		return nil, commerce.NotFoundf("this store has no stock locations")
	}
	return ls, nil
}

// locationInput is the body of PUT /api/admin/locations/{locationId}.
type locationInput struct {
	Name      string                  `json:"name"`
	Priority  *int                    `json:"priority"`
	Countries []string                `json:"countries"`
	Status    commerce.LocationStatus `json:"status"`
}

// locationID returns the path's location ID, 404 when it cannot be one.
func locationID(r *http.Request) (string, error) {
	id := r.PathValue("locationId")
	if !commerce.ValidSlug(id, commerce.MaxLocationIDLen) {
		return "", commerce.NotFoundf("location %q not found", id)
	}
	return id, nil
}

func (s *Server) putLocation(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in locationInput
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	id := r.PathValue("locationId")
	if !commerce.ValidSlug(id, commerce.MaxLocationIDLen) {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "a location id is 1-%d lower-case letters, digits and '-'", commerce.MaxLocationIDLen)
	}
	if in.Priority == nil {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "priority is required")
	}
	if in.Status == "" {
		in.Status = commerce.LocationActive
	}
	ls, err := s.locationStore()
	if err != nil {
		return err
	}
	l, err := ls.PutLocation(r.Context(), commerce.Location{ID: id, Name: in.Name, Priority: *in.Priority, Countries: in.Countries, Status: in.Status})
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, l)
	return nil
}

func (s *Server) getLocation(w http.ResponseWriter, r *http.Request) error {
	id, err := locationID(r)
	if err != nil {
		return err
	}
	ls, err := s.locationStore()
	if err != nil {
		return err
	}
	l, err := ls.Location(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, l)
	return nil
}

func (s *Server) listLocations(w http.ResponseWriter, r *http.Request) error {
	ls, err := s.locationStore()
	if err != nil {
		return err
	}
	locs, err := ls.Locations(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, map[string]any{"items": locs})
	return nil
}

// locationLevel is a SKU's stock at one location as staff read it.
type locationLevel struct {
	SKU        string `json:"sku"`
	LocationID string `json:"locationId"`
	OnHand     int64  `json:"onHand"`
	Committed  int64  `json:"committed"`
	Reserved   int64  `json:"reserved"`
	Available  int64  `json:"available"`
}

func newLocationLevel(l commerce.LocationLevel) locationLevel {
	return locationLevel{SKU: l.SKU, LocationID: l.LocationID, OnHand: l.OnHand, Committed: l.Committed, Reserved: l.Reserved, Available: l.Available()}
}

func (s *Server) setLocationInventory(w http.ResponseWriter, r *http.Request) error {
	sku := r.PathValue("sku")
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	onHand, threshold, err := parseStock(body)
	if err != nil {
		return err
	}
	if threshold != nil {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "lowStockThreshold is the SKU's, over every location: set it with PUT /api/admin/inventory/{sku}")
	}
	if !commerce.ValidSKU(sku) {
		return commerce.NotFoundf("sku %q not found", sku)
	}
	id, err := locationID(r)
	if err != nil {
		return err
	}
	refs, err := s.Catalog.Variants(r.Context(), []string{sku})
	if err != nil {
		return err
	}
	if _, ok := refs[sku]; !ok {
		return commerce.NotFoundf("sku %q is in no product; create the product first", sku)
	}
	ls, err := s.locationStore()
	if err != nil {
		return err
	}
	l, err := ls.SetLocationOnHand(r.Context(), sku, id, onHand)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newLocationLevel(l))
	return nil
}

// stockLevels is a SKU's stock as staff read it: the totals over active
// locations, and its level at each location.
type stockLevels struct {
	stockLevel
	Locations []locationLevel `json:"locations"`
}

// withLocations returns the totals with the SKU's level at each location,
// when the store has locations.
func (s *Server) withLocations(r *http.Request, total commerce.StockLevel) (any, error) {
	base, err := s.withThreshold(r, newStockLevel(total))
	if err != nil {
		return nil, err
	}
	ls, ok := s.Inventory.(commerce.LocationStore)
	if !ok {
		return base, nil
	}
	levels, err := ls.LocationLevels(r.Context(), total.SKU)
	if err != nil {
		return nil, err
	}
	out := stockLevels{stockLevel: base, Locations: make([]locationLevel, len(levels))}
	for i, l := range levels {
		out.Locations[i] = newLocationLevel(l)
	}
	return out, nil
}

// availableIn returns how many units of sku active locations that serve
// country can sell.
func (s *Server) availableIn(r *http.Request, sku, country string) (int64, error) {
	if !commerce.ValidCountry(country) {
		return 0, commerce.Invalidf(commerce.CodeInvalidRequest, "country must be an upper-case ISO 3166-1 alpha-2 code")
	}
	ls, err := s.locationStore()
	if err != nil {
		return 0, err
	}
	locs, err := ls.Locations(r.Context())
	if err != nil {
		return 0, err
	}
	levels, err := ls.LocationLevels(r.Context(), sku)
	if err != nil {
		return 0, err
	}
	serves := map[string]bool{}
	for _, l := range locs {
		serves[l.ID] = l.Status == commerce.LocationActive && l.Serves(country)
	}
	var n int64
	for _, l := range levels {
		if serves[l.LocationID] {
			n += l.Available()
		}
	}
	return n, nil
}
