// Package worker holds what runs off the queues: the orders and inventory
// functions, the relay that publishes the outbox, and the dispatcher that
// feeds the embedded queue's messages to the functions in-process.
package worker

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/telemetry"
)

// Expirer releases a checkout's reservation when it expires (checkout.Service).
type Expirer interface {
	Expire(ctx context.Context, checkoutID string) error
}

// Functions are the queue functions: Orders handles the orders queue and
// Inventory the inventory queue. Both are idempotent: a message delivered
// twice, or out of order, changes nothing the second time.
type Functions struct {
	OrderStore commerce.OrderStore
	Stock      commerce.StockLevelSetter
	Checkouts  Expirer
	Now        func() time.Time
	// Metrics counts orders placed; nil counts nothing.
	Metrics *telemetry.Metrics
	// Shopify applies Shopify orders to the stock pool; nil dead-letters
	// ShopifyOrder messages.
	Shopify commerce.ShopifyStock
	// Refunds executes recorded refunds at the payment provider; nil
	// dead-letters RefundRequested messages.
	Refunds RefundExecutor
}

// RefundExecutor executes a recorded refund at the payment provider, once
// however often it is asked (checkout.Service.ExecuteRefund on the order
// store). An error means the provider gave no answer: the message is to be
// delivered again.
type RefundExecutor interface {
	ExecuteRefund(ctx context.Context, refundID string) error
}

// decode reads a message body into ev, a commerce event struct, and
// returns the message's type: the body's "type", or the message's Type (the
// Service Bus Subject) when the body has none.
func decode(m commerce.Message, ev any) (string, error) {
	var head struct {
		Type string `json:"type"`
	}
	for _, v := range []any{&head, ev} {
		if err := json.NewDecoder(bytes.NewReader(m.Body)).Decode(v); err != nil {
			return "", fmt.Errorf("message %s: malformed body: %w", m.ID, err)
		}
	}
	if head.Type == "" {
		head.Type = m.Type
	}
	return head.Type, nil
}

// Handle runs the function of queue on one message. An error means the
// message is to be delivered again (and dead-lettered after the queue's
// maximum delivery count).
func (f *Functions) Handle(ctx context.Context, queue string, m commerce.Message) error {
	switch queue {
	case commerce.QueueOrders:
		return f.Orders(ctx, m)
	case commerce.QueueInventory:
		return f.Inventory(ctx, m)
	}
	return fmt.Errorf("no function for queue %q", queue)
}

// Orders handles OrderPlaced, which stores the order and commits its
// stock, and RefundRequested, which executes a recorded refund.
func (f *Functions) Orders(ctx context.Context, m commerce.Message) error {
	var e commerce.OrderPlacedEvent
	typ, err := decode(m, &e)
	if err != nil {
		return err
	}
	if typ == commerce.MsgRefundRequested {
		var r commerce.RefundRequestedEvent
		if _, err := decode(m, &r); err != nil || r.RefundID == "" || f.Refunds == nil {
			return fmt.Errorf("message %s: RefundRequested needs a refundId and a refund executor", m.ID)
		}
		return f.Refunds.ExecuteRefund(ctx, r.RefundID)
	}
	if typ != commerce.MsgOrderPlaced || e.OrderID == "" {
		return fmt.Errorf("message %s: orders takes OrderPlaced with an orderId, not %q", m.ID, typ)
	}
	placed, err := f.OrderStore.PlaceOrder(ctx, e.OrderID, f.Now().UTC())
	if err != nil {
		return fmt.Errorf("place order %s: %w", e.OrderID, err)
	}
	if placed {
		f.Metrics.OrderPlaced()
	}
	return nil
}

// Inventory handles ReservationExpired, OrderCancelled, OrderFulfilled,
// StockLevelSet and ShopifyOrder.
func (f *Functions) Inventory(ctx context.Context, m commerce.Message) error {
	var head struct{}
	typ, err := decode(m, &head)
	if err != nil {
		return err
	}
	switch typ {
	case commerce.MsgReservationExpired:
		var e commerce.ReservationExpiredEvent
		if _, err := decode(m, &e); err == nil && e.CheckoutID != "" {
			return f.Checkouts.Expire(ctx, e.CheckoutID)
		}
	case commerce.MsgOrderCancelled:
		var e commerce.OrderCancelledEvent
		if _, err := decode(m, &e); err == nil && e.OrderID != "" {
			_, err := f.OrderStore.Restock(ctx, e.OrderID)
			return err
		}
	case commerce.MsgOrderFulfilled:
		var e commerce.OrderFulfilledEvent
		if _, err := decode(m, &e); err == nil && e.OrderID != "" {
			return f.fulfilAt(ctx, e)
		}
	case commerce.MsgStockLevelSet:
		var e commerce.StockLevelSetEvent
		if _, err := decode(m, &e); err == nil && commerce.ValidSKU(e.SKU) && e.OnHand != nil && e.Sequence != nil && e.Source != "" {
			return f.applyStockLevel(ctx, e)
		}
	case commerce.MsgShopifyOrder:
		var e commerce.ShopifyOrderEvent
		if _, err := decode(m, &e); err == nil && e.OrderID != "" && f.Shopify != nil {
			_, err := f.Shopify.ApplyShopifyOrder(ctx, e)
			return err
		}
	}
	return fmt.Errorf("message %s: inventory cannot handle %q with these fields", m.ID, typ)
}
