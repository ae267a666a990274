package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// MoneyStores are the stores of the money path. They share one relational
// database: a checkout's reservation, its outbox messages and its order's
// stock commit happen in the same transactions.
type MoneyStores struct {
	Checkouts commerce.CheckoutStore
	Outbox    commerce.Outbox
	Orders    commerce.OrderStore
	Inventory interface {
		commerce.InventoryStore
		commerce.StockLevelSetter
	}
}

// moneyT0 is the suites' clock; whole seconds, so that any store keeps it.
var moneyT0 = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

// newCheckout returns a checkout named by n (ID "co_n", key "key_n",
// order "ord_n") buying qty units of each sku, given as sku, qty pairs.
func newCheckout(n string, lines ...any) *commerce.Checkout {
	c := &commerce.Checkout{
		ID: "co_" + n, IdempotencyKey: "key_" + n, RequestHash: "hash_" + n, CartID: "cart_" + n,
		OrderID: "ord_" + n, Email: n + "@example.com", PaymentMethod: "pm_card_visa",
		Address: commerce.Address{Name: "Ada " + n, Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
		Status:  commerce.CheckoutPending, CreatedAt: moneyT0, UpdatedAt: moneyT0, ReservedUntil: moneyT0.Add(15 * time.Minute),
	}
	var sub int64
	for i := 0; i < len(lines); i += 2 {
		sku, q := lines[i].(string), lines[i+1].(int)
		unit := commerce.Money{Amount: 1000, Currency: "USD"}
		c.Lines = append(c.Lines, commerce.OrderLine{SKU: sku, ProductID: "prod_" + sku, Title: "Item " + sku, Quantity: q,
			UnitPrice: unit, LineTotal: commerce.Money{Amount: unit.Amount * int64(q), Currency: "USD"}})
		sub += unit.Amount * int64(q)
	}
	usd := func(a int64) commerce.Money { return commerce.Money{Amount: a, Currency: "USD"} }
	c.Totals = commerce.Totals{Subtotal: usd(sub), Shipping: usd(500), Tax: usd(sub / 10), Total: usd(sub + 500 + sub/10)}
	return c
}

// expiryMsg is a checkout's ReservationExpired message, due when its reservation ends.
func expiryMsg(c *commerce.Checkout) commerce.Message {
	return commerce.Message{ID: "expire_" + c.ID, Type: commerce.MsgReservationExpired,
		Body: []byte(`{"type":"ReservationExpired","checkoutId":"` + c.ID + `"}`), ScheduledAt: c.ReservedUntil}
}

// placedMsg is a checkout's OrderPlaced message.
func placedMsg(c *commerce.Checkout) commerce.Message {
	return commerce.Message{ID: "placed_" + c.OrderID, Type: commerce.MsgOrderPlaced,
		Body: []byte(`{"type":"OrderPlaced","orderId":"` + c.OrderID + `"}`)}
}

// begin begins c with its expiry message, failing the test on an error.
func begin(t *testing.T, st MoneyStores, c *commerce.Checkout) {
	t.Helper()
	must(t, st.Checkouts.BeginCheckout(callContext(t), c, []commerce.Message{expiryMsg(c)}))
}

// stockUp sets the on-hand count of each sku, given as sku, count pairs.
func stockUp(t *testing.T, st MoneyStores, pairs ...any) {
	t.Helper()
	for i := 0; i < len(pairs); i += 2 {
		_, err := st.Inventory.SetOnHand(callContext(t), pairs[i].(string), int64(pairs[i+1].(int)))
		must(t, err)
	}
}

// wantStock fails the test unless sku has the given on-hand, committed and
// reserved counts.
func wantStock(t *testing.T, st MoneyStores, sku string, onHand, committed, reserved int64) {
	t.Helper()
	got, err := st.Inventory.StockLevels(callContext(t), []string{sku})
	must(t, err)
	want := commerce.StockLevel{SKU: sku, OnHand: onHand, Committed: committed, Reserved: reserved}
	if l := got[sku]; l != want {
		t.Errorf("stock of %s: got %+v, want %+v", sku, l, want)
	}
}

// wantStatus fails the test unless checkout id has the given status.
func wantStatus(t *testing.T, st MoneyStores, id string, want commerce.CheckoutStatus) *commerce.Checkout {
	t.Helper()
	c, err := st.Checkouts.Checkout(callContext(t), id)
	must(t, err)
	if c.Status != want {
		t.Errorf("checkout %s: got status %q, want %q", id, c.Status, want)
	}
	return c
}

// outboxOf returns the unpublished outbox entries of the given message type.
func outboxOf(t *testing.T, st MoneyStores, typ string) []commerce.OutboxEntry {
	t.Helper()
	all, err := st.Outbox.Unpublished(callContext(t), 1000)
	must(t, err)
	var out []commerce.OutboxEntry
	for _, e := range all {
		if e.Message.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// wantOutbox fails the test unless the outbox holds exactly want among the
// messages of want's type, on the given queue.
func wantOutbox(t *testing.T, st MoneyStores, queue string, want commerce.Message) {
	t.Helper()
	got := outboxOf(t, st, want.Type)
	if len(got) != 1 {
		t.Fatalf("outbox %s messages: got %d, want 1", want.Type, len(got))
	}
	if got[0].Queue != queue {
		t.Errorf("outbox %s queue: got %q, want %q", want.Type, got[0].Queue, queue)
	}
	if diff := cmp.Diff(want, got[0].Message); diff != "" {
		t.Errorf("outbox %s message (-want +got):\n%s", want.Type, diff)
	}
}

// wantConflict fails the test unless err is a KindConflict *commerce.Error with code.
func wantConflict(t *testing.T, err error, code string) *commerce.Error {
	t.Helper()
	wantCode(t, err, code)
	var e *commerce.Error
	errors.As(err, &e)
	if e.Kind != commerce.KindConflict {
		t.Errorf("%s: got kind %d, want KindConflict (%d)", code, e.Kind, commerce.KindConflict)
	}
	return e
}

// wantShort fails the test unless err is "insufficient_stock" listing exactly skus.
func wantShort(t *testing.T, err error, skus ...string) {
	t.Helper()
	e := wantConflict(t, err, commerce.CodeInsufficientStock)
	got := slices.Sorted(slices.Values(e.SKUs))
	if diff := cmp.Diff(skus, got); diff != "" {
		t.Errorf("insufficient_stock SKUs (-want +got):\n%s", diff)
	}
}

// TestCheckoutStore runs the conformance suite of commerce.CheckoutStore and
// commerce.Outbox. newStores must return new, empty stores on one database
// each time it is called.
func TestCheckoutStore(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	t.Run("BeginCheckout", func(t *testing.T) { testBeginCheckout(t, newStores) })
	t.Run("Payment", func(t *testing.T) { testCheckoutPayment(t, newStores) })
	t.Run("Outbox", func(t *testing.T) { testOutbox(t, newStores) })
	t.Run("Races", func(t *testing.T) { testRaces(t, newStores) })
	t.Run("Cart", func(t *testing.T) { testCartClaim(t, newStores) })
}

func testBeginCheckout(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)

	t.Run("ReservesEveryLine", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5, "B", 3)
		c := newCheckout("1", "B", 3, "A", 2)
		begin(t, st, c)
		wantStock(t, st, "A", 5, 0, 2)
		wantStock(t, st, "B", 3, 0, 3)
		got, err := st.Checkouts.Checkout(ctx, c.ID)
		must(t, err)
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("Checkout (-want +got):\n%s", diff)
		}
		wantOutbox(t, st, commerce.QueueInventory, expiryMsg(c))
	})

	t.Run("AllOrNothing", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5, "B", 1, "C", 0)
		c := newCheckout("1", "A", 2, "B", 2, "C", 1)
		err := st.Checkouts.BeginCheckout(ctx, c, []commerce.Message{expiryMsg(c)})
		wantShort(t, err, "B", "C")
		wantStock(t, st, "A", 5, 0, 0)
		wantStock(t, st, "B", 1, 0, 0)
		_, err = st.Checkouts.Checkout(ctx, c.ID)
		wantCode(t, err, commerce.CodeNotFound)
		_, err = st.Checkouts.CheckoutByKey(ctx, c.IdempotencyKey)
		wantCode(t, err, commerce.CodeNotFound)
		if got := outboxOf(t, st, commerce.MsgReservationExpired); len(got) != 0 {
			t.Errorf("outbox after a refused checkout: got %d messages, want 0", len(got))
		}
	})

	t.Run("NeverStockedIsShort", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 1, "NEVER", 1)
		wantShort(t, st.Checkouts.BeginCheckout(ctx, c, nil), "NEVER")
		wantStock(t, st, "A", 5, 0, 0)
	})

	t.Run("DuplicateKey", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c1 := newCheckout("1", "A", 1)
		begin(t, st, c1)
		c2 := newCheckout("2", "A", 1)
		c2.IdempotencyKey = c1.IdempotencyKey
		wantConflict(t, st.Checkouts.BeginCheckout(ctx, c2, []commerce.Message{expiryMsg(c2)}), "duplicate_checkout")
		wantStock(t, st, "A", 5, 0, 1)
		_, err := st.Checkouts.Checkout(ctx, c2.ID)
		wantCode(t, err, commerce.CodeNotFound)
		if got := outboxOf(t, st, commerce.MsgReservationExpired); len(got) != 1 {
			t.Errorf("outbox after a duplicate: got %d messages, want 1", len(got))
		}
	})

	t.Run("Lookups", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 1)
		begin(t, st, c)
		for _, tc := range []struct {
			name, arg string
			get       func(context.Context, string) (*commerce.Checkout, error)
		}{
			{"Checkout", c.ID, st.Checkouts.Checkout},
			{"CheckoutByKey", c.IdempotencyKey, st.Checkouts.CheckoutByKey},
			{"CheckoutByOrder", c.OrderID, st.Checkouts.CheckoutByOrder},
		} {
			got, err := tc.get(ctx, tc.arg)
			must(t, err)
			if got.ID != c.ID {
				t.Errorf("%s(%q): got checkout %q, want %q", tc.name, tc.arg, got.ID, c.ID)
			}
			_, err = tc.get(ctx, "nope")
			wantCode(t, err, commerce.CodeNotFound)
		}
	})

	t.Run("NoOversell", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 10)
		var wg sync.WaitGroup
		errs := make([]error, 50)
		for i := range errs {
			wg.Go(func() {
				c := newCheckout(fmt.Sprint(i), "A", 1)
				errs[i] = st.Checkouts.BeginCheckout(ctx, c, []commerce.Message{expiryMsg(c)})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else if commerce.ErrorCode(err) != commerce.CodeInsufficientStock {
				t.Errorf("concurrent BeginCheckout: got %v, want nil or insufficient_stock", err)
			}
		}
		if ok != 10 {
			t.Errorf("concurrent BeginCheckout of 1 unit on 10: got %d successes, want 10", ok)
		}
		wantStock(t, st, "A", 10, 0, 10)
	})
}

func testOutbox(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)

	t.Run("MarkPublished", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c1, c2 := newCheckout("1", "A", 1), newCheckout("2", "A", 1)
		begin(t, st, c1)
		begin(t, st, c2)
		oldest, err := st.Outbox.Unpublished(ctx, 1)
		must(t, err)
		if len(oldest) != 1 || oldest[0].Message.ID != expiryMsg(c1).ID {
			t.Fatalf("Unpublished(1): got %+v, want only %s", oldest, expiryMsg(c1).ID)
		}
		must(t, st.Outbox.MarkPublished(ctx, []int64{oldest[0].Seq}))
		must(t, st.Outbox.MarkPublished(ctx, nil))
		rest, err := st.Outbox.Unpublished(ctx, 10)
		must(t, err)
		if len(rest) != 1 || rest[0].Message.ID != expiryMsg(c2).ID {
			t.Fatalf("Unpublished after MarkPublished: got %+v, want only %s", rest, expiryMsg(c2).ID)
		}
		must(t, st.Outbox.MarkPublished(ctx, []int64{rest[0].Seq}))
		if rest, err = st.Outbox.Unpublished(ctx, 10); err != nil || len(rest) != 0 {
			t.Errorf("Unpublished after publishing all: got %d entries (%v), want 0", len(rest), err)
		}
	})

	t.Run("Park", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		cs := []*commerce.Checkout{newCheckout("1", "A", 1), newCheckout("2", "A", 1), newCheckout("3", "A", 1)}
		for _, c := range cs {
			begin(t, st, c)
		}
		all, err := st.Outbox.Unpublished(ctx, 10)
		must(t, err)
		if len(all) != 3 {
			t.Fatalf("Unpublished: got %d entries, want 3", len(all))
		}
		poison := all[1]
		parkedAt := moneyT0.Add(time.Hour)
		for i, want := range []bool{true, false} {
			ok, err := st.Outbox.Park(ctx, poison.Seq, "message_rejected: over the size limit", parkedAt)
			must(t, err)
			if ok != want {
				t.Errorf("Park #%d: got %v, want %v", i+1, ok, want)
			}
		}
		ids := func(es []commerce.OutboxEntry) []string {
			out := []string{}
			for _, e := range es {
				out = append(out, e.Message.ID)
			}
			return out
		}
		pending, err := st.Outbox.Unpublished(ctx, 10)
		must(t, err)
		if diff := cmp.Diff([]string{expiryMsg(cs[0]).ID, expiryMsg(cs[2]).ID}, ids(pending)); diff != "" {
			t.Errorf("Unpublished skips the parked entry (-want +got):\n%s", diff)
		}
		parked, err := st.Outbox.Parked(ctx, poison.Queue, 10)
		must(t, err)
		if len(parked) != 1 {
			t.Fatalf("Parked: got %d entries, want 1", len(parked))
		}
		if diff := cmp.Diff(poison, parked[0].OutboxEntry); diff != "" {
			t.Errorf("parked entry (-want +got):\n%s", diff)
		}
		if p := parked[0]; p.Reason != "message_rejected: over the size limit" || !p.ParkedAt.Equal(parkedAt) {
			t.Errorf("parked: got reason %q at %v, want the reason given at %v", p.Reason, p.ParkedAt, parkedAt)
		}
		if other, err := st.Outbox.Parked(ctx, commerce.QueueOrders, 10); err != nil || len(other) != 0 {
			t.Errorf("Parked(orders): got %d (%v), want none (it is on %s)", len(other), err, poison.Queue)
		}
		if _, ok, err := st.Outbox.Unpark(ctx, commerce.QueueOrders, poison.Seq); err != nil || ok {
			t.Errorf("Unpark on another queue: got %v, %v, want false", ok, err)
		}
		for i, want := range []bool{true, false} {
			e, ok, err := st.Outbox.Unpark(ctx, poison.Queue, poison.Seq)
			must(t, err)
			if ok != want {
				t.Errorf("Unpark #%d: got %v, want %v", i+1, ok, want)
			}
			if ok && (e.Seq != poison.Seq || e.Queue != poison.Queue || e.Message.ID != poison.Message.ID || e.Message.Type != poison.Message.Type) {
				t.Errorf("Unpark: got %+v, want %d on %s, message %s of type %s", e, poison.Seq, poison.Queue, poison.Message.ID, poison.Message.Type)
			}
		}
		pending, err = st.Outbox.Unpublished(ctx, 10)
		must(t, err)
		if diff := cmp.Diff(ids(all), ids(pending)); diff != "" {
			t.Errorf("Unpublished after Unpark: in sequence order again (-want +got):\n%s", diff)
		}
		if parked, err := st.Outbox.Parked(ctx, poison.Queue, 10); err != nil || len(parked) != 0 {
			t.Errorf("Parked after Unpark: got %d (%v), want none", len(parked), err)
		}
		must(t, st.Outbox.MarkPublished(ctx, []int64{poison.Seq}))
		if ok, err := st.Outbox.Park(ctx, poison.Seq, "late", parkedAt); err != nil || ok {
			t.Errorf("Park of a published entry: got %v, %v, want false", ok, err)
		}
	})
}
