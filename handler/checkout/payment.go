package checkout

import (
	"context"
	"fmt"

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
		return nil, commerce.Errorf(commerce.KindConflict, "requires_action", "the payment still waits for the buyer")
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
	err = s.settle(ctx, c, p)
	if commerce.ErrorCode(err) == commerce.CodeInsufficientStock {
		return nil // refunded by markPaid; nothing more to do
	}
	return err
}

// PaymentFinder is implemented by providers that can find the payment made
// for a checkout, so that a checkout whose process died mid-charge can be
// settled from the provider's side.
type PaymentFinder interface {
	PaymentForCheckout(ctx context.Context, checkoutID string) (commerce.Payment, error)
}

// Expire handles a checkout's ReservationExpired message. A checkout still
// open is asked of the provider one last time: paid if its payment
// succeeded, otherwise expired with its reservation released. A closed
// checkout is left alone, so the message is safe to deliver twice.
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
	p := commerce.Payment{ID: c.PaymentID}
	switch finder, ok := s.payments.(PaymentFinder); {
	case c.PaymentID != "":
		p, err = s.payments.Payment(ctx, c.PaymentID)
	case ok:
		p, err = finder.PaymentForCheckout(ctx, c.ID)
		if commerce.ErrorCode(err) == commerce.CodeNotFound {
			err = nil // never charged
		}
	}
	if err != nil {
		return fmt.Errorf("checkout %s: payment at expiry: %w", id, err)
	}
	if p.Status == commerce.PaymentSucceeded {
		return s.markPaid(ctx, c, p)
	}
	expired, err := s.checkouts.Release(ctx, id, commerce.CheckoutExpired, nil)
	if expired {
		s.cfg.Metrics.Reservation("expired", 1)
	}
	return err
}
