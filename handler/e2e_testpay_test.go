package main

import (
	"net/url"
	"strings"
	"testing"
)

// TestE2ETestPayAuthenticateGuarded checks, over HTTP, that the test
// provider's 3-D Secure step needs the one-time token of nextAction.url,
// not just the payment ID, and that a browser page of another site cannot
// send it (an Origin of another origin, or a form's content type), while a
// page of shopfn's own origin and a script without Origin can.
func TestE2ETestPayAuthenticateGuarded(t *testing.T) {
	s := startMoney(t, func(m *Main) { m.Config.CORSOrigins = []string{"*"} })
	s.mustStockedProduct(t, "tp-guard", "TP-GUARD", 1000, 10)
	// action starts a checkout needing 3-D Secure and returns it, the path
	// of its nextAction.url and the token that URL carries.
	action := func(t *testing.T) (moneyResult, string, string) {
		t.Helper()
		r := moneyWantAction(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"TP-GUARD", 1}), "pm_card_authenticationRequired"), ""))
		raw, _ := r.NextAction["url"].(string)
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("nextAction.url %q is not a URL", raw)
		}
		return r, u.EscapedPath(), u.Query().Get("token")
	}
	stillWaiting := func(t *testing.T, r moneyResult) {
		t.Helper()
		e2eWantProblem(t, "confirm", s.do(t, "POST", "/api/checkout/"+r.CheckoutID+"/confirm", nil), 409, "requires_action")
	}

	t.Run("Token", func(t *testing.T) {
		r, path, token := action(t)
		_, _, other := action(t)
		if len(token) < 32 || other == token {
			t.Fatalf("nextAction.url tokens %q and %q, want one of at least 128 bits per checkout", token, other)
		}
		for _, q := range []string{"", "?token=", "?token=" + other, "?token=" + token[:len(token)-1], "?outcome=fail"} {
			e2eWantProblem(t, "authenticate "+q, s.do(t, "POST", path+q, nil), 404, "not_found")
		}
		stillWaiting(t, r)
		e2eWantStatus(t, "authenticate with the token", s.do(t, "POST", path+"?token="+token, nil), 200)
		e2eWantStatus(t, "confirm", s.do(t, "POST", "/api/checkout/"+r.CheckoutID+"/confirm", nil), 200)
	})

	t.Run("CrossSite", func(t *testing.T) {
		r, path, token := action(t)
		path += "?token=" + token
		for _, tt := range []struct {
			name   string
			body   any
			header []string
		}{
			{"OtherOrigin", nil, []string{"Origin", "https://evil.example"}},
			{"OtherPort", nil, []string{"Origin", strings.TrimSuffix(s.URL, s.URL[strings.LastIndex(s.URL, ":"):]) + ":1"}},
			{"NullOrigin", nil, []string{"Origin", "null"}},
			{"Form", "outcome=fail", []string{"Content-Type", "application/x-www-form-urlencoded"}},
			{"Multipart", "--b--\r\n", []string{"Content-Type", "multipart/form-data; boundary=b"}},
			{"TextPlain", "x", []string{"Content-Type", "Text/Plain; charset=utf-8"}},
			{"SameOriginForm", "x", []string{"Origin", s.URL, "Content-Type", "text/plain"}},
		} {
			res := s.do(t, "POST", path, tt.body, tt.header...)
			e2eWantProblem(t, tt.name, res, 403, "cross_site_request")
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("%s: Access-Control-Allow-Origin %q, want none", tt.name, got)
			}
		}
		stillWaiting(t, r)
		e2eWantStatus(t, "authenticate from shopfn's own origin", s.do(t, "POST", path, nil, "Origin", s.URL), 200)
		e2eWantStatus(t, "confirm", s.do(t, "POST", "/api/checkout/"+r.CheckoutID+"/confirm", nil), 200)
	})

	t.Run("Script", func(t *testing.T) {
		r, path, token := action(t)
		e2eWantStatus(t, "authenticate with a JSON body", s.do(t, "POST", path+"?token="+token+"&outcome=fail", "{}"), 200)
		e2eWantProblem(t, "confirm", s.do(t, "POST", "/api/checkout/"+r.CheckoutID+"/confirm", nil), 402, "payment_declined")
	})
}
