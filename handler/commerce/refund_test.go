package commerce

import "testing"

// order returns an order of lines (sku, quantity, unit price) with the
// given shipping, tax and total.
func refundOrder(shipping, tax, total int64, lines ...any) *Order {
	usd := func(n int64) Money { return Money{Amount: n, Currency: "USD"} }
	o := &Order{Shipping: usd(shipping), Tax: usd(tax), Total: usd(total)}
	var sub int64
	for i := 0; i < len(lines); i += 3 {
		sku, q, unit := lines[i].(string), lines[i+1].(int), int64(lines[i+2].(int))
		o.Items = append(o.Items, OrderLine{SKU: sku, Quantity: q, UnitPrice: usd(unit), LineTotal: usd(unit * int64(q))})
		sub += unit * int64(q)
	}
	o.Subtotal = usd(sub)
	return o
}

// withDiscount records on o a discount of amount by promotion id, taken
// off the lines lines names (SKU to amount); none takes it off shipping.
// Total is left as given.
func withDiscount(o *Order, id string, amount int64, lines map[string]int64) *Order {
	usd := func(n int64) Money { return Money{Amount: n, Currency: "USD"} }
	o.Discounts = append(o.Discounts, Discount{PromotionID: id, Amount: usd(amount)})
	for i, l := range o.Items {
		if off, ok := lines[l.SKU]; ok {
			o.Items[i].Adjustments = append(l.Adjustments, Adjustment{PromotionID: id, Amount: usd(off)})
		}
	}
	return o
}

func TestRemainderValue(t *testing.T) {
	for _, tc := range []struct {
		name    string
		order   *Order
		shipped map[string]int
		want    int64
	}{
		{"nothing shipped refunds the total, shipping included",
			refundOrder(500, 300, 3800, "A", 3, 1000), nil, 3800},
		{"no tax: the unshipped units' price, no shipping",
			refundOrder(500, 0, 3500, "A", 3, 1000), map[string]int{"A": 1}, 2000},
		{"tax on top: the units' share of it",
			refundOrder(500, 300, 3800, "A", 3, 1000), map[string]int{"A": 1}, 2200},
		{"two lines, one shipped in full",
			refundOrder(500, 500, 6000, "A", 1, 1000, "B", 2, 2000), map[string]int{"A": 1}, 4400},
		{"tax included in prices",
			refundOrder(500, 500, 3500, "A", 3, 1000), map[string]int{"A": 2}, 1000},
		{"a discount is shared by value: 3000 less 600 off",
			refundOrder(500, 0, 2900, "A", 3, 1000), map[string]int{"A": 1}, 1600},
		{"free shipping: nothing of the total was shipping",
			withDiscount(refundOrder(500, 300, 3300, "A", 3, 1000), "ship", 500, nil), map[string]int{"A": 2}, 1100},
		// 3000 less 600 off the line and 500 off shipping, flat tax 500:
		// the total less the lines is 500, the shipping as charged, yet
		// none of the total was shipping.
		{"a discount and free shipping, tax equal to the shipping",
			withDiscount(withDiscount(refundOrder(500, 500, 2900, "A", 3, 1000), "ship", 500, nil), "save20", 600, map[string]int64{"A": 600}),
			map[string]int{"A": 1}, 1933},
		{"a line discount as large as the shipping leaves shipping paid",
			withDiscount(refundOrder(500, 0, 3000, "A", 3, 1000), "off500", 500, map[string]int64{"A": 500}), map[string]int{"A": 1}, 1667},
		{"free shipping in tax-inclusive prices",
			withDiscount(refundOrder(500, 500, 3000, "A", 3, 1000), "ship", 500, nil), map[string]int{"A": 1}, 2000},
		{"largest remainder: 1000 over 3 units, two unshipped",
			refundOrder(0, 0, 1000, "A", 3, 333), map[string]int{"A": 1}, 667},
		{"largest remainder: one unshipped of three",
			refundOrder(0, 0, 1000, "A", 3, 333), map[string]int{"A": 2}, 333},
		{"free lines share by quantity",
			refundOrder(0, 0, 0, "A", 2, 0), map[string]int{"A": 1}, 0},
		{"everything shipped refunds nothing",
			refundOrder(500, 300, 3800, "A", 3, 1000), map[string]int{"A": 3}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RemainderValue(tc.order, tc.shipped)
			if got.Amount != tc.want || got.Currency != "USD" {
				t.Errorf("RemainderValue = %+v, want %d USD", got, tc.want)
			}
		})
	}
}

// TestRemainderValueSums checks that what the unshipped units of an order
// are worth and what its shipped units are worth sum exactly to what was
// paid for goods, whatever shipped: shares never lose or make a cent.
func TestRemainderValueSums(t *testing.T) {
	o := refundOrder(499, 737, 8331, "A", 3, 1333, "B", 7, 499, "C", 1, 1)
	// Paid for goods: 8331 - 499 (shipping paid, tax on top).
	pool := int64(8331 - 499)
	for a := 0; a <= 3; a++ {
		for b := 0; b <= 7; b++ {
			for c := 0; c <= 1; c++ {
				if a+b+c == 0 || a+b+c == 11 {
					continue
				}
				unshipped := RemainderValue(o, map[string]int{"A": a, "B": b, "C": c}).Amount
				// The units that shipped are the remainder of the
				// complementary shipment.
				shipped := RemainderValue(o, map[string]int{"A": 3 - a, "B": 7 - b, "C": 1 - c}).Amount
				if unshipped+shipped != pool {
					t.Fatalf("shipped A%d B%d C%d: unshipped %d + shipped %d = %d, want %d", a, b, c, unshipped, shipped, unshipped+shipped, pool)
				}
			}
		}
	}
}
