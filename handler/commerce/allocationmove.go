package commerce

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// AllocationMove asks to move units of an order's line that have not
// shipped from one location to another (OrderStore.MoveAllocation).
type AllocationMove struct {
	SKU      string `json:"sku"`
	From     string `json:"from"`
	To       string `json:"to"`
	Quantity int    `json:"quantity"`
	// IdempotencyKey makes a retry move nothing twice; empty, every
	// request is new.
	IdempotencyKey string `json:"-"`
	// RequestHash identifies the request's body for IdempotencyKey; Hash
	// sets it.
	RequestHash string `json:"-"`
}

// Validate checks a move's fields: a SKU, two distinct known-looking
// locations and a positive quantity.
func (m AllocationMove) Validate() error {
	if m.SKU == "" || len(m.SKU) > 255 {
		return Invalidf(CodeInvalidRequest, "sku must be 1-255 bytes")
	}
	if !ValidSlug(m.From, MaxLocationIDLen) || !ValidSlug(m.To, MaxLocationIDLen) {
		return Invalidf(CodeInvalidRequest, "from and to are location ids: 1-%d lower-case letters, digits and '-'", MaxLocationIDLen)
	}
	if m.From == m.To {
		return Invalidf(CodeInvalidRequest, "from and to must be different locations")
	}
	if m.Quantity < 1 || m.Quantity > maxFulfilmentQuantity {
		return Invalidf(CodeInvalidRequest, "quantity must be 1-%d", maxFulfilmentQuantity)
	}
	return nil
}

// Hash returns m with RequestHash set: the hex SHA-256 of its fields, so
// that the same body under one Idempotency-Key replays and another is
// refused.
func (m AllocationMove) Hash() AllocationMove {
	b, _ := json.Marshal(m) // plain strings and an int: cannot fail
	sum := sha256.Sum256(b)
	m.RequestHash = hex.EncodeToString(sum[:])
	return m
}

// CannotShipFrom is the KindConflict "insufficient_stock" error for a move
// to a location that is inactive or does not ship to the order's country.
func CannotShipFrom(orderID, sku, loc, why string) error {
	e := Errorf(KindConflict, CodeInsufficientStock, "order %s cannot ship %s from %s: %s", orderID, sku, loc, why)
	e.SKUs = []string{sku}
	return e
}

// ShortAt is the KindConflict "insufficient_stock" error for a move to a
// location that has fewer units of sku available than it asks for.
func ShortAt(sku, loc string, q int) error {
	e := Errorf(KindConflict, CodeInsufficientStock, "%s has fewer than %d units of %s available", loc, q, sku)
	e.SKUs = []string{sku}
	return e
}
