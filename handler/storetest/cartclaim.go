package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// onCart returns checkout n of the given lines on cart cartID.
func onCart(n, cartID string, lines ...any) *commerce.Checkout {
	c := newCheckout(n, lines...)
	c.CartID = cartID
	return c
}

func testCartClaim(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)

	t.Run("OneLiveCheckoutPerCart", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 100)
		const n = 12
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := onCart(string(rune('a'+i)), "cart_x", "A", 1)
				errs[i] = st.Checkouts.BeginCheckout(ctx, c, []commerce.Message{expiryMsg(c)})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch commerce.ErrorCode(err) {
			case commerce.CodeCartClosed:
			case commerce.CodeInternal:
				if err == nil {
					won++
					continue
				}
				fallthrough
			default:
				t.Errorf("BeginCheckout: got %v, want nil or cart_closed", err)
			}
		}
		if won != 1 {
			t.Errorf("checkouts begun: got %d, want 1", won)
		}
		wantStock(t, st, "A", 100, 0, 1)
		got, err := st.Checkouts.CartCheckout(ctx, "cart_x")
		must(t, err)
		if got.Status != commerce.CheckoutPending {
			t.Errorf("CartCheckout status: got %q, want pending", got.Status)
		}
	})

	t.Run("ReleaseReopens", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		first := onCart("1", "cart_y", "A", 1)
		begin(t, st, first)
		_, err := st.Checkouts.Release(ctx, first.ID, commerce.CheckoutDeclined, nil)
		must(t, err)
		_, err = st.Checkouts.CartCheckout(ctx, "cart_y")
		wantCode(t, err, commerce.CodeNotFound)
		second := onCart("2", "cart_y", "A", 1)
		begin(t, st, second)
		// The first checkout's payment succeeds late: the cart is the
		// second's now, so it is recorded as refunded, never paid.
		_, err = st.Checkouts.MarkPaid(ctx, first.ID, "pi_late", placedMsg(first), nil)
		wantConflict(t, err, commerce.CodeCheckoutRefunded)
		wantStatus(t, st, first.ID, commerce.CheckoutRefunded)
		wantStock(t, st, "A", 5, 0, 1)
		ok, err := st.Checkouts.MarkPaid(ctx, second.ID, "pi_2", placedMsg(second), nil)
		must(t, err)
		if !ok {
			t.Errorf("MarkPaid of the live checkout: got false, want true")
		}
		// A paid checkout keeps its cart for good.
		wantConflict(t, st.Checkouts.BeginCheckout(ctx, onCart("3", "cart_y", "A", 1), nil), commerce.CodeCartClosed)
	})

	t.Run("ConcurrentLatePayments", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := onCart("1", "cart_l", "A", 2)
		begin(t, st, c)
		_, err := st.Checkouts.Release(ctx, c.ID, commerce.CheckoutExpired, nil)
		must(t, err)
		const n = 8
		changed := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				changed[i], errs[i] = st.Checkouts.MarkPaid(ctx, c.ID, "pi_late", placedMsg(c), nil)
			}()
		}
		wg.Wait()
		won := 0
		for i := range n {
			must(t, errs[i])
			if changed[i] {
				won++
			}
		}
		if won != 1 {
			t.Errorf("MarkPaid calls that changed the checkout: got %d, want 1", won)
		}
		wantStatus(t, st, c.ID, commerce.CheckoutPaid)
		wantStock(t, st, "A", 5, 0, 2)
		if got := outboxOf(t, st, commerce.MsgOrderPlaced); len(got) != 1 {
			t.Errorf("OrderPlaced messages: got %d, want 1", len(got))
		}
		got, err := st.Checkouts.CartCheckout(ctx, "cart_l")
		must(t, err)
		if got.ID != c.ID {
			t.Errorf("CartCheckout: got %s, want %s", got.ID, c.ID)
		}
	})

	t.Run("AbandonAndResume", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := onCart("1", "cart_z", "A", 2)
		begin(t, st, c)
		ok, err := st.Checkouts.Abandon(ctx, c.ID)
		must(t, err)
		if !ok {
			t.Fatalf("Abandon: got false, want true")
		}
		wantStock(t, st, "A", 5, 0, 0)
		_, err = st.Checkouts.Checkout(ctx, c.ID)
		wantCode(t, err, commerce.CodeNotFound)

		c = onCart("2", "cart_z", "A", 2)
		begin(t, st, c)
		_, err = st.Checkouts.Release(ctx, c.ID, commerce.CheckoutFailed, nil)
		must(t, err)
		wantStock(t, st, "A", 5, 0, 0)
		must(t, st.Checkouts.Resume(ctx, c.ID, moneyT0.Add(30e9), moneyT0.Add(60e9), nil))
		wantStatus(t, st, c.ID, commerce.CheckoutPending)
		wantStock(t, st, "A", 5, 0, 2)
		wantConflict(t, st.Checkouts.Resume(ctx, c.ID, moneyT0, moneyT0, nil), commerce.CodeCheckoutInProgress)
	})

	t.Run("ClientSlots", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 10)
		action := commerce.Payment{ID: "pi", Status: commerce.PaymentRequiresAction}
		var cs []*commerce.Checkout
		for _, n := range []string{"1", "2", "3"} {
			c := onCart(n, "cart_"+n, "A", 1)
			c.Client = "203.0.113.7"
			begin(t, st, c)
			cs = append(cs, c)
		}
		for _, c := range cs[:2] {
			_, err := st.Checkouts.SetPayment(ctx, c.ID, action, commerce.Hold{Checkouts: 2}, nil)
			must(t, err)
		}
		_, err := st.Checkouts.SetPayment(ctx, cs[2].ID, action, commerce.Hold{Checkouts: 2}, nil)
		wantConflict(t, err, commerce.CodeTooManyCheckouts)
		wantStatus(t, st, cs[2].ID, commerce.CheckoutPending)
		_, err = st.Checkouts.Release(ctx, cs[0].ID, commerce.CheckoutExpired, nil)
		must(t, err)
		_, err = st.Checkouts.SetPayment(ctx, cs[2].ID, action, commerce.Hold{Checkouts: 2}, nil)
		must(t, err)
		wantStatus(t, st, cs[2].ID, commerce.CheckoutRequiresAction)
	})

	t.Run("ClientSlotRace", func(t *testing.T) {
		// One checkout's payment recorded as requires_action by several
		// requests at once (a retry racing its first attempt): the slot
		// is taken once, for that checkout, and no request is refused.
		for _, maxHeld := range []int{1, 2} {
			st := newStores(t)
			stockUp(t, st, "A", 10)
			c := onCart("1", "cart_1", "A", 1)
			c.Client = "203.0.113.7"
			begin(t, st, c)
			action := commerce.Payment{ID: "pi_1", Status: commerce.PaymentRequiresAction}
			for i, err := range race(func(int) error {
				_, err := st.Checkouts.SetPayment(ctx, c.ID, action, commerce.Hold{Checkouts: maxHeld}, nil)
				return err
			}) {
				if err != nil {
					t.Errorf("maxHeld %d, racer %d: SetPayment(requires_action) of one checkout: %v", maxHeld, i, err)
				}
			}
			wantStatus(t, st, c.ID, commerce.CheckoutRequiresAction)
			// The one slot taken is this checkout's: with one slot, another
			// checkout of the client is refused.
			if maxHeld == 1 {
				d := onCart("2", "cart_2", "A", 1)
				d.Client = c.Client
				begin(t, st, d)
				_, err := st.Checkouts.SetPayment(ctx, d.ID, action, commerce.Hold{Checkouts: maxHeld}, nil)
				wantConflict(t, err, commerce.CodeTooManyCheckouts)
			}
		}
	})

	t.Run("ClientUnits", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 100, "B", 100)
		action := commerce.Payment{ID: "pi", Status: commerce.PaymentRequiresAction}
		hold := commerce.Hold{Units: 10, TotalUnits: 15}
		n := 0
		checkout := func(client string, lines ...any) *commerce.Checkout {
			n++
			c := onCart(fmt.Sprint(n), fmt.Sprint("cart_", n), lines...)
			c.Client = client
			begin(t, st, c)
			return c
		}
		wait := func(c *commerce.Checkout, want string) {
			t.Helper()
			_, err := st.Checkouts.SetPayment(ctx, c.ID, action, hold, nil)
			if want == "" {
				must(t, err)
				wantStatus(t, st, c.ID, commerce.CheckoutRequiresAction)
				return
			}
			wantConflict(t, err, want)
			wantStatus(t, st, c.ID, commerce.CheckoutPending)
		}
		const x, y = "203.0.113.7", "2001:db8::/64"
		a6 := checkout(x, "A", 6)
		wait(a6, "")
		wait(a6, "") // again: counted once
		a5 := checkout(x, "A", 5)
		wait(a5, commerce.CodeTooManyHeldUnits) // 11 of A
		b9 := checkout(x, "B", 9)
		wait(b9, "")                                             // 15 in all
		wait(checkout(y, "A", 10), "")                           // another client
		wait(checkout(x, "B", 1), commerce.CodeTooManyHeldUnits) // 16 in all
		wait(checkout(x, "A", 11), commerce.CodeTooManyHeldUnits)
		_, err := st.Checkouts.Release(ctx, a6.ID, commerce.CheckoutExpired, nil)
		must(t, err)
		wait(a5, "") // A: 5, 14 in all
		_, err = st.Checkouts.MarkPaid(ctx, b9.ID, "pi", placedMsg(b9), nil)
		must(t, err)
		wait(checkout(x, "A", 5, "B", 5), "") // A: 10, 15 in all
		wait(checkout(x, "B", 1), commerce.CodeTooManyHeldUnits)
		// Unbounded: counted all the same, so that bounds set later hold.
		_, err = st.Checkouts.SetPayment(ctx, checkout(x, "A", 50).ID, action, commerce.Hold{}, nil)
		must(t, err)
		wait(checkout(x, "B", 1), commerce.CodeTooManyHeldUnits)
	})

	t.Run("ActionHoldShortens", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 10)
		c := onCart("1", "cart_1", "A", 1)
		begin(t, st, c)
		action := commerce.Payment{ID: "pi", Status: commerce.PaymentRequiresAction}
		sooner := moneyT0.Add(10 * time.Minute)
		msg := expiryMsg(c)
		msg.ID, msg.ScheduledAt = "expire_sooner", sooner
		_, err := st.Checkouts.SetPayment(ctx, c.ID, action, commerce.Hold{Until: sooner, Outbox: []commerce.Message{msg}}, nil)
		must(t, err)
		if got := wantStatus(t, st, c.ID, commerce.CheckoutRequiresAction); !got.ReservedUntil.Equal(sooner) {
			t.Errorf("reserved until: got %v, want %v", got.ReservedUntil, sooner)
		}
		// A later end changes nothing and stores no message.
		later := msg
		later.ID, later.ScheduledAt = "expire_later", moneyT0.Add(12*time.Minute)
		_, err = st.Checkouts.SetPayment(ctx, c.ID, action, commerce.Hold{Until: later.ScheduledAt, Outbox: []commerce.Message{later}}, nil)
		must(t, err)
		if got := wantStatus(t, st, c.ID, commerce.CheckoutRequiresAction); !got.ReservedUntil.Equal(sooner) {
			t.Errorf("reserved until after a later end: got %v, want %v", got.ReservedUntil, sooner)
		}
		all, err := st.Outbox.Unpublished(ctx, 100)
		must(t, err)
		var ids []string
		for _, e := range all {
			ids = append(ids, e.Message.ID)
		}
		if want := []string{expiryMsg(c).ID, "expire_sooner"}; !slices.Equal(ids, want) {
			t.Errorf("outbox: got %v, want %v", ids, want)
		}
	})
}
