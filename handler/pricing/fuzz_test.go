package pricing

import (
	"math/rand/v2"
	"testing"

	"shopfn/handler/commerce"
)

// FuzzRun prices random carts with random promotions, lists, shipping and
// tax, and checks what must always hold: line adjustments sum to the
// discounts, no line or total goes below zero, discounts never exceed what
// they discount, and the total adds up.
func FuzzRun(f *testing.F) {
	for _, seed := range []uint64{1, 2, 3, 42, 1 << 40} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		in := Input{Currency: "USD", Now: now, TaxInclusive: r.IntN(2) == 0, Country: "US"}
		for i := range 1 + r.IntN(8) {
			sku := string(rune('A' + i))
			in.Lines = append(in.Lines, line(sku, 1+r.IntN(99), 1+r.Int64N(commerce.MaxAmount), "USD"))
		}
		var lists []commerce.PriceList
		for i := range r.IntN(3) {
			l := list(string(rune('a'+i)), "USD", nil)
			for _, ln := range in.Lines {
				if r.IntN(2) == 0 {
					l.Prices = append(l.Prices, lp(ln.SKU, r.Int64N(commerce.MaxAmount)))
				}
			}
			lists = append(lists, l)
		}
		in.Lists = NewLists(lists)
		types := []string{commerce.ActionPercent, commerce.ActionFixed, commerce.ActionFreeShipping}
		for i := range r.IntN(5) {
			target := commerce.TargetOrder
			if r.IntN(2) == 0 {
				target = commerce.TargetLines
			}
			p := promo(string(rune('p'+i)), types[r.IntN(3)], r.Int64N(20_000), target)
			p.Currency, p.Priority = "USD", r.IntN(3)
			if r.IntN(3) == 0 {
				p.Stacking = commerce.StackingExclusive
			}
			if r.IntN(2) == 0 {
				p.Rules.SKUs = []string{in.Lines[r.IntN(len(in.Lines))].SKU}
			}
			in.Promotions = append(in.Promotions, p)
		}
		if r.IntN(2) == 0 {
			in.Shipping = &commerce.ShippingOption{ID: "s", Currency: "USD", Amount: r.Int64N(10_000), Countries: []string{"US"}, Status: commerce.PricingActive}
		}
		if r.IntN(2) == 0 {
			in.TaxRates = map[string]commerce.TaxRate{"US": {Rate: r.Int64N(5_000), ShippingTaxed: r.IntN(2) == 0}}
		}
		res, err := Run(in)
		if err != nil {
			t.Fatal(err)
		}
		var adjusted, lineTax int64
		for i, l := range res.Lines {
			var off int64
			for _, a := range l.Adjustments {
				if a.Amount.Amount <= 0 {
					t.Errorf("line %d: adjustment %d, want positive", i, a.Amount.Amount)
				}
				off += a.Amount.Amount
			}
			if off > l.LineTotal.Amount {
				t.Errorf("line %d: adjustments %d exceed the line's %d", i, off, l.LineTotal.Amount)
			}
			if l.UnitPrice.Amount > in.Lines[i].Price.Amount {
				t.Errorf("line %d: unit %d above the list price %d", i, l.UnitPrice.Amount, in.Lines[i].Price.Amount)
			}
			adjusted += off
		}
		var discounts int64
		for _, d := range res.Discounts {
			discounts += d.Amount.Amount
		}
		if discounts != res.DiscountTotal.Amount {
			t.Errorf("discounts sum to %d, discountTotal is %d", discounts, res.DiscountTotal.Amount)
		}
		shippingOff := discounts - adjusted
		if shippingOff < 0 || shippingOff > res.Shipping.Amount {
			t.Errorf("shipping discount %d outside 0..%d (discounts %d, line adjustments %d)", shippingOff, res.Shipping.Amount, discounts, adjusted)
		}
		for _, tl := range res.TaxLines {
			if tl.Amount.Amount < 0 {
				t.Errorf("tax line %+v below zero", tl)
			}
			lineTax += tl.Amount.Amount
		}
		if lineTax != res.Tax.Amount {
			t.Errorf("tax lines sum to %d, tax is %d", lineTax, res.Tax.Amount)
		}
		want := res.Subtotal.Amount - res.DiscountTotal.Amount + res.Shipping.Amount
		if !res.TaxIncluded {
			want += res.Tax.Amount
		}
		if res.Total.Amount != want || res.Total.Amount < 0 {
			t.Errorf("total %d, want subtotal %d - discounts %d + shipping %d (+ tax %d unless included %v) = %d",
				res.Total.Amount, res.Subtotal.Amount, res.DiscountTotal.Amount, res.Shipping.Amount, res.Tax.Amount, res.TaxIncluded, want)
		}
	})
}

// FuzzSpread checks that shares sum to the total and never exceed their
// weight.
func FuzzSpread(f *testing.F) {
	f.Add(int64(100), int64(333), int64(333), int64(334))
	f.Add(int64(2), int64(1), int64(1), int64(1))
	f.Fuzz(func(t *testing.T, total, a, b, c int64) {
		ws := []int64{a, b, c}
		var sum int64
		for i, w := range ws {
			if w < 0 || w > commerce.MaxAmount*99 {
				ws[i] = 0
			}
			sum += ws[i]
		}
		if total < 0 || total > sum {
			total = sum / 2
		}
		shares := Spread(total, ws)
		var got int64
		for i, s := range shares {
			if s < 0 || s > ws[i] {
				t.Errorf("share %d = %d outside 0..%d", i, s, ws[i])
			}
			got += s
		}
		if sum > 0 && got != total {
			t.Errorf("Spread(%d, %v) = %v sums to %d", total, ws, shares, got)
		}
	})
}
