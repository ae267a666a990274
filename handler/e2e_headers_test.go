package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

// TestE2ESecurityHeaders checks over HTTP that every response, answer or
// problem, of every listener (the API with its probes, and the keyless
// metrics address) says nosniff and no-referrer; that the admin metrics
// scrape under /api gets no CORS headers where a storefront route does;
// and that the reference page's CSP names its script by hash and allows no
// inline script or style otherwise.
func TestE2ESecurityHeaders(t *testing.T) {
	s := e2eShop{MustRunMainWith(t, false, func(m *Main) {
		m.Config.CORSOrigins = []string{"*"}
		m.Config.MetricsAddr = "127.0.0.1:0"
	})}
	want := func(t *testing.T, what string, h http.Header) {
		t.Helper()
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
		}
		if got := h.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy %q, want no-referrer", what, got)
		}
	}

	t.Run("EveryResponse", func(t *testing.T) {
		for _, tt := range []struct {
			method, path string
			admin        bool
			status       int
		}{
			{"GET", "/api/health", false, 200},
			{"GET", "/api/products", false, 200},
			{"POST", "/api/carts", false, 201},
			{"GET", "/api/docs", false, 200},
			{"GET", "/api/openapi.json", false, 200},
			{"GET", "/healthz/live", false, 200},
			{"GET", "/api/no-such-route", false, 404},
			{"DELETE", "/api/health", false, 405},
			{"GET", "/api/admin/orders", false, 401},
			{"GET", "/api/metrics", true, 200},
		} {
			var h []string
			if tt.admin {
				h = []string{"x-functions-key", testAdminKey}
			}
			res := s.do(t, tt.method, tt.path, nil, h...)
			if res.Status != tt.status {
				t.Errorf("%s %s: got %d, want %d", tt.method, tt.path, res.Status, tt.status)
			}
			want(t, tt.method+" "+tt.path, res.Header)
		}
		res, err := http.Get("http://" + s.MetricsAddr() + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		want(t, "GET /metrics on SHOPFN_METRICS_ADDR", res.Header)
	})

	t.Run("NoCORSOnMetrics", func(t *testing.T) {
		origin := []string{"Origin", "https://shop.example"}
		if got := s.do(t, "GET", "/api/health", nil, origin...).Header.Get("Access-Control-Allow-Origin"); got != "https://shop.example" {
			t.Fatalf("GET /api/health from a storefront: Access-Control-Allow-Origin %q, want the origin", got)
		}
		res := s.do(t, "GET", "/api/metrics", nil, append(origin, "x-functions-key", testAdminKey)...)
		e2eWantStatus(t, "GET /api/metrics", res, 200)
		preflight := s.do(t, "OPTIONS", "/api/metrics", nil, append(origin, "Access-Control-Request-Method", "GET")...)
		for what, r := range map[string]*Response{"GET": res, "OPTIONS": preflight} {
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Errorf("%s /api/metrics from a browser: Access-Control-Allow-Origin %q, want none", what, got)
			}
		}
	})

	t.Run("DocsPolicy", func(t *testing.T) {
		res := s.do(t, "GET", "/api/docs", nil)
		csp := res.Header.Get("Content-Security-Policy")
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("Content-Security-Policy %q allows any inline script or style", csp)
		}
		_, rest, _ := bytes.Cut(res.Body, []byte("<script>"))
		script, _, ok := bytes.Cut(rest, []byte("</script>"))
		if !ok {
			t.Fatalf("the page has no <script>: %.200s", res.Body)
		}
		sum := sha256.Sum256(script)
		src := "script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "';"
		if !strings.Contains(csp, src) {
			t.Errorf("Content-Security-Policy %q, want %s (the hash of the page's script)", csp, src)
		}
	})
}
