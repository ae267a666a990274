package pricing

import (
	"cmp"
	"slices"
	"strings"

	"shopfn/handler/commerce"
)

// Reasons a promotion code does not apply to a cart.
const (
	ReasonUnknown       = "unknown"
	ReasonInactive      = "inactive"
	ReasonNotStarted    = "not_started"
	ReasonExpired       = "expired"
	ReasonCurrency      = "currency"
	ReasonMinSubtotal   = "min_subtotal"
	ReasonNoItems       = "no_matching_items"
	ReasonCustomerGroup = "customer_group"
)

// Rejection is a code on a cart that does not apply, and why.
type Rejection struct {
	Code        string `json:"code"`
	PromotionID string `json:"promotionId,omitempty"`
	Reason      string `json:"reason"`
}

// reason returns why p does not apply to the priced lines, or "".
func (in *Input) reason(p *commerce.Promotion, lines []commerce.OrderLine, subtotal int64) string {
	switch {
	case p.Status != commerce.PricingActive:
		return ReasonInactive
	case p.StartsAt != nil && in.Now.Before(*p.StartsAt):
		return ReasonNotStarted
	case p.EndsAt != nil && !in.Now.Before(*p.EndsAt):
		return ReasonExpired
	case p.Currency != "" && p.Currency != in.Currency,
		p.Action.Type == commerce.ActionFixed && p.Currency != in.Currency:
		return ReasonCurrency
	case p.Rules.MinSubtotal != nil && (p.Rules.MinSubtotal.Currency != in.Currency || subtotal < p.Rules.MinSubtotal.Amount):
		return ReasonMinSubtotal
	case !anyGroup(p.Rules.CustomerGroups, in.Groups):
		return ReasonCustomerGroup
	}
	for i := range lines {
		if in.targets(p, i) {
			return ""
		}
	}
	return ReasonNoItems
}

// targets reports whether line i meets p's SKU and category rules.
func (in *Input) targets(p *commerce.Promotion, i int) bool {
	r := p.Rules
	if len(r.SKUs) == 0 && len(r.Categories) == 0 {
		return true
	}
	return slices.Contains(r.SKUs, in.Lines[i].SKU) || in.Lines[i].Category != "" && slices.Contains(r.Categories, in.Lines[i].Category)
}

// chosen returns the promotions that apply, in the order they apply:
// the best exclusive one alone when any is eligible, otherwise every
// stacking one by priority (then ID). It also returns the cart's codes
// that do not apply.
func (in *Input) chosen(lines []commerce.OrderLine, left []int64, subtotal int64) ([]*commerce.Promotion, []Rejection) {
	var eligible []*commerce.Promotion
	var rejected []Rejection
	found := map[string]bool{}
	for i := range in.Promotions {
		p := &in.Promotions[i]
		byCode := len(p.Code) > 0 && hasCode(in.Codes, p.Code)
		if byCode {
			found[strings.ToLower(p.Code)] = true
		}
		if !byCode && !p.Automatic {
			continue
		}
		if r := in.reason(p, lines, subtotal); r != "" {
			if byCode {
				rejected = append(rejected, Rejection{Code: p.Code, PromotionID: p.ID, Reason: r})
			}
			continue
		}
		eligible = append(eligible, p)
	}
	for _, c := range in.Codes {
		if !found[strings.ToLower(c)] {
			rejected = append(rejected, Rejection{Code: c, Reason: ReasonUnknown})
		}
	}
	slices.SortFunc(eligible, func(a, b *commerce.Promotion) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.ID, b.ID))
	})
	var best *commerce.Promotion
	var bestAmount int64
	for _, p := range eligible {
		if p.Stacking != commerce.StackingExclusive {
			continue
		}
		amount := sum(in.discount(p, left))
		if best == nil || p.Priority == best.Priority && amount > bestAmount {
			best, bestAmount = p, amount
		}
	}
	if best != nil {
		return []*commerce.Promotion{best}, rejected
	}
	return eligible, rejected
}

// discount returns what p takes off each line, given what is left of each
// line; free shipping takes nothing off lines.
func (in *Input) discount(p *commerce.Promotion, left []int64) []int64 {
	off := make([]int64, len(left))
	weights := make([]int64, len(left))
	var base int64
	for i := range left {
		if p.Action.Target == commerce.TargetOrder || in.targets(p, i) {
			weights[i] = left[i]
			base += left[i]
		}
	}
	switch p.Action.Type {
	case commerce.ActionPercent:
		return Spread(min(mulDiv(base, min(p.Action.Value, 10_000), 10_000), base), weights)
	case commerce.ActionFixed:
		if p.Action.Target == commerce.TargetOrder {
			return Spread(min(p.Action.Value, base), weights)
		}
		for i, w := range weights {
			if w > 0 {
				off[i] = min(p.Action.Value*int64(in.Lines[i].Quantity), w)
			}
		}
	}
	return off
}

// hasCode reports whether codes holds code, ignoring case.
func hasCode(codes []string, code string) bool {
	for _, c := range codes {
		if strings.EqualFold(c, code) {
			return true
		}
	}
	return false
}

func sum(xs []int64) int64 {
	var n int64
	for _, x := range xs {
		n += x
	}
	return n
}
