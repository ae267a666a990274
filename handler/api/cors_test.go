package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCORS(t *testing.T) {
	newHandler := func(origins ...string) http.Handler {
		return NewServer(Deps{}, Config{AdminKey: "K7Skbqyg6MCVEamaUnz5fldiXe4nTZ7q_zrDF5e0HTI", CORSOrigins: origins}, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler()
	}
	tests := []struct {
		name       string
		origins    []string
		method     string
		path       string
		origin     string
		preflight  bool
		wantStatus int
		wantAllow  string // Access-Control-Allow-Origin
	}{
		{"Preflight", []string{"*"}, "OPTIONS", "/api/carts", "http://localhost:3000", true, 204, "http://localhost:3000"},
		{"Simple", []string{"*"}, "GET", "/api/health", "http://localhost:3000", false, 200, "http://localhost:3000"},
		{"Listed", []string{"https://shop.example"}, "GET", "/api/health", "https://shop.example", false, 200, "https://shop.example"},
		{"NotListed", []string{"https://shop.example"}, "GET", "/api/health", "https://evil.example", false, 200, ""},
		{"NotListedPreflight", []string{"https://shop.example"}, "OPTIONS", "/api/carts", "https://evil.example", true, 405, ""},
		{"Off", nil, "OPTIONS", "/api/carts", "http://localhost:3000", true, 405, ""},
		{"AdminNever", []string{"*"}, "GET", "/api/admin/orders", "http://localhost:3000", false, 401, ""},
		{"AdminPreflightNever", []string{"*"}, "OPTIONS", "/api/admin/products", "http://localhost:3000", true, 405, ""},
		{"NoOrigin", []string{"*"}, "GET", "/api/health", "", false, 200, ""},
		{"MetricsNever", []string{"*"}, "GET", "/api/metrics", "http://localhost:3000", false, 401, ""},
		{"MetricsPreflightNever", []string{"*"}, "OPTIONS", "/api/metrics", "http://localhost:3000", true, 405, ""},
		{"TestPayPreflightNever", []string{"*"}, "OPTIONS", "/api/testpay/authenticate/pi_test_1", "http://localhost:3000", true, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.preflight {
				req.Header.Set("Access-Control-Request-Method", "POST")
			}
			rec := httptest.NewRecorder()
			newHandler(tt.origins...).ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Errorf("status: got %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Errorf("Access-Control-Allow-Origin: got %q, want %q", got, tt.wantAllow)
			}
			if tt.wantAllow != "" && tt.preflight && rec.Header().Get("Access-Control-Allow-Headers") != corsHeaders {
				t.Errorf("Access-Control-Allow-Headers: got %q, want %q", rec.Header().Get("Access-Control-Allow-Headers"), corsHeaders)
			}
		})
	}
}

// TestCORSNeverOnAdminRoutes checks that no route needing the admin key is
// one a browser of another origin may call.
func TestCORSNeverOnAdminRoutes(t *testing.T) {
	for _, rt := range Routes() {
		if rt.Admin && storefront(rt.Pattern) {
			t.Errorf("%s %s needs the admin key but gets CORS headers", rt.Method, rt.Pattern)
		}
	}
}
