package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// stuckFailing wraps the queue functions so that messages of type msgType
// fail while fail says so; it counts their deliveries.
func stuckFailing(msgType string, fail func(n int32) bool, deliveries *atomic.Int32) func(Handler) Handler {
	return func(next Handler) Handler {
		return func(ctx context.Context, queue string, m commerce.Message) error {
			if m.Type == msgType {
				if n := deliveries.Add(1); fail(n) {
					return errors.New("a dependency is briefly unavailable")
				}
			}
			return next(ctx, queue, m)
		}
	}
}

// stuckWaitDeliveries waits until n deliveries were counted.
func stuckWaitDeliveries(tb testing.TB, what string, deliveries *atomic.Int32, n int32) {
	tb.Helper()
	moneyWait(tb, what, func() (bool, string) {
		got := deliveries.Load()
		return got == n, fmt.Sprintf("delivered %d times, want %d", got, n)
	})
}

// stuckAdvanceUntil moves the test clock on by wait and waits until n
// deliveries were counted. A delivery is counted when it starts, and its
// failure schedules the next one at the clock's reading when the
// dispatcher records it plus the backoff; under load that may come after
// the clock was moved, so while delivery n has not come, the clock is
// moved on by wait again after each second of real time (never more than
// wait past the failure, so the backoff still decides).
func stuckAdvanceUntil(tb testing.TB, s e2eShop, wait time.Duration, deliveries *atomic.Int32, n int32) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		s.Clock.Advance(wait)
		again := time.Now().Add(time.Second)
		for time.Now().Before(again) {
			switch got := deliveries.Load(); {
			case got == n:
				return
			case got > n:
				tb.Fatalf("delivery after %v: delivered %d times, want %d", wait, got, n)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if time.Now().After(deadline) {
			tb.Fatalf("delivery after %v: still delivered %d times, want %d", wait, deliveries.Load(), n)
		}
	}
}

// stuckDeadLetters returns GET /api/admin/deadletters?queue=queue.
func (s e2eShop) stuckDeadLetters(tb testing.TB, queue string) []moneyDeadLetter {
	tb.Helper()
	res := s.admin(tb, "GET", "/api/admin/deadletters?queue="+queue, nil)
	e2eWantStatus(tb, "GET /api/admin/deadletters", res, 200)
	var page struct{ Items []moneyDeadLetter }
	res.JSON(tb, &page)
	return page.Items
}

// TestE2EStuckBackoff fails the orders function five times: redelivered
// after 1, 2, 4 and 8 s of the (test) clock, not at once, the message is
// placed on its sixth delivery instead of using up its ten.
func TestE2EStuckBackoff(t *testing.T) {
	t.Parallel()
	var deliveries atomic.Int32
	s := startMoney(t, func(m *Main) {
		m.Config.RetryBackoff = time.Second
		m.Middleware = stuckFailing(commerce.MsgOrderPlaced, func(n int32) bool { return n <= 5 }, &deliveries)
	})
	s.mustStockedProduct(t, "stuck-backoff", "STK-BACKOFF", 1000, 10)
	r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-BACKOFF", 2}), "pm_card_visa"), ""))
	stuckWaitDeliveries(t, "first delivery", &deliveries, 1)
	// The clock stands still, so the failed message waits: a few of the
	// dispatcher's polls later it has not come again.
	time.Sleep(300 * time.Millisecond)
	if got := deliveries.Load(); got != 1 {
		t.Fatalf("deliveries before the clock moved: got %d, want 1", got)
	}
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second} {
		stuckAdvanceUntil(t, s, wait, &deliveries, int32(i+2))
	}
	s.moneyWaitOrder(t, r.OrderID, "placed")
	if dl := s.stuckDeadLetters(t, "orders"); len(dl) != 0 {
		t.Errorf("dead letters: got %+v, want none", dl)
	}
	s.moneyWantStockMatchesOrders(t, "STK-BACKOFF", 10, 0)
}

// TestE2EStuckExpiryOutage fails ReservationExpired for 13 seconds, as a
// payment provider outage at the moment of expiry would: retried with
// backoff, it releases the stock once the provider is back.
func TestE2EStuckExpiryOutage(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	var deliveries atomic.Int32
	var outageUntil atomic.Int64
	s := startMoney(t, func(m *Main) {
		now := m.Now // the test clock
		m.Config.RetryBackoff = time.Second
		m.Config.ReservationTTL = ttl
		m.Middleware = stuckFailing(commerce.MsgReservationExpired, func(int32) bool {
			return now().UnixNano() < outageUntil.Load()
		}, &deliveries)
	})
	s.mustStockedProduct(t, "stuck-outage", "STK-OUTAGE", 1000, 5)
	moneyWantAction(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-OUTAGE", 2}), "pm_card_authenticationRequired"), ""))
	if got := s.moneyAvailable(t, "STK-OUTAGE"); got != 3 {
		t.Fatalf("available while 3-D Secure is pending: got %d, want 3", got)
	}
	// The outage starts before the clock reaches the expiry, so that no
	// delivery can slip in between.
	outageUntil.Store(s.Clock.Now().Add(ttl + 13*time.Second).UnixNano())
	s.Clock.Advance(ttl)
	stuckWaitDeliveries(t, "expiry during the outage", &deliveries, 1)
	// 1 + 2 + 4 s: still down; + 8 s = 15 s: back.
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		s.Clock.Advance(wait)
		stuckWaitDeliveries(t, "expiry after "+wait.String(), &deliveries, int32(i+2))
	}
	s.moneyWaitAvailable(t, "STK-OUTAGE", 5)
	s.moneyWaitQueues(t, 0, 0)
	if dl := s.stuckDeadLetters(t, "inventory"); len(dl) != 0 {
		t.Errorf("dead letters: got %+v, want none", dl)
	}
	s.moneyWantStockMatchesOrders(t, "STK-OUTAGE", 5, 0)
}

// TestE2EStuckOrderDeadLettered dead-letters two OrderPlaced messages: the
// paid orders are listed as processing; one is cancelled and refunded, the
// other re-driven and placed; re-driving the first changes nothing.
func TestE2EStuckOrderDeadLettered(t *testing.T) {
	t.Parallel()
	var deliveries atomic.Int32
	var broken atomic.Bool
	broken.Store(true)
	s := startMoney(t, func(m *Main) {
		m.Config.MaxDeliveries = 2
		m.Middleware = stuckFailing(commerce.MsgOrderPlaced, func(int32) bool { return broken.Load() }, &deliveries)
	})
	s.mustStockedProduct(t, "stuck-dead", "STK-DEAD", 1000, 10)
	placed := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-DEAD", 1}), "pm_card_visa"), ""))
	cancelled := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-DEAD", 2}), "pm_card_visa"), ""))
	var dls []moneyDeadLetter
	moneyWait(t, "two dead letters", func() (bool, string) {
		dls = s.stuckDeadLetters(t, "orders")
		return len(dls) == 2, "not yet"
	})
	processing := s.moneyOrders(t, "processing", 10)
	if len(processing) != 2 {
		t.Fatalf("GET /api/admin/orders?status=processing: got %+v, want both paid orders", processing)
	}

	e2eWantStatus(t, "cancel the stuck order", s.admin(t, "POST", "/api/admin/orders/"+cancelled.OrderID+"/cancel", nil), 200)
	s.moneyWaitOrder(t, cancelled.OrderID, "cancelled")
	if got := s.moneyRefunds(t); got != 1 {
		t.Errorf("refunds: got %d, want 1", got)
	}

	broken.Store(false)
	for _, dl := range dls {
		path := "/api/admin/deadletters/orders/" + dl.MessageID + "/redrive"
		e2eWantProblem(t, "redrive without the key", s.do(t, "POST", path, nil), 401, "unauthorized")
		res := s.admin(t, "POST", path, nil)
		e2eWantStatus(t, "redrive", res, 200)
		var got struct{ Queue, MessageID, RedrivenAs string }
		res.JSON(t, &got)
		if got.Queue != "orders" || got.MessageID != dl.MessageID || got.RedrivenAs == "" || got.RedrivenAs == dl.MessageID {
			t.Errorf("redrive: got %s, want the queue, the message ID and a new ID", res.Body)
		}
		e2eWantProblem(t, "redrive again", s.admin(t, "POST", path, nil), 404, "not_found")
	}
	e2eWantProblem(t, "redrive on no queue", s.admin(t, "POST", "/api/admin/deadletters/bogus/x/redrive", nil), 404, "not_found")
	s.moneyWaitOrder(t, placed.OrderID, "placed")
	s.moneyWaitQueues(t, 0, 2) // the scheduled expiries
	if _, o := s.moneyGetOrder(t, cancelled.OrderID); o.Status != "cancelled" {
		t.Errorf("re-driven OrderPlaced of a cancelled order: status %q, want cancelled", o.Status)
	}
	if dl := s.stuckDeadLetters(t, "orders"); len(dl) != 0 {
		t.Errorf("dead letters after re-driving: got %+v, want none", dl)
	}
	if got := s.moneyCharges(t); got != 2 {
		t.Errorf("charges: got %d, want 2", got)
	}
	if list := s.moneyOrders(t, "processing", 10); len(list) != 0 {
		t.Errorf("processing orders: got %+v, want none", list)
	}
	s.moneyWantStockMatchesOrders(t, "STK-DEAD", 10, 0)
}

// TestE2EStuckSweep loses a reservation's ReservationExpired message (dead-
// lettered): the periodic sweep releases the stock once the reservation is
// past its expiry, and only then.
func TestE2EStuckSweep(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	var deliveries atomic.Int32
	s := startMoney(t, func(m *Main) {
		m.Config.MaxDeliveries = 2
		m.Config.ReservationTTL = ttl
		m.Middleware = stuckFailing(commerce.MsgReservationExpired, func(int32) bool { return true }, &deliveries)
	})
	s.mustStockedProduct(t, "stuck-sweep", "STK-SWEEP", 1000, 5)
	moneyWantAction(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-SWEEP", 2}), "pm_card_authenticationRequired"), ""))
	ctx := context.Background()
	if n, err := s.Sweeper.Sweep(ctx); err != nil || n != 0 {
		t.Errorf("sweep before expiry: got %d, %v, want 0", n, err)
	}
	s.Clock.Advance(ttl)
	moneyWait(t, "dead-lettered expiry", func() (bool, string) {
		return len(s.stuckDeadLetters(t, "inventory")) == 1, "not yet"
	})
	if got := s.moneyAvailable(t, "STK-SWEEP"); got != 3 {
		t.Fatalf("available with the expiry dead-lettered: got %d, want 3", got)
	}
	s.Clock.Advance(2 * time.Minute)
	if n, err := s.Sweeper.Sweep(ctx); err != nil || n != 1 {
		t.Errorf("sweep: got %d, %v, want 1", n, err)
	}
	if got := s.moneyAvailable(t, "STK-SWEEP"); got != 5 {
		t.Errorf("available after the sweep: got %d, want 5", got)
	}
	if n, err := s.Sweeper.Sweep(ctx); err != nil || n != 0 {
		t.Errorf("second sweep: got %d, %v, want 0", n, err)
	}
	s.moneyWantStockMatchesOrders(t, "STK-SWEEP", 5, 0)
}
