package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// This file holds the E2E tests of the money path under load and under
// at-least-once delivery: flash sales, redelivered and out-of-order
// messages, poison messages, and the queue functions the Functions host calls.

// moneyStampede checks every cart out at once with paymentMethod and
// returns the responses in cart order (nil where a request failed, which
// is reported).
func (s e2eShop) moneyStampede(t *testing.T, carts []string, paymentMethod string) []*Response {
	t.Helper()
	res := make([]*Response, len(carts))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, cart := range carts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res[i] = s.moneySendCheckout(t, moneyNewRequest(cart, paymentMethod), "")
		}()
	}
	close(start)
	wg.Wait()
	return res
}

// moneySplit sorts stampede responses into paid results and insufficient
// stock problems, reporting any other answer and any problem that does
// not list exactly shortSKUs.
func moneySplit(t *testing.T, res []*Response, shortSKUs ...string) (paid []moneyResult, short int) {
	t.Helper()
	for i, r := range res {
		switch {
		case r == nil:
		case r.Status == 201:
			paid = append(paid, moneyWantPaid(t, fmt.Sprintf("buyer %d", i), r))
		case r.Status == 409:
			short++
			e2eWantProblem(t, fmt.Sprintf("buyer %d", i), r, 409, "insufficient_stock")
			moneyWantSKUs(t, fmt.Sprintf("buyer %d", i), r, shortSKUs...)
		default:
			t.Errorf("buyer %d: got %d %s, want 201 or 409 insufficient_stock", i, r.Status, r.Body)
		}
	}
	return paid, short
}

// moneyWantPlaced waits for every paid checkout's order to be placed and
// checks that the admin list holds exactly those orders, one each.
func (s e2eShop) moneyWantPlaced(t *testing.T, paid []moneyResult) {
	t.Helper()
	var want []string
	for _, r := range paid {
		s.moneyWaitOrder(t, r.OrderID, "placed")
		want = append(want, r.OrderID)
	}
	var got []string
	for _, o := range s.moneyOrders(t, "placed", 100) {
		got = append(got, o.ID)
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("placed orders (-want +got):\n%s", diff)
	}
}

func TestE2EFlashSale(t *testing.T) {
	t.Parallel()
	moneyFlashSale(t, startMoney)
}

// moneyFlashSale has 200 buyers race for 20 units, on a program that start
// starts, and checks that exactly 20 are sold, placed and settled.
func moneyFlashSale(t *testing.T, start func(testing.TB, func(*Main)) e2eShop) {
	s := start(t, nil)
	s.mustStockedProduct(t, "money-flash", "MNY-FLASH", 1000, 20)
	// Carts check stock only when lines are added: every cart holds a unit.
	carts := make([]string, 200)
	for i := range carts {
		carts[i] = s.moneyCart(t, e2eLine{"MNY-FLASH", 1})
	}

	paid, short := moneySplit(t, s.moneyStampede(t, carts, "pm_card_visa"), "MNY-FLASH")
	if len(paid) != 20 || short != 180 {
		t.Errorf("got %d paid and %d insufficient_stock, want 20 and 180", len(paid), short)
	}
	s.moneyWantPlaced(t, paid)
	if got := s.moneyCharges(t); got != len(paid) {
		t.Errorf("charges: got %d, want %d", got, len(paid))
	}
	// Only the paid checkouts' scheduled expiries remain; then let them run.
	s.moneyWaitQueues(t, 0, len(paid))
	if got := s.moneyAvailable(t, "MNY-FLASH"); got != 0 {
		t.Errorf("available after the sale: got %d, want 0", got)
	}
	s.Clock.Advance(NewTestConfig(t, false).ReservationTTL + time.Minute)
	s.moneyWaitQueues(t, 0, 0)
	if got, want := s.moneySettledStock(t, "MNY-FLASH"), (e2eStock{"MNY-FLASH", 20, 20, 0, 0}); got != want {
		t.Errorf("stock after the sale: got %+v, want %+v", got, want)
	}
	s.moneyWantStockMatchesOrders(t, "MNY-FLASH", 20, 0)
	if got := moneyWantChargesSettled(t, s.db.Read); got != len(paid) {
		t.Errorf("charges in the ledger: got %d, want %d", got, len(paid))
	}
}

func TestE2EFlashSaleMultiSKU(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	stock := map[string]int64{"MNY-MULTI-A": 20, "MNY-MULTI-B": 20, "MNY-MULTI-C": 10}
	for sku, n := range stock {
		s.mustStockedProduct(t, strings.ToLower(sku), sku, 500, n)
	}
	carts := make([]string, 60)
	for i := range carts {
		carts[i] = s.moneyCart(t, e2eLine{"MNY-MULTI-A", 1}, e2eLine{"MNY-MULTI-B", 1}, e2eLine{"MNY-MULTI-C", 1})
	}

	// All or nothing: C runs out after 10 buyers, while A and B never do.
	paid, short := moneySplit(t, s.moneyStampede(t, carts, "pm_card_visa"), "MNY-MULTI-C")
	if len(paid) != 10 || short != 50 {
		t.Errorf("got %d paid and %d insufficient_stock, want 10 and 50", len(paid), short)
	}
	s.moneyWantPlaced(t, paid)
	s.moneyWaitQueues(t, 0, len(paid))
	s.Clock.Advance(NewTestConfig(t, false).ReservationTTL + time.Minute)
	s.moneyWaitQueues(t, 0, 0)
	for sku, n := range stock {
		left := n - int64(len(paid))
		if got, want := s.moneySettledStock(t, sku), (e2eStock{sku, n, int64(len(paid)), 0, left}); got != want {
			t.Errorf("stock of %s after the sale: got %+v, want %+v", sku, got, want)
		}
		s.moneyWantStockMatchesOrders(t, sku, n, 0)
	}
}

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

// moneyInvoke sends a queue message to a queue function as the Functions
// host does, the message body encoded as encoding says ("object", "string"
// or "base64"), and returns the response.
func (s e2eShop) moneyInvoke(t *testing.T, function, encoding string, msg any, admin bool) *Response {
	t.Helper()
	body, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	var data any = json.RawMessage(body)
	switch encoding {
	case "string":
		data = string(body)
	case "base64":
		data = base64.StdEncoding.EncodeToString(body)
	}
	inv := map[string]any{
		"Data":     map[string]any{"msg": data},
		"Metadata": map[string]any{"MessageId": fmt.Sprintf("m-%s-%d", function, time.Now().UnixNano()), "DeliveryCount": 1, "Subject": "x"},
	}
	var h []string
	if admin {
		h = []string{"x-functions-key", testAdminKey}
	}
	res, err := s.send("POST", "/"+function, inv, h...)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// moneyWantInvoked checks a 200 invocation result.
func moneyWantInvoked(t *testing.T, what string, res *Response) {
	t.Helper()
	e2eWantStatus(t, what, res, 200)
	e2eCheckShape(t, what, res.Body, e2eObject{"Outputs": "object", "Logs": e2eArray{"string"}})
}

func TestE2EQueueFunctions(t *testing.T) {
	t.Parallel()
	hold, release := moneyHoldOrders()
	s := startMoney(t, func(m *Main) { m.Middleware = hold })
	t.Cleanup(release) // before Close, which waits for the messages in hand
	s.mustStockedProduct(t, "money-fn", "MNY-FN", 1000, 10)

	t.Run("OrderPlaced", func(t *testing.T) {
		// The embedded queue's copy is held: the host's invocation places it.
		r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-FN", 3}), "pm_card_visa"), ""))
		msg := map[string]string{"type": "OrderPlaced", "orderId": r.OrderID, "checkoutId": r.CheckoutID}
		for _, enc := range []string{"object", "string", "base64"} {
			moneyWantInvoked(t, "POST /orders "+enc, s.moneyInvoke(t, "orders", enc, msg, true))
			if o := s.moneyWaitOrder(t, r.OrderID, "placed"); len(o.Items) != 1 {
				t.Errorf("order items %+v, want one line", o.Items)
			}
		}
		// OrderCancelled for an order that is not cancelled restocks nothing.
		cancelled := map[string]string{"type": "OrderCancelled", "orderId": r.OrderID}
		moneyWantInvoked(t, "POST /inventory OrderCancelled of a placed order", s.moneyInvoke(t, "inventory", "object", cancelled, true))
		release()
		s.moneyWaitQueues(t, 0, 1)
		if got, want := s.moneySettledStock(t, "MNY-FN"), (e2eStock{"MNY-FN", 10, 3, 0, 7}); got != want {
			t.Errorf("stock after the order was placed three times over: got %+v, want %+v", got, want)
		}
	})

	t.Run("StockLevelSet", func(t *testing.T) {
		for _, tt := range []struct {
			enc           string
			seq, onHand   int64
			wantAvailable int64
		}{
			// A count is physical: the 3 units of the placed order,
			// not shipped yet, are in it and stay committed.
			{"object", 5, 30, 27},
			{"string", 3, 99, 27}, // older than the last applied: ignored
			{"base64", 6, 12, 9},
			{"object", 6, 50, 9}, // the same sequence again: ignored
		} {
			msg := map[string]any{"type": "StockLevelSet", "sku": "MNY-FN", "onHand": tt.onHand, "source": "wms-1", "sequence": tt.seq}
			moneyWantInvoked(t, fmt.Sprintf("POST /inventory seq %d", tt.seq), s.moneyInvoke(t, "inventory", tt.enc, msg, true))
			if got := s.moneyAvailable(t, "MNY-FN"); got != tt.wantAvailable {
				t.Errorf("after sequence %d onHand %d: available %d, want %d", tt.seq, tt.onHand, got, tt.wantAvailable)
			}
		}
		// Another source has its own sequence.
		msg := map[string]any{"type": "StockLevelSet", "sku": "MNY-FN", "onHand": 8, "source": "erp", "sequence": 1}
		moneyWantInvoked(t, "POST /inventory from another source", s.moneyInvoke(t, "inventory", "object", msg, true))
		if got := s.moneyAvailable(t, "MNY-FN"); got != 5 {
			t.Errorf("after another source's level: available %d, want 5", got)
		}
	})

	t.Run("ReservationExpired", func(t *testing.T) {
		msg := map[string]string{"type": "ReservationExpired", "checkoutId": "k" + fmt.Sprintf("%026d", 0)}
		moneyWantInvoked(t, "POST /inventory ReservationExpired of no checkout", s.moneyInvoke(t, "inventory", "object", msg, true))
	})

	t.Run("Malformed", func(t *testing.T) {
		for _, tt := range []struct {
			function string
			msg      any
		}{
			{"orders", "{not json"},
			{"orders", map[string]string{"type": "OrderPlaced"}},
			{"orders", map[string]string{"type": "StockLevelSet", "orderId": "x"}},
			{"inventory", map[string]any{"type": "StockLevelSet", "sku": "MNY-FN", "source": "erp"}},
			{"inventory", map[string]string{"type": "Bogus"}},
		} {
			var res *Response
			if str, ok := tt.msg.(string); ok {
				res = s.moneyInvokeRaw(t, tt.function, str)
			} else {
				res = s.moneyInvoke(t, tt.function, "object", tt.msg, true)
			}
			if res.Status != 500 {
				t.Errorf("POST /%s %v: got %d %s, want 500, a failure the host retries", tt.function, tt.msg, res.Status, res.Body)
			}
		}
		if got := s.moneyAvailable(t, "MNY-FN"); got != 5 {
			t.Errorf("available after malformed messages: got %d, want 5", got)
		}
	})

	t.Run("NotAnInvocation", func(t *testing.T) {
		res := s.admin(t, "POST", "/orders", `{"msg":{}}`)
		e2eWantProblem(t, "POST /orders without Data", res, 400, "invalid_request")
	})

	t.Run("AdminKey", func(t *testing.T) {
		for _, fn := range []string{"orders", "inventory"} {
			res := s.moneyInvoke(t, fn, "object", map[string]string{"type": "ReservationExpired", "checkoutId": "x"}, false)
			e2eWantProblem(t, "POST /"+fn+" without the admin key", res, 401, "unauthorized")
		}
	})
}

// moneyInvokeRaw invokes a queue function with msg as the raw JSON string
// the host would send for a body that is not JSON.
func (s e2eShop) moneyInvokeRaw(t *testing.T, function, msg string) *Response {
	t.Helper()
	inv := map[string]any{"Data": map[string]any{"msg": msg}, "Metadata": map[string]any{"MessageId": "raw", "DeliveryCount": 1}}
	res, err := s.send("POST", "/"+function, inv, "x-functions-key", testAdminKey)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
