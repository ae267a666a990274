package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// customerClient calls a program as one signed-in customer.
type customerClient struct {
	p     *Program
	token string
}

// do sends a request with the customer's bearer token.
func (c customerClient) do(tb testing.TB, method, path string, body any) *Response {
	tb.Helper()
	return c.p.Do(tb, method, path, body, "Authorization", "Bearer "+c.token)
}

// devSignIn gets a token for email from the program's development issuer.
func devSignIn(tb testing.TB, p *Program, email, name string) customerClient {
	tb.Helper()
	body := map[string]any{"email": email}
	if name != "" {
		body["name"] = name
	}
	res := p.Do(tb, "POST", "/api/dev/oidc/token", body)
	if res.Status != http.StatusOK {
		tb.Fatalf("POST /api/dev/oidc/token: got %d %s, want 200", res.Status, res.Body)
	}
	var tok struct {
		AccessToken string `json:"accessToken"`
		TokenType   string `json:"tokenType"`
		ExpiresIn   int    `json:"expiresIn"`
	}
	res.JSON(tb, &tok)
	if tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || strings.Count(tok.AccessToken, ".") != 2 {
		tb.Fatalf("dev token: got %+v, want a Bearer JWT valid for 3600 s", tok)
	}
	return customerClient{p: p, token: tok.AccessToken}
}

// apiCustomer is a customer as the API answers it.
type apiCustomer struct {
	ID            string   `json:"id"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"emailVerified"`
	Name          string   `json:"name"`
	Phone         string   `json:"phone"`
	Groups        []string `json:"groups"`
	OrderCount    *int     `json:"orderCount"`
}

// me reads GET /api/me, failing unless it answers 200.
func (c customerClient) me(tb testing.TB) apiCustomer {
	tb.Helper()
	res := c.do(tb, "GET", "/api/me", nil)
	if res.Status != http.StatusOK {
		tb.Fatalf("GET /api/me: got %d %s, want 200", res.Status, res.Body)
	}
	var got apiCustomer
	res.JSON(tb, &got)
	return got
}

// wantProblem fails unless res is a problem with the given status and code.
func wantProblem(tb testing.TB, what string, res *Response, status int, code string) {
	tb.Helper()
	var p struct {
		Code string `json:"code"`
	}
	if res.Status == status {
		res.JSON(tb, &p)
	}
	if res.Status != status || p.Code != code {
		tb.Errorf("%s: got %d %s, want %d %s", what, res.Status, res.Body, status, code)
	}
}

func TestE2ECustomerProfile(t *testing.T) {
	t.Parallel()
	p := MustRunMainWith(t, false, func(m *Main) { m.Config.CORSOrigins = []string{"*"} })

	res := p.Do(t, "GET", "/api/me", nil)
	wantProblem(t, "GET /api/me without a token", res, 401, "unauthorized")
	if got := res.Header.Get("WWW-Authenticate"); got != "Bearer" {
		t.Errorf("without a token: WWW-Authenticate %q, want Bearer", got)
	}

	// The development issuer's documents, as the verifier reads them.
	var disc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	p.Do(t, "GET", "/api/dev/oidc/.well-known/openid-configuration", nil).JSON(t, &disc)
	if disc.Issuer != p.URL+"/api/dev/oidc" || disc.JWKSURI != disc.Issuer+"/jwks" {
		t.Errorf("discovery: got %+v, want the issuer %s/api/dev/oidc", disc, p.URL)
	}
	var jwks struct {
		Keys []struct {
			Kty, Alg, Kid string
		} `json:"keys"`
	}
	p.Do(t, "GET", "/api/dev/oidc/jwks", nil).JSON(t, &jwks)
	if len(jwks.Keys) != 1 || jwks.Keys[0].Kty != "EC" || jwks.Keys[0].Alg != "ES256" || jwks.Keys[0].Kid == "" {
		t.Errorf("jwks: got %+v, want one ES256 key", jwks)
	}
	wantProblem(t, "a dev token without an email", p.Do(t, "POST", "/api/dev/oidc/token", map[string]any{"name": "x"}), 400, "invalid_request")

	ada := devSignIn(t, p, "Ada@Example.com", "Ada Lovelace")
	first := ada.me(t)
	want := apiCustomer{ID: first.ID, Email: "Ada@Example.com", EmailVerified: true, Name: "Ada Lovelace", Groups: []string{}}
	if diff := cmp.Diff(want, first); diff != "" || !strings.HasPrefix(first.ID, "u") {
		t.Errorf("first GET /api/me (-want +got):\n%s", diff)
	}
	if again := ada.me(t); again.ID != first.ID {
		t.Errorf("second GET /api/me: got customer %s, want the same %s", again.ID, first.ID)
	}
	// The email follows the token presented.
	if other := devSignIn(t, p, "ada@example.com", "").me(t); other.ID != first.ID || other.Email != "ada@example.com" {
		t.Errorf("a new token for the same email: got customer %s with %q, want %s with the token's email", other.ID, other.Email, first.ID)
	}

	res = ada.do(t, "PATCH", "/api/me", map[string]any{"name": "Ada King", "phone": "+44 20 7946 0000"})
	var patched apiCustomer
	res.JSON(t, &patched)
	if res.Status != 200 || patched.Name != "Ada King" || patched.Phone != "+44 20 7946 0000" || patched.Email != "Ada@Example.com" {
		t.Errorf("PATCH /api/me: got %d %s, want the new name and phone", res.Status, res.Body)
	}
	res = ada.do(t, "PATCH", "/api/me", map[string]any{"phone": ""})
	res.JSON(t, &patched)
	if patched.Phone != "" || patched.Name != "Ada King" {
		t.Errorf("PATCH phone only: got %s, want the phone removed and the name kept", res.Body)
	}
	for _, tt := range []struct {
		name string
		body any
	}{
		{"BadPhone", map[string]any{"phone": "call me"}},
		{"LongName", map[string]any{"name": strings.Repeat("n", 201)}},
		{"ControlInName", map[string]any{"name": "a\u0007b"}},
		{"UnknownField", map[string]any{"email": "eve@example.com"}},
		{"NoBody", nil},
	} {
		wantProblem(t, "PATCH /api/me "+tt.name, ada.do(t, "PATCH", "/api/me", tt.body), 400, "invalid_request")
	}
	wantProblem(t, "PATCH /api/me without a token", p.Do(t, "PATCH", "/api/me", map[string]any{"name": "x"}), 401, "unauthorized")

	// A browser storefront on another origin may send the token and PATCH.
	res = p.Do(t, "OPTIONS", "/api/me", nil, "Origin", "https://shop.example", "Access-Control-Request-Method", "PATCH",
		"Access-Control-Request-Headers", "authorization, content-type")
	if res.Status != http.StatusNoContent || !strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "PATCH") ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("CORS preflight of PATCH /api/me: got %d %v", res.Status, res.Header)
	}

	// Erasure: the record goes, and the same subject makes a new customer.
	if res := ada.do(t, "DELETE", "/api/me", nil); res.Status != http.StatusNoContent {
		t.Fatalf("DELETE /api/me: got %d %s, want 204", res.Status, res.Body)
	}
	wantProblem(t, "admin GET of the erased customer", p.Admin(t, "GET", "/api/admin/customers/"+first.ID, nil), 404, "not_found")
	after := ada.me(t)
	if after.ID == first.ID || after.Name != "Ada Lovelace" || after.Phone != "" {
		t.Errorf("GET /api/me after erasure: got %+v, want a new customer from the token", after)
	}
	var page struct {
		Items []apiCustomer `json:"items"`
	}
	p.Admin(t, "GET", "/api/admin/customers?email=ada@example.com", nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != after.ID {
		t.Errorf("customers with the email after erasure: got %+v, want only %s", page.Items, after.ID)
	}
}

func TestE2ECustomerConcurrentSignIn(t *testing.T) {
	t.Parallel()
	p := MustRunMain(t, false)
	c := devSignIn(t, p, "race@example.com", "")
	const n = 12
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := c.do(t, "GET", "/api/me", nil)
			var got apiCustomer
			if res.Status == 200 {
				res.JSON(t, &got)
			}
			ids[i] = fmt.Sprintf("%d %s", res.Status, got.ID)
		}()
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] || !strings.HasPrefix(id, "200 u") {
			t.Fatalf("concurrent first GET /api/me: got %q, want one customer for all", ids)
		}
	}
	var page struct {
		Items []apiCustomer `json:"items"`
	}
	p.Admin(t, "GET", "/api/admin/customers?email=race@example.com", nil).JSON(t, &page)
	if len(page.Items) != 1 {
		t.Errorf("customers with the email: got %d, want 1", len(page.Items))
	}
}
