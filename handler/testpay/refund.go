package testpay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// Refund refunds a succeeded payment in full, idempotently by key: refunding
// again with the same key changes nothing and returns nil. It returns a
// KindNotFound "not_found" error for an unknown payment, and KindConflict
// errors "not_refundable" for a payment that has not succeeded,
// "already_refunded" for a payment refunded under another key and
// "idempotency_mismatch" for a key used to refund another payment.
func (p *Provider) Refund(ctx context.Context, paymentID, key string) error {
	if key == "" {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "a refund needs an idempotency key")
	}
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("testpay: refund %s: %w", paymentID, err)
	}
	defer tx.Rollback()

	var refunded string
	err = tx.QueryRowContext(ctx, `SELECT payment_id FROM testpay_refunds WHERE idempotency_key = ?`, key).Scan(&refunded)
	switch {
	case err == nil && refunded == paymentID:
		return nil
	case err == nil:
		return commerce.Errorf(commerce.KindConflict, commerce.CodeIdempotencyMismatch,
			"refund key %q was used for another payment", key)
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("testpay: refund %s: read key: %w", paymentID, err)
	}

	r, found, err := get(ctx, tx, "id", paymentID)
	if err != nil {
		return err
	}
	if !found {
		return commerce.NotFoundf("payment %s not found", paymentID)
	}
	if r.status != commerce.PaymentSucceeded {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeNotRefundable, "payment %s is %s, not succeeded", paymentID, r.status)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM testpay_refunds WHERE payment_id = ?`, paymentID).Scan(&n); err != nil {
		return fmt.Errorf("testpay: refund %s: read refunds: %w", paymentID, err)
	}
	if n > 0 {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeAlreadyRefunded, "payment %s is already refunded", paymentID)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO testpay_refunds
		(idempotency_key, payment_id, amount, currency, created_at) VALUES (?, ?, ?, ?, ?)`,
		key, paymentID, r.amount.Amount, r.amount.Currency, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("testpay: refund %s: %w", paymentID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("testpay: refund %s: commit: %w", paymentID, err)
	}
	return nil
}

// Refunds returns how many refunds have been made, for tests.
func (p *Provider) Refunds(ctx context.Context) (int, error) {
	var n int
	if err := p.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM testpay_refunds`).Scan(&n); err != nil {
		return 0, fmt.Errorf("testpay: count refunds: %w", err)
	}
	return n, nil
}
