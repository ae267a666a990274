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
}

// body is the union of the message bodies shopfn sends.
type body struct {
	Type       string `json:"type"`
	OrderID    string `json:"orderId"`
	CheckoutID string `json:"checkoutId"`
	SKU        string `json:"sku"`
	OnHand     *int64 `json:"onHand"`
	Source     string `json:"source"`
	Sequence   *int64 `json:"sequence"`
}

// decode reads a message body. Its type is the body's "type", or the
// message's Type (the Service Bus Subject) when the body has none.
func decode(m commerce.Message) (body, error) {
	var b body
	dec := json.NewDecoder(bytes.NewReader(m.Body))
	if err := dec.Decode(&b); err != nil {
		return b, fmt.Errorf("message %s: malformed body: %w", m.ID, err)
	}
	if b.Type == "" {
		b.Type = m.Type
	}
	return b, nil
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

// Orders handles OrderPlaced: it stores the order and commits its stock.
func (f *Functions) Orders(ctx context.Context, m commerce.Message) error {
	b, err := decode(m)
	if err != nil {
		return err
	}
	if b.Type != commerce.MsgOrderPlaced || b.OrderID == "" {
		return fmt.Errorf("message %s: orders takes OrderPlaced with an orderId, not %q", m.ID, b.Type)
	}
	if _, err := f.OrderStore.PlaceOrder(ctx, b.OrderID, f.Now().UTC()); err != nil {
		return fmt.Errorf("place order %s: %w", b.OrderID, err)
	}
	return nil
}

// Inventory handles ReservationExpired, OrderCancelled, OrderFulfilled and
// StockLevelSet.
func (f *Functions) Inventory(ctx context.Context, m commerce.Message) error {
	b, err := decode(m)
	if err != nil {
		return err
	}
	switch {
	case b.Type == commerce.MsgReservationExpired && b.CheckoutID != "":
		return f.Checkouts.Expire(ctx, b.CheckoutID)
	case b.Type == commerce.MsgOrderCancelled && b.OrderID != "":
		_, err := f.OrderStore.Restock(ctx, b.OrderID)
		return err
	case b.Type == commerce.MsgOrderFulfilled && b.OrderID != "":
		_, err := f.OrderStore.FulfilOrder(ctx, b.OrderID, f.Now().UTC())
		return err
	case b.Type == commerce.MsgStockLevelSet && commerce.ValidSKU(b.SKU) && b.OnHand != nil && b.Sequence != nil && b.Source != "":
		_, err := f.Stock.ApplyStockLevel(ctx, b.SKU, *b.OnHand, b.Source, *b.Sequence)
		return err
	}
	return fmt.Errorf("message %s: inventory cannot handle %q with these fields", m.ID, b.Type)
}
