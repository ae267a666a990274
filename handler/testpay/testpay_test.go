package testpay_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/testpay"
)

// MustOpen returns a Provider on a new SQLite file at path (or in a temporary
// directory when path is empty), closed at the end of the test.
func MustOpen(tb testing.TB, path string) (*testpay.Provider, *sqlite.DB) {
	tb.Helper()
	if path == "" {
		path = filepath.Join(tb.TempDir(), "shopfn.db")
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	p, err := testpay.New(db.Write)
	if err != nil {
		tb.Fatal(err)
	}
	return p, db
}

// request returns a payment request for checkout id with payment method pm.
func request(id, pm string) commerce.PaymentRequest {
	return commerce.PaymentRequest{
		CheckoutID:    id,
		OrderID:       "o-" + id,
		Amount:        commerce.Money{Amount: 4200, Currency: "EUR"},
		PaymentMethod: pm,
		Email:         "buyer@example.com",
	}
}

// MustCharge charges req and fails the test on an error.
func MustCharge(tb testing.TB, p *testpay.Provider, req commerce.PaymentRequest) commerce.Payment {
	tb.Helper()
	pay, err := p.Charge(context.Background(), req)
	if err != nil {
		tb.Fatalf("Charge(%s, %s): %v", req.CheckoutID, req.PaymentMethod, err)
	}
	return pay
}

// wantError fails the test unless err is a *commerce.Error of kind and code.
func wantError(tb testing.TB, err error, kind commerce.Kind, code string) {
	tb.Helper()
	if got := commerce.ErrorKind(err); got != kind || commerce.ErrorCode(err) != code {
		tb.Fatalf("got error %v (kind %d), want kind %d code %q", err, got, kind, code)
	}
}

func TestCharge(t *testing.T) {
	p, _ := MustOpen(t, "")
	for _, tt := range []struct {
		pm          string
		status      commerce.PaymentStatus
		declineCode string
	}{
		{"pm_card_visa", commerce.PaymentSucceeded, ""},
		{"pm_card_mastercard", commerce.PaymentSucceeded, ""},
		{"pm_card_chargeDeclined", commerce.PaymentDeclined, "generic_decline"},
		{"pm_card_chargeDeclinedInsufficientFunds", commerce.PaymentDeclined, "insufficient_funds"},
		{"pm_card_authenticationRequired", commerce.PaymentRequiresAction, ""},
	} {
		t.Run(tt.pm, func(t *testing.T) {
			req := request("ck-"+tt.pm, tt.pm)
			pay := MustCharge(t, p, req)
			if pay.Status != tt.status || pay.DeclineCode != tt.declineCode {
				t.Errorf("got status %q decline code %q, want %q %q", pay.Status, pay.DeclineCode, tt.status, tt.declineCode)
			}
			if len(pay.ID) != len("pi_test_")+24 || pay.ID[:8] != "pi_test_" {
				t.Errorf("got ID %q, want pi_test_ and 24 hex digits", pay.ID)
			}
			if pay.Amount != req.Amount || pay.CheckoutID != req.CheckoutID {
				t.Errorf("got amount %v checkout %q, want %v %q", pay.Amount, pay.CheckoutID, req.Amount, req.CheckoutID)
			}
			if got, want := pay.NextAction != nil, tt.status == commerce.PaymentRequiresAction; got != want {
				t.Errorf("got next action %v, want one: %v", pay.NextAction, want)
			}
			got, err := p.Payment(context.Background(), pay.ID)
			if err != nil || got.Status != pay.Status || got.DeclineCode != pay.DeclineCode {
				t.Errorf("Payment(%s) = %+v, %v; want %+v", pay.ID, got, err, pay)
			}
		})
	}
	if n, err := p.Charges(context.Background()); err != nil || n != 2 {
		t.Errorf("Charges() = %d, %v; want 2", n, err)
	}
}

func TestCharge_Errors(t *testing.T) {
	p, _ := MustOpen(t, "")
	MustCharge(t, p, request("ck-1", "pm_card_visa"))
	for _, tt := range []struct {
		name string
		edit func(*commerce.PaymentRequest)
		kind commerce.Kind
		code string
	}{
		{"UnknownMethod", func(r *commerce.PaymentRequest) { r.PaymentMethod = "pm_card_bogus" }, commerce.KindRule, "invalid_payment_method"},
		{"ZeroAmount", func(r *commerce.PaymentRequest) { r.Amount.Amount = 0 }, commerce.KindInvalid, commerce.CodeInvalidRequest},
		{"NegativeAmount", func(r *commerce.PaymentRequest) { r.Amount.Amount = -1 }, commerce.KindInvalid, commerce.CodeInvalidRequest},
		{"BadCurrency", func(r *commerce.PaymentRequest) { r.Amount.Currency = "eur" }, commerce.KindInvalid, commerce.CodeInvalidRequest},
		{"NoCheckout", func(r *commerce.PaymentRequest) { r.CheckoutID = "" }, commerce.KindInvalid, commerce.CodeInvalidRequest},
		{"ReusedCheckout", func(r *commerce.PaymentRequest) { r.CheckoutID, r.Amount.Amount = "ck-1", 1 }, commerce.KindConflict, "idempotency_mismatch"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := request("ck-2", "pm_card_visa")
			tt.edit(&req)
			_, err := p.Charge(context.Background(), req)
			wantError(t, err, tt.kind, tt.code)
		})
	}
	if n, err := p.Charges(context.Background()); err != nil || n != 1 {
		t.Errorf("Charges() = %d, %v; want 1", n, err)
	}
}

func TestCharge_Idempotent(t *testing.T) {
	p, _ := MustOpen(t, "")
	req := request("ck-1", "pm_card_visa")
	var wg sync.WaitGroup
	ids := make([]string, 16)
	for i := range ids {
		wg.Go(func() {
			pay, err := p.Charge(context.Background(), req)
			if err != nil {
				t.Errorf("Charge: %v", err)
			}
			ids[i] = pay.ID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("got payment IDs %v, want one ID", ids)
		}
	}
	if n, err := p.Charges(context.Background()); err != nil || n != 1 {
		t.Errorf("Charges() = %d, %v; want 1", n, err)
	}
}

// TestCharge_Durable checks that a new process on the same file returns the
// first payment for a retried checkout instead of charging again.
func TestCharge_Durable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shopfn.db")
	p, db := MustOpen(t, path)
	first := MustCharge(t, p, request("ck-1", "pm_card_visa"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	p, _ = MustOpen(t, path)
	again := MustCharge(t, p, request("ck-1", "pm_card_visa"))
	if again.ID != first.ID || again.Status != commerce.PaymentSucceeded {
		t.Errorf("after reopening got %s %s, want %s succeeded", again.ID, again.Status, first.ID)
	}
	if n, err := p.Charges(context.Background()); err != nil || n != 1 {
		t.Errorf("Charges() = %d, %v; want 1", n, err)
	}
}

func TestPayment_NotFound(t *testing.T) {
	p, _ := MustOpen(t, "")
	_, err := p.Payment(context.Background(), "pi_test_missing")
	wantError(t, err, commerce.KindNotFound, commerce.CodeNotFound)
}

func TestPaymentForCheckout(t *testing.T) {
	p, _ := MustOpen(t, "")
	pay := MustCharge(t, p, request("ck-1", "pm_card_visa"))
	got, err := p.PaymentForCheckout(context.Background(), "ck-1")
	if err != nil || got.ID != pay.ID || got.Status != commerce.PaymentSucceeded {
		t.Errorf("got %+v, %v; want %s succeeded", got, err, pay.ID)
	}
	_, err = p.PaymentForCheckout(context.Background(), "ck-never")
	wantError(t, err, commerce.KindNotFound, commerce.CodeNotFound)
}
