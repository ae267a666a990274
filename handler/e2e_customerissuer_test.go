package main

import (
	"net/http"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// badTokenDetail is the one detail every refused token gets: it never says
// why.
const badTokenDetail = "the bearer token is not valid; sign in again"

// wantRefused fails unless res is the 401 of a refused token.
func wantRefused(t *testing.T, what string, res *Response) {
	t.Helper()
	var p struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	}
	if res.Status == http.StatusUnauthorized {
		res.JSON(t, &p)
	}
	if res.Status != http.StatusUnauthorized || p.Code != "unauthorized" || p.Detail != badTokenDetail ||
		res.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
		t.Errorf("%s: got %d %s (WWW-Authenticate %q), want 401 unauthorized %q with Bearer error=\"invalid_token\"",
			what, res.Status, res.Body, res.Header.Get("WWW-Authenticate"), badTokenDetail)
	}
}

func TestE2ECustomerIssuer(t *testing.T) {
	t.Parallel()
	ti := newTestIssuer(t)
	p := runWithIssuer(t, ti)
	k := ti.key()
	valid := customerClient{p: p, token: sign(t, jose.RS256, k.key, k.kid, ti.claims("alice", nil))}
	me := valid.me(t)
	if me.Email != "alice@example.com" || !me.EmailVerified || me.Name != "Test alice" {
		t.Errorf("GET /api/me: got %+v, want the token's email, email_verified and name", me)
	}

	// The development issuer is off when an issuer is configured.
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/dev/oidc/.well-known/openid-configuration"}, {"GET", "/api/dev/oidc/jwks"}, {"POST", "/api/dev/oidc/token"},
	} {
		wantProblem(t, r.method+" "+r.path, p.Do(t, r.method, r.path, map[string]any{"email": "eve@example.com"}), 404, "not_found")
	}

	other := newTestKey(t)
	bad := []struct {
		name  string
		token string
	}{
		{"Expired", sign(t, jose.RS256, k.key, k.kid, ti.claims("alice", func(c map[string]any) {
			c["exp"], c["nbf"] = time.Now().Add(-time.Minute).Unix(), time.Now().Add(-time.Hour).Unix()
		}))},
		{"NotYetValid", sign(t, jose.RS256, k.key, k.kid, ti.claims("alice", func(c map[string]any) {
			c["nbf"], c["exp"] = time.Now().Add(time.Hour).Unix(), time.Now().Add(2*time.Hour).Unix()
		}))},
		{"WrongAudience", sign(t, jose.RS256, k.key, k.kid, ti.claims("alice", func(c map[string]any) { c["aud"] = "api://another-app" }))},
		{"WrongIssuer", sign(t, jose.RS256, k.key, k.kid, ti.claims("alice", func(c map[string]any) { c["iss"] = "https://evil.example" }))},
		{"UnknownKey", sign(t, jose.RS256, other.key, other.kid, ti.claims("alice", nil))},
		{"UnknownKeyNamingAKnownKid", sign(t, jose.RS256, other.key, k.kid, ti.claims("alice", nil))},
		{"AlgNone", unsigned(t, ti.claims("alice", nil))},
		{"HS256WithThePublicKey", sign(t, jose.HS256, publicPEM(t, k), k.kid, ti.claims("alice", nil))},
		{"RS384", sign(t, jose.RS384, k.key, k.kid, ti.claims("alice", nil))},
		{"NoSubject", sign(t, jose.RS256, k.key, k.kid, ti.claims("alice", func(c map[string]any) { delete(c, "sub") }))},
		{"Tampered", valid.token[:len(valid.token)-4] + "AAAA"},
		{"Garbage", "not-a-token"},
		{"ThreeGarbageParts", "a.b.c"},
		{"Empty", ""},
	}
	for _, tt := range bad {
		wantRefused(t, tt.name, customerClient{p: p, token: tt.token}.do(t, "GET", "/api/me", nil))
	}
	for _, h := range []string{"Basic YWxpY2U6c2VjcmV0", "Bearer", "Token " + valid.token} {
		wantRefused(t, "Authorization: "+h[:5], p.Do(t, "GET", "/api/me", nil, "Authorization", h))
	}
	wantRefused(t, "a write with a bad token", customerClient{p: p, token: "a.b.c"}.do(t, "PATCH", "/api/me", map[string]any{"name": "x"}))

	// The issuer rotates its key: a token signed with the new key is
	// verified without a restart (the key set is fetched again for the
	// unknown kid, at most once a minute: the tokens of unknown keys above
	// fetched it last); the old key is no longer published.
	k2 := ti.rotate(t)
	p.Clock.Advance(time.Minute)
	rotated := customerClient{p: p, token: sign(t, jose.RS256, k2.key, k2.kid, ti.claims("alice", nil))}
	if got := rotated.me(t); got.ID != me.ID {
		t.Errorf("after the rotation: got customer %s, want %s", got.ID, me.ID)
	}
	wantRefused(t, "a token of the retired key", customerClient{p: p, token: sign(t, jose.RS256, k.key, k.kid, ti.claims("alice", nil))}.do(t, "GET", "/api/me", nil))
	if got := rotated.me(t); got.ID != me.ID {
		t.Errorf("the new key after a refused old one: got customer %s, want %s", got.ID, me.ID)
	}
}

func TestE2ECustomerIssuerUnreachable(t *testing.T) {
	t.Parallel()
	ti := newTestIssuer(t)
	ti.setDown(true)
	p := runWithIssuer(t, ti) // starts although discovery fails
	k := ti.key()
	c := customerClient{p: p, token: sign(t, jose.RS256, k.key, k.kid, ti.claims("bob", nil))}
	wantProblem(t, "GET /api/me while the issuer is down", c.do(t, "GET", "/api/me", nil), 503, "unavailable")
	wantProblem(t, "no token while the issuer is down", p.Do(t, "GET", "/api/me", nil), 401, "unauthorized")

	ti.setDown(false)
	p.Clock.Advance(6 * time.Second) // discovery is tried again at most every 5 s
	if got := c.me(t); got.Email != "bob@example.com" {
		t.Errorf("GET /api/me once the issuer is back: got %+v", got)
	}
}
