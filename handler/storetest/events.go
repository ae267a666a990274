package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// EventStores are the money-path stores and the event log they write, on
// one database.
type EventStores struct {
	MoneyStores
	Log events.Log
	// LowStock sets a SKU's low-stock threshold (negative: none).
	LowStock func(sku string, threshold int64) error
}

// TestEventLog runs the conformance suite of the event log: every change
// writes its events in its own transaction, with per-subject sequences and
// gap-free global positions, and consumers keep durable positions.
// newStores must return new, empty stores on one database each call.
func TestEventLog(t *testing.T, newStores func(t *testing.T) EventStores) {
	t.Run("OrderLifecycle", func(t *testing.T) { testEventOrder(t, newStores(t)) })
	t.Run("RolledBackWritesNothing", func(t *testing.T) { testEventRollback(t, newStores(t)) })
	t.Run("LowStock", func(t *testing.T) { testEventLowStock(t, newStores(t)) })
	t.Run("Concurrent", func(t *testing.T) { testEventConcurrent(t, newStores(t)) })
	t.Run("Consumers", func(t *testing.T) { testEventConsumers(t, newStores(t)) })
}

// allEvents returns the whole log, checking that positions are 1, 2, ...
// from the first kept one with no gap and that every event is valid.
func allEvents(t *testing.T, st EventStores) []events.Record {
	t.Helper()
	recs, err := st.Log.Events(callContext(t), events.Filter{Limit: 10000})
	must(t, err)
	for i, r := range recs {
		if i > 0 && r.Position != recs[i-1].Position+1 {
			t.Errorf("positions: %d follows %d, want no gap", r.Position, recs[i-1].Position)
		}
		if err := r.Event.Validate(); err != nil {
			t.Errorf("event at %d: %v", r.Position, err)
		}
	}
	return recs
}

// summary is an event as the suite compares it: type, subject, sequence.
func summary(recs []events.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = fmt.Sprintf("%s %s %d", r.Event.Type, r.Event.Subject, r.Event.Sequence)
	}
	return out
}

func testEventOrder(t *testing.T, st EventStores) {
	stockUp(t, st.MoneyStores, "A", 5)
	c := newCheckout("ev", "A", 2)
	paid(t, st.MoneyStores, c)
	place(t, st.MoneyStores, c, moneyT0)
	// A redelivered OrderPlaced writes nothing more.
	ok, err := st.Orders.PlaceOrder(callContext(t), c.OrderID, moneyT0)
	must(t, err)
	if ok {
		t.Errorf("PlaceOrder again: got true, want false")
	}
	cancel(t, st.MoneyStores, c.OrderID, moneyT0.Add(time.Minute))
	d := newCheckout("ship", "A", 1)
	paid(t, st.MoneyStores, d)
	place(t, st.MoneyStores, d, moneyT0)
	_, err = st.Orders.FulfilOrder(callContext(t), d.OrderID, moneyT0.Add(time.Hour))
	must(t, err)
	_, err = st.Orders.Restock(callContext(t), c.OrderID)
	must(t, err)

	recs := allEvents(t, st)
	want := []string{
		"inventory.level_changed inventory/A 1", // stocked
		"inventory.level_changed inventory/A 2", // reserved by co_ev
		"order.placed orders/ord_ev 1",
		"inventory.level_changed inventory/A 3", // committed
		"order.cancelled orders/ord_ev 2",
		"order.refunded orders/ord_ev 3",
		"inventory.level_changed inventory/A 4", // reserved by co_ship
		"order.placed orders/ord_ship 1",
		"inventory.level_changed inventory/A 5",
		"order.fulfilled orders/ord_ship 2",
		"inventory.level_changed inventory/A 6", // shipped
		"inventory.level_changed inventory/A 7", // ord_ev restocked
	}
	if diff := cmp.Diff(want, summary(recs)); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	var placed events.OrderPlacedData
	must(t, recs[2].Event.Decode(&placed))
	if placed.Email != c.Email || placed.Total != c.Total || placed.Status != commerce.OrderPlaced || len(placed.Items) != 1 {
		t.Errorf("order.placed data: got %+v, want the order of %s", placed, c.ID)
	}
	var refunded events.OrderRefundedData
	must(t, recs[5].Event.Decode(&refunded))
	if refunded.Refund.Amount != c.Total || refunded.Status != commerce.OrderCancelled {
		t.Errorf("order.refunded data: got %+v, want the whole total %v refunded of a cancelled order", refunded, c.Total)
	}
	var shipped events.OrderFulfilledData
	must(t, recs[9].Event.Decode(&shipped))
	if !shipped.Fulfillment.FulfilledAt.Equal(moneyT0.Add(time.Hour)) || shipped.Status != commerce.OrderFulfilled {
		t.Errorf("order.fulfilled data: got %+v", shipped)
	}
	var level events.InventoryLevelData
	must(t, recs[10].Event.Decode(&level))
	if want := (events.InventoryLevelData{SKU: "A", OnHand: 4, Committed: 2, Available: 2}); level != want {
		t.Errorf("level after shipping: got %+v, want %+v (5 stocked, 2 committed to a cancelled order, 1 shipped)", level, want)
	}
	must(t, recs[11].Event.Decode(&level))
	if want := (events.InventoryLevelData{SKU: "A", OnHand: 4, Available: 4}); level != want {
		t.Errorf("level after restocking: got %+v, want %+v", level, want)
	}
}

func testEventRollback(t *testing.T, st EventStores) {
	stockUp(t, st.MoneyStores, "A", 1, "B", 1)
	before := len(allEvents(t, st))
	err := st.Checkouts.BeginCheckout(callContext(t), newCheckout("short", "A", 1, "B", 2), nil)
	wantShort(t, err, "B")
	_, err = st.Inventory.SetOnHand(callContext(t), "A", -1)
	wantCode(t, err, commerce.CodeInvalidRequest)
	if got := len(allEvents(t, st)); got != before {
		t.Errorf("events after two refused changes: got %d, want %d", got, before)
	}
	// The next change takes the next position and sequence: nothing was
	// consumed by the rolled-back ones.
	stockUp(t, st.MoneyStores, "A", 2)
	recs := allEvents(t, st)
	if got, want := summary(recs[len(recs)-1:]), []string{"inventory.level_changed inventory/A 2"}; !slices.Equal(got, want) {
		t.Errorf("after the rollbacks: got %v, want %v", got, want)
	}
}

func testEventLowStock(t *testing.T, st EventStores) {
	stockUp(t, st.MoneyStores, "A", 5)
	must(t, st.LowStock("A", 2))
	begin(t, st.MoneyStores, newCheckout("one", "A", 2))   // available 3: above
	begin(t, st.MoneyStores, newCheckout("two", "A", 1))   // available 2: crosses
	begin(t, st.MoneyStores, newCheckout("three", "A", 1)) // available 1: still low, no second alert
	stockUp(t, st.MoneyStores, "A", 10)                    // available 6: above again
	stockUp(t, st.MoneyStores, "A", 5)                     // available 1: crosses again
	var low []events.LowStockData
	for _, r := range allEvents(t, st) {
		if r.Event.Type == events.InventoryLowStock {
			var d events.LowStockData
			must(t, r.Event.Decode(&d))
			low = append(low, d)
		}
	}
	want := []events.LowStockData{{SKU: "A", Available: 2, Threshold: 2}, {SKU: "A", Available: 1, Threshold: 2}}
	if diff := cmp.Diff(want, low); diff != "" {
		t.Errorf("low-stock events (-want +got):\n%s", diff)
	}
	// A threshold set at or above the count alerts at once.
	stockUp(t, st.MoneyStores, "B", 3)
	must(t, st.LowStock("B", 3))
	recs := allEvents(t, st)
	if got, want := summary(recs[len(recs)-1:]), []string{"inventory.low_stock inventory/B 2"}; !slices.Equal(got, want) {
		t.Errorf("after setting B's threshold to its count: got %v, want %v", got, want)
	}
}

func testEventConcurrent(t *testing.T, st EventStores) {
	const writers = 8
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			for j := range 5 {
				_, err := st.Inventory.SetOnHand(callContext(t), fmt.Sprintf("S%d", j%2), int64(i*10+j))
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	recs := allEvents(t, st)
	if len(recs) != writers*5 {
		t.Fatalf("events: got %d, want %d", len(recs), writers*5)
	}
	last := map[string]events.Sequence{}
	for _, r := range recs {
		if r.Event.Sequence != last[r.Event.Subject]+1 {
			t.Errorf("%s at %d: sequence %d follows %d, want one more", r.Event.Subject, r.Position, r.Event.Sequence, last[r.Event.Subject])
		}
		last[r.Event.Subject] = r.Event.Sequence
	}
}

func testEventConsumers(t *testing.T, st EventStores) {
	ctx := callContext(t)
	stockUp(t, st.MoneyStores, "A", 1, "A", 2)
	pos, err := st.Log.Position(ctx, "late")
	must(t, err)
	if pos != 2 {
		t.Errorf("a new consumer's position: got %d, want the head, 2", pos)
	}
	stockUp(t, st.MoneyStores, "A", 3)
	must(t, st.Log.SetPosition(ctx, "late", 3))
	must(t, st.Log.SetPosition(ctx, "late", 1)) // never back
	if pos, err = st.Log.Position(ctx, "late"); err != nil || pos != 3 {
		t.Errorf("position after moving to 3 then 1: got %d, %v; want 3", pos, err)
	}
	if head, err := st.Log.Head(ctx); err != nil || head != 3 {
		t.Errorf("head: got %d, %v; want 3", head, err)
	}
	got, err := st.Log.Events(ctx, events.Filter{After: 1, Types: []events.Type{events.InventoryLevelChanged}, Limit: 1})
	must(t, err)
	if len(got) != 1 || got[0].Position != 2 {
		t.Errorf("Events(after 1, limit 1): got %v, want position 2", got)
	}
	// Purge keeps what a consumer has not handled.
	_, err = st.Log.Position(ctx, "slow")
	must(t, err)
	must(t, st.Log.SetPosition(ctx, "slow", 3))
	stockUp(t, st.MoneyStores, "A", 4)
	// "slow" handled 1-3, "late" too; event 4 is not handled by either.
	n, err := st.Log.Purge(ctx, time.Now().Add(time.Hour), 100)
	must(t, err)
	if n != 3 {
		t.Errorf("purged: got %d, want 3", n)
	}
	recs := allEvents(t, st)
	if len(recs) != 1 || recs[0].Position != 4 {
		t.Errorf("after the purge: got %v, want only position 4", summary(recs))
	}
}
