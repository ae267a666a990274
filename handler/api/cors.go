package api

import (
	"net/http"
	"slices"
	"strings"
)

// corsHeaders are the request headers a storefront may send cross-origin
// (Authorization: a signed-in customer's bearer token; X-Order-Token: the
// buyer's order access token).
const corsHeaders = "Content-Type, If-Match, If-None-Match, Idempotency-Key, Authorization, X-Order-Token"

// cors lets browsers on the configured origins call the storefront routes:
// it answers preflight requests and marks responses readable. Admin routes
// (/api/admin/..., the metrics scrape) and queue-function routes are for
// servers, never for browsers, and get no CORS headers; nor does the test
// payment provider's authentication step, which only a page of shopfn's own
// origin or a script may call (testAuthenticate).
func (s *Server) cors(next http.Handler) http.Handler {
	if len(s.cfg.CORSOrigins) == 0 {
		return next
	}
	any := slices.Contains(s.cfg.CORSOrigins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || !storefront(r.URL.Path) || !(any || slices.Contains(s.cfg.CORSOrigins, origin)) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "ETag, Location, WWW-Authenticate")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// storefront reports whether path is a storefront route, one a browser on
// another origin may call.
func storefront(path string) bool {
	return strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/api/admin/") &&
		path != "/api/metrics" && !strings.HasPrefix(path, "/api/testpay/")
}
