package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"shopfn/handler/web"
)

// TestE2EWebRoutes checks that the console and the storefront take only
// their own paths: the API, its reference page and its 404s answer as they
// did, and SHOPFN_STOREFRONT=off leaves / to the API.
func TestE2EWebRoutes(t *testing.T) {
	// The apps' pages are not API responses: they are read with a client of
	// their own, not the contract-checking default client.
	plain := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page := func(t *testing.T, url string) (*http.Response, string) {
		t.Helper()
		res, err := plain.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	for _, storefront := range []bool{true, false} {
		m := MustRunMainWith(t, false, func(m *Main) { m.Config.Storefront = storefront })
		res, body := page(t, m.URL+"/admin/")
		if res.StatusCode != 200 || !strings.Contains(body, "/assets/"+web.Version()+"/admin/app.js") {
			t.Errorf("GET /admin/: got %d %.100s, want the console", res.StatusCode, body)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET /admin/: Content-Security-Policy %q, want frame-ancestors 'none' and no unsafe-inline", csp)
		}
		res, body = page(t, m.URL+"/")
		if wantShop := storefront; strings.Contains(body, "shopfn demo store") != wantShop {
			t.Errorf("storefront %v: GET / answered %d %.100s", storefront, res.StatusCode, body)
		}
		if !storefront && !strings.Contains(body, `"service":"shopfn"`) {
			t.Errorf("storefront off: GET / answered %.100s, want the handler's status", body)
		}
		// Through the contract-checking client: the API as documented.
		if got := m.Do(t, "GET", "/admin/", nil); got.Status != 200 {
			t.Errorf("GET /admin/ through the contract-checking client: got %d, want 200 (not an API path)", got.Status)
		}
		for _, path := range []string{"/api/health", "/api/products", "/api/docs", "/api/openapi.json"} {
			if got := m.Do(t, "GET", path, nil); got.Status != 200 {
				t.Errorf("GET %s: got %d, want 200", path, got.Status)
			}
		}
		for _, path := range []string{"/assets/" + web.Version() + "/admin/missing.js", "/admin/orders", "/shop/"} {
			if got := m.Do(t, "GET", path, nil); got.Status != 404 {
				t.Errorf("GET %s: got %d, want the API's 404 problem", path, got.Status)
			}
		}
		if got := m.Do(t, "POST", "/admin/", map[string]any{}); got.Status != 404 {
			t.Errorf("POST /admin/: got %d, want the API's 404 problem", got.Status)
		}
	}
}
