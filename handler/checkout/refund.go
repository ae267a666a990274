package checkout

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"shopfn/handler/commerce"
)

// Refunds is what cancelling a partially fulfilled order and executing its
// refund need of the order store (sqlstore.OrderStore).
type Refunds interface {
	CancelRemainder(ctx context.Context, orderID string, now time.Time) (bool, error)
	Refund(ctx context.Context, id string) (*commerce.Refund, error)
	SettleRefund(ctx context.Context, id string, status commerce.RefundStatus, failureCode string, now time.Time) (bool, error)
	NoteRefundAttempt(ctx context.Context, id, code string) error
}

// cancelRemainder cancels the unshipped remainder of partially fulfilled
// order id, in one transaction of the store that releases its unshipped
// units where they are allocated and records the refund of their value,
// which the orders function then executes at the provider (ExecuteRefund).
// A store that cannot (one without refunds) refuses, as a fulfilled order
// is refused.
func (s *Service) cancelRemainder(ctx context.Context, orders Orders, id string) (*commerce.Order, error) {
	rs, ok := orders.(Refunds)
	if !ok {
		return nil, partlyFulfilled(id)
	}
	changed, err := rs.CancelRemainder(context.WithoutCancel(ctx), id, s.cfg.Now().UTC())
	if err != nil {
		return nil, fmt.Errorf("cancel order %s: cancel the unshipped remainder: %w", id, err)
	}
	o, err := orders.Order(ctx, id)
	if err != nil {
		return nil, err
	}
	if !changed {
		switch o.Status {
		case commerce.OrderCancelled:
			return o, nil
		case commerce.OrderFulfilled:
			return nil, fulfilled(id)
		}
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "order %s changed while it was being cancelled; try again", id)
	}
	s.cfg.Published()
	Event(ctx, s.log, EventCancelled, o.Total, slog.Bool("partial", true))
	return o, nil
}

// ExecuteRefund asks the provider for a pending refund, keyed by the
// refund's own key so that a redelivered message, or two workers on one,
// refund once, and settles it. A provider that refuses the refund (the
// payment is not refundable, unknown, refunded already) settles it failed
// and logs an error for staff: retrying cannot help. A provider that gives
// no answer leaves it pending, counts the attempt and returns the error,
// so that the queue delivers the message again after its backoff and
// dead-letters it after its last delivery (the refund then stays pending,
// listed on the order, and the dead letter can be re-driven).
func (s *Service) ExecuteRefund(ctx context.Context, refunds Refunds, id string) error {
	r, err := refunds.Refund(ctx, id)
	if err != nil {
		return err
	}
	if r.Status != commerce.RefundPending {
		return nil
	}
	err = s.refundAmount(ctx, r)
	switch {
	case err == nil:
		changed, err := refunds.SettleRefund(ctx, id, commerce.RefundSucceeded, "", s.cfg.Now().UTC())
		if err != nil {
			return fmt.Errorf("refund %s: settle: %w", id, err)
		}
		if changed {
			Event(ctx, s.log, EventRefunded, r.Amount, slog.String("reason", r.Reason), slog.String("refund", id))
		}
		return nil
	case refusal(err):
		code := commerce.ErrorCode(err)
		s.log.Error("payment provider refused a refund; it needs staff", "refund", id, "order", r.OrderID, "code", code, "err", err)
		if _, err := refunds.SettleRefund(ctx, id, commerce.RefundFailed, code, s.cfg.Now().UTC()); err != nil {
			return fmt.Errorf("refund %s: settle failed: %w", id, err)
		}
		return nil
	default:
		code := commerce.ErrorCode(err)
		if code == "" {
			code = commerce.CodeUnavailable
		}
		if nerr := refunds.NoteRefundAttempt(ctx, id, code); nerr != nil {
			s.log.Warn("count refund attempt", "refund", id, "err", nerr)
		}
		return fmt.Errorf("refund %s: %w", id, err)
	}
}

// refundAmount asks the provider to refund r, within refundTimeout.
func (s *Service) refundAmount(ctx context.Context, r *commerce.Refund) error {
	ctx, cancel := context.WithTimeout(ctx, refundTimeout)
	defer cancel()
	return s.payments.RefundAmount(ctx, r.PaymentID, r.Key, r.Amount)
}

// cancelRefundNoter records why a cancelling order's refund in full did not
// happen (sqlstore.OrderStore.NoteCancelRefund).
type cancelRefundNoter interface {
	NoteCancelRefund(ctx context.Context, id string, refused bool, code string, now time.Time) error
}

// noteCancelRefund records on the order's refund row that the provider
// did not refund cancelling order id (err): pending while it could not be
// asked, which the sweep retries every minute, or failed when it refused,
// which is left to staff (logged as an error) since retrying cannot help.
func (s *Service) noteCancelRefund(ctx context.Context, orders Orders, id string, err error) {
	refused := refusal(err)
	if refused {
		s.log.Error("payment provider refused to refund a cancelled order; it stays cancelling for staff", "order", id, "code", commerce.ErrorCode(err), "err", err)
	}
	n, ok := orders.(cancelRefundNoter)
	if !ok {
		return
	}
	code := commerce.ErrorCode(err)
	if code == "" {
		code = commerce.CodeUnavailable
	}
	if nerr := n.NoteCancelRefund(ctx, id, refused, code, s.cfg.Now().UTC()); nerr != nil {
		s.log.Warn("record a cancelled order's refund attempt", "order", id, "err", nerr)
	}
}

// refusal reports whether a provider's error refuses a refund for good
// (the payment is not refundable, unknown, or the request is wrong), as
// opposed to a provider that could not be asked.
func refusal(err error) bool {
	switch commerce.ErrorKind(err) {
	case commerce.KindConflict, commerce.KindNotFound, commerce.KindInvalid, commerce.KindRule:
		return true
	}
	return false
}
