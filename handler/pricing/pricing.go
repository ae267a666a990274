// Package pricing turns priced lines into what a buyer pays. It is the one
// place totals are computed; promotions will plug in here.
package pricing

import "shopfn/handler/commerce"

// Rules are the charges on top of the lines: flat amounts, in minor units of
// the order's currency, for now.
type Rules struct {
	Shipping int64
	Tax      int64
}

// Price sets each line's LineTotal (unit price times quantity) and returns
// the totals of lines in currency: subtotal, shipping, tax and total. Lines
// with no units, as in an empty cart, cost no shipping or tax.
func (r Rules) Price(currency string, lines []commerce.OrderLine) commerce.Totals {
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
		t.Shipping.Amount, t.Tax.Amount = r.Shipping, r.Tax
	}
	t.Total.Amount = t.Subtotal.Amount + t.Shipping.Amount + t.Tax.Amount
	return t
}
