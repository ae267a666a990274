package memstore

import (
	"cmp"
	"context"
	"slices"

	"shopfn/handler/commerce"
)

var _ commerce.LocationStore = (*InventoryStore)(nil)

// locKey names one SKU's level at one location other than the default.
type locKey struct{ sku, location string }

// locSourceKey names one source's counts of one SKU at one location.
type locSourceKey struct{ sku, location, source string }

// defaultLocation is the default location as a new store holds it.
func defaultLocation() commerce.Location {
	return commerce.Location{ID: commerce.DefaultLocation, Name: "Default", Countries: []string{}, Status: commerce.LocationActive}
}

// PutLocation creates or replaces a location.
func (s *InventoryStore) PutLocation(ctx context.Context, l commerce.Location) (commerce.Location, error) {
	if err := l.Validate(); err != nil {
		return commerce.Location{}, err
	}
	l.Countries = slices.Clone(l.Countries)
	if l.Countries == nil {
		l.Countries = []string{}
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if _, ok := s.db.locations[l.ID]; !ok && len(s.db.locations) >= commerce.MaxLocations {
		return commerce.Location{}, commerce.Errorf(commerce.KindConflict, commerce.CodeTooManyLocations, "there are %d locations already", commerce.MaxLocations)
	}
	s.db.locations[l.ID] = l
	return cloneLocation(l), nil
}

// Location returns a location.
func (s *InventoryStore) Location(ctx context.Context, id string) (commerce.Location, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	l, ok := s.db.locations[id]
	if !ok {
		return commerce.Location{}, commerce.NotFoundf("location %q not found", id)
	}
	return cloneLocation(l), nil
}

// Locations returns every location, by priority then ID.
func (s *InventoryStore) Locations(ctx context.Context) ([]commerce.Location, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	return s.db.sortedLocations(), nil
}

// sortedLocations returns every location by priority then ID. The caller
// holds db.mu.
func (db *DB) sortedLocations() []commerce.Location {
	out := make([]commerce.Location, 0, len(db.locations))
	for _, l := range db.locations {
		out = append(out, cloneLocation(l))
	}
	slices.SortFunc(out, func(a, b commerce.Location) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func cloneLocation(l commerce.Location) commerce.Location {
	l.Countries = slices.Clone(l.Countries)
	return l
}

// LocationLevels returns a SKU's level at every location.
func (s *InventoryStore) LocationLevels(ctx context.Context, sku string) ([]commerce.LocationLevel, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	var out []commerce.LocationLevel
	for _, loc := range s.db.sortedLocations() {
		out = append(out, commerce.LocationLevel{StockLevel: s.db.levelAt(sku, loc.ID), LocationID: loc.ID})
	}
	return out, nil
}

// levelAt returns a SKU's level at a location, zero when it never held it.
// The caller holds db.mu.
func (db *DB) levelAt(sku, location string) commerce.StockLevel {
	if location == commerce.DefaultLocation {
		return db.level(sku)
	}
	if l, ok := db.locStock[locKey{sku, location}]; ok {
		return l
	}
	return commerce.StockLevel{SKU: sku}
}

// setLevelAt stores a SKU's level at a location. The caller holds db.mu.
func (db *DB) setLevelAt(location string, l commerce.StockLevel) {
	if location == commerce.DefaultLocation {
		db.stock[l.SKU] = l
		return
	}
	db.locStock[locKey{l.SKU, location}] = l
}

// activeLevel returns a SKU's total over active locations, as the
// relational store sums it. The caller holds db.mu.
func (db *DB) activeLevel(sku string) commerce.StockLevel {
	var levels []commerce.StockLevel
	if db.locations[commerce.DefaultLocation].Status == commerce.LocationActive {
		if l, ok := db.stock[sku]; ok {
			levels = append(levels, l)
		}
	}
	for k, l := range db.locStock {
		if k.sku == sku && db.locations[k.location].Status == commerce.LocationActive {
			levels = append(levels, l)
		}
	}
	switch len(levels) {
	case 0:
		return commerce.StockLevel{SKU: sku}
	case 1:
		return levels[0]
	}
	var t commerce.StockLevel
	for _, l := range levels {
		t = t.Add(l)
	}
	return t
}

// SetLocationOnHand sets a SKU's on-hand count at a location.
func (s *InventoryStore) SetLocationOnHand(ctx context.Context, sku, locationID string, onHand int64) (commerce.LocationLevel, error) {
	if err := checkOnHand(onHand); err != nil {
		return commerce.LocationLevel{}, err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if _, ok := s.db.locations[locationID]; !ok {
		return commerce.LocationLevel{}, commerce.NotFoundf("location %q not found", locationID)
	}
	l := s.db.levelAt(sku, locationID)
	if held := l.Committed + l.Reserved; onHand < held {
		e := commerce.Errorf(commerce.KindConflict, commerce.CodeStockBelowHeld,
			"on hand %d is below the %d units of %s that orders and checkouts hold at %s", onHand, held, sku, locationID)
		e.SKUs = []string{sku}
		return commerce.LocationLevel{}, e
	}
	l.OnHand = onHand
	s.db.setLevelAt(locationID, l)
	return commerce.LocationLevel{StockLevel: l, LocationID: locationID}, nil
}

// ApplyLocationStockLevel applies a source's count at a location unless
// the source sent one with a sequence at least as high there.
func (s *InventoryStore) ApplyLocationStockLevel(ctx context.Context, sku, locationID string, onHand int64, source string, sequence int64) (bool, error) {
	if locationID == commerce.DefaultLocation {
		return s.ApplyStockLevel(ctx, sku, onHand, source, sequence)
	}
	if err := checkOnHand(onHand); err != nil {
		return false, err
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if _, ok := s.db.locations[locationID]; !ok {
		return false, commerce.NotFoundf("location %q not found", locationID)
	}
	k := locSourceKey{sku, locationID, source}
	if last, ok := s.db.locSeqs[k]; ok && sequence <= last {
		return false, nil
	}
	s.db.locSeqs[k] = sequence
	l := s.db.levelAt(sku, locationID)
	l.OnHand = onHand
	s.db.setLevelAt(locationID, l)
	return true, nil
}
