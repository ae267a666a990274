package pricing

import (
	"time"

	"shopfn/handler/commerce"
)

// Lists indexes price lists by SKU, so that pricing a line costs a map
// lookup, not a query. A Lists is read-only once built and safe to share.
type Lists struct {
	bySKU map[string][]listPrice
	n     int
}

// listPrice is one list's price of a SKU.
type listPrice struct {
	list   *commerce.PriceList
	amount int64
}

// NewLists indexes lists (in ID order, so that ties go to the lower ID).
// Draft lists are left out; dates are checked when pricing.
func NewLists(lists []commerce.PriceList) *Lists {
	l := &Lists{bySKU: map[string][]listPrice{}}
	for i := range lists {
		pl := &lists[i]
		if pl.Status != commerce.PricingActive {
			continue
		}
		l.n++
		for _, p := range pl.Prices {
			l.bySKU[p.SKU] = append(l.bySKU[p.SKU], listPrice{list: pl, amount: p.Amount})
		}
	}
	return l
}

// Len returns how many active lists l holds.
func (l *Lists) Len() int {
	if l == nil {
		return 0
	}
	return l.n
}

// Best returns the lowest price of sku among the lists live at now, in
// currency, for a customer in groups, and that list's ID; ok is false when
// no list prices it.
func (l *Lists) Best(sku, currency string, groups []string, now time.Time) (amount int64, listID string, ok bool) {
	if l == nil {
		return 0, "", false
	}
	for _, p := range l.bySKU[sku] {
		if p.list.Currency != currency || !p.list.Live(now) || !anyGroup(p.list.CustomerGroups, groups) {
			continue
		}
		if !ok || p.amount < amount {
			amount, listID, ok = p.amount, p.list.ID, true
		}
	}
	return amount, listID, ok
}

// anyGroup reports whether targets is empty (everyone) or shares a group
// with groups.
func anyGroup(targets, groups []string) bool {
	if len(targets) == 0 {
		return true
	}
	for _, t := range targets {
		for _, g := range groups {
			if t == g {
				return true
			}
		}
	}
	return false
}
