package checkout

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"shopfn/handler/commerce"
)

// Orders is what cancelling needs of the order store.
type Orders interface {
	Order(ctx context.Context, id string) (*commerce.Order, error)
	ClaimCancel(ctx context.Context, id string, now time.Time) (bool, error)
	CancelOrder(ctx context.Context, id string, now time.Time, cancelled commerce.Message) (bool, error)
	PlaceOrder(ctx context.Context, orderID string, now time.Time) (bool, error)
}

// Cancel cancels a placed order in three steps, each safe to repeat: it
// claims the order (placed to cancelling, one conditional statement, which
// fulfilment then refuses), refunds the payment (idempotently, keyed by the
// order) and finishes (cancelling to cancelled, with the OrderCancelled
// message that restocks the units through the inventory queue). A cancel
// cut off between the steps leaves the order cancelling; calling Cancel
// again, as the sweep does, finishes it, refunding once however often it
// runs. A paid order that is not placed yet (its OrderPlaced message late or
// dead-lettered) is placed first, by the same idempotent step the orders
// function runs. A partially fulfilled order has its unshipped remainder
// cancelled instead (cancelRemainder): its unshipped units go back to
// sale and their value is refunded through the outbox. It returns
// "not_found", and 409 "order_fulfilled", nothing refunded, once the whole
// order shipped.
func (s *Service) Cancel(ctx context.Context, orders Orders, id string) (*commerce.Order, error) {
	o, err := orders.Order(ctx, id)
	if err != nil {
		return nil, err
	}
	switch o.Status {
	case commerce.OrderCancelled:
		return o, nil
	case commerce.OrderFulfilled:
		return nil, fulfilled(id)
	case commerce.OrderPartiallyFulfilled:
		return s.cancelRemainder(ctx, orders, id)
	case commerce.OrderProcessing:
		if _, err := orders.PlaceOrder(ctx, id, s.cfg.Now().UTC()); err != nil {
			return nil, fmt.Errorf("cancel order %s: place it first: %w", id, err)
		}
	}
	// Past this point a client that disconnects must not leave the
	// refund done and the cancellation undone.
	ctx = context.WithoutCancel(ctx)
	if o.Status != commerce.OrderCancelling {
		claimed, err := orders.ClaimCancel(ctx, id, s.cfg.Now().UTC())
		if err != nil {
			return nil, fmt.Errorf("cancel order %s: claim: %w", id, err)
		}
		if !claimed { // a fulfilment, or another cancel, moved it first
			if o, err = orders.Order(ctx, id); err != nil {
				return nil, err
			}
			switch o.Status {
			case commerce.OrderCancelled:
				return o, nil
			case commerce.OrderFulfilled:
				return nil, fulfilled(id)
			case commerce.OrderPartiallyFulfilled:
				return s.cancelRemainder(ctx, orders, id)
			case commerce.OrderPlaced, commerce.OrderProcessing:
				return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "order %s changed while it was being cancelled; try again", id)
			}
			// Another cancel holds the claim: finishing it here too is
			// harmless, since both steps are idempotent.
		}
	}
	return s.finishCancel(ctx, orders, o)
}

// finishCancel refunds a cancelling order's payment and moves it to
// cancelled.
func (s *Service) finishCancel(ctx context.Context, orders Orders, o *commerce.Order) (*commerce.Order, error) {
	if o.PaymentID != "" {
		// A payment refunded in full already (from the provider's
		// dashboard, or under a key the provider forgot) is as good as
		// refunded here: the cancellation completes and restocks.
		err := s.refund(ctx, o.PaymentID, o.ID)
		if err != nil && commerce.ErrorCode(err) != commerce.CodeAlreadyRefunded {
			s.noteCancelRefund(ctx, orders, o.ID, err)
			return nil, fmt.Errorf("cancel order %s: refund: %w", o.ID, err)
		}
	}
	msg := Message(commerce.MsgOrderCancelled, "order-cancelled-"+o.ID, map[string]any{"orderId": o.ID})
	changed, err := orders.CancelOrder(ctx, o.ID, s.cfg.Now().UTC(), msg)
	if err != nil {
		return nil, fmt.Errorf("cancel order %s: finish: %w", o.ID, err)
	}
	if changed {
		s.cfg.Published()
		if o.PaymentID != "" {
			Event(ctx, s.log, EventRefunded, o.Total, slog.String("reason", "cancelled"))
		}
		Event(ctx, s.log, EventCancelled, o.Total)
	}
	return orders.Order(ctx, o.ID)
}

// fulfilled is the error of cancelling a shipped order.
func fulfilled(id string) error {
	return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderFulfilled, "order %s has shipped; it cannot be cancelled", id)
}

// partlyFulfilled is the error of cancelling an order some of whose units
// shipped with a store that cannot cancel the unshipped remainder: nothing
// is refunded or released.
func partlyFulfilled(id string) error {
	return commerce.Errorf(commerce.KindConflict, commerce.CodeOrderFulfilled,
		"order %s is partially fulfilled: part of it has shipped, and this store cannot cancel the unshipped remainder; nothing was refunded", id)
}
