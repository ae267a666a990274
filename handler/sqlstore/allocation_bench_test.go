package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlstore"
)

// BenchmarkBeginCheckout measures the reserving transaction of a checkout
// of two SKUs with the default location alone and with three locations
// that ship to the buyer (the whole order allocated to a location other
// than the default, which writes its allocations), to hold the
// three-location path within 10% of the one-location path.
func BenchmarkBeginCheckout(b *testing.B) {
	for _, locations := range []int{1, 3} {
		b.Run(fmt.Sprintf("locations=%d", locations), func(b *testing.B) {
			ctx := context.Background()
			db := MustOpenSQLite(b)
			inv, err := sqlstore.NewInventoryStore(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			checkouts := sqlstore.NewCheckoutStore(db)
			if _, err := inv.SetOnHand(ctx, "A", commerce.MaxOnHand); err != nil {
				b.Fatal(err)
			}
			if _, err := inv.SetOnHand(ctx, "B", commerce.MaxOnHand); err != nil {
				b.Fatal(err)
			}
			if locations == 3 {
				for i, id := range []string{"us-1", "us-2"} {
					if _, err := inv.PutLocation(ctx, commerce.Location{ID: id, Name: id, Priority: i + 1, Countries: []string{"US"}, Status: commerce.LocationActive}); err != nil {
						b.Fatal(err)
					}
					for _, sku := range []string{"A", "B"} {
						if _, err := inv.SetLocationOnHand(ctx, sku, id, commerce.MaxOnHand); err != nil {
							b.Fatal(err)
						}
					}
				}
				if _, err := inv.PutLocation(ctx, commerce.Location{ID: commerce.DefaultLocation, Name: "Default", Priority: 9, Status: commerce.LocationActive}); err != nil {
					b.Fatal(err)
				}
			}
			now := time.Now()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n := fmt.Sprint(i)
				c := &commerce.Checkout{
					ID: "co_" + n, IdempotencyKey: "key_" + n, CartID: "cart_" + n, OrderID: "ord_" + n, Email: "a@example.com",
					Address:   commerce.Address{Name: "A", Line1: "1 Main St", City: "X", PostalCode: "1", Country: "US"},
					Lines:     []commerce.OrderLine{{SKU: "A", Quantity: 1}, {SKU: "B", Quantity: 2}},
					CreatedAt: now, UpdatedAt: now, ReservedUntil: now.Add(time.Hour),
				}
				if err := checkouts.BeginCheckout(ctx, c, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
