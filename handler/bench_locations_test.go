package main

import (
	"fmt"
	"testing"
)

// BenchmarkCheckoutLocations measures one whole checkout over HTTP (POST
// /api/checkout: pricing, the reserving transaction, the payment, the
// answer) with the default location alone and with three locations that
// ship to the buyer, the order allocated away from the default one, to
// hold the three-location checkout within 10% of the one-location one:
//
//	scripts/test.sh -run '^$' -bench CheckoutLocations -benchtime 200x ./handler
//
// The cart is made outside the timer.
func BenchmarkCheckoutLocations(b *testing.B) {
	for _, locations := range []int{1, 3} {
		b.Run(fmt.Sprintf("locations=%d", locations), func(b *testing.B) {
			s := startMoney(b, nil)
			const sku = "BENCH-LOC"
			s.mustStockedProduct(b, "bench-loc", sku, 100, int64(b.N+1))
			if locations == 3 {
				s.mustPutLocation(b, "default", 9, "active")
				s.mustPutLocation(b, "us-1", 1, "active", "US")
				s.mustPutLocation(b, "us-2", 2, "active", "US", "CA")
				s.mustSetStockAt(b, sku, "us-1", int64(b.N+1))
				s.mustSetStockAt(b, sku, "us-2", int64(b.N+1))
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				cart := s.moneyCart(b, e2eLine{sku, 1})
				b.StartTimer()
				res, err := s.send("POST", "/api/checkout", moneyNewRequest(cart, "pm_card_visa"))
				if err != nil {
					b.Fatal(err)
				}
				moneyWantPaid(b, "checkout", res)
			}
		})
	}
}
