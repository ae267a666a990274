package pricing

import (
	"time"

	"shopfn/handler/commerce"
)

// Line is one cart line to price: a quantity of a SKU whose variant costs
// Price in the cart's currency.
type Line struct {
	SKU, ProductID, Title, Category string
	Quantity                        int
	Price                           commerce.Money
}

// Input is everything a cart's price depends on. Run reads nothing else:
// the caller gathers the lists, promotions, options and rates once (from
// caches), never per line.
type Input struct {
	Currency string
	Now      time.Time
	Lines    []Line
	// Groups are the customer's groups (none for a guest).
	Groups []string
	// Lists are the price lists; nil prices every line at its variant's price.
	Lists *Lists
	// Promotions are those that may apply: the automatic ones and those
	// of Codes (the codes on the cart); others are ignored.
	Promotions []commerce.Promotion
	Codes      []string
	// Shipping is the chosen option; nil charges Flat's shipping.
	Shipping *commerce.ShippingOption
	// Flat are the flat shipping and tax used when no option or no tax
	// rates are configured.
	Flat Rules
	// TaxRates by country; nil charges Flat's tax. Country and Region are
	// the destination; TaxInclusive says prices in Currency contain tax.
	TaxRates        map[string]commerce.TaxRate
	Country, Region string
	TaxInclusive    bool
}

// Result is a priced cart: lines with their list prices and adjustments,
// the discounts, and the totals. Total is Subtotal - DiscountTotal +
// Shipping, plus Tax unless TaxIncluded.
type Result struct {
	Lines         []commerce.OrderLine
	Discounts     []commerce.Discount
	Rejected      []Rejection
	Subtotal      commerce.Money
	DiscountTotal commerce.Money
	Shipping      commerce.Money
	Tax           commerce.Money
	Total         commerce.Money
	TaxLines      []commerce.TaxLine
	TaxIncluded   bool
}

// Totals returns the result's totals as checkouts store them.
func (r *Result) Totals() commerce.Totals {
	return commerce.Totals{Subtotal: r.Subtotal, Shipping: r.Shipping, Tax: r.Tax, Total: r.Total}
}

// Run prices in: list price, then price lists, then promotions, then
// shipping, then tax. It returns KindRule "currency_unsupported" when a
// flat charge has no amount in the currency.
func Run(in Input) (*Result, error) {
	cur := in.Currency
	money := func(n int64) commerce.Money { return commerce.Money{Amount: n, Currency: cur} }
	r := &Result{Lines: make([]commerce.OrderLine, len(in.Lines)), Subtotal: money(0), DiscountTotal: money(0), Shipping: money(0), Tax: money(0), Total: money(0)}

	// List price, then price lists.
	left := make([]int64, len(in.Lines))
	units := 0
	for i, l := range in.Lines {
		unit := l.Price.Amount
		ol := commerce.OrderLine{SKU: l.SKU, ProductID: l.ProductID, Title: l.Title, Quantity: l.Quantity}
		if amount, id, ok := in.Lists.Best(l.SKU, cur, in.Groups, in.Now); ok && amount < unit {
			was := money(unit)
			ol.CompareAtPrice, ol.PriceListID, unit = &was, id, amount
		}
		ol.UnitPrice, ol.LineTotal = money(unit), money(unit*int64(l.Quantity))
		r.Lines[i], left[i] = ol, ol.LineTotal.Amount
		r.Subtotal.Amount += ol.LineTotal.Amount
		units += l.Quantity
	}

	// Promotions, each on what the previous ones left.
	var chosen []*commerce.Promotion
	if len(in.Promotions) > 0 || len(in.Codes) > 0 {
		chosen, r.Rejected = in.chosen(r.Lines, left, r.Subtotal.Amount)
	}
	freeShipping := -1
	for _, p := range chosen {
		d := commerce.Discount{PromotionID: p.ID, Code: p.Code, Amount: money(0)}
		if p.Action.Type == commerce.ActionFreeShipping {
			if freeShipping < 0 {
				freeShipping = len(r.Discounts)
			}
		} else {
			for i, off := range in.discount(p, left) {
				if off > 0 {
					left[i] -= off
					d.Amount.Amount += off
					r.Lines[i].Adjustments = append(r.Lines[i].Adjustments, commerce.Adjustment{PromotionID: p.ID, Amount: money(off)})
				}
			}
		}
		r.Discounts = append(r.Discounts, d)
	}
	lineDiscount := r.Subtotal.Amount - sum(left)

	// Shipping: the chosen option (free over its threshold), or flat.
	var shipping int64
	if units > 0 {
		var ok bool
		switch o := in.Shipping; {
		case o != nil && o.FreeOver != nil && o.FreeOver.Currency == cur && r.Subtotal.Amount-lineDiscount >= o.FreeOver.Amount:
		case o != nil:
			shipping = o.Amount
		default:
			if shipping, ok = charge(in.Flat.Shipping, cur); !ok {
				return nil, commerce.Rulef(commerce.CodeCurrencyUnsupported, "shipping is not configured for %s", cur)
			}
		}
	}
	r.Shipping.Amount = shipping
	if freeShipping >= 0 {
		r.Discounts[freeShipping].Amount.Amount = shipping
		shipping = 0
	}
	for _, d := range r.Discounts {
		r.DiscountTotal.Amount += d.Amount.Amount
	}

	// Tax: per line on what is left of it, and on shipping when taxed.
	r.Total.Amount = r.Subtotal.Amount - r.DiscountTotal.Amount + r.Shipping.Amount
	switch {
	case units == 0:
	case in.TaxRates == nil:
		tax, ok := charge(in.Flat.Tax, cur)
		if !ok {
			return nil, commerce.Rulef(commerce.CodeCurrencyUnsupported, "tax is not configured for %s", cur)
		}
		r.Tax.Amount = tax
		r.Total.Amount += tax
	default:
		rate, ok := in.TaxRates[in.Country]
		if !ok {
			break
		}
		bp := rate.For(in.Region)
		r.TaxIncluded = in.TaxInclusive
		for i, amount := range left {
			r.addTax(commerce.TaxLine{SKU: r.Lines[i].SKU, Kind: "line", Rate: bp}, amount, in.TaxInclusive)
		}
		if rate.ShippingTaxed && shipping > 0 {
			r.addTax(commerce.TaxLine{Kind: "shipping", Rate: bp}, shipping, in.TaxInclusive)
		}
		if !in.TaxInclusive {
			r.Total.Amount += r.Tax.Amount
		}
	}
	return r, nil
}

// addTax adds the tax on amount at t.Rate, rounded half to even: added on
// top, or contained in amount when inclusive.
func (r *Result) addTax(t commerce.TaxLine, amount int64, inclusive bool) {
	var tax int64
	if inclusive {
		tax = mulDiv(amount, t.Rate, 10_000+t.Rate)
	} else {
		tax = mulDiv(amount, t.Rate, 10_000)
	}
	t.Amount = commerce.Money{Amount: tax, Currency: r.Tax.Currency}
	r.TaxLines = append(r.TaxLines, t)
	r.Tax.Amount += tax
}
