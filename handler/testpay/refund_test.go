package testpay_test

import (
	"context"
	"testing"

	"shopfn/handler/commerce"
)

func TestRefund(t *testing.T) {
	ctx := context.Background()
	p, _ := MustOpen(t, "")
	paid := MustCharge(t, p, request("ck-paid", "pm_card_visa"))
	other := MustCharge(t, p, request("ck-other", "pm_card_visa"))
	declined := MustCharge(t, p, request("ck-declined", "pm_card_chargeDeclined"))
	pending := MustCharge(t, p, request("ck-pending", "pm_card_authenticationRequired"))

	if err := p.Refund(ctx, paid.ID, "refund-1"); err != nil {
		t.Fatalf("Refund: %v", err)
	}
	if err := p.Refund(ctx, paid.ID, "refund-1"); err != nil {
		t.Fatalf("Refund with the same key: %v", err)
	}
	for _, tt := range []struct {
		name, id, key string
		kind          commerce.Kind
		code          string
	}{
		{"AlreadyRefunded", paid.ID, "refund-2", commerce.KindConflict, "already_refunded"},
		{"KeyReused", other.ID, "refund-1", commerce.KindConflict, "idempotency_mismatch"},
		{"Declined", declined.ID, "refund-3", commerce.KindConflict, "not_refundable"},
		{"RequiresAction", pending.ID, "refund-4", commerce.KindConflict, "not_refundable"},
		{"NotFound", "pi_test_missing", "refund-5", commerce.KindNotFound, commerce.CodeNotFound},
		{"NoKey", other.ID, "", commerce.KindInvalid, commerce.CodeInvalidRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, p.Refund(ctx, tt.id, tt.key), tt.kind, tt.code)
		})
	}
	if n, err := p.Refunds(ctx); err != nil || n != 1 {
		t.Errorf("Refunds() = %d, %v; want 1", n, err)
	}
	if got, err := p.Payment(ctx, paid.ID); err != nil || got.Status != commerce.PaymentSucceeded {
		t.Errorf("refunded payment: got %+v, %v; want it still succeeded", got, err)
	}
}
