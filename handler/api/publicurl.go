package api

import (
	"context"
	"net/http"

	"shopfn/handler/commerce"
)

// publicURL returns the API's address as the buyer behind r reaches it,
// for the links shopfn hands out (the test provider's 3-D Secure page):
// Config.PublicURL when set; otherwise the scheme and Host of r itself,
// never the listen address (":7073" is no address a browser can open).
// Under the Functions host, with no PublicURL, it is "": links stay
// relative to the API.
func (s *Server) publicURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL
	}
	if s.cfg.TrustHost || r.Host == "" {
		return ""
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// withPublicURL returns r's context carrying publicURL(r).
func (s *Server) withPublicURL(r *http.Request) context.Context {
	return commerce.WithPublicURL(r.Context(), s.publicURL(r))
}
