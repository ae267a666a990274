package testpay_test

import (
	"context"
	"testing"

	"shopfn/handler/commerce"
)

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name        string
		fail        bool
		status      commerce.PaymentStatus
		declineCode string
	}{
		{"OK", false, commerce.PaymentSucceeded, ""},
		{"Failed", true, commerce.PaymentDeclined, "authentication_failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := MustOpen(t, "")
			p.BaseURL = "http://localhost:7071"
			pay := MustCharge(t, p, request("ck-1", "pm_card_authenticationRequired"))
			want := map[string]any{"type": "test_authenticate", "url": "http://localhost:7071/api/testpay/authenticate/" + pay.ID}
			if pay.NextAction["type"] != want["type"] || pay.NextAction["url"] != want["url"] {
				t.Errorf("got next action %v, want %v", pay.NextAction, want)
			}

			// The second call finds the payment settled and returns it as it is.
			for range 2 {
				got, err := p.Authenticate(ctx, pay.ID, tt.fail)
				if err != nil {
					t.Fatal(err)
				}
				if got.ID != pay.ID || got.Status != tt.status || got.DeclineCode != tt.declineCode || got.NextAction != nil {
					t.Errorf("got %+v, want status %q decline code %q", got, tt.status, tt.declineCode)
				}
			}
			if got, err := p.Authenticate(ctx, pay.ID, !tt.fail); err != nil || got.Status != tt.status {
				t.Errorf("authenticating again with fail=%v: got %+v, %v; want status %q", !tt.fail, got, err, tt.status)
			}
			again := MustCharge(t, p, request("ck-1", "pm_card_authenticationRequired"))
			if again.ID != pay.ID || again.Status != tt.status {
				t.Errorf("charging again: got %s %s, want %s %s", again.ID, again.Status, pay.ID, tt.status)
			}
		})
	}

	t.Run("RelativeURL", func(t *testing.T) {
		p, _ := MustOpen(t, "")
		pay := MustCharge(t, p, request("ck-1", "pm_card_authenticationRequired"))
		if got, want := pay.NextAction["url"], "/api/testpay/authenticate/"+pay.ID; got != want {
			t.Errorf("got url %v, want %v", got, want)
		}
	})

	t.Run("Settled", func(t *testing.T) {
		p, _ := MustOpen(t, "")
		pay := MustCharge(t, p, request("ck-1", "pm_card_chargeDeclined"))
		got, err := p.Authenticate(ctx, pay.ID, false)
		if err != nil || got.Status != commerce.PaymentDeclined || got.DeclineCode != "generic_decline" {
			t.Errorf("got %+v, %v; want it declined generic_decline", got, err)
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		p, _ := MustOpen(t, "")
		_, err := p.Authenticate(ctx, "pi_test_missing", false)
		wantError(t, err, commerce.KindNotFound, commerce.CodeNotFound)
	})
}
