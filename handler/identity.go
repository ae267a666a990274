package main

import (
	"context"
	"fmt"
	"net/url"

	"shopfn/handler/auth"
)

// IdentityConfig says who signs customers in.
type IdentityConfig struct {
	// Issuer and Audience are SHOPFN_OIDC_ISSUER and SHOPFN_OIDC_AUDIENCE:
	// the OpenID Connect issuer whose tokens are accepted, and the aud they
	// must carry.
	Issuer, Audience string
	// Dev serves the development issuer under /api/dev/oidc and accepts
	// its tokens: on when no issuer is set and shopfn runs as one process
	// off Azure (a laptop, func start). It is off on App Service and
	// Functions (WEBSITE_* set) and in the api and worker roles of AKS.
	Dev bool
}

// loadIdentity reads the OpenID Connect settings into cfg. cfg.OnAzure and
// cfg.Role are already set.
func loadIdentity(cfg *Config, get func(name, def string) string, bad func(name, format string, args ...any)) {
	c := IdentityConfig{Issuer: get("SHOPFN_OIDC_ISSUER", ""), Audience: get("SHOPFN_OIDC_AUDIENCE", "")}
	switch {
	case c.Issuer == "" && c.Audience != "":
		bad("SHOPFN_OIDC_AUDIENCE", "is set but SHOPFN_OIDC_ISSUER is not: set the issuer too, or unset it")
	case c.Issuer == "":
		// No issuer: the development issuer on a laptop; on Azure and AKS,
		// customer routes answer 503 until one is configured.
		c.Dev = !cfg.OnAzure && cfg.Role == RoleAll
	default:
		u, err := url.Parse(c.Issuer)
		local := err == nil && (u.Hostname() == "127.0.0.1" || u.Hostname() == "localhost" || u.Hostname() == "::1")
		if err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && local) || u.RawQuery != "" || u.Fragment != "" {
			bad("SHOPFN_OIDC_ISSUER", "%q is not an https issuer URL such as https://<tenant-id>.ciamlogin.com/<tenant-id>/v2.0", c.Issuer)
		}
		if c.Audience == "" {
			bad("SHOPFN_OIDC_AUDIENCE", "must be set with SHOPFN_OIDC_ISSUER: the aud of the tokens (the application ID of the shop's API registration)")
		}
	}
	cfg.Identity = c
}

// openIdentity returns the token verifier and, when it is on, the
// development issuer. It is called once the listener is open: the
// development issuer's URL is the server's own. A configured issuer is
// discovered in the background, so that an issuer that is down does not
// stop the start; tokens retry it (auth.Verifier).
func (m *Main) openIdentity() (*auth.Verifier, *auth.DevIssuer, error) {
	c := m.Config.Identity
	if c.Dev {
		dev, err := auth.NewDevIssuer("http://"+m.Addr()+auth.DevPath, m.Now)
		if err != nil {
			return nil, nil, err
		}
		m.Logger.Warn("development sign-in is on: POST " + auth.DevPath + "/token mints a token for any email (set SHOPFN_OIDC_ISSUER for real sign-in)")
		v := auth.NewVerifier(auth.Config{Issuer: dev.Issuer(), Audience: auth.DevAudience, Now: m.Now, Log: m.Logger})
		return v, dev, nil
	}
	if c.Issuer == "" {
		m.Logger.Warn("customer sign-in is off: SHOPFN_OIDC_ISSUER is not set, so customer routes answer 503")
		return nil, nil, nil
	}
	v := auth.NewVerifier(auth.Config{Issuer: c.Issuer, Audience: c.Audience, Now: m.Now, Log: m.Logger})
	m.goRun(func() {
		if err := v.Discover(context.Background()); err != nil {
			m.Logger.Warn("sign-in issuer discovery failed; tokens will retry it", "err", fmt.Sprint(err))
		}
	})
	return v, nil, nil
}
