package commerce

import (
	"context"
	"strings"
	"time"
)

// Promotion limits.
const (
	// MaxPromotions bounds how many promotions a shop holds, so that every
	// one fits the in-memory cache that prices carts.
	MaxPromotions = 500
	// MaxCartCodes bounds the promotion codes on one cart.
	MaxCartCodes = 5
	// MaxCodeLen bounds a promotion code.
	MaxCodeLen = 64
	// maxRuleItems bounds a promotion's SKUs and categories.
	maxRuleItems = 1000
)

// NewPromotionID returns a new promotion ID: "m" and 26 characters whose
// order follows creation time.
func NewPromotionID(now time.Time) string { return "m" + NewProductID(now)[1:] }

// ValidCode reports whether s is a well-formed promotion code: 1 to 64
// letters, digits, '_' and '-'. Codes match ignoring case.
func ValidCode(s string) bool {
	if len(s) == 0 || len(s) > MaxCodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// CodeKey returns the key under which a promotion's code is unique: the
// code in lower case, or "#" and the ID for a promotion with no code (a
// key no code can take).
func (p *Promotion) CodeKey() string {
	if p.Code == "" {
		return "#" + p.ID
	}
	return strings.ToLower(p.Code)
}

// Validate checks a promotion as an admin sends it (counters aside).
func (p *Promotion) Validate() error {
	a := p.Action
	switch {
	case p.Code != "" && !ValidCode(p.Code):
		return Invalidf(CodeInvalidRequest, "code %q is not 1-%d letters, digits, '_' and '-'", p.Code, MaxCodeLen)
	case p.Code == "" && !p.Automatic:
		return Invalidf(CodeInvalidRequest, "a promotion needs a code or automatic: true")
	case p.Currency != "" && !ValidCurrency(p.Currency):
		return Invalidf(CodeInvalidRequest, "currency %q is not an ISO 4217 code", p.Currency)
	case p.StartsAt != nil && p.EndsAt != nil && !p.EndsAt.After(*p.StartsAt):
		return Invalidf(CodeInvalidRequest, "endsAt must be after startsAt")
	case p.Status != PricingActive && p.Status != PricingDraft:
		return Invalidf(CodeInvalidRequest, "status must be active or draft")
	case p.Stacking != StackingStack && p.Stacking != StackingExclusive:
		return Invalidf(CodeInvalidRequest, "stacking must be stack or exclusive")
	case p.Priority < 0 || p.Priority > 1_000_000:
		return Invalidf(CodeInvalidRequest, "priority must be 0-1000000")
	case a.Type != ActionPercent && a.Type != ActionFixed && a.Type != ActionFreeShipping:
		return Invalidf(CodeInvalidRequest, "action.type must be percent, fixed or free_shipping")
	case a.Target != TargetOrder && a.Target != TargetLines:
		return Invalidf(CodeInvalidRequest, "action.target must be order or lines")
	case a.Type == ActionPercent && (a.Value < 1 || a.Value > 10_000):
		return Invalidf(CodeInvalidRequest, "a percent value is 1-10000 basis points")
	case a.Type == ActionFixed && (a.Value < 1 || a.Value > MaxAmount):
		return Invalidf(CodeInvalidRequest, "a fixed value is 1-%d minor units", int64(MaxAmount))
	case a.Type == ActionFixed && p.Currency == "":
		return Invalidf(CodeInvalidRequest, "a fixed discount needs the promotion's currency")
	case a.Type == ActionFreeShipping && a.Value != 0:
		return Invalidf(CodeInvalidRequest, "free_shipping takes no value")
	case p.UsageLimit != nil && (*p.UsageLimit < 0 || *p.UsageLimit > 1<<40):
		return Invalidf(CodeInvalidRequest, "usageLimit must be 0 or more")
	case p.PerCustomerLimit != nil && (*p.PerCustomerLimit < 1 || *p.PerCustomerLimit > 1<<40):
		return Invalidf(CodeInvalidRequest, "perCustomerLimit must be 1 or more")
	case len(p.Rules.SKUs) > maxRuleItems || len(p.Rules.Categories) > maxRuleItems:
		return Invalidf(CodeInvalidRequest, "rules hold at most %d skus and %d categories", maxRuleItems, maxRuleItems)
	}
	if m := p.Rules.MinSubtotal; m != nil {
		if err := m.Validate(); err != nil {
			return err
		}
	}
	for _, s := range p.Rules.SKUs {
		if !ValidSKU(s) {
			return Invalidf(CodeInvalidRequest, "sku %q is not a valid SKU", s)
		}
	}
	for _, c := range p.Rules.Categories {
		if !ValidSlug(c, MaxCategoryLen) {
			return Invalidf(CodeInvalidRequest, "category %q is not a valid category id", c)
		}
	}
	return validGroups(p.Rules.CustomerGroups)
}

// PromotionStore holds promotions and their redemption counters, in the
// relational store beside the checkouts whose transactions reserve
// redemptions. Implementations: sqlstore and memstore PromotionStore;
// storetest.TestPromotionStore holds them to the same behaviour.
type PromotionStore interface {
	// CreatePromotion stores a new promotion with no redemptions and sets
	// p.ETag. It returns KindConflict "code_taken" when another promotion
	// has p's code, in any case (decided by a unique key).
	CreatePromotion(ctx context.Context, p *Promotion) error

	// UpdatePromotion replaces what an admin may change of promotion p.ID
	// (everything but its code and counters) when its ETag is still
	// ifMatch, and sets p.ETag, p.Used and p.Reserved. It returns
	// "not_found", or KindPrecondition "precondition_failed" when the
	// promotion changed since ifMatch.
	UpdatePromotion(ctx context.Context, p *Promotion, ifMatch string) error

	// Promotion returns a promotion with its counters, or "not_found".
	Promotion(ctx context.Context, id string) (*Promotion, error)

	// Promotions returns every promotion with its counters, by ID.
	Promotions(ctx context.Context) ([]Promotion, error)
}
