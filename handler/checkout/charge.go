package checkout

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"shopfn/handler/commerce"
)

// chargeTimeout bounds the call that asks the provider to charge, retries
// included: well within leaseTTL, so that the request holding a checkout
// has the provider's answer, or gives up and releases the checkout as
// failed, before its lease ends and a replay may take the checkout over.
// Unbounded, stripe-go waits up to 80 s per attempt and retries twice.
const chargeTimeout = 20 * time.Second

// refundTimeout bounds the call that asks the provider to refund, retries
// included. A refund cut off by it is one the provider could not be asked
// for: the caller's step stays undone (an order stays cancelling, a late
// payment's success unrecorded) and is finished by a retry or the sweep,
// refunding once, since refunds are keyed.
const refundTimeout = 20 * time.Second

// refund asks the provider to refund payment paymentID once per key, within
// refundTimeout.
func (s *Service) refund(ctx context.Context, paymentID, key string) error {
	ctx, cancel := context.WithTimeout(ctx, refundTimeout)
	defer cancel()
	return s.payments.Refund(ctx, paymentID, key)
}

// charge asks the provider to charge a pending checkout and records what
// it said. Charging is idempotent by checkout ID, so a resumed checkout is
// never charged twice. From here on the request's cancellation is ignored:
// a client that disconnects must not split the charge from its record. The
// provider's call alone has a deadline (chargeTimeout); a charge cut off by
// it is a provider that could not be asked.
func (s *Service) charge(ctx context.Context, c *commerce.Checkout) (*Outcome, error) {
	ctx = context.WithoutCancel(ctx)
	if free(c.Totals, c.DiscountTotal) {
		return s.placeFree(ctx, c)
	}
	callCtx, cancel := context.WithTimeout(ctx, chargeTimeout)
	p, err := s.payments.Charge(callCtx, commerce.PaymentRequest{
		CheckoutID: c.ID, OrderID: c.OrderID, Amount: c.Total, PaymentMethod: c.PaymentMethod, Email: c.Email,
	})
	cancel()
	if commerce.ErrorKind(err) == commerce.KindRule {
		// The provider refused the payment method itself: a decline.
		p, err = commerce.Payment{Status: commerce.PaymentDeclined, DeclineCode: commerce.ErrorCode(err)}, nil
	}
	if err != nil {
		return nil, s.failed(ctx, c, err)
	}
	if err := s.settle(ctx, c, p); err != nil {
		return nil, err
	}
	if c, err = s.checkouts.Checkout(ctx, c.ID); err != nil {
		return nil, err
	}
	return &Outcome{Checkout: c}, nil
}

// failed releases a checkout whose provider could not be asked, at once, so
// that nothing stays reserved, and returns the error for the buyer. A retry
// under the same key resumes it; should the provider have charged after
// all, the charge settles it as any late payment does.
func (s *Service) failed(ctx context.Context, c *commerce.Checkout, err error) error {
	s.log.Error("payment provider failed; checkout released", "checkout", c.ID, "err", err)
	if changed, rerr := s.checkouts.Release(ctx, c.ID, commerce.CheckoutFailed, nil); rerr != nil {
		s.log.Warn("release a failed checkout; its expiry releases it", "checkout", c.ID, "err", rerr)
	} else if changed {
		s.syncCart(ctx, c.CartID, c.ID)
	}
	switch commerce.ErrorKind(err) {
	case commerce.KindUnavailable, commerce.KindInternal:
		return commerce.Errorf(commerce.KindUnavailable, commerce.CodePaymentUnavailable, "the payment provider cannot be asked now; nothing is reserved; retry with the same Idempotency-Key")
	}
	return fmt.Errorf("checkout %s: charge: %w", c.ID, err)
}

// settle records a payment's state on checkout c: paid (and the order on
// its way), declined (stock released), or waiting for the buyer.
func (s *Service) settle(ctx context.Context, c *commerce.Checkout, p commerce.Payment) error {
	switch p.Status {
	case commerce.PaymentSucceeded:
		return s.markPaid(ctx, c, p)
	case commerce.PaymentDeclined:
		declined := commerce.Payment{ID: p.ID, Status: commerce.PaymentDeclined, NextAction: map[string]any{"declineCode": p.DeclineCode}}
		if p.ID != "" {
			if _, err := s.checkouts.SetPayment(ctx, c.ID, declined, commerce.Hold{}, nil); err != nil {
				return err
			}
		}
		changed, err := s.checkouts.Release(ctx, c.ID, commerce.CheckoutDeclined, s.response(c, commerce.CheckoutDeclined, declined))
		if changed {
			Event(ctx, s.log, EventDeclined, c.Total, slog.String("decline_code", p.DeclineCode))
			s.cfg.Metrics.Reservation("released", 1)
			s.syncCart(ctx, c.CartID, c.ID)
		}
		return err
	case commerce.PaymentRequiresAction:
		hold, done := s.actionHold(ctx, c)
		changed, err := s.checkouts.SetPayment(ctx, c.ID, p, hold, s.response(c, commerce.CheckoutRequiresAction, p))
		done(err)
		if changed && len(hold.Outbox) > 0 {
			s.cfg.Published()
		}
		if code := commerce.ErrorCode(err); code == commerce.CodeTooManyCheckouts || code == commerce.CodeTooManyHeldUnits {
			// Nobody may finish it: cancel it and give everything back.
			s.cancelPayment(ctx, c.ID, p.ID)
			if changed, rerr := s.checkouts.Release(ctx, c.ID, commerce.CheckoutDeclined, nil); rerr != nil {
				return rerr
			} else if changed {
				s.syncCart(ctx, c.CartID, c.ID)
			}
		}
		return err
	default: // processing: not decided, so no response to keep
		_, err := s.checkouts.SetPayment(ctx, c.ID, p, commerce.Hold{}, nil)
		return err
	}
}

// actionHold returns how checkout c holds its stock while it waits for the
// buyer: within its client's bounds, and for ActionHold at most from now,
// with the expiry message of that earlier end (the sweep reads the stored
// expiry, so it honours it too). Call done with SetPayment's error.
func (s *Service) actionHold(ctx context.Context, c *commerce.Checkout) (commerce.Hold, func(error)) {
	hold := commerce.Hold{Checkouts: s.cfg.MaxHeld, Units: s.cfg.MaxHeldUnits, TotalUnits: s.cfg.MaxHeldUnitsTotal}
	until := s.cfg.Now().UTC().Add(s.cfg.ActionHold)
	if s.cfg.ActionHold <= 0 || !until.Before(c.ReservedUntil) {
		return hold, func(error) {}
	}
	expiry := Message(commerce.MsgReservationExpired, fmt.Sprintf("reservation-expired-%s-%d", c.ID, until.UnixNano()), map[string]any{"checkoutId": c.ID})
	expiry.ScheduledAt = until
	done := s.cfg.Publishing(ctx, &expiry)
	hold.Until, hold.Outbox = until, []commerce.Message{expiry}
	return hold, done
}

// PaymentCanceller is implemented by providers that can cancel a payment
// still waiting for the buyer, so that a late authentication cannot charge
// for stock already released.
type PaymentCanceller interface {
	CancelPayment(ctx context.Context, paymentID string) error
}

// cancelPayment cancels a payment at the provider when it can, logging a
// failure (a payment that succeeds anyway is refunded when it is reported).
func (s *Service) cancelPayment(ctx context.Context, checkoutID, paymentID string) {
	cc, ok := s.payments.(PaymentCanceller)
	if !ok || paymentID == "" {
		return
	}
	if err := cc.CancelPayment(ctx, paymentID); err != nil {
		s.log.Warn("cancel a payment waiting for the buyer", "checkout", checkoutID, "payment", paymentID, "err", err)
	}
}

// response renders the first response c gets once its payment p moved it
// to status, or nil when there is no renderer.
func (s *Service) response(c *commerce.Checkout, status commerce.CheckoutStatus, p commerce.Payment) *commerce.StoredResponse {
	if s.cfg.Render == nil {
		return nil
	}
	next := *c
	next.Status, next.NextAction = status, p.NextAction
	if p.ID != "" {
		next.PaymentID = p.ID
	}
	code, body := s.cfg.Render(&next)
	return &commerce.StoredResponse{Status: code, Body: body}
}

// markPaid records a succeeded payment. When the checkout's reservation has
// already been released and its stock or cart is gone, the store records the
// checkout as refunded and the payment is refunded, idempotently, however
// often the success is reported.
func (s *Service) markPaid(ctx context.Context, c *commerce.Checkout, p commerce.Payment) error {
	placed := Message(commerce.MsgOrderPlaced, "order-placed-"+c.OrderID, map[string]any{"orderId": c.OrderID, "checkoutId": c.ID})
	done := s.cfg.Publishing(ctx, &placed)
	changed, err := s.checkouts.MarkPaid(ctx, c.ID, p.ID, placed, s.response(c, commerce.CheckoutPaid, p))
	done(err)
	if commerce.ErrorCode(err) == commerce.CodeCheckoutRefunded {
		s.log.Warn("payment succeeded after the reservation was released and the stock or cart is gone; refunding", "checkout", c.ID, "payment", p.ID)
		rerr := s.refund(ctx, p.ID, c.ID)
		if rerr != nil && commerce.ErrorCode(rerr) != commerce.CodeAlreadyRefunded {
			return fmt.Errorf("checkout %s: refund a payment it cannot fulfil: %w", c.ID, rerr)
		}
		if rerr == nil {
			Event(ctx, s.log, EventRefunded, c.Total, slog.String("reason", "paid_after_release"))
		}
		return err
	}
	if err != nil {
		return err
	}
	if changed {
		Event(ctx, s.log, EventPaid, c.Total, slog.Int("lines", len(c.Lines)))
		// The cart document keeps saying checking_out: cart reads and
		// writes that see it ask the relational store, which says
		// completed. Not rewriting it saves a write on every checkout.
		s.cfg.Published()
	}
	return nil
}

// syncCart copies where checkout id ended into its cart document. A failure
// is only logged: the relational store is the truth, and cart reads and
// writes consult it when the document lags.
func (s *Service) syncCart(ctx context.Context, cartID, id string) {
	k, err := s.checkouts.Checkout(ctx, id)
	if err == nil {
		err = s.carts.Settle(ctx, cartID, k)
	}
	if err != nil && commerce.ErrorCode(err) != commerce.CodeNotFound {
		s.log.Warn("update the cart of a settled checkout", "cart", cartID, "checkout", id, "err", err)
	}
}
