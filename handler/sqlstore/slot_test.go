package sqlstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlstore"
)

// TestSlotTakenMeanwhile replays the read committed snapshot race of two
// SetPayment(requires_action) of one checkout on Azure SQL: both read that
// the checkout holds no slot; the first takes slot 0 and commits; the
// second's inserts then meet its key (slot 0) and the checkout's (any other
// slot). The second must see that slot as its own, not answer
// too_many_checkouts (whose caller cancels the buyer's payment).
func TestSlotTakenMeanwhile(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)
	for _, maxHeld := range []int{1, 3} {
		db := MustOpenSQLite(t)
		inv, err := sqlstore.NewInventoryStore(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := inv.SetOnHand(ctx, "A", 5); err != nil {
			t.Fatal(err)
		}
		st := sqlstore.NewCheckoutStore(db)
		c := &commerce.Checkout{ID: "co_1", IdempotencyKey: "key_1", CartID: "cart_1", OrderID: "ord_1", Client: "203.0.113.7",
			Status: commerce.CheckoutPending, CreatedAt: now, UpdatedAt: now, ReservedUntil: now.Add(time.Hour),
			Lines: []commerce.OrderLine{{SKU: "A", Quantity: 1}}}
		if err := st.BeginCheckout(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		undo := sqlstore.SetAfterSlotRead(func(ctx context.Context, tx *sql.Tx, id string) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO client_slots (client, slot, checkout_id) VALUES (?, 0, ?)`, c.Client, id)
			return err
		})
		ok, err := st.SetPayment(ctx, c.ID, commerce.Payment{ID: "pi_1", Status: commerce.PaymentRequiresAction}, commerce.Hold{Checkouts: maxHeld}, nil)
		undo()
		if err != nil || !ok {
			t.Errorf("maxHeld %d: SetPayment(requires_action) whose slot a concurrent request took: got %v, %v, want true, nil", maxHeld, ok, err)
		}
	}
}
