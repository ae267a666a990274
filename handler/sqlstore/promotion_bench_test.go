package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlstore"
)

// BenchmarkRedeem measures a checkout's two store transactions, begun
// (stock reserved) and paid, with no promotion and with two promotions
// without a usage limit (as scripts/bench.sh's pricing part), one at a
// time on SQLite: what the redemptions' statements cost the writer,
// without the noise of concurrent clients.
func BenchmarkRedeem(b *testing.B) {
	for _, promotions := range []int{0, 2} {
		b.Run(fmt.Sprintf("promotions=%d", promotions), func(b *testing.B) {
			ctx := context.Background()
			db := MustOpenSQLite(b)
			inv, err := sqlstore.NewInventoryStore(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := inv.SetOnHand(ctx, "A", commerce.MaxOnHand); err != nil {
				b.Fatal(err)
			}
			checkouts, promos := sqlstore.NewCheckoutStore(db), sqlstore.NewPromotionStore(db)
			var discounts []commerce.Discount
			for i := range promotions {
				p := &commerce.Promotion{ID: fmt.Sprintf("m%d", i), Automatic: true, Status: commerce.PricingActive,
					Action:   commerce.PromotionAction{Type: commerce.ActionPercent, Value: 1000, Target: commerce.TargetOrder},
					Stacking: commerce.StackingStack, Priority: i}
				if err := promos.CreatePromotion(ctx, p); err != nil {
					b.Fatal(err)
				}
				discounts = append(discounts, commerce.Discount{PromotionID: p.ID, Amount: commerce.Money{Amount: 1, Currency: "USD"}})
			}
			now := time.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n := fmt.Sprint(i)
				c := &commerce.Checkout{
					ID: "co_" + n, IdempotencyKey: "key_" + n, CartID: "cart_" + n, OrderID: "ord_" + n, Email: "a@example.com",
					Address:   commerce.Address{Name: "A", Line1: "1 Main St", City: "X", PostalCode: "1", Country: "US"},
					Lines:     []commerce.OrderLine{{SKU: "A", Quantity: 1}},
					Discounts: discounts, CreatedAt: now, UpdatedAt: now, ReservedUntil: now.Add(time.Hour),
				}
				if err := checkouts.BeginCheckout(ctx, c, nil); err != nil {
					b.Fatal(err)
				}
				placed := commerce.Message{ID: "placed_" + n, Type: commerce.MsgOrderPlaced, Body: []byte(`{}`)}
				if _, err := checkouts.MarkPaid(ctx, c.ID, "pay_"+n, placed, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
