package storetest

import (
	"fmt"
	"sync"
	"testing"

	"shopfn/handler/commerce"
)

// RedemptionStores are the money-path stores and the promotions on one
// database: a checkout's redemptions are reserved with its stock.
type RedemptionStores struct {
	MoneyStores
	Promotions commerce.PromotionStore
	// StoredCounters, when set, reads the counters a promotion's own
	// record holds (sqlstore's used and reserved columns): a promotion
	// without a usage limit must keep none (0), so that concurrent
	// checkouts of it never write one shared record.
	StoredCounters func(id string) (used, reserved int64, err error)
}

// promoCheckout returns checkout n buying one unit of sku with promotion
// p's discount, for customer ("" for a guest).
func promoCheckout(n, sku string, p *commerce.Promotion, customer string) *commerce.Checkout {
	c := newCheckout(n, sku, 1)
	c.CustomerID = customer
	c.Discounts = []commerce.Discount{{PromotionID: p.ID, Code: p.Code, Amount: commerce.Money{Amount: 100, Currency: "USD"}}}
	c.DiscountTotal = commerce.Money{Amount: 100, Currency: "USD"}
	c.Total.Amount -= 100
	return c
}

// wantCounters fails the test unless promotion id has used and reserved.
func wantCounters(t *testing.T, st RedemptionStores, id string, used, reserved int64) {
	t.Helper()
	p, err := st.Promotions.Promotion(callContext(t), id)
	must(t, err)
	if p.Used != used || p.Reserved != reserved {
		t.Errorf("promotion %s: used %d, reserved %d; want %d and %d", id, p.Used, p.Reserved, used, reserved)
	}
}

// raceCheckouts begins n checkouts at once (made by mk) and returns how
// many began and how many were refused with code; any other outcome fails.
func raceCheckouts(t *testing.T, st RedemptionStores, n int, code string, mk func(i int) *commerce.Checkout) (began []*commerce.Checkout, refused int) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		c := mk(i)
		wg.Go(func() {
			err := st.Checkouts.BeginCheckout(callContext(t), c, []commerce.Message{expiryMsg(c)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				began = append(began, c)
			case commerce.ErrorCode(err) == code:
				refused++
			default:
				t.Errorf("BeginCheckout(%s): got %v, want nil or %s", c.ID, err, code)
			}
		})
	}
	wg.Wait()
	return began, refused
}

// TestRedemptions runs the redemption conformance suite: usage and
// per-customer limits under concurrent checkouts, and every transition
// of a redemption, each once under redelivery. newStores must return new,
// empty stores each time.
func TestRedemptions(t *testing.T, newStores func(t *testing.T) RedemptionStores) {
	testRedemptionCounts(t, newStores)
	t.Run("UsageLimitRace", func(t *testing.T) {
		st := newStores(t)
		const limit = 3
		stockUp(t, st.MoneyStores, "SKU-R", 1000)
		p := NewPromotion("mrace", "RACE")
		p.UsageLimit = new(int64)
		*p.UsageLimit = limit
		must(t, st.Promotions.CreatePromotion(callContext(t), p))
		began, refused := raceCheckouts(t, st, 4*limit, commerce.CodePromotionExhausted, func(i int) *commerce.Checkout {
			return promoCheckout(fmt.Sprintf("r%d", i), "SKU-R", p, "")
		})
		if len(began) != limit || refused != 3*limit {
			t.Fatalf("%d checkouts at once: %d began, %d promotion_exhausted; want %d and %d", 4*limit, len(began), refused, limit, 3*limit)
		}
		wantCounters(t, st, p.ID, 0, limit)
		// A refused checkout reserved no stock.
		wantStock(t, st.MoneyStores, "SKU-R", 1000, 0, limit)

		// Paid, twice: used once.
		for range 2 {
			_, err := st.Checkouts.MarkPaid(callContext(t), began[0].ID, "pay_0", placedMsg(began[0]), nil)
			must(t, err)
		}
		wantCounters(t, st, p.ID, 1, limit-1)
		// Declined, twice: given back once.
		for range 2 {
			_, err := st.Checkouts.Release(callContext(t), began[1].ID, commerce.CheckoutDeclined, nil)
			must(t, err)
		}
		wantCounters(t, st, p.ID, 1, limit-2)
		// The freed redemption goes to the next buyer, and no more.
		more, refused := raceCheckouts(t, st, 4, commerce.CodePromotionExhausted, func(i int) *commerce.Checkout {
			return promoCheckout(fmt.Sprintf("m%d", i), "SKU-R", p, "")
		})
		if len(more) != 1 || refused != 3 {
			t.Errorf("after a decline: %d began, %d refused; want 1 and 3", len(more), refused)
		}
		wantCounters(t, st, p.ID, 1, limit-1)
		// Failed, then resumed: released, then held again within the limit.
		_, err := st.Checkouts.Release(callContext(t), began[2].ID, commerce.CheckoutFailed, nil)
		must(t, err)
		wantCounters(t, st, p.ID, 1, limit-2)
		must(t, st.Checkouts.Resume(callContext(t), began[2].ID, moneyT0, moneyT0.Add(15*60e9), nil))
		wantCounters(t, st, p.ID, 1, limit-1)
		// Expired: given back.
		_, err = st.Checkouts.Release(callContext(t), more[0].ID, commerce.CheckoutExpired, nil)
		must(t, err)
		wantCounters(t, st, p.ID, 1, limit-2)
	})

	t.Run("PerCustomerRace", func(t *testing.T) {
		st := newStores(t)
		const limit = 2
		stockUp(t, st.MoneyStores, "SKU-C", 1000)
		p := NewPromotion("mcust", "ONCE")
		p.UsageLimit, p.PerCustomerLimit = nil, new(int64)
		*p.PerCustomerLimit = limit
		must(t, st.Promotions.CreatePromotion(callContext(t), p))
		began, refused := raceCheckouts(t, st, 4*limit, commerce.CodePromotionLimitReached, func(i int) *commerce.Checkout {
			return promoCheckout(fmt.Sprintf("c%d", i), "SKU-C", p, "cust_1")
		})
		if len(began) != limit || refused != 3*limit {
			t.Fatalf("one customer, %d checkouts at once: %d began, %d promotion_limit_reached; want %d and %d", 4*limit, len(began), refused, limit, 3*limit)
		}
		wantCounters(t, st, p.ID, 0, limit)
		// Another customer is not limited by the first one's uses.
		begin(t, st.MoneyStores, promoCheckout("other", "SKU-C", p, "cust_2"))
		// A declined checkout gives the customer's use back.
		_, err := st.Checkouts.Release(callContext(t), began[0].ID, commerce.CheckoutDeclined, nil)
		must(t, err)
		begin(t, st.MoneyStores, promoCheckout("again", "SKU-C", p, "cust_1"))
		wantConflict(t, st.Checkouts.BeginCheckout(callContext(t), promoCheckout("over", "SKU-C", p, "cust_1"), nil), commerce.CodePromotionLimitReached)
	})

	t.Run("CancelledOrder", func(t *testing.T) {
		for _, refundable := range []bool{false, true} {
			t.Run(fmt.Sprint("Refundable", refundable), func(t *testing.T) {
				st := newStores(t)
				stockUp(t, st.MoneyStores, "SKU-O", 10)
				p := NewPromotion("mcancel", "CANCEL")
				p.Refundable = refundable
				must(t, st.Promotions.CreatePromotion(callContext(t), p))
				c := promoCheckout("o1", "SKU-O", p, "")
				begin(t, st.MoneyStores, c)
				_, err := st.Checkouts.MarkPaid(callContext(t), c.ID, "pay_o1", placedMsg(c), nil)
				must(t, err)
				place(t, st.MoneyStores, c, moneyT0)
				cancel(t, st.MoneyStores, c.OrderID, moneyT0)
				var used int64 = 1
				if refundable {
					used = 0
				}
				wantCounters(t, st, p.ID, used, 0)
				// Cancelling again changes nothing.
				_, err = st.Orders.CancelOrder(callContext(t), c.OrderID, moneyT0, cancelledMsg(c.OrderID))
				must(t, err)
				wantCounters(t, st, p.ID, used, 0)
			})
		}
	})
}
