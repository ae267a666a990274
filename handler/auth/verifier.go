// Package auth verifies the bearer tokens of signed-in customers: OpenID
// Connect tokens of one issuer (SHOPFN_OIDC_ISSUER, for example Microsoft
// Entra External ID), checked by github.com/coreos/go-oidc against the
// issuer's published keys. It is the only package that reads a bearer
// token; it hands the API a commerce.Identity and nothing of the token.
//
// For one-command local runs it also serves a development issuer
// (DevIssuer) whose tokens go through the very same Verifier.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"shopfn/handler/commerce"
)

// Algorithms are the only signature algorithms a token may use: never
// "none", never an HMAC (whose key a client could take from the issuer's
// public key).
var Algorithms = []string{oidc.RS256, oidc.ES256}

// maxTokenLen bounds the bearer tokens read; real ones are a few kB.
const maxTokenLen = 16 << 10

// defaultRetryEvery is how long after a failed discovery the next token
// may try again.
const defaultRetryEvery = 5 * time.Second

// Config says which tokens a Verifier accepts.
type Config struct {
	// Issuer is the issuer URL (its discovery document is at
	// Issuer + "/.well-known/openid-configuration"); a token's iss must be
	// exactly it.
	Issuer string
	// Audience is what a token's aud must hold.
	Audience string
	// Client fetches the discovery document and the keys; nil means a
	// client with a 10 s timeout.
	Client *http.Client
	// Now is the clock tokens' exp and nbf are checked against, and
	// discovery retries spaced by; nil means time.Now.
	Now func() time.Time
	// RetryEvery spaces discovery attempts while the issuer is
	// unreachable; zero means 5 s.
	RetryEvery time.Duration
	// RefreshEvery is the least time between two fetches of the issuer's
	// keys when tokens name a key not in the cache; zero means a minute.
	RefreshEvery time.Duration
	// Log gets why a token was refused, at debug level (never the token).
	Log *slog.Logger
}

// Verifier checks bearer tokens. Discovery happens on first need (or
// Discover): an unreachable issuer at start-up does not stop shopfn; while
// it stays unreachable, requests with a token answer 503 "unavailable" and
// discovery is tried again at most every Config.RetryEvery. Once
// discovered, the issuer's keys are cached and fetched again when a token
// names a key id not in the cache, so a key rotation needs no restart, at
// most once per Config.RefreshEvery.
type Verifier struct {
	cfg Config

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	tried    time.Time // the last failed discovery
}

// NewVerifier returns a Verifier for cfg; it asks the issuer nothing yet.
func NewVerifier(cfg Config) *Verifier {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RetryEvery <= 0 {
		cfg.RetryEvery = defaultRetryEvery
	}
	if cfg.RefreshEvery <= 0 {
		cfg.RefreshEvery = defaultRefreshEvery
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Verifier{cfg: cfg}
}

// Issuer returns the issuer URL tokens must carry.
func (v *Verifier) Issuer() string { return v.cfg.Issuer }

// Discover reads the issuer's discovery document now, unless it was read
// already, and returns why it failed.
func (v *Verifier) Discover(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	_, err := v.discover(ctx, true)
	return err
}

// discover returns the token verifier, reading the discovery document
// first when it has not been read; unless force is set, at most once per
// RetryEvery. v.mu is held.
func (v *Verifier) discover(ctx context.Context, force bool) (*oidc.IDTokenVerifier, error) {
	if v.verifier != nil {
		return v.verifier, nil
	}
	if !force && !v.tried.IsZero() && v.cfg.Now().Sub(v.tried) < v.cfg.RetryEvery {
		return nil, errUnreachable
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, v.cfg.Client), 10*time.Second)
	defer cancel()
	p, err := oidc.NewProvider(ctx, v.cfg.Issuer)
	if err != nil {
		v.tried = v.cfg.Now()
		return nil, fmt.Errorf("auth: discovery of %s: %w", v.cfg.Issuer, err)
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURI == "" {
		v.tried = v.cfg.Now()
		return nil, fmt.Errorf("auth: discovery of %s: no jwks_uri", v.cfg.Issuer)
	}
	keys := &keySet{url: meta.JWKSURI, client: v.cfg.Client, now: v.cfg.Now, refreshEvery: v.cfg.RefreshEvery}
	v.verifier = oidc.NewVerifier(v.cfg.Issuer, keys, &oidc.Config{
		ClientID:             v.cfg.Audience,
		SupportedSigningAlgs: Algorithms,
		Now:                  v.cfg.Now,
	})
	return v.verifier, nil
}

// The errors a request gets. Their messages never say why a token failed.
var (
	errNoToken     = commerce.Errorf(commerce.KindUnauthorized, commerce.CodeUnauthorized, "sign in: send the customer's token as Authorization: Bearer <token>")
	errBadToken    = commerce.Errorf(commerce.KindUnauthorized, commerce.CodeUnauthorized, "the bearer token is not valid; sign in again")
	errUnreachable = commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "the sign-in issuer cannot be reached; retry later")
)

// Challenge returns the WWW-Authenticate value for an error of
// Authenticate: "Bearer" when no token was sent, and
// `Bearer error="invalid_token"` when one was refused (RFC 6750).
func Challenge(err error) string {
	if errors.Is(err, errNoToken) {
		return "Bearer"
	}
	return `Bearer error="invalid_token"`
}

// Authenticate verifies r's bearer token and returns who it names. It
// returns 401 "unauthorized" when there is no token or it is not valid,
// whatever the reason, and 503 "unavailable" while the issuer cannot be
// discovered.
func (v *Verifier) Authenticate(r *http.Request) (commerce.Identity, error) {
	raw, ok := bearer(r)
	if !ok {
		return commerce.Identity{}, errNoToken
	}
	if raw == "" || len(raw) > maxTokenLen {
		return commerce.Identity{}, errBadToken
	}
	v.mu.Lock()
	verifier, err := v.discover(r.Context(), false)
	v.mu.Unlock()
	if err != nil {
		if !errors.Is(err, errUnreachable) {
			v.cfg.Log.WarnContext(r.Context(), "sign-in issuer unreachable", "err", err)
		}
		return commerce.Identity{}, errUnreachable
	}
	tok, err := verifier.Verify(r.Context(), raw)
	if err != nil {
		v.cfg.Log.DebugContext(r.Context(), "bearer token refused", "err", err)
		return commerce.Identity{}, errBadToken
	}
	var claims struct {
		Email         string `json:"email"`
		EmailVerified any    `json:"email_verified"`
		Name          string `json:"name"`
	}
	if err := tok.Claims(&claims); err != nil || tok.Subject == "" || len(tok.Subject) > commerce.MaxSubjectLen {
		v.cfg.Log.DebugContext(r.Context(), "bearer token refused: no usable sub, email or name claim")
		return commerce.Identity{}, errBadToken
	}
	verified := claims.EmailVerified == true || claims.EmailVerified == "true" // some issuers send a string
	return commerce.Identity{Issuer: tok.Issuer, Subject: tok.Subject, Email: claims.Email, EmailVerified: verified, Name: claims.Name}, nil
}

// bearer returns r's bearer token and whether r sent an Authorization
// header at all.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Values("Authorization")
	if len(h) == 0 {
		return "", false
	}
	if len(h) > 1 {
		return "", true
	}
	scheme, token, _ := strings.Cut(h[0], " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(token), true
}
