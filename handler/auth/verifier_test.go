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

// TestVerifierKeyRefreshThrottled checks that tokens naming keys the
// issuer does not publish fetch its keys at most once per RefreshEvery,
// and that a rotated key is picked up once that time has passed.
func TestVerifierKeyRefreshThrottled(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	var fetches atomic.Int32
	var served atomic.Pointer[auth.DevIssuer]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			w.Write(served.Load().Discovery())
		case strings.HasSuffix(r.URL.Path, "/jwks"):
			fetches.Add(1)
			w.Write(served.Load().JWKS())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	issuer := srv.URL + auth.DevPath
	current, err := auth.NewDevIssuer(issuer, clock)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := auth.NewDevIssuer(issuer, clock) // same issuer, a key not yet published
	if err != nil {
		t.Fatal(err)
	}
	served.Store(current)
	v := auth.NewVerifier(auth.Config{Issuer: issuer, Audience: auth.DevAudience, Now: clock, RefreshEvery: time.Minute})

	good, _, _ := current.Mint(auth.DevToken{Email: "ada@example.com"})
	if _, err := v.Authenticate(request(good)); err != nil {
		t.Fatalf("a token of the published key: %v", err)
	}
	unknown, _, _ := rotated.Mint(auth.DevToken{Email: "eve@example.com"})
	for range 50 {
		if _, err := v.Authenticate(request(unknown)); commerce.ErrorCode(err) != commerce.CodeUnauthorized {
			t.Fatalf("a token of an unpublished key: got %v, want unauthorized", err)
		}
	}
	if got := fetches.Load(); got != 1 {
		t.Errorf("key set fetches after 50 tokens of an unknown key within a minute: got %d, want 1", got)
	}

	// The issuer rotates to the new key; once RefreshEvery has passed,
	// the next token of it fetches the keys again and verifies.
	served.Store(rotated)
	now = now.Add(time.Minute)
	if _, err := v.Authenticate(request(unknown)); err != nil {
		t.Errorf("a token of the rotated key after RefreshEvery: got %v, want verified", err)
	}
	if got := fetches.Load(); got != 2 {
		t.Errorf("key set fetches after the rotation: got %d, want 2", got)
	}
}
