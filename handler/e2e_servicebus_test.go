package main

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/servicebus/sbpeertest"
)

// This file runs the money path with its queues on Service Bus: the
// program's relay publishes to the Service Bus peer (scripts/sbpeer) and its
// dispatcher receives from it, through the real azservicebus SDK.

// sbPeer is the Service Bus peer TestMain started, or nil with
// sbPeerMissing saying why.
var (
	sbPeer        *sbpeertest.Peer
	sbPeerMissing string
	// sbMu lets one program at a time use the peer's queues.
	sbMu sync.Mutex
)

// startServiceBus starts the program with SHOPFN_QUEUE=servicebus on the
// peer, whose queues it has to itself until the test ends.
func startServiceBus(tb testing.TB, change func(*Main)) e2eShop {
	tb.Helper()
	if sbPeer == nil {
		tb.Skip(sbPeerMissing)
	}
	sbMu.Lock()
	tb.Cleanup(sbMu.Unlock) // after the program closes
	if err := sbPeer.Reset(); err != nil {
		tb.Fatal(err)
	}
	s := startMoney(tb, func(m *Main) {
		m.Config.Queue = "servicebus"
		m.Config.ServiceBusConnection = sbPeer.ConnectionString()
		if change != nil {
			change(m)
		}
	})
	// Scheduled messages fall due by the peer's clock: move it with the program's.
	s.Clock.OnAdvance = func(d time.Duration) {
		if err := sbPeer.Advance(d); err != nil {
			tb.Error(err)
		}
	}
	return s
}

func TestE2EServiceBus(t *testing.T) {
	t.Run("FlashSale", func(t *testing.T) { moneyFlashSale(t, startServiceBus) })

	for _, tt := range []struct {
		name       string
		middleware func(Handler) Handler
	}{
		{"RedeliveryTwice", moneyTwice()},
		{"RedeliveryOutOfOrder", moneyOutOfOrder()},
	} {
		t.Run(tt.name, func(t *testing.T) { moneyRedelivery(t, tt.middleware, startServiceBus) })
	}

	t.Run("DeadLetterAndRedrive", func(t *testing.T) {
		const maxDeliveries = 3
		var broken atomic.Bool
		broken.Store(true)
		s := startServiceBus(t, func(m *Main) {
			m.Config.MaxDeliveries = maxDeliveries
			m.Middleware = func(next Handler) Handler {
				return func(ctx context.Context, queue string, msg commerce.Message) error {
					if broken.Load() && msg.ID != "poison-1" {
						return errors.New("the order store is down")
					}
					return next(ctx, queue, msg)
				}
			}
		})
		s.mustStockedProduct(t, "sb-poison", "SB-POISON", 1000, 10)
		if err := s.queue.Publish(context.Background(), commerce.QueueOrders, commerce.Message{ID: "poison-1", Type: commerce.MsgOrderPlaced, Body: []byte("{not json")}); err != nil {
			t.Fatal(err)
		}
		r := moneyWantPaid(t, "checkout while orders fail", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"SB-POISON", 1}), "pm_card_visa"), ""))
		var items []moneyDeadLetter
		moneyWait(t, "dead letters", func() (bool, string) {
			res := s.admin(t, "GET", "/api/admin/deadletters?queue=orders", nil)
			e2eWantStatus(t, "GET /api/admin/deadletters", res, 200)
			var page struct{ Items []moneyDeadLetter }
			res.JSON(t, &page)
			items = page.Items
			return len(items) == 2, string(res.Body)
		})
		for _, got := range items {
			want := moneyDeadLetter{Queue: "orders", MessageID: got.MessageID, Type: "OrderPlaced", DeliveryCount: maxDeliveries}
			reason := got.Reason
			got.Reason = ""
			if got != want || reason == "" {
				t.Errorf("dead letter: got %+v (reason %q), want %+v with a reason", got, reason, want)
			}
		}
		broken.Store(false)
		i := slices.IndexFunc(items, func(d moneyDeadLetter) bool { return d.MessageID != "poison-1" })
		if i < 0 {
			t.Fatalf("dead letters %+v: no OrderPlaced of the checkout", items)
		}
		path := "/api/admin/deadletters/orders/" + items[i].MessageID + "/redrive"
		e2eWantStatus(t, "redrive", s.admin(t, "POST", path, nil), 200)
		e2eWantProblem(t, "redrive again", s.admin(t, "POST", path, nil), 404, "not_found")
		s.moneyWaitOrder(t, r.OrderID, "placed")
		res := s.admin(t, "GET", "/api/admin/deadletters?queue=orders", nil)
		var page struct{ Items []moneyDeadLetter }
		res.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].MessageID != "poison-1" || page.Items[0].DeliveryCount != maxDeliveries {
			t.Errorf("dead letters after the re-drive: got %s, want only poison-1, its count unchanged", res.Body)
		}
	})
}

// BenchmarkOrdersPlaced measures orders placed per second behind
// checkouts: each round, 50 buyers check out at once and the round ends
// when all 50 orders are placed, through the embedded queue or through
// Service Bus (the peer, over AMQP on loopback).
func BenchmarkOrdersPlaced(b *testing.B) {
	for _, backend := range []string{"embedded", "servicebus"} {
		b.Run(backend, func(b *testing.B) {
			var s e2eShop
			if backend == "servicebus" {
				s = startServiceBus(b, nil)
			} else {
				s = startMoney(b, nil)
			}
			const buyers = 50
			s.mustStockedProduct(b, "bench-orders", "BENCH-ORDERS", 100, int64(buyers*(b.N+1)))
			var placed time.Duration
			for range b.N {
				b.StopTimer()
				carts := make([]string, buyers)
				for i := range carts {
					carts[i] = s.moneyCart(b, e2eLine{"BENCH-ORDERS", 1})
				}
				b.StartTimer()
				start := time.Now()
				res := make([]*Response, buyers)
				var wg sync.WaitGroup
				for i, cart := range carts {
					wg.Go(func() { res[i], _ = s.send("POST", "/api/checkout", moneyNewRequest(cart, "pm_card_visa")) })
				}
				wg.Wait()
				for i, r := range res {
					if r == nil {
						b.Fatalf("buyer %d: no response", i)
					}
					s.moneyWaitOrder(b, moneyWantPaid(b, "checkout", r).OrderID, "placed")
				}
				placed += time.Since(start)
			}
			b.ReportMetric(float64(buyers*b.N)/placed.Seconds(), "orders/s")
		})
	}
}
