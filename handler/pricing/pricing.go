// Package pricing turns priced lines into what a buyer pays. It is the one
// place totals are computed; promotions will plug in here.
package pricing

import (
	"maps"

	"shopfn/handler/commerce"
)

// Rules are the charges on top of the lines: flat amounts per order, in
// minor units, by currency. A charge is never carried from one currency to
// another: a currency with no amount for a charge that is set for some
// currency is refused ("currency_unsupported"). A charge set for no
// currency (or to 0 everywhere) is 0 in every currency.
type Rules struct {
	Shipping map[string]int64
	Tax      map[string]int64
}

// Flat returns the Rules of flat shipping and tax: shipping and tax in the
// default currency, and the amounts of shippingBy and taxBy in theirs
// (which win over the default currency's).
func Flat(currency string, shipping, tax int64, shippingBy, taxBy map[string]int64) Rules {
	r := Rules{Shipping: map[string]int64{currency: shipping}, Tax: map[string]int64{currency: tax}}
	maps.Copy(r.Shipping, shippingBy)
	maps.Copy(r.Tax, taxBy)
	return r
}

// Price sets each line's LineTotal (unit price times quantity) and returns
// the totals of lines in currency: subtotal, shipping, tax and total. Lines
// with no units, as in an empty cart, cost no shipping or tax. It returns
// KindRule "currency_unsupported" when a charge has no amount in currency.
func (r Rules) Price(currency string, lines []commerce.OrderLine) (commerce.Totals, error) {
	t := commerce.Totals{
		Subtotal: commerce.Money{Currency: currency},
		Shipping: commerce.Money{Currency: currency},
		Tax:      commerce.Money{Currency: currency},
		Total:    commerce.Money{Currency: currency},
	}
	for i := range lines {
		l := &lines[i]
		l.LineTotal = commerce.Money{Amount: l.UnitPrice.Amount * int64(l.Quantity), Currency: l.UnitPrice.Currency}
		t.Subtotal.Amount += l.LineTotal.Amount
	}
	if len(lines) > 0 {
		var ok1, ok2 bool
		t.Shipping.Amount, ok1 = charge(r.Shipping, currency)
		t.Tax.Amount, ok2 = charge(r.Tax, currency)
		if !ok1 || !ok2 {
			return t, commerce.Rulef(commerce.CodeCurrencyUnsupported, "shipping and tax are not configured for %s", currency)
		}
	}
	t.Total.Amount = t.Subtotal.Amount + t.Shipping.Amount + t.Tax.Amount
	return t, nil
}

// charge returns a charge's amount in currency, and false when the charge
// is set for other currencies only.
func charge(by map[string]int64, currency string) (int64, bool) {
	if n, ok := by[currency]; ok {
		return n, true
	}
	for _, n := range by {
		if n != 0 {
			return 0, false
		}
	}
	return 0, true
}
