package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// This file holds the E2E tests of the queue functions the Functions host
// calls.

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
