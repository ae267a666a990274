package storetest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"shopfn/handler/commerce"
)

// racers is how many goroutines each race runs. On an engine with many
// writers (Azure SQL under READ COMMITTED SNAPSHOT) these cases fail when a
// decision is a read followed by a write instead of one conditional
// statement or a key.
const racers = 8

// testRaces runs the money path's concurrency cases.
func testRaces(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)

	t.Run("FirstSetOnHand", func(t *testing.T) {
		st := newStores(t)
		errs := race(func(i int) error {
			_, err := st.Inventory.SetOnHand(ctx, "NEW", int64(10+i))
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("racer %d: SetOnHand of a new SKU: %v", i, err)
			}
		}
		l, err := st.Inventory.StockLevels(ctx, []string{"NEW"})
		must(t, err)
		if got := l["NEW"]; got.OnHand < 10 || got.OnHand >= 10+racers || got.Reserved != 0 {
			t.Errorf("after racing SetOnHand: got %+v, want onHand one of the values set, reserved 0", got)
		}
	})

	t.Run("ApplyStockLevel", func(t *testing.T) {
		st := newStores(t)
		seqs := rand.Perm(racers) // sequences 1..racers in any order
		oks := make([]bool, racers)
		errs := race(func(i int) (err error) {
			seq := int64(seqs[i] + 1)
			oks[i], err = st.Inventory.ApplyStockLevel(ctx, "A", 100+seq, "erp", seq)
			return err
		})
		for i, err := range errs {
			must(t, err)
			if seqs[i]+1 == racers && !oks[i] {
				t.Errorf("the highest sequence %d: got applied false, want true", racers)
			}
		}
		wantStock(t, st, "A", 100+racers, 0, 0)
		ok, err := st.Inventory.ApplyStockLevel(ctx, "A", 1, "erp", racers)
		must(t, err)
		if ok {
			t.Errorf("sequence %d again after the race: got applied true, want false", racers)
		}
	})

	t.Run("LastUnit", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 1)
		errs := race(func(i int) error {
			c := newCheckout(fmt.Sprint(i), "A", 1)
			return st.Checkouts.BeginCheckout(ctx, c, []commerce.Message{expiryMsg(c)})
		})
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case commerce.ErrorCode(err) != commerce.CodeInsufficientStock:
				t.Errorf("racing for the last unit: got %v, want nil or insufficient_stock", err)
			}
		}
		if won != 1 {
			t.Errorf("racing for the last unit: %d checkouts got it, want 1", won)
		}
		wantStock(t, st, "A", 1, 0, 1)
	})

	t.Run("MarkPaidAfterExpiry", func(t *testing.T) {
		st := newStores(t)
		stockUp(t, st, "A", 5)
		c := newCheckout("1", "A", 2)
		begin(t, st, c)
		ok, err := st.Checkouts.Release(ctx, c.ID, commerce.CheckoutExpired, nil)
		must(t, err)
		if !ok {
			t.Fatal("Release: got false, want true")
		}
		oks := make([]bool, racers)
		errs := race(func(i int) (err error) {
			oks[i], err = st.Checkouts.MarkPaid(ctx, c.ID, "pi_1", placedMsg(c), nil)
			return err
		})
		n := 0
		for i, err := range errs {
			must(t, err)
			if oks[i] {
				n++
			}
		}
		if n != 1 {
			t.Errorf("racing MarkPaid of an expired checkout: got %d true, want 1", n)
		}
		wantStock(t, st, "A", 5, 0, 2) // reserved again once, not per racer
		if got := outboxOf(t, st, commerce.MsgOrderPlaced); len(got) != 1 {
			t.Errorf("OrderPlaced messages: got %d, want 1", len(got))
		}
	})

	t.Run("ResumeRetries", func(t *testing.T) {
		// Checkout retries after a payment outage: many Resume calls at
		// once, of distinct checkouts and of one. On a store with one
		// pool for reads and writes, a Resume that read outside its
		// transaction held a connection while waiting for another.
		st := newStores(t)
		stockUp(t, st, "A", 100)
		var cs []*commerce.Checkout
		for i := range racers {
			c := onCart(fmt.Sprint("r", i), fmt.Sprint("cart_r", i), "A", 2)
			begin(t, st, c)
			_, err := st.Checkouts.Release(ctx, c.ID, commerce.CheckoutFailed, nil)
			must(t, err)
			cs = append(cs, c)
		}
		wantStock(t, st, "A", 100, 0, 0)
		errs := race(func(i int) error {
			return st.Checkouts.Resume(ctx, cs[i].ID, moneyT0.Add(30e9), moneyT0.Add(60e9), []commerce.Message{expiryMsg(cs[i])})
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("Resume of checkout %d: %v", i, err)
			}
			wantStatus(t, st, cs[i].ID, commerce.CheckoutPending)
		}
		wantStock(t, st, "A", 100, 0, 2*racers)

		c := cs[0]
		_, err := st.Checkouts.Release(ctx, c.ID, commerce.CheckoutFailed, nil)
		must(t, err)
		errs = race(func(int) error {
			return st.Checkouts.Resume(ctx, c.ID, moneyT0.Add(30e9), moneyT0.Add(60e9), nil)
		})
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case commerce.ErrorCode(err) != commerce.CodeCheckoutInProgress:
				t.Errorf("racing Resume of one checkout: got %v, want nil or checkout_in_progress", err)
			}
		}
		if won != 1 {
			t.Errorf("racing Resume of one checkout: %d won, want 1", won)
		}
		wantStock(t, st, "A", 100, 0, 2*racers) // reserved again once, not per racer
	})
}

// race runs fn(0..racers-1) at once and returns their errors.
func race(fn func(i int) error) []error {
	errs := make([]error, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range errs {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}
