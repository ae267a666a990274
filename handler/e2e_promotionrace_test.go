package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// This file holds the concurrency tests of promotion limits over HTTP: a
// usage limit and a per-customer limit hold against buyers checking out
// at once, before any charge, and declined payments give their
// redemption back.

// promoStampede checks out every cart at once with paymentMethod, each
// request carrying header, and returns the responses.
func (s e2eShop) promoStampede(t *testing.T, carts []string, paymentMethod string, header ...string) []*Response {
	t.Helper()
	res := make([]*Response, len(carts))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, cart := range carts {
		wg.Go(func() {
			<-start
			r, err := s.send("POST", "/api/checkout", moneyNewRequest(cart, paymentMethod), header...)
			if err != nil {
				t.Error(err)
				return
			}
			e2eCheckResponse(t, "POST", "/api/checkout", r)
			res[i] = r
		})
	}
	close(start)
	wg.Wait()
	return res
}

// promoSplit counts the paid responses (checking that each carries
// promotion id's discount and that its total is net of it) and the
// problems with code; any other answer fails.
func promoSplit(t *testing.T, res []*Response, id, code string) (paid []moneyResult, refused int) {
	t.Helper()
	for i, r := range res {
		switch {
		case r == nil:
		case r.Status == 201:
			var p struct {
				moneyResult
				DiscountTotal e2eMoney
				Discounts     []struct{ PromotionID string }
			}
			r.JSON(t, &p)
			if len(p.Discounts) != 1 || p.Discounts[0].PromotionID != id || p.DiscountTotal.Amount <= 0 ||
				p.Total.Amount != p.Subtotal.Amount-p.DiscountTotal.Amount+p.Shipping.Amount+p.Tax.Amount {
				t.Errorf("buyer %d: paid %s, want promotion %s's discount taken off the total", i, r.Body, id)
			}
			paid = append(paid, p.moneyResult)
		case r.Status == 409:
			refused++
			e2eWantProblem(t, fmt.Sprintf("buyer %d", i), r, 409, code)
		default:
			t.Errorf("buyer %d: got %d %s, want 201 or 409 %s", i, r.Status, r.Body, code)
		}
	}
	return paid, refused
}

// promoCounters reads a promotion's counters.
func (s e2eShop) promoCounters(tb testing.TB, id string) (used, reserved int64) {
	tb.Helper()
	res := s.admin(tb, "GET", "/api/admin/promotions/"+id, nil)
	e2eWantStatus(tb, "GET promotion", res, 200)
	var p e2ePromotion
	res.JSON(tb, &p)
	return p.Used, p.Reserved
}

// TestE2EPromotionUsageLimitRace runs the usage-limit race with the
// queues embedded and on the Service Bus peer (the checkouts' orders then
// reach the orders function through Service Bus); scripts/test.sh runs it
// once more with catalog and carts on the Cosmos DB peer.
func TestE2EPromotionUsageLimitRace(t *testing.T) {
	t.Parallel()
	t.Run("EmbeddedQueue", func(t *testing.T) {
		t.Parallel()
		promoUsageLimitRace(t, startMoney)
	})
	t.Run("ServiceBus", func(t *testing.T) {
		t.Parallel()
		promoUsageLimitRace(t, startServiceBus)
	})
}

// promoUsageLimitRace has 2N buyers with declined cards, then 4N with
// good ones, race for a code with usage limit N, on a program that start
// starts: exactly N are paid and placed with the discount, the rest are
// refused before any charge, and the counters match the orders once every
// checkout has expired.
func promoUsageLimitRace(t *testing.T, start func(testing.TB, func(*Main)) e2eShop) {
	s := start(t, nil)
	const n = 5
	s.mustStockedProduct(t, "promo-race", "PROMO-RACE", 1000, 1000)
	body := percentOff("RACE5", 2000)
	body["usageLimit"] = n
	p := s.mustCreatePromotion(t, body)
	newCarts := func(k int) []string {
		carts := make([]string, k)
		for i := range carts {
			carts[i] = s.moneyCart(t, e2eLine{"PROMO-RACE", 1})
			e2eWantStatus(t, "apply", s.applyCode(t, carts[i], "race5"), 200)
		}
		return carts
	}

	// Declined payments hold a redemption only until they are declined.
	for i, r := range s.promoStampede(t, newCarts(2*n), "pm_card_chargeDeclined") {
		if r != nil && r.Status != 402 && !(r.Status == 409 && r.problemCode() == "promotion_exhausted") {
			t.Errorf("declined buyer %d: got %d %s, want 402 or 409 promotion_exhausted", i, r.Status, r.Body)
		}
	}
	if used, reserved := s.promoCounters(t, p.ID); used != 0 || reserved != 0 {
		t.Fatalf("after declined payments: used %d, reserved %d; want 0 and 0", used, reserved)
	}
	charges := s.moneyCharges(t)

	paid, refused := promoSplit(t, s.promoStampede(t, newCarts(4*n), "pm_card_visa"), p.ID, "promotion_exhausted")
	if len(paid) != n || refused != 3*n {
		t.Errorf("got %d paid and %d promotion_exhausted, want %d and %d", len(paid), refused, n, 3*n)
	}
	if got := s.moneyCharges(t) - charges; got != len(paid) {
		t.Errorf("charges: got %d, want %d (none for a refused checkout)", got, len(paid))
	}
	if used, reserved := s.promoCounters(t, p.ID); used != int64(len(paid)) || reserved != 0 {
		t.Errorf("counters: used %d, reserved %d; want %d paid orders and 0", used, reserved, len(paid))
	}

	// Every paid checkout becomes a placed order carrying the discount,
	// and its expiry, once due, leaves the counters as they are.
	s.moneyWantPlaced(t, paid)
	if got := s.promoOrders(t, p.ID); got != len(paid) {
		t.Errorf("placed orders carrying %s: got %d, want %d", p.ID, got, len(paid))
	}
	s.Clock.Advance(NewTestConfig(t, false).ReservationTTL + time.Minute)
	s.moneyWaitQueues(t, 0, 0)
	if used, reserved := s.promoCounters(t, p.ID); used != int64(len(paid)) || reserved != 0 {
		t.Errorf("counters once the checkouts expired: used %d, reserved %d; want %d placed orders and 0", used, reserved, len(paid))
	}
}

// promoOrders returns how many placed orders carry a discount of
// promotion id.
func (s e2eShop) promoOrders(tb testing.TB, id string) int {
	tb.Helper()
	res := s.admin(tb, "GET", "/api/admin/orders?status=placed&limit=100", nil)
	e2eWantStatus(tb, "GET /api/admin/orders", res, 200)
	var page struct {
		Items []struct {
			Discounts []struct{ PromotionID string }
		}
	}
	res.JSON(tb, &page)
	n := 0
	for _, o := range page.Items {
		if slices.ContainsFunc(o.Discounts, func(d struct{ PromotionID string }) bool { return d.PromotionID == id }) {
			n++
		}
	}
	return n
}

// TestE2EPromotionPerCustomerRace runs the per-customer race with the
// queues embedded and on the Service Bus peer.
func TestE2EPromotionPerCustomerRace(t *testing.T) {
	t.Parallel()
	t.Run("EmbeddedQueue", func(t *testing.T) {
		t.Parallel()
		promoPerCustomerRace(t, startMoney)
	})
	t.Run("ServiceBus", func(t *testing.T) {
		t.Parallel()
		promoPerCustomerRace(t, startServiceBus)
	})
}

// promoPerCustomerRace has one customer on 4L devices check out at once
// with a code limited to L uses per customer, on a program that start
// starts: exactly L are paid and placed, the rest refused before any
// charge, and a guest may not use the code.
func promoPerCustomerRace(t *testing.T, start func(testing.TB, func(*Main)) e2eShop) {
	s := start(t, nil)
	const limit = 2
	s.mustStockedProduct(t, "promo-cust", "PROMO-CUST", 1000, 1000)
	body := percentOff("ONCE2", 1000)
	body["perCustomerLimit"] = limit
	p := s.mustCreatePromotion(t, body)
	c := devSignIn(t, s.Program, "many-devices@example.com", "")
	auth := []string{"Authorization", "Bearer " + c.token}

	// A guest may not use it.
	guest := s.moneyCart(t, e2eLine{"PROMO-CUST", 1})
	e2eWantProblem(t, "a guest applies it", s.applyCode(t, guest, "ONCE2"), 401, "unauthorized")

	// One customer on many devices: guest carts, checked out signed in.
	carts := make([]string, 4*limit)
	for i := range carts {
		carts[i] = s.moneyCart(t, e2eLine{"PROMO-CUST", 1})
		e2eWantStatus(t, "apply signed in", s.applyCode(t, carts[i], "ONCE2", auth...), 200)
	}
	charges := s.moneyCharges(t)
	paid, refused := promoSplit(t, s.promoStampede(t, carts, "pm_card_visa", auth...), p.ID, "promotion_limit_reached")
	if len(paid) != limit || refused != 3*limit {
		t.Errorf("got %d paid and %d promotion_limit_reached, want %d and %d", len(paid), refused, limit, 3*limit)
	}
	if got := s.moneyCharges(t) - charges; got != len(paid) {
		t.Errorf("charges: got %d, want %d", got, len(paid))
	}
	if used, reserved := s.promoCounters(t, p.ID); used != int64(len(paid)) || reserved != 0 {
		t.Errorf("counters: used %d, reserved %d; want %d and 0", used, reserved, len(paid))
	}
	// The customer's orders are read only with their token: count them
	// on the admin list.
	moneyWait(t, "placed orders", func() (bool, string) {
		got := s.promoOrders(t, p.ID)
		return got == len(paid), fmt.Sprintf("%d placed orders carry %s, want %d", got, p.ID, len(paid))
	})
	// Checking a cart with the code out as a guest is refused before anything is reserved.
	res := s.moneyCheckout(t, moneyNewRequest(carts[0], "pm_card_visa"), "")
	if res.Status != 401 && res.Status != 409 {
		t.Errorf("guest checkout of a per-customer code: got %d %s, want 401 (or 409 for a cart checked out)", res.Status, res.Body)
	}
}

// problemCode returns the code of a problem response, or "".
func (r *Response) problemCode() string {
	var p struct{ Code string }
	if json.Unmarshal(r.Body, &p) != nil {
		return ""
	}
	return p.Code
}
