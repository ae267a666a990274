package auth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/auth"
	"shopfn/handler/commerce"
)

// devServer serves a development issuer; down makes it answer 503.
func devServer(t *testing.T, now func() time.Time, down *atomic.Bool) *auth.DevIssuer {
	t.Helper()
	var dev *auth.DevIssuer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case down.Load():
			w.WriteHeader(http.StatusServiceUnavailable)
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			w.Write(dev.Discovery())
		case strings.HasSuffix(r.URL.Path, "/jwks"):
			w.Write(dev.JWKS())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	var err error
	if dev, err = auth.NewDevIssuer(srv.URL+auth.DevPath, now); err != nil {
		t.Fatal(err)
	}
	return dev
}

func request(token string) *http.Request {
	r := httptest.NewRequest("GET", "/api/me", nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

func TestVerifierDevIssuer(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	var down atomic.Bool
	dev := devServer(t, clock, &down)
	v := auth.NewVerifier(auth.Config{Issuer: dev.Issuer(), Audience: auth.DevAudience, Now: clock})
	no := false
	tok, ttl, err := dev.Mint(auth.DevToken{Email: "Ada@Example.com", Name: "Ada", EmailVerified: &no})
	if err != nil || ttl != time.Hour {
		t.Fatalf("Mint: %v, %v", ttl, err)
	}
	id, err := v.Authenticate(request(tok))
	if err != nil {
		t.Fatal(err)
	}
	if id.Issuer != dev.Issuer() || !strings.HasPrefix(id.Subject, "dev-") || id.Email != "Ada@Example.com" || id.EmailVerified || id.Name != "Ada" {
		t.Errorf("Authenticate: got %+v", id)
	}
	same, _, _ := dev.Mint(auth.DevToken{Email: "ada@example.com"})
	if id2, err := v.Authenticate(request(same)); err != nil || id2.Subject != id.Subject || !id2.EmailVerified {
		t.Errorf("the same email in another case: got %+v, %v; want the same subject, verified by default", id2, err)
	}

	// Past its expiry by the verifier's clock, the token is refused.
	now = now.Add(2 * time.Hour)
	_, err = v.Authenticate(request(tok))
	if commerce.ErrorCode(err) != commerce.CodeUnauthorized || auth.Challenge(err) != `Bearer error="invalid_token"` {
		t.Errorf("an expired token: got %v (challenge %q), want unauthorized, invalid_token", err, auth.Challenge(err))
	}
	_, err = v.Authenticate(request(""))
	if commerce.ErrorCode(err) != commerce.CodeUnauthorized || auth.Challenge(err) != "Bearer" {
		t.Errorf("no token: got %v (challenge %q), want unauthorized, Bearer", err, auth.Challenge(err))
	}
	for _, bad := range []string{"", "a@", "@b", "a b@c", strings.Repeat("a", 251) + "@b.c"} {
		if _, _, err := dev.Mint(auth.DevToken{Email: bad}); commerce.ErrorCode(err) != commerce.CodeInvalidRequest {
			t.Errorf("Mint(%q): got %v, want invalid_request", bad, err)
		}
	}
}

func TestVerifierIssuerDown(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	var down atomic.Bool
	down.Store(true)
	dev := devServer(t, clock, &down)
	v := auth.NewVerifier(auth.Config{Issuer: dev.Issuer(), Audience: auth.DevAudience, Now: clock, RetryEvery: time.Minute})
	tok, _, err := dev.Mint(auth.DevToken{Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Authenticate(request(tok)); commerce.ErrorCode(err) != commerce.CodeUnavailable {
		t.Fatalf("issuer down: got %v, want unavailable", err)
	}
	down.Store(false)
	if _, err := v.Authenticate(request(tok)); commerce.ErrorCode(err) != commerce.CodeUnavailable {
		t.Errorf("within RetryEvery of the failure: got %v, want unavailable (no new attempt)", err)
	}
	now = now.Add(time.Minute)
	if _, err := v.Authenticate(request(tok)); err != nil {
		t.Errorf("after RetryEvery, the issuer back: got %v, want the token verified", err)
	}
}
