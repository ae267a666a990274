package checkout

import (
	"context"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// Confirm asks the provider where a checkout's payment stands, after the
// buyer finished its next action, and records it. It returns "not_found"
// for an unknown checkout and 409 "requires_action" while the payment still
// waits for the buyer.
func (s *Service) Confirm(ctx context.Context, id string) (*commerce.Checkout, error) {
	c, err := s.checkouts.Checkout(ctx, id)
	if err != nil {
		return nil, err
	}
	if (c.Status == commerce.CheckoutRequiresAction || c.Status == commerce.CheckoutPending) && c.PaymentID != "" {
		p, err := s.payments.Payment(ctx, c.PaymentID)
		if err != nil {
			return nil, fmt.Errorf("checkout %s: payment: %w", id, err)
		}
		if err := s.settle(ctx, c, p); err != nil {
			return nil, err
		}
		if c, err = s.checkouts.Checkout(ctx, id); err != nil {
			return nil, err
		}
	}
	if c.Status == commerce.CheckoutRequiresAction || c.Status == commerce.CheckoutPending {
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeRequiresAction, "the payment still waits for the buyer")
	}
	return c, nil
}

// PaymentSucceeded records a payment that the provider reports succeeded
// (the Stripe webhook): the checkout's second, independent path to paid.
func (s *Service) PaymentSucceeded(ctx context.Context, p commerce.Payment) error {
	return s.fromProvider(ctx, p)
}

// PaymentFailed records a payment that the provider reports failed.
func (s *Service) PaymentFailed(ctx context.Context, p commerce.Payment) error {
	return s.fromProvider(ctx, p)
}

func (s *Service) fromProvider(ctx context.Context, p commerce.Payment) error {
	if p.CheckoutID == "" {
		s.log.Info("payment event without a checkout; ignored", "payment", p.ID)
		return nil
	}
	c, err := s.checkouts.Checkout(ctx, p.CheckoutID)
	if commerce.ErrorCode(err) == commerce.CodeNotFound {
		s.log.Info("payment event for an unknown checkout; ignored", "payment", p.ID, "checkout", p.CheckoutID)
		return nil
	} else if err != nil {
		return err
	}
	if !matches(c, p) {
		s.log.Warn("payment event that does not match its checkout; ignored", "payment", p.ID, "amount", p.Amount.String(),
			"checkout", c.ID, "checkoutPayment", c.PaymentID, "total", c.Total.String())
		return nil
	}
	err = s.settle(context.WithoutCancel(ctx), c, p)
	if commerce.ErrorCode(err) == commerce.CodeCheckoutRefunded {
		return nil // refunded by markPaid; nothing more to do
	}
	return err
}

// matches reports whether payment p can be checkout c's: the same payment
// when c knows its payment, and c's total. Metadata alone names a checkout,
// and anyone with the API key can write metadata.
func matches(c *commerce.Checkout, p commerce.Payment) bool {
	if c.PaymentID != "" && p.ID != c.PaymentID {
		return false
	}
	return p.Amount == c.Total
}

// PaymentFinder is implemented by providers that can find the payment made
// for a checkout, so that a checkout whose process died mid-charge can be
// settled from the provider's side. Providers without it are asked by
// replaying the charge: charging is idempotent by checkout ID (a Stripe
// PaymentIntent create replayed with the same idempotency key and
// parameters within 24 hours returns the original PaymentIntent).
type PaymentFinder interface {
	PaymentForCheckout(ctx context.Context, checkoutID string) (commerce.Payment, error)
}

// ProviderTimeout bounds each provider call of a queue function, well under
// the queue's 30-second message lock (stripe-go alone may wait 80 seconds
// per attempt).
const ProviderTimeout = 10 * time.Second

// Expire handles a checkout's ReservationExpired message. A checkout still
// open is asked of the provider one last time: paid if its payment
// succeeded, otherwise expired with its reservation released, and a payment
// still waiting for the buyer cancelled at the provider, so that a late
// authentication cannot charge for released stock. A closed checkout is
// left alone, so the message is safe to deliver twice.
func (s *Service) Expire(ctx context.Context, id string) error {
	c, err := s.checkouts.Checkout(ctx, id)
	if commerce.ErrorCode(err) == commerce.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Status != commerce.CheckoutPending && c.Status != commerce.CheckoutRequiresAction {
		return nil
	}
	if c.ReservedUntil.After(s.cfg.Now().Add(time.Minute)) {
		return nil // resumed since this message was scheduled; a later one is due
	}
	pctx, cancel := context.WithTimeout(ctx, ProviderTimeout)
	defer cancel()
	p := commerce.Payment{ID: c.PaymentID}
	switch finder, ok := s.payments.(PaymentFinder); {
	case c.PaymentID != "":
		p, err = s.payments.Payment(pctx, c.PaymentID)
	case ok:
		p, err = finder.PaymentForCheckout(pctx, c.ID)
		if commerce.ErrorCode(err) == commerce.CodeNotFound {
			err = nil // never charged
		}
	default:
		// Cut off between the provider's charge and its record: ask again
		// with the same idempotency key.
		p, err = s.payments.Charge(pctx, commerce.PaymentRequest{
			CheckoutID: c.ID, OrderID: c.OrderID, Amount: c.Total, PaymentMethod: c.PaymentMethod, Email: c.Email,
		})
		if commerce.ErrorKind(err) == commerce.KindRule {
			p, err = commerce.Payment{Status: commerce.PaymentDeclined}, nil
		}
	}
	if err != nil {
		return fmt.Errorf("checkout %s: payment at expiry: %w", id, err)
	}
	if p.Status == commerce.PaymentSucceeded {
		err := s.markPaid(pctx, c, p)
		if commerce.ErrorCode(err) == commerce.CodeCheckoutRefunded {
			return nil
		}
		return err
	}
	if p.Status == commerce.PaymentRequiresAction {
		s.cancelPayment(pctx, c.ID, p.ID)
	}
	changed, err := s.checkouts.Release(ctx, id, commerce.CheckoutExpired, nil)
	if changed {
		s.cfg.Metrics.Reservation("expired", 1)
		s.syncCart(ctx, c.CartID, c.ID)
	}
	return err
}
