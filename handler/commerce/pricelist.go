package commerce

import (
	"context"
	"time"
)

// Price list limits.
const (
	// MaxListPrices bounds the prices of one price list.
	MaxListPrices = 10_000
	// MaxPriceLists bounds how many price lists a shop holds, so that
	// every list fits the in-memory cache that prices carts.
	MaxPriceLists = 50
)

// PriceList is a set of prices in one currency for some customer groups
// (none: everyone, a sale), live between optional dates while active.
type PriceList struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Currency       string     `json:"currency"`
	CustomerGroups []string   `json:"customerGroups"`
	StartsAt       *time.Time `json:"startsAt,omitempty"`
	EndsAt         *time.Time `json:"endsAt,omitempty"`
	// Status is "active" or "draft"; a draft list prices nothing.
	Status    string      `json:"status"`
	Prices    []ListPrice `json:"prices"`
	UpdatedAt time.Time   `json:"updatedAt"`
	// ETag identifies this version of the list; stores set it on every write.
	ETag string `json:"-"`
}

// ListPrice is the price of one SKU in a price list, in minor units of the
// list's currency.
type ListPrice struct {
	SKU    string `json:"sku"`
	Amount int64  `json:"amount"`
}

// The statuses of price lists, shipping options and promotions.
const (
	PricingActive = "active"
	PricingDraft  = "draft"
)

// Live reports whether l prices carts at now: active, started and not ended.
func (l *PriceList) Live(now time.Time) bool {
	return l.Status == PricingActive && inWindow(l.StartsAt, l.EndsAt, now)
}

// inWindow reports whether now is at or after startsAt and before endsAt,
// either of which may be absent.
func inWindow(startsAt, endsAt *time.Time, now time.Time) bool {
	return (startsAt == nil || !now.Before(*startsAt)) && (endsAt == nil || now.Before(*endsAt))
}

// Validate checks a price list as an admin sends it.
func (l *PriceList) Validate() error {
	switch {
	case !ValidSlug(l.ID, 64):
		return Invalidf(CodeInvalidRequest, "price list id %q is not 1-64 characters of a-z, 0-9 and '-'", l.ID)
	case l.Name == "" || len(l.Name) > 200:
		return Invalidf(CodeInvalidRequest, "name must be 1-200 characters")
	case !ValidCurrency(l.Currency):
		return Invalidf(CodeInvalidRequest, "currency %q is not an ISO 4217 code", l.Currency)
	case l.Status != PricingActive && l.Status != PricingDraft:
		return Invalidf(CodeInvalidRequest, "status must be active or draft")
	case l.StartsAt != nil && l.EndsAt != nil && !l.EndsAt.After(*l.StartsAt):
		return Invalidf(CodeInvalidRequest, "endsAt must be after startsAt")
	case len(l.Prices) > MaxListPrices:
		return Invalidf(CodeInvalidRequest, "a price list holds at most %d prices", MaxListPrices)
	}
	if err := validGroups(l.CustomerGroups); err != nil {
		return err
	}
	seen := make(map[string]bool, len(l.Prices))
	for _, p := range l.Prices {
		if !ValidSKU(p.SKU) {
			return Invalidf(CodeInvalidRequest, "sku %q is not a valid SKU", p.SKU)
		}
		if seen[p.SKU] {
			return Invalidf(CodeInvalidRequest, "sku %q is priced twice", p.SKU)
		}
		seen[p.SKU] = true
		if err := (Money{Amount: p.Amount, Currency: l.Currency}).Validate(); err != nil {
			return err
		}
	}
	return nil
}

// validGroups checks a list of customer group names.
func validGroups(groups []string) error {
	if len(groups) > MaxGroups {
		return Invalidf(CodeInvalidRequest, "at most %d customer groups", MaxGroups)
	}
	for _, g := range groups {
		if !ValidSlug(g, MaxGroupLen) {
			return Invalidf(CodeInvalidRequest, "customer groups are 1-%d characters of a-z, 0-9 and '-'", MaxGroupLen)
		}
	}
	return nil
}

// PriceListStore holds price lists. Implementations: sqlite, memstore and
// cosmos PriceListStore; storetest.TestPriceListStore holds them to the
// same behaviour.
type PriceListStore interface {
	// PutPriceList creates or replaces the price list l.ID and sets l.ETag.
	// When ifMatch is not empty and differs from the stored ETag (or there
	// is none) it returns KindPrecondition "precondition_failed".
	PutPriceList(ctx context.Context, l *PriceList, ifMatch string) error

	// PriceList returns the price list with the given ID, or "not_found".
	PriceList(ctx context.Context, id string) (*PriceList, error)

	// PriceLists returns every price list, ordered by ID.
	PriceLists(ctx context.Context) ([]PriceList, error)

	// DeletePriceList removes a price list, or returns "not_found".
	DeletePriceList(ctx context.Context, id string) error
}
