package checkout

import (
	"context"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// Orders is what cancelling needs of the order store.
type Orders interface {
	Order(ctx context.Context, id string) (*commerce.Order, error)
	CancelOrder(ctx context.Context, id string, now time.Time, cancelled commerce.Message) (bool, error)
	PlaceOrder(ctx context.Context, orderID string, now time.Time) (bool, error)
}

// Cancel cancels a placed order: it refunds the payment and restocks the
// units through the inventory queue, once however often it is called (the
// refund is idempotent by order, the cancellation by status). A paid order
// that is not placed yet (its OrderPlaced message late or dead-lettered) is
// placed first, by the same idempotent step the orders function runs. It
// returns "not_found", and 409 "order_fulfilled" once the order shipped.
func (s *Service) Cancel(ctx context.Context, orders Orders, id string) (*commerce.Order, error) {
	o, err := orders.Order(ctx, id)
	if err != nil {
		return nil, err
	}
	switch o.Status {
	case commerce.OrderCancelled:
		return o, nil
	case commerce.OrderFulfilled:
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeOrderFulfilled, "order %s has shipped; it cannot be cancelled", id)
	case commerce.OrderProcessing:
		if _, err := orders.PlaceOrder(ctx, id, s.cfg.Now().UTC()); err != nil {
			return nil, fmt.Errorf("cancel order %s: place it first: %w", id, err)
		}
	}
	// Past this point a client that disconnects must not leave the
	// refund done and the cancellation undone.
	ctx = context.WithoutCancel(ctx)
	if o.PaymentID != "" {
		// A payment refunded in full already (from the provider's
		// dashboard, or under a key the provider forgot) is as good as
		// refunded here: the cancellation completes and restocks.
		err := s.payments.Refund(ctx, o.PaymentID, o.ID)
		if err != nil && commerce.ErrorCode(err) != commerce.CodeAlreadyRefunded {
			return nil, fmt.Errorf("cancel order %s: refund: %w", id, err)
		}
	}
	msg := Message(commerce.MsgOrderCancelled, "order-cancelled-"+o.ID, map[string]any{"orderId": o.ID})
	changed, err := orders.CancelOrder(ctx, id, s.cfg.Now().UTC(), msg)
	if err != nil {
		return nil, err
	}
	if changed {
		s.cfg.Published()
	}
	return orders.Order(ctx, id)
}
