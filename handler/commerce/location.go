package commerce

import (
	"context"
	"slices"
)

// DefaultLocation is the location that always exists and serves every
// country. A SKU's one stock level from before locations is its level, and
// every call that names no location means it.
const DefaultLocation = "default"

// Limits on locations.
const (
	MaxLocations         = 100 // locations a store holds at most
	MaxLocationIDLen     = 64
	MaxLocationNameLen   = 200
	MaxLocationCountries = 250
	MaxLocationPriority  = 1_000_000
)

// LocationStatus says whether a location's stock counts and sells.
type LocationStatus string

// The statuses of a location.
const (
	LocationActive   LocationStatus = "active"
	LocationInactive LocationStatus = "inactive"
)

// Location is a place that holds stock: a warehouse or a store. A lower
// Priority is tried first; an empty Countries list serves every country.
// Only active locations count in totals and sell.
type Location struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Priority  int            `json:"priority"`
	Countries []string       `json:"countries"`
	Status    LocationStatus `json:"status"`
}

// Serves reports whether l can ship to country (an ISO 3166-1 alpha-2 code).
func (l Location) Serves(country string) bool {
	return len(l.Countries) == 0 || slices.Contains(l.Countries, country)
}

// Validate checks a location's fields, including that the default location
// serves every country.
func (l Location) Validate() error {
	if !ValidSlug(l.ID, MaxLocationIDLen) {
		return Invalidf(CodeInvalidRequest, "a location id is 1-%d lower-case letters, digits and '-'", MaxLocationIDLen)
	}
	if l.Name == "" || len(l.Name) > MaxLocationNameLen {
		return Invalidf(CodeInvalidRequest, "name must be 1-%d bytes", MaxLocationNameLen)
	}
	if l.Priority < 0 || l.Priority > MaxLocationPriority {
		return Invalidf(CodeInvalidRequest, "priority must be 0-%d", MaxLocationPriority)
	}
	if l.Status != LocationActive && l.Status != LocationInactive {
		return Invalidf(CodeInvalidRequest, "status must be active or inactive")
	}
	if len(l.Countries) > MaxLocationCountries {
		return Invalidf(CodeInvalidRequest, "countries holds at most %d codes", MaxLocationCountries)
	}
	for i, c := range l.Countries {
		if !ValidCountry(c) {
			return Invalidf(CodeInvalidRequest, "countries[%d] is not an upper-case ISO 3166-1 alpha-2 code", i)
		}
		if slices.Contains(l.Countries[:i], c) {
			return Invalidf(CodeInvalidRequest, "countries lists %s twice", c)
		}
	}
	if l.ID == DefaultLocation && len(l.Countries) > 0 {
		return Invalidf(CodeInvalidRequest, "the default location serves every country: its countries list is empty")
	}
	return nil
}

// ValidCountry reports whether c is two upper-case ASCII letters.
func ValidCountry(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// LocationLevel is the stock of one SKU at one location.
type LocationLevel struct {
	StockLevel
	LocationID string `json:"locationId"`
}

// LocationStore holds locations and the stock at each. The default
// location's levels are the levels InventoryStore.SetOnHand sets.
// Implementations: sqlstore.InventoryStore and memstore.InventoryStore;
// storetest.TestLocations holds them to the same behaviour.
type LocationStore interface {
	// PutLocation creates or replaces a location and returns it. It
	// returns KindInvalid for a location that fails Validate and
	// KindConflict "too_many_locations" beyond MaxLocations.
	PutLocation(ctx context.Context, l Location) (Location, error)

	// Location returns a location, or KindNotFound.
	Location(ctx context.Context, id string) (Location, error)

	// Locations returns every location, by priority then ID.
	Locations(ctx context.Context) ([]Location, error)

	// LocationLevels returns a SKU's level at every location, active or
	// not, in the order of Locations; a location that never held the SKU
	// has a zero level.
	LocationLevels(ctx context.Context, sku string) ([]LocationLevel, error)

	// SetLocationOnHand sets a SKU's on-hand count at a location as
	// SetOnHand does (refused below what is held there, KindConflict
	// "stock_below_held"), and returns the new level. An unknown location
	// is KindNotFound.
	SetLocationOnHand(ctx context.Context, sku, locationID string, onHand int64) (LocationLevel, error)

	// ApplyLocationStockLevel is ApplyStockLevel at a location: sequences
	// are kept per SKU, location and source. An unknown location is
	// KindNotFound.
	ApplyLocationStockLevel(ctx context.Context, sku, locationID string, onHand int64, source string, sequence int64) (bool, error)
}
