package testpay

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// Charge takes a payment for req with the outcome its test payment method
// stands for: a succeeded payment, a declined one with a decline code, or one
// that requires 3-D Secure (finished with Authenticate). Charging the same
// checkout again returns the stored payment, even after a restart; charging
// it with a different amount or payment method is a KindConflict
// "idempotency_mismatch", as Stripe refuses a reused idempotency key. An
// unknown payment method is a KindRule "invalid_payment_method"; a
// non-positive amount, a malformed currency or an empty checkout ID are
// KindInvalid.
func (p *Provider) Charge(ctx context.Context, req commerce.PaymentRequest) (commerce.Payment, error) {
	if err := req.Validate(); err != nil {
		return commerce.Payment{}, err
	}
	out, ok := methods[req.PaymentMethod]
	if !ok {
		return commerce.Payment{}, commerce.Rulef(commerce.CodeInvalidPaymentMethod, "payment method %q is not a test payment method", req.PaymentMethod)
	}

	// Insert unless the checkout already has a payment, then read whichever
	// payment the checkout has: the one just inserted or the first one.
	_, insertErr := p.db.ExecContext(ctx, `INSERT INTO testpay_payments
		(id, checkout_id, order_id, amount, currency, payment_method, email, status, decline_code, created_at, auth_token)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM testpay_payments WHERE checkout_id = ?)`,
		newPaymentID(), req.CheckoutID, req.OrderID, req.Amount.Amount, req.Amount.Currency,
		req.PaymentMethod, req.Email, string(out.status), out.declineCode, time.Now().UnixMilli(), newToken(),
		req.CheckoutID)
	r, found, err := get(ctx, p.db, "checkout_id", req.CheckoutID)
	if err != nil {
		return commerce.Payment{}, err
	}
	if !found {
		// Only a failed insert leaves the checkout without a payment; a
		// concurrent insert that won the race is found above.
		if insertErr == nil {
			insertErr = fmt.Errorf("no row after insert")
		}
		return commerce.Payment{}, fmt.Errorf("testpay: charge checkout %s: %w", req.CheckoutID, insertErr)
	}
	if r.amount != req.Amount || r.paymentMethod != req.PaymentMethod {
		return commerce.Payment{}, commerce.Errorf(commerce.KindConflict, commerce.CodeIdempotencyMismatch,
			"checkout %s was already charged %s with %s", req.CheckoutID, r.amount, r.paymentMethod)
	}
	return p.payment(ctx, r), nil
}

// Payment returns the current state of the payment with the given ID, or a
// KindNotFound "not_found" error.
func (p *Provider) Payment(ctx context.Context, id string) (commerce.Payment, error) {
	r, found, err := get(ctx, p.db, "id", id)
	if err != nil {
		return commerce.Payment{}, err
	}
	if !found {
		return commerce.Payment{}, commerce.NotFoundf("payment %s not found", id)
	}
	return p.payment(ctx, r), nil
}

// PaymentForCheckout returns the payment taken for the given checkout, or a
// KindNotFound "not_found" error when the checkout was never charged, so that
// a checkout whose process died while charging can be settled.
func (p *Provider) PaymentForCheckout(ctx context.Context, checkoutID string) (commerce.Payment, error) {
	r, found, err := get(ctx, p.db, "checkout_id", checkoutID)
	if err != nil {
		return commerce.Payment{}, err
	}
	if !found {
		return commerce.Payment{}, commerce.NotFoundf("no payment for checkout %s", checkoutID)
	}
	return p.payment(ctx, r), nil
}

// Authenticate finishes the 3-D Secure step of a payment that requires it,
// as the buyer does on the page NextAction points to, given the token of
// that URL: the payment succeeds, or, when fail is true, is declined with
// decline code "authentication_failed". The token settles its payment once:
// a payment that is already settled is returned as it is, so calling
// Authenticate again is harmless and changes nothing. An unknown ID, or a
// token that is not the payment's, is a KindNotFound "not_found" error.
func (p *Provider) Authenticate(ctx context.Context, id, token string, fail bool) (commerce.Payment, error) {
	status, code := commerce.PaymentSucceeded, ""
	if fail {
		status, code = commerce.PaymentDeclined, "authentication_failed"
	}
	// The token is compared in SQL to decide the update, and again below in
	// constant time before anything about the payment is answered.
	_, err := p.db.ExecContext(ctx, `UPDATE testpay_payments SET status = ?, decline_code = ?
		WHERE id = ? AND auth_token = ? AND auth_token <> '' AND status = ?`,
		string(status), code, id, token, string(commerce.PaymentRequiresAction))
	if err != nil {
		return commerce.Payment{}, fmt.Errorf("testpay: authenticate %s: %w", id, err)
	}
	r, found, err := get(ctx, p.db, "id", id)
	if err != nil {
		return commerce.Payment{}, err
	}
	if !found || r.token == "" || subtle.ConstantTimeCompare([]byte(r.token), []byte(token)) != 1 {
		return commerce.Payment{}, commerce.NotFoundf("no test payment %s with that token: open the nextAction.url of the checkout as it is", id)
	}
	return p.payment(ctx, r), nil
}

// Charges returns how many payments have succeeded (refunded ones included),
// for tests that assert a buyer was charged exactly once.
func (p *Provider) Charges(ctx context.Context) (int, error) {
	var n int
	err := p.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM testpay_payments WHERE status = ?`,
		string(commerce.PaymentSucceeded)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("testpay: count charges: %w", err)
	}
	return n, nil
}
