package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// testAudience is the audience of the test issuer's tokens.
const testAudience = "api://shopfn-test"

// testIssuer is an OpenID Connect issuer for tests: real RSA keys, the
// discovery document and the key set served from an httptest server. Its
// published key can be rotated and it can be taken down.
type testIssuer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	keys []testKey // published
	down bool
}

// testKey is a signing key and its key id.
type testKey struct {
	kid string
	key *rsa.PrivateKey
}

func newTestKey(tb testing.TB) testKey {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	return testKey{kid: hex.EncodeToString(b), key: key}
}

// newTestIssuer starts an issuer publishing one new key.
func newTestIssuer(tb testing.TB) *testIssuer {
	tb.Helper()
	ti := &testIssuer{keys: []testKey{newTestKey(tb)}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		ti.serve(w, map[string]any{"issuer": ti.srv.URL, "jwks_uri": ti.srv.URL + "/jwks",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		ti.mu.Lock()
		var set jose.JSONWebKeySet
		for _, k := range ti.keys {
			set.Keys = append(set.Keys, jose.JSONWebKey{Key: &k.key.PublicKey, KeyID: k.kid, Algorithm: "RS256", Use: "sig"})
		}
		ti.mu.Unlock()
		ti.serve(w, set)
	})
	ti.srv = httptest.NewServer(mux)
	tb.Cleanup(ti.srv.Close)
	return ti
}

func (ti *testIssuer) serve(w http.ResponseWriter, v any) {
	ti.mu.Lock()
	down := ti.down
	ti.mu.Unlock()
	if down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// key returns the published key.
func (ti *testIssuer) key() testKey {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	return ti.keys[0]
}

// rotate publishes a new key in place of the old one and returns it.
func (ti *testIssuer) rotate(tb testing.TB) testKey {
	k := newTestKey(tb)
	ti.mu.Lock()
	ti.keys = []testKey{k}
	ti.mu.Unlock()
	return k
}

func (ti *testIssuer) setDown(down bool) {
	ti.mu.Lock()
	ti.down = down
	ti.mu.Unlock()
}

// claims returns valid claims for subject, which change may alter.
func (ti *testIssuer) claims(subject string, change func(c map[string]any)) map[string]any {
	now := time.Now()
	c := map[string]any{"iss": ti.srv.URL, "aud": testAudience, "sub": subject, "iat": now.Unix(), "nbf": now.Unix(),
		"exp": now.Add(time.Hour).Unix(), "email": subject + "@example.com", "email_verified": true, "name": "Test " + subject}
	if change != nil {
		change(c)
	}
	return c
}

// sign signs claims with k as alg, naming kid (k's own when empty).
func sign(tb testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any) string {
	tb.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// unsigned returns claims as a JWT with alg "none", as an attacker writes it.
func unsigned(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

// publicPEM returns k's public key as PEM: what an attacker feeds HS256.
func publicPEM(tb testing.TB, k testKey) []byte {
	tb.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.key.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// runWithIssuer starts the program with ti as its issuer.
func runWithIssuer(t *testing.T, ti *testIssuer) *Program {
	t.Helper()
	return MustRunMainWith(t, false, func(m *Main) {
		m.Config.Identity = IdentityConfig{Issuer: ti.srv.URL, Audience: testAudience}
	})
}
