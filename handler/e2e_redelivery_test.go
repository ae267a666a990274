package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// This file holds the E2E tests of the money path under at-least-once
// delivery: redelivered, out-of-order and poison messages.

// moneyTwice delivers every message twice, at once, as two consumers
// racing on one message would.
func moneyTwice() func(Handler) Handler {
	return func(next Handler) Handler {
		return func(ctx context.Context, queue string, m commerce.Message) error {
			errs := make(chan error, 2)
			for range 2 {
				go func() { errs <- next(ctx, queue, m) }()
			}
			return errors.Join(<-errs, <-errs)
		}
	}
}

// moneyOutOfOrder refuses the first delivery of every message, once the
// next delivery has begun (or after a short while when none comes), so that
// each message is redelivered after messages published after it.
func moneyOutOfOrder() func(Handler) Handler {
	var mu sync.Mutex
	seen := map[string]bool{}
	arrived := make(chan struct{})
	return func(next Handler) Handler {
		return func(ctx context.Context, queue string, m commerce.Message) error {
			mu.Lock()
			first := !seen[queue+"/"+m.ID]
			seen[queue+"/"+m.ID] = true
			close(arrived) // wake the first deliveries waiting for this one
			arrived = make(chan struct{})
			next1 := arrived
			mu.Unlock()
			if !first {
				return next(ctx, queue, m)
			}
			select {
			case <-next1:
			case <-time.After(100 * time.Millisecond):
			}
			return fmt.Errorf("money: first delivery of %s refused", m.ID)
		}
	}
}

func TestE2ERedelivery(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		middleware func(Handler) Handler
	}{
		{"Twice", moneyTwice()},
		{"OutOfOrder", moneyOutOfOrder()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			moneyRedelivery(t, tt.middleware, startMoney)
		})
	}
}

// moneyRedelivery runs 20 checkouts (paid, declined, and waiting for 3-D
// Secure until they expire), cancels one order and sends stock levels out
// of order, with the queue functions wrapped in middleware, and checks
// that every paid checkout has exactly one order and the stock is right.
func moneyRedelivery(t *testing.T, middleware func(Handler) Handler, start func(testing.TB, func(*Main)) e2eShop) {
	const ttl = time.Minute
	s := start(t, func(m *Main) {
		m.Middleware = middleware
		m.Config.ReservationTTL = ttl
	})
	s.mustStockedProduct(t, "money-rd-a", "MNY-RD-A", 1000, 50)
	s.mustStockedProduct(t, "money-rd-b", "MNY-RD-B", 700, 50)
	s.mustStockedProduct(t, "money-rd-c", "MNY-RD-C", 300, 0)

	methods := slices.Concat(
		slices.Repeat([]string{"pm_card_visa"}, 12),
		slices.Repeat([]string{"pm_card_chargeDeclined"}, 4),
		slices.Repeat([]string{"pm_card_authenticationRequired"}, 4))
	res := make([]*Response, len(methods))
	var wg sync.WaitGroup
	for i, pm := range methods {
		cart := s.moneyCart(t, e2eLine{"MNY-RD-A", 2}, e2eLine{"MNY-RD-B", 1})
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = s.moneySendCheckout(t, moneyNewRequest(cart, pm), "")
		}()
	}
	// Stock levels from an ERP, the newer one sent first.
	for _, l := range []struct{ seq, onHand int64 }{{2, 40}, {1, 7}} {
		body, _ := json.Marshal(map[string]any{"type": "StockLevelSet", "sku": "MNY-RD-C", "onHand": l.onHand, "source": "erp", "sequence": l.seq})
		m := commerce.Message{ID: fmt.Sprintf("stock-erp-%d", l.seq), Type: commerce.MsgStockLevelSet, Body: body}
		if err := s.queue.Publish(context.Background(), commerce.QueueInventory, m); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()

	var paid []moneyResult
	for i, r := range res {
		what := fmt.Sprintf("checkout %d with %s", i, methods[i])
		switch {
		case r == nil:
		case methods[i] == "pm_card_visa":
			paid = append(paid, moneyWantPaid(t, what, r))
		case methods[i] == "pm_card_chargeDeclined":
			e2eWantProblem(t, what, r, 402, "payment_declined")
		default:
			moneyWantAction(t, what, r)
		}
	}
	for _, r := range paid {
		s.moneyWaitOrder(t, r.OrderID, "placed")
	}
	if len(paid) == 0 {
		t.Fatal("no checkout was paid")
	}
	cancelled := paid[0].OrderID
	e2eWantStatus(t, "cancel", s.admin(t, "POST", "/api/admin/orders/"+cancelled+"/cancel", nil), 200)
	// One order ships through the admin route, one through a warehouse's
	// OrderFulfilled message (which the middleware redelivers too).
	var fulfilled []string
	if len(paid) >= 3 {
		fulfilled = []string{paid[1].OrderID, paid[2].OrderID}
		e2eWantStatus(t, "fulfil", s.admin(t, "POST", "/api/admin/orders/"+fulfilled[0]+"/fulfil", nil), 200)
		body, _ := json.Marshal(map[string]string{"type": commerce.MsgOrderFulfilled, "orderId": fulfilled[1]})
		m := commerce.Message{ID: "fulfilled-" + fulfilled[1], Type: commerce.MsgOrderFulfilled, Body: body}
		if err := s.queue.Publish(context.Background(), commerce.QueueInventory, m); err != nil {
			t.Fatal(err)
		}
		s.moneyWaitOrder(t, fulfilled[1], "fulfilled")
	}

	// Settled but for the scheduled expiries, with the cancelled order
	// restocked and 3-D Secure still holding its units.
	s.moneyWaitAvailable(t, "MNY-RD-A", int64(50-2*(len(paid)-1)-2*4))
	s.moneyWaitQueues(t, 0, len(methods))
	s.Clock.Advance(ttl + time.Minute)
	s.moneyWaitQueues(t, 0, 0)

	byCheckout := map[string][]string{}
	for _, o := range s.moneyOrders(t, "", 100) {
		byCheckout[o.CheckoutID] = append(byCheckout[o.CheckoutID], o.ID)
		want := "placed"
		switch {
		case o.ID == cancelled:
			want = "cancelled"
		case slices.Contains(fulfilled, o.ID):
			want = "fulfilled"
		}
		if o.Status != want {
			t.Errorf("order %s: status %q, want %q", o.ID, o.Status, want)
		}
	}
	want := map[string][]string{}
	for _, r := range paid {
		want[r.CheckoutID] = []string{r.OrderID}
	}
	if diff := cmp.Diff(want, byCheckout); diff != "" {
		t.Errorf("orders by checkout (-want +got):\n%s", diff)
	}
	moneyWantChargesSettled(t, s.db.Read)
	if got := s.moneyCharges(t); got != len(paid) {
		t.Errorf("charges: got %d, want %d", got, len(paid))
	}
	if got := s.moneyRefunds(t); got != 1 {
		t.Errorf("refunds: got %d, want 1", got)
	}
	sold, shipped := int64(len(paid)-1), int64(len(fulfilled))
	for _, want := range []e2eStock{
		{"MNY-RD-A", 50 - 2*shipped, 2 * (sold - shipped), 0, 50 - 2*sold},
		{"MNY-RD-B", 50 - shipped, sold - shipped, 0, 50 - sold},
		{"MNY-RD-C", 40, 0, 0, 40},
	} {
		if got := s.moneySettledStock(t, want.SKU); got != want {
			t.Errorf("stock of %s: got %+v, want %+v", want.SKU, got, want)
		}
	}
	s.moneyWantStockMatchesOrders(t, "MNY-RD-A", 50, 0)
	s.moneyWantStockMatchesOrders(t, "MNY-RD-B", 50, 0)
	s.moneyWantStockMatchesOrders(t, "MNY-RD-C", 40, 0)
}

// moneyDeadLetter is an item of GET /api/admin/deadletters.
type moneyDeadLetter struct {
	Queue         string `json:"queue"`
	MessageID     string `json:"messageId"`
	Type          string `json:"type"`
	DeliveryCount int    `json:"deliveryCount"`
	Reason        string `json:"reason"`
}

func TestE2EPoisonMessage(t *testing.T) {
	t.Parallel()
	const maxDeliveries = 3
	var mu sync.Mutex
	deliveries := map[string]int{}
	s := startMoney(t, func(m *Main) {
		m.Config.MaxDeliveries = maxDeliveries
		m.Middleware = func(next Handler) Handler {
			return func(ctx context.Context, queue string, msg commerce.Message) error {
				mu.Lock()
				deliveries[msg.ID]++
				mu.Unlock()
				return next(ctx, queue, msg)
			}
		}
	})
	s.mustStockedProduct(t, "money-poison", "MNY-POISON", 1000, 10)
	ctx := context.Background()
	if err := s.Queue.Publish(ctx, commerce.QueueOrders, commerce.Message{ID: "poison-1", Type: commerce.MsgOrderPlaced, Body: []byte("{not json")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Queue.Publish(ctx, commerce.QueueInventory, commerce.Message{ID: "poison-2", Type: "Bogus", Body: []byte(`{"type":"Bogus"}`)}); err != nil {
		t.Fatal(err)
	}

	var items []moneyDeadLetter
	moneyWait(t, "dead letters", func() (bool, string) {
		res := s.admin(t, "GET", "/api/admin/deadletters", nil)
		e2eWantStatus(t, "GET /api/admin/deadletters", res, 200)
		e2eCheckShape(t, "dead letters", res.Body, e2eObject{"items": e2eArray{"object"}})
		var page struct{ Items []moneyDeadLetter }
		res.JSON(t, &page)
		items = page.Items
		return len(items) == 2, string(res.Body)
	})
	for _, want := range []moneyDeadLetter{
		{Queue: "orders", MessageID: "poison-1", Type: "OrderPlaced", DeliveryCount: maxDeliveries},
		{Queue: "inventory", MessageID: "poison-2", Type: "Bogus", DeliveryCount: maxDeliveries},
	} {
		i := slices.IndexFunc(items, func(d moneyDeadLetter) bool { return d.MessageID == want.MessageID })
		if i < 0 {
			t.Errorf("dead letters %+v: no %s", items, want.MessageID)
			continue
		}
		got := items[i]
		got.Reason = ""
		if got != want || items[i].Reason == "" {
			t.Errorf("dead letter: got %+v, want %+v with a reason", items[i], want)
		}
		mu.Lock()
		n := deliveries[want.MessageID]
		mu.Unlock()
		if n != maxDeliveries {
			t.Errorf("%s was delivered %d times, want %d", want.MessageID, n, maxDeliveries)
		}
	}
	res := s.admin(t, "GET", "/api/admin/deadletters?queue=orders", nil)
	var page struct{ Items []moneyDeadLetter }
	res.JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].MessageID != "poison-1" {
		t.Errorf("GET /api/admin/deadletters?queue=orders: got %s, want only poison-1", res.Body)
	}
	e2eWantProblem(t, "?queue=bogus", s.admin(t, "GET", "/api/admin/deadletters?queue=bogus", nil), 400, "invalid_request")
	e2eWantProblem(t, "without the admin key", s.do(t, "GET", "/api/admin/deadletters", nil), 401, "unauthorized")

	// The queues keep flowing.
	r := moneyWantPaid(t, "checkout after the poison", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-POISON", 1}), "pm_card_visa"), ""))
	s.moneyWaitOrder(t, r.OrderID, "placed")
}
