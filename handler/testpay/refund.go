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
	return p.refund(ctx, paymentID, key, nil)
}

// RefundAmount refunds amount of a succeeded payment, idempotently by key,
// with Refund's errors; KindInvalid "invalid_request" for an amount that
// is not positive, in another currency or above the payment's. A payment
// has at most one refund, in full or in part (a cancelled order's one).
func (p *Provider) RefundAmount(ctx context.Context, paymentID, key string, amount commerce.Money) error {
	return p.refund(ctx, paymentID, key, &amount)
}

// refund refunds amount of a payment, all of it when amount is nil.
func (p *Provider) refund(ctx context.Context, paymentID, key string, amount *commerce.Money) error {
	if key == "" {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "a refund needs an idempotency key")
	}
	tx, err := p.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("testpay: refund %s: %w", paymentID, err)
	}
	defer tx.Rollback()

	var refunded string
	var was int64
	err = tx.QueryRowContext(ctx, `SELECT payment_id, amount FROM testpay_refunds WHERE idempotency_key = ?`, key).Scan(&refunded, &was)
	switch {
	case err == nil && refunded == paymentID && (amount == nil || amount.Amount == was):
		return nil
	case err == nil:
		return commerce.Errorf(commerce.KindConflict, commerce.CodeIdempotencyMismatch,
			"refund key %q was used for another payment or amount", key)
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
	give := r.amount
	if amount != nil {
		if amount.Amount <= 0 || amount.Amount > r.amount.Amount || amount.Currency != r.amount.Currency {
			return commerce.Invalidf(commerce.CodeInvalidRequest, "refund amount %d %s is not within payment %s's %d %s",
				amount.Amount, amount.Currency, paymentID, r.amount.Amount, r.amount.Currency)
		}
		give = *amount
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
		key, paymentID, give.Amount, give.Currency, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("testpay: refund %s: %w", paymentID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("testpay: refund %s: commit: %w", paymentID, err)
	}
	return nil
}

// RefundedAmount returns how much of a payment has been refunded, for tests.
func (p *Provider) RefundedAmount(ctx context.Context, paymentID string) (int64, error) {
	var n int64
	if err := p.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount), 0) FROM testpay_refunds WHERE payment_id = ?`, paymentID).Scan(&n); err != nil {
		return 0, fmt.Errorf("testpay: refunded amount of %s: %w", paymentID, err)
	}
	return n, nil
}

// Refunds returns how many refunds have been made, for tests.
func (p *Provider) Refunds(ctx context.Context) (int, error) {
	var n int
	if err := p.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM testpay_refunds`).Scan(&n); err != nil {
		return 0, fmt.Errorf("testpay: count refunds: %w", err)
	}
	return n, nil
}
