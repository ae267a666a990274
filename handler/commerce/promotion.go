package commerce

import "time"

// Promotion action types and targets.
const (
	ActionPercent      = "percent"
	ActionFixed        = "fixed"
	ActionFreeShipping = "free_shipping"
	TargetOrder        = "order"
	TargetLines        = "lines"
	StackingStack      = "stack"
	StackingExclusive  = "exclusive"
)

// Promotion is a discount: applied by a code or by itself (Automatic),
// when the cart meets its Rules, between optional dates while active.
type Promotion struct {
	ID        string     `json:"id"`
	Code      string     `json:"code,omitempty"`
	Automatic bool       `json:"automatic"`
	StartsAt  *time.Time `json:"startsAt,omitempty"`
	EndsAt    *time.Time `json:"endsAt,omitempty"`
	// Currency, when set, limits the promotion to carts in it; a fixed
	// action's value is in its minor units.
	Currency string          `json:"currency,omitempty"`
	Rules    PromotionRules  `json:"rules"`
	Action   PromotionAction `json:"action"`
	// Stacking is "stack" or "exclusive"; a lower Priority applies first.
	Stacking         string `json:"stacking"`
	Priority         int    `json:"priority"`
	UsageLimit       *int64 `json:"usageLimit,omitempty"`
	PerCustomerLimit *int64 `json:"perCustomerLimit,omitempty"`
	// Refundable gives a cancelled order's redemption back.
	Refundable bool   `json:"refundable"`
	Status     string `json:"status"`
	// Used and Reserved count paid and held redemptions.
	Used     int64 `json:"used"`
	Reserved int64 `json:"reserved"`
	// ETag identifies this version; stores set it on every write.
	ETag string `json:"-"`
}

// PromotionRules are what a cart must meet for a promotion to apply.
type PromotionRules struct {
	// MinSubtotal is the least subtotal (after price lists), in its currency.
	MinSubtotal *Money `json:"minSubtotal,omitempty"`
	// SKUs and Categories, when set, need one line among them; a "lines"
	// action discounts only those lines.
	SKUs       []string `json:"skus,omitempty"`
	Categories []string `json:"categories,omitempty"`
	// CustomerGroups, when set, need the customer in one of them.
	CustomerGroups []string `json:"customerGroups,omitempty"`
}

// PromotionAction is what a promotion takes off: a percentage in basis
// points (1250 = 12.5%), a fixed amount (off the order, or off each unit
// of the targeted lines), or the shipping.
type PromotionAction struct {
	Type   string `json:"type"`
	Value  int64  `json:"value"`
	Target string `json:"target"`
}

// Live reports whether p applies at now: active, started and not ended.
func (p *Promotion) Live(now time.Time) bool {
	return p.Status == PricingActive && inWindow(p.StartsAt, p.EndsAt, now)
}

// Discount is what one promotion took off a cart or checkout.
type Discount struct {
	PromotionID string `json:"promotionId"`
	Code        string `json:"code,omitempty"`
	Amount      Money  `json:"amount"`
}

// Adjustment is what one promotion took off one line.
type Adjustment struct {
	PromotionID string `json:"promotionId"`
	Amount      Money  `json:"amount"`
}
