package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"shopfn/handler/commerce"
)

// DevAudience is the audience of the development issuer's tokens.
const DevAudience = "shopfn-dev"

// DevPath is where the development issuer is served; its issuer URL is the
// server's base URL followed by DevPath.
const DevPath = "/api/dev/oidc"

// devTokenTTL is how long a development token is valid.
const devTokenTTL = time.Hour

// DevIssuer is a development OpenID Connect issuer: it mints a token for
// any email it is asked for, signed (ES256) with a key made when it
// starts, and publishes its discovery document and key set so that a
// Verifier checks its tokens exactly as it checks a real issuer's. It is
// for one-command local runs only: shopfn refuses it on Azure and when
// SHOPFN_OIDC_ISSUER is set.
type DevIssuer struct {
	issuer string
	now    func() time.Time
	signer jose.Signer
	jwks   []byte
}

// NewDevIssuer returns a development issuer whose issuer URL is issuer
// (the server's base URL + DevPath), with a new signing key; now is the
// clock its tokens' times come from.
func NewDevIssuer(issuer string, now func() time.Time) (*DevIssuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("auth: development issuer key: %w", err)
	}
	kid := make([]byte, 8)
	rand.Read(kid)
	jwk := jose.JSONWebKey{Key: key, KeyID: hex.EncodeToString(kid), Algorithm: string(jose.ES256), Use: "sig"}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jwk}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("auth: development issuer signer: %w", err)
	}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk.Public()}})
	if err != nil {
		return nil, fmt.Errorf("auth: development issuer keys: %w", err)
	}
	return &DevIssuer{issuer: issuer, now: now, signer: signer, jwks: jwks}, nil
}

// Issuer returns the issuer URL.
func (d *DevIssuer) Issuer() string { return d.issuer }

// Discovery returns the discovery document.
func (d *DevIssuer) Discovery() []byte {
	b, _ := json.Marshal(map[string]any{
		"issuer":                                d.issuer,
		"jwks_uri":                              d.issuer + "/jwks",
		"token_endpoint":                        d.issuer + "/token",
		"authorization_endpoint":                d.issuer + "/authorize", // not served: tokens come from token_endpoint
		"response_types_supported":              []string{"token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{string(jose.ES256)},
		"claims_supported":                      []string{"sub", "email", "email_verified", "name"},
	})
	return b
}

// JWKS returns the key set: the public half of the signing key.
func (d *DevIssuer) JWKS() []byte { return d.jwks }

// DevToken is what the development issuer is asked for: the customer's
// email, and optionally their name and whether the email is verified
// (default true).
type DevToken struct {
	Email         string
	Name          string
	EmailVerified *bool
}

// Mint returns a token for t, valid for devTokenTTL: 400 "invalid_request"
// when the email is not an address or the name is too long. The subject is
// a hash of the lower-cased email, so the same email is the same customer.
func (d *DevIssuer) Mint(t DevToken) (token string, expiresIn time.Duration, err error) {
	if !devEmail(t.Email) {
		return "", 0, commerce.Invalidf(commerce.CodeInvalidRequest, "email must be an email address of at most %d characters", commerce.MaxEmailLen)
	}
	if len([]rune(t.Name)) > commerce.MaxNameLen {
		return "", 0, commerce.Invalidf(commerce.CodeInvalidRequest, "name must be at most %d characters", commerce.MaxNameLen)
	}
	verified := t.EmailVerified == nil || *t.EmailVerified
	sum := sha256.Sum256([]byte(strings.ToLower(t.Email)))
	now := d.now()
	claims := jwt.Claims{
		Issuer: d.issuer, Subject: "dev-" + hex.EncodeToString(sum[:16]), Audience: jwt.Audience{DevAudience},
		IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(devTokenTTL)),
	}
	extra := map[string]any{"email": t.Email, "email_verified": verified}
	if t.Name != "" {
		extra["name"] = t.Name
	}
	token, err = jwt.Signed(d.signer).Claims(claims).Claims(extra).Serialize()
	if err != nil {
		return "", 0, fmt.Errorf("auth: mint development token: %w", err)
	}
	return token, devTokenTTL, nil
}

// devEmail reports whether s looks like an email address: visible ASCII
// with one '@' between a local part and a domain.
func devEmail(s string) bool {
	if len(s) > commerce.MaxEmailLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.Contains(domain, "@")
}
