package stripe

import (
	"context"
	"errors"
	"strings"

	"github.com/stripe/stripe-go/v76"

	"shopfn/handler/commerce"
)

// Charge creates and confirms a PaymentIntent for req, with automatic
// payment methods (and Config.ReturnURL for those that redirect), with the
// checkout ID as its idempotency key, so that charging the same
// checkout again returns the first PaymentIntent. A card Stripe declines is
// a Payment with Status PaymentDeclined and the issuer's decline code, not an
// error. Errors: KindInvalid for a malformed request, KindRule
// "invalid_payment_method" for a payment method Stripe does not know,
// KindUnavailable "payment_unavailable" when Stripe cannot be asked, and
// KindConflict "idempotency_mismatch" when the checkout was charged with
// other parameters.
func (p *Provider) Charge(ctx context.Context, req commerce.PaymentRequest) (commerce.Payment, error) {
	if err := req.Validate(); err != nil {
		return commerce.Payment{}, err
	}
	api, err := p.client()
	if err != nil {
		return commerce.Payment{}, err
	}
	params := &stripe.PaymentIntentParams{
		Amount:        stripe.Int64(req.Amount.Amount),
		Currency:      stripe.String(strings.ToLower(req.Amount.Currency)),
		PaymentMethod: stripe.String(req.PaymentMethod),
		// The methods enabled in the Stripe dashboard (cards, wallets,
		// others), not cards alone. A method that redirects the buyer
		// needs a return URL; without one, only methods that never
		// redirect are offered.
		AutomaticPaymentMethods: &stripe.PaymentIntentAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true)},
		Confirm:                 stripe.Bool(true),
	}
	if p.returnURL != "" {
		params.ReturnURL = stripe.String(p.returnURL)
	} else {
		params.AutomaticPaymentMethods.AllowRedirects = stripe.String("never")
	}
	if req.Email != "" {
		params.ReceiptEmail = stripe.String(req.Email)
	}
	params.Context = ctx
	params.AddMetadata("checkout_id", req.CheckoutID)
	if req.OrderID != "" {
		params.AddMetadata("order_id", req.OrderID)
	}
	params.SetIdempotencyKey(req.CheckoutID)

	pi, err := api.PaymentIntents.New(params)
	if err != nil {
		var se *stripe.Error
		switch {
		case errors.As(err, &se) && se.Type == stripe.ErrorTypeCard:
			return declined(req, se), nil
		case errors.As(err, &se) && se.Type == stripe.ErrorTypeInvalidRequest && se.Param == "payment_method":
			return commerce.Payment{}, commerce.Rulef(commerce.CodeInvalidPaymentMethod, "payment method %q cannot be charged", req.PaymentMethod)
		}
		return commerce.Payment{}, translate("charge checkout "+req.CheckoutID, err)
	}
	return payment(pi), nil
}

// declined returns the declined payment that card error se reports for req.
func declined(req commerce.PaymentRequest, se *stripe.Error) commerce.Payment {
	pay := commerce.Payment{Amount: req.Amount, CheckoutID: req.CheckoutID}
	if se.PaymentIntent != nil {
		pay = payment(se.PaymentIntent)
		if pay.Amount.Amount == 0 {
			pay.Amount = req.Amount
		}
		if pay.CheckoutID == "" {
			pay.CheckoutID = req.CheckoutID
		}
	}
	pay.Status = commerce.PaymentDeclined
	pay.NextAction = nil
	pay.DeclineCode = declineCode(se)
	return pay
}

// declineCode returns the issuer's decline code in se, or, when there is
// none (an expired card, a wrong CVC), its error code.
func declineCode(se *stripe.Error) string {
	if se.DeclineCode != "" {
		return string(se.DeclineCode)
	}
	return string(se.Code)
}

// payment returns pi as a commerce.Payment. A PaymentIntent that needs a new
// payment method after a confirmation (or was canceled) is declined; one that
// Stripe has not decided yet is processing.
func payment(pi *stripe.PaymentIntent) commerce.Payment {
	pay := commerce.Payment{
		ID:         pi.ID,
		Amount:     commerce.Money{Amount: pi.Amount, Currency: strings.ToUpper(string(pi.Currency))},
		CheckoutID: pi.Metadata["checkout_id"],
	}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		pay.Status = commerce.PaymentSucceeded
	case stripe.PaymentIntentStatusRequiresAction:
		pay.Status = commerce.PaymentRequiresAction
		pay.NextAction = map[string]any{"clientSecret": pi.ClientSecret}
		if na := pi.NextAction; na != nil {
			pay.NextAction["type"] = string(na.Type)
			if na.RedirectToURL != nil && na.RedirectToURL.URL != "" {
				pay.NextAction["url"] = na.RedirectToURL.URL
			}
		}
	case stripe.PaymentIntentStatusRequiresPaymentMethod, stripe.PaymentIntentStatusCanceled:
		pay.Status = commerce.PaymentDeclined
		if pi.LastPaymentError != nil {
			pay.DeclineCode = declineCode(pi.LastPaymentError)
		}
	default:
		pay.Status = commerce.PaymentProcessing
	}
	return pay
}

// Payment retrieves the PaymentIntent with the given ID. Errors: KindNotFound
// "not_found" for an unknown ID, KindUnavailable when Stripe cannot be asked.
func (p *Provider) Payment(ctx context.Context, id string) (commerce.Payment, error) {
	if id == "" {
		return commerce.Payment{}, commerce.NotFoundf("payment not found")
	}
	api, err := p.client()
	if err != nil {
		return commerce.Payment{}, err
	}
	params := &stripe.PaymentIntentParams{}
	params.Context = ctx
	pi, err := api.PaymentIntents.Get(id, params)
	if err != nil {
		return commerce.Payment{}, translate("get payment "+id, err)
	}
	return payment(pi), nil
}

// CancelPayment cancels a PaymentIntent that still waits for the buyer, so
// that a late authentication cannot charge. Errors: KindNotFound for an
// unknown PaymentIntent, KindConflict "not_cancellable" for one that
// succeeded or was cancelled already, KindUnavailable when Stripe cannot be
// asked.
func (p *Provider) CancelPayment(ctx context.Context, id string) error {
	if id == "" {
		return commerce.NotFoundf("payment not found")
	}
	api, err := p.client()
	if err != nil {
		return err
	}
	params := &stripe.PaymentIntentCancelParams{CancellationReason: stripe.String(string(stripe.PaymentIntentCancellationReasonAbandoned))}
	params.Context = ctx
	_, err = api.PaymentIntents.Cancel(id, params)
	if err == nil {
		return nil
	}
	var se *stripe.Error
	if errors.As(err, &se) && se.Code == stripe.ErrorCodePaymentIntentUnexpectedState {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeNotCancellable, "payment %s can no longer be cancelled", id)
	}
	return translate("cancel payment "+id, err)
}
