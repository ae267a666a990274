package api

import (
	"mime"
	"net/http"
	"net/url"
	"strings"

	"shopfn/handler/commerce"
)

// formTypes are the content types a page of any site may POST anywhere
// without asking (a CORS "simple" request: an HTML form, or fetch with no
// preflight).
var formTypes = map[string]bool{
	"application/x-www-form-urlencoded": true,
	"multipart/form-data":               true,
	"text/plain":                        true,
}

// sameOrigin refuses, as 403 "cross_site_request", a request a browser sent
// from a page of another site: one whose Origin names another origin than
// the host it was sent to (or X-Forwarded-Host, which the Functions host
// and proxies set, and a page cannot), or one with a form's content type,
// which any page may send and older browsers send without an Origin. A
// script (curl, a server) sends no Origin and passes, as does a page of
// shopfn's own origin.
func sameOrigin(r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			mt, _, _ = strings.Cut(strings.ToLower(ct), ";")
			mt = strings.TrimSpace(mt)
		}
		if formTypes[mt] {
			return commerce.Errorf(commerce.KindUnauthorized, commerce.CodeCrossSite,
				"a form's content type (%s) is refused here: send no body, or application/json", mt)
		}
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err == nil && u.Host != "" && (strings.EqualFold(u.Host, r.Host) || strings.EqualFold(u.Host, r.Header.Get("X-Forwarded-Host"))) {
		return nil
	}
	return commerce.Errorf(commerce.KindUnauthorized, commerce.CodeCrossSite,
		"a page of another origin may not call this route; only shopfn's own origin or a script without Origin may")
}
