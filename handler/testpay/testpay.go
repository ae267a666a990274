// Package testpay is shopfn's default payment provider: deterministic, with no
// network, following Stripe's test payment methods ("pm_card_visa" succeeds,
// "pm_card_chargeDeclined" is declined, "pm_card_authenticationRequired" asks
// for 3-D Secure). Payments are stored in a SQL table, so a restarted process
// sees the payments the previous one took and a retried checkout never
// charges twice.
//
// A payment that requires 3-D Secure carries a one-time token, made when the
// checkout is charged and bound to that checkout's payment: its NextAction
// URL holds it, and Authenticate refuses the payment ID without it.
package testpay

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"shopfn/handler/commerce"
)

var _ commerce.PaymentProvider = (*Provider)(nil)

// Provider is the test payment provider. Its methods are safe for concurrent
// use.
type Provider struct {
	// BaseURL is the absolute URL of the shopfn API, for example
	// "https://api.shop.example", used to build the URL a buyer opens to
	// finish 3-D Secure when the request's context carries none
	// (commerce.WithPublicURL). When both are empty, that URL is relative.
	BaseURL string

	db *sql.DB
}

// schema creates the provider's tables. It is plain SQL that SQLite accepts.
// A checkout has at most one payment and a payment at most one (full) refund.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS testpay_payments (
		id             TEXT PRIMARY KEY,
		checkout_id    TEXT NOT NULL UNIQUE,
		order_id       TEXT NOT NULL,
		amount         INTEGER NOT NULL,
		currency       TEXT NOT NULL,
		payment_method TEXT NOT NULL,
		email          TEXT NOT NULL,
		status         TEXT NOT NULL,
		decline_code   TEXT NOT NULL,
		created_at     INTEGER NOT NULL,
		auth_token     TEXT NOT NULL DEFAULT ''
	)`,
	`CREATE TABLE IF NOT EXISTS testpay_refunds (
		idempotency_key TEXT PRIMARY KEY,
		payment_id      TEXT NOT NULL UNIQUE REFERENCES testpay_payments (id),
		amount          INTEGER NOT NULL,
		currency        TEXT NOT NULL,
		created_at      INTEGER NOT NULL
	)`,
}

// New returns a Provider storing its payments in db, creating its tables if
// they do not exist. With SQLite, pass the write pool (sqlite.DB.Write).
func New(db *sql.DB) (*Provider, error) {
	ctx := context.Background()
	for _, stmt := range schema {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("testpay: create tables: %w", err)
		}
	}
	if err := addTokenColumn(ctx, db); err != nil {
		return nil, err
	}
	return &Provider{db: db}, nil
}

// addTokenColumn adds auth_token to a table made before it existed. Its
// payments that still require 3-D Secure have no token and can no longer
// be authenticated; they expire as any abandoned checkout does.
func addTokenColumn(ctx context.Context, db *sql.DB) error {
	const probe = `SELECT auth_token FROM testpay_payments LIMIT 0`
	if _, err := db.ExecContext(ctx, probe); err == nil {
		return nil
	}
	_, alterErr := db.ExecContext(ctx, `ALTER TABLE testpay_payments ADD COLUMN auth_token TEXT NOT NULL DEFAULT ''`)
	if _, err := db.ExecContext(ctx, probe); err != nil { // another process may have added it first
		return fmt.Errorf("testpay: add column auth_token: %w", errors.Join(alterErr, err))
	}
	return nil
}

// outcome is what charging a test payment method does.
type outcome struct {
	status      commerce.PaymentStatus
	declineCode string
}

// methods are the test payment methods the provider knows, named as in
// Stripe's test mode (https://docs.stripe.com/testing).
var methods = map[string]outcome{
	"pm_card_visa":             {status: commerce.PaymentSucceeded},
	"pm_card_visa_debit":       {status: commerce.PaymentSucceeded},
	"pm_card_mastercard":       {status: commerce.PaymentSucceeded},
	"pm_card_mastercard_debit": {status: commerce.PaymentSucceeded},
	"pm_card_amex":             {status: commerce.PaymentSucceeded},

	"pm_card_chargeDeclined":                       {commerce.PaymentDeclined, "generic_decline"},
	"pm_card_visa_chargeDeclined":                  {commerce.PaymentDeclined, "generic_decline"},
	"pm_card_chargeDeclinedInsufficientFunds":      {commerce.PaymentDeclined, "insufficient_funds"},
	"pm_card_visa_chargeDeclinedInsufficientFunds": {commerce.PaymentDeclined, "insufficient_funds"},
	"pm_card_visa_chargeDeclinedLostCard":          {commerce.PaymentDeclined, "lost_card"},
	"pm_card_visa_chargeDeclinedStolenCard":        {commerce.PaymentDeclined, "stolen_card"},
	"pm_card_chargeDeclinedExpiredCard":            {commerce.PaymentDeclined, "expired_card"},
	"pm_card_chargeDeclinedIncorrectCvc":           {commerce.PaymentDeclined, "incorrect_cvc"},
	"pm_card_chargeDeclinedProcessingError":        {commerce.PaymentDeclined, "processing_error"},

	"pm_card_authenticationRequired": {status: commerce.PaymentRequiresAction},
	"pm_card_threeDSecure2Required":  {status: commerce.PaymentRequiresAction},
}

// newToken returns a new authentication token: 128 random bits in hex.
func newToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newPaymentID returns a new payment ID: "pi_test_" and 96 random bits in hex.
func newPaymentID() string {
	var b [12]byte
	rand.Read(b[:])
	return "pi_test_" + hex.EncodeToString(b[:])
}

// row is a stored payment.
type row struct {
	id, checkoutID, paymentMethod string
	token                         string // authenticates 3-D Secure; "" in rows made before tokens
	amount                        commerce.Money
	status                        commerce.PaymentStatus
	declineCode                   string
}

const selectPayment = `SELECT id, checkout_id, payment_method, amount, currency, status, decline_code, auth_token
	FROM testpay_payments`

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// get reads the payment matching where (a condition on one unique column),
// returning ok false when there is none.
func get(ctx context.Context, q queryer, where string, arg any) (r row, ok bool, err error) {
	err = q.QueryRowContext(ctx, selectPayment+" WHERE "+where+" = ?", arg).Scan(
		&r.id, &r.checkoutID, &r.paymentMethod, &r.amount.Amount, &r.amount.Currency, &r.status, &r.declineCode, &r.token)
	if errors.Is(err, sql.ErrNoRows) {
		return row{}, false, nil
	}
	if err != nil {
		return row{}, false, fmt.Errorf("testpay: read payment by %s: %w", where, err)
	}
	return r, true, nil
}

// payment returns r as a commerce.Payment, with the URL that finishes 3-D
// Secure when r requires it: it carries r's token in the query, which
// access logs leave out. The URL starts with the address the buyer reached
// the API at (ctx), else BaseURL.
func (p *Provider) payment(ctx context.Context, r row) commerce.Payment {
	pay := commerce.Payment{
		ID:          r.id,
		Status:      r.status,
		Amount:      r.amount,
		DeclineCode: r.declineCode,
		CheckoutID:  r.checkoutID,
	}
	if r.status == commerce.PaymentRequiresAction {
		base := commerce.PublicURL(ctx)
		if base == "" {
			base = p.BaseURL
		}
		pay.NextAction = map[string]any{
			"type": "test_authenticate",
			"url":  base + "/api/testpay/authenticate/" + r.id + "?token=" + r.token,
		}
	}
	return pay
}
