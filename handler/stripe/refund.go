package stripe

import (
	"context"
	"errors"
	"net/http"

	"github.com/stripe/stripe-go/v76"

	"shopfn/handler/commerce"
)

// Refund refunds the PaymentIntent paymentID in full, idempotently by key
// (sent to Stripe as the idempotency key "refund-" + key, so that it cannot
// collide with a checkout's). Errors: KindNotFound "not_found" for an unknown
// payment; KindConflict "already_refunded" for a payment refunded under
// another key and "not_refundable" for one that has no succeeded charge;
// KindUnavailable when Stripe cannot be asked.
func (p *Provider) Refund(ctx context.Context, paymentID, key string) error {
	return p.refund(ctx, paymentID, key, nil)
}

// RefundAmount refunds amount (in the payment's currency) of the
// PaymentIntent paymentID, idempotently by key, as Refund does: Stripe
// keeps the key, so a retry of the same refund refunds once.
func (p *Provider) RefundAmount(ctx context.Context, paymentID, key string, amount commerce.Money) error {
	if amount.Amount <= 0 || amount.Amount > commerce.MaxAmount {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "refund amount %d is not positive or too large", amount.Amount)
	}
	return p.refund(ctx, paymentID, key, &amount)
}

// refund refunds amount of a PaymentIntent, all of it when amount is nil.
func (p *Provider) refund(ctx context.Context, paymentID, key string, amount *commerce.Money) error {
	switch {
	case key == "":
		return commerce.Invalidf(commerce.CodeInvalidRequest, "a refund needs an idempotency key")
	case paymentID == "":
		return commerce.NotFoundf("payment not found")
	}
	api, err := p.client()
	if err != nil {
		return err
	}
	params := &stripe.RefundParams{PaymentIntent: stripe.String(paymentID)}
	if amount != nil {
		params.Amount = stripe.Int64(amount.Amount)
	}
	params.Context = ctx
	params.SetIdempotencyKey("refund-" + key)
	_, err = api.Refunds.New(params)
	if err == nil {
		return nil
	}
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode < http.StatusInternalServerError {
		switch se.Code {
		case stripe.ErrorCodeChargeAlreadyRefunded:
			return commerce.Errorf(commerce.KindConflict, commerce.CodeAlreadyRefunded, "payment %s is already refunded", paymentID)
		case stripe.ErrorCodeChargeNotRefundable, stripe.ErrorCodeChargeDisputed, stripe.ErrorCodePaymentIntentUnexpectedState:
			return commerce.Errorf(commerce.KindConflict, commerce.CodeNotRefundable, "payment %s cannot be refunded", paymentID)
		}
	}
	return translate("refund payment "+paymentID, err)
}
