package api

import "net/http"

// SecurityHeaders sets, on every response of next, the headers that keep a
// browser from misreading it: X-Content-Type-Options: nosniff (a body is
// only ever what its Content-Type says, never sniffed into HTML or script)
// and Referrer-Policy: no-referrer (a page shopfn serves, such as the API
// reference, sends no URL of shopfn to the sites it links to).
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Content-Type-Options"] = nosniff
		h["Referrer-Policy"] = noReferrer
		next.ServeHTTP(w, r)
	})
}

// The values SecurityHeaders sets, shared by every response (as
// jsonContentType is) instead of a new slice each.
var (
	nosniff    = []string{"nosniff"}
	noReferrer = []string{"no-referrer"}
)
