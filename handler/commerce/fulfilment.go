package commerce

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"
)

// Limits on fulfilments.
const (
	MaxFulfilmentLines    = 100
	MaxTrackingNumberLen  = 200
	MaxCarrierLen         = 100
	MaxIdempotencyKeyLen  = 255
	maxFulfilmentQuantity = 1_000_000
)

// FulfilmentLine is how many units of a SKU a shipment holds.
type FulfilmentLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Fulfilment is a shipment of part or all of an order from one location.
type Fulfilment struct {
	ID             string           `json:"id"`
	LocationID     string           `json:"locationId"`
	Lines          []FulfilmentLine `json:"lines"`
	TrackingNumber string           `json:"trackingNumber"`
	Carrier        string           `json:"carrier"`
	CreatedAt      time.Time        `json:"createdAt"`
}

// FulfilmentRequest asks to ship lines of an order from one location.
type FulfilmentRequest struct {
	LocationID     string           `json:"locationId"`
	Lines          []FulfilmentLine `json:"lines"`
	TrackingNumber string           `json:"trackingNumber,omitempty"`
	Carrier        string           `json:"carrier,omitempty"`
	// IdempotencyKey makes a retry ship nothing twice; empty, every
	// request is new.
	IdempotencyKey string `json:"-"`
	// RequestHash identifies the request's body for IdempotencyKey; Hash
	// sets it.
	RequestHash string `json:"-"`
}

// Validate checks a fulfilment request's fields: a known-looking
// location, 1-MaxFulfilmentLines lines of distinct SKUs with positive
// quantities.
func (f FulfilmentRequest) Validate() error {
	if !ValidSlug(f.LocationID, MaxLocationIDLen) {
		return Invalidf(CodeInvalidRequest, "locationId is 1-%d lower-case letters, digits and '-'", MaxLocationIDLen)
	}
	if len(f.Lines) == 0 || len(f.Lines) > MaxFulfilmentLines {
		return Invalidf(CodeInvalidRequest, "lines must hold 1-%d lines", MaxFulfilmentLines)
	}
	for i, l := range f.Lines {
		if l.SKU == "" || len(l.SKU) > 255 {
			return Invalidf(CodeInvalidRequest, "lines[%d].sku must be 1-255 bytes", i)
		}
		if l.Quantity < 1 || l.Quantity > maxFulfilmentQuantity {
			return Invalidf(CodeInvalidRequest, "lines[%d].quantity must be 1-%d", i, maxFulfilmentQuantity)
		}
		if slices.ContainsFunc(f.Lines[:i], func(o FulfilmentLine) bool { return o.SKU == l.SKU }) {
			return Invalidf(CodeInvalidRequest, "lines lists %s twice", l.SKU)
		}
	}
	if len(f.TrackingNumber) > MaxTrackingNumberLen {
		return Invalidf(CodeInvalidRequest, "trackingNumber is at most %d bytes", MaxTrackingNumberLen)
	}
	if len(f.Carrier) > MaxCarrierLen {
		return Invalidf(CodeInvalidRequest, "carrier is at most %d bytes", MaxCarrierLen)
	}
	return nil
}

// Hash returns f with RequestHash set: the hex SHA-256 of its fields, so
// that the same body under one Idempotency-Key replays and another is
// refused.
func (f FulfilmentRequest) Hash() FulfilmentRequest {
	b, _ := json.Marshal(f) // plain strings and ints: cannot fail
	sum := sha256.Sum256(b)
	f.RequestHash = hex.EncodeToString(sum[:])
	return f
}

// NotAllocated is the KindConflict "not_allocated" error for a line that
// asks for more units than are allocated at a location and unshipped.
func NotAllocated(orderID, sku, loc string, q int) error {
	return Errorf(KindConflict, CodeNotAllocated, "order %s has fewer than %d unshipped units of %s allocated at %s", orderID, q, sku, loc)
}

// IdempotencyReused is the KindInvalid "idempotency_key_reused" error for
// a fulfilment key sent again with another body.
func IdempotencyReused() error {
	return Errorf(KindRule, CodeIdempotencyKeyReused, "this Idempotency-Key was used for another fulfilment request of this order")
}

// NewFulfilmentID returns a new fulfilment ID: "f" and 26 characters whose
// order follows creation time.
func NewFulfilmentID(now time.Time) string { return "f" + NewProductID(now)[1:] }
