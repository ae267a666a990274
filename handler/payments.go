package main

import (
	"context"

	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
	"shopfn/handler/keyvault"
	"shopfn/handler/stripe"
	"shopfn/handler/testpay"
)

// payments is the payment provider SHOPFN_PAYMENTS names and what the API
// needs of it.
type payments struct {
	provider commerce.PaymentProvider
	// webhook verifies and parses a Stripe webhook; nil without Stripe.
	webhook func(payload []byte, sig string) (string, commerce.Payment, error)
	// authenticate finishes a test 3-D Secure step; nil without testpay.
	authenticate func(ctx context.Context, paymentID, token string, fail bool) (commerce.Payment, error)
	// test is the test provider, nil with Stripe.
	test *testpay.Provider
}

// openPayments opens the payment provider: Stripe, its secrets from the
// vault when there is one, or the test provider, whose tables live in the
// embedded SQLite file (shared by an api and a worker on one file).
func (m *Main) openPayments(secrets *keyvault.Secrets) (payments, error) {
	cfg := m.Config
	if cfg.Payments == "stripe" {
		scfg := stripe.Config{SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret, APIBase: cfg.StripeAPIBase, ReturnURL: cfg.StripeReturnURL}
		if secrets != nil { // read on every use, so that a rotated secret applies at once
			scfg.SecretKeyFunc = secrets.Func(keyvault.StripeSecretKey)
			scfg.WebhookSecretFunc = secrets.Func(keyvault.StripeWebhookSecret)
		}
		sp := stripe.New(scfg)
		return payments{provider: sp, webhook: func(payload []byte, sig string) (string, commerce.Payment, error) {
			ev, err := sp.ParseWebhook(payload, sig)
			return ev.Type, ev.Payment, err
		}}, nil
	}
	tp, err := testpay.New(m.db.Write)
	if err != nil {
		return payments{}, err
	}
	return payments{provider: tp, authenticate: tp.Authenticate, test: tp}, nil
}

// refundExecutor executes refunds recorded in an order store: the orders
// function's worker.RefundExecutor.
type refundExecutor struct {
	svc    *checkout.Service
	orders checkout.Refunds
}

// ExecuteRefund executes refund id at the payment provider, once.
func (e refundExecutor) ExecuteRefund(ctx context.Context, id string) error {
	return e.svc.ExecuteRefund(ctx, e.orders, id)
}
