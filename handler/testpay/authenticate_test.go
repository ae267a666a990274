package testpay_test

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
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
			token := mustToken(t, pay, "http://localhost:7071")
			if pay.NextAction["type"] != "test_authenticate" {
				t.Errorf("got next action %v, want type test_authenticate", pay.NextAction)
			}

			// The second call finds the payment settled and returns it as it is.
			for range 2 {
				got, err := p.Authenticate(ctx, pay.ID, token, tt.fail)
				if err != nil {
					t.Fatal(err)
				}
				if got.ID != pay.ID || got.Status != tt.status || got.DeclineCode != tt.declineCode || got.NextAction != nil {
					t.Errorf("got %+v, want status %q decline code %q", got, tt.status, tt.declineCode)
				}
			}
			if got, err := p.Authenticate(ctx, pay.ID, token, !tt.fail); err != nil || got.Status != tt.status {
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
		mustToken(t, pay, "")
	})

	t.Run("Settled", func(t *testing.T) {
		p, _ := MustOpen(t, "")
		pay := MustCharge(t, p, request("ck-1", "pm_card_chargeDeclined"))
		if pay.NextAction != nil {
			t.Errorf("a declined payment has next action %v, want none", pay.NextAction)
		}
		_, err := p.Authenticate(ctx, pay.ID, "", false)
		wantError(t, err, commerce.KindNotFound, commerce.CodeNotFound)
	})

	t.Run("NotFound", func(t *testing.T) {
		p, _ := MustOpen(t, "")
		_, err := p.Authenticate(ctx, "pi_test_missing", "00", false)
		wantError(t, err, commerce.KindNotFound, commerce.CodeNotFound)
	})

	// The payment ID alone, or with another checkout's token, authenticates
	// nothing; the token is the payment's own, and made anew per checkout.
	t.Run("Token", func(t *testing.T) {
		p, _ := MustOpen(t, "")
		pay := MustCharge(t, p, request("ck-1", "pm_card_authenticationRequired"))
		other := MustCharge(t, p, request("ck-2", "pm_card_authenticationRequired"))
		token, otherToken := mustToken(t, pay, ""), mustToken(t, other, "")
		if token == otherToken {
			t.Fatalf("two checkouts got the same token %q", token)
		}
		for _, tok := range []string{"", otherToken, token[:len(token)-1], token + "0"} {
			_, err := p.Authenticate(ctx, pay.ID, tok, false)
			wantError(t, err, commerce.KindNotFound, commerce.CodeNotFound)
		}
		if got, err := p.Payment(ctx, pay.ID); err != nil || got.Status != commerce.PaymentRequiresAction {
			t.Fatalf("after wrong tokens: got %+v, %v; want it still requires_action", got, err)
		}
		if got, err := p.Authenticate(ctx, pay.ID, token, false); err != nil || got.Status != commerce.PaymentSucceeded {
			t.Errorf("with its token: got %+v, %v; want succeeded", got, err)
		}
		again := MustCharge(t, p, request("ck-1", "pm_card_authenticationRequired"))
		if again.NextAction != nil {
			t.Errorf("charging again after authenticating: next action %v, want none", again.NextAction)
		}
	})
}

// mustToken checks that pay's next action URL is base's authenticate URL
// for pay with a token of 128 bits in hex, and returns the token.
func mustToken(tb testing.TB, pay commerce.Payment, base string) string {
	tb.Helper()
	raw, _ := pay.NextAction["url"].(string)
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(raw, base+"/api/testpay/authenticate/"+pay.ID+"?") {
		tb.Fatalf("next action url %q, want %s/api/testpay/authenticate/%s?token=...", raw, base, pay.ID)
	}
	token := u.Query().Get("token")
	if len(token) != 32 || strings.Trim(token, "0123456789abcdef") != "" {
		tb.Fatalf("next action url %q: token %q, want 32 hex digits", raw, token)
	}
	return token
}

// TestAuthenticateOldTable opens a table made before tokens: the column is
// added, an old payment waiting for 3-D Secure cannot be authenticated
// (it has no token), and new ones can.
func TestAuthenticateOldTable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shopfn.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`CREATE TABLE testpay_payments (id TEXT PRIMARY KEY, checkout_id TEXT NOT NULL UNIQUE, order_id TEXT NOT NULL,
			amount INTEGER NOT NULL, currency TEXT NOT NULL, payment_method TEXT NOT NULL, email TEXT NOT NULL,
			status TEXT NOT NULL, decline_code TEXT NOT NULL, created_at INTEGER NOT NULL)`,
		`INSERT INTO testpay_payments VALUES ('pi_test_old', 'ck-old', 'o-old', 4200, 'EUR', 'pm_card_authenticationRequired', 'b@example.com', 'requires_action', '', 0)`,
	} {
		if _, err := db.Write.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	p, _ := MustOpen(t, path)
	if _, err := p.Authenticate(ctx, "pi_test_old", "", false); commerce.ErrorCode(err) != commerce.CodeNotFound {
		t.Errorf("old payment without a token: got %v, want not_found", err)
	}
	pay := MustCharge(t, p, request("ck-new", "pm_card_authenticationRequired"))
	if got, err := p.Authenticate(ctx, pay.ID, mustToken(t, pay, ""), false); err != nil || got.Status != commerce.PaymentSucceeded {
		t.Errorf("new payment: got %+v, %v; want succeeded", got, err)
	}
	MustOpen(t, path) // opening again finds the column
}
