package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// defaultRefreshEvery is the least time between two fetches of the
// issuer's keys.
const defaultRefreshEvery = time.Minute

// maxKeySetBytes bounds the key set read from the issuer.
const maxKeySetBytes = 1 << 20

// errNoKey is why a token whose key is not in the set is refused.
var errNoKey = errors.New("auth: no key of the issuer verifies the token")

// keySet is the issuer's published signing keys (its jwks_uri), cached.
// A token whose key id is not in the cache, or that no cached key
// verifies, fetches the keys again, so a key rotation needs no restart;
// but at most once per refreshEvery, however many such tokens arrive, so
// tokens with made-up key ids cannot turn shopfn into a client that
// hammers the issuer. Concurrent tokens share one fetch.
//
// It is the oidc.KeySet the token verifier checks signatures with: the
// verifier has already checked the token's algorithm against Algorithms.
type keySet struct {
	url          string
	client       *http.Client
	now          func() time.Time
	refreshEvery time.Duration

	fetch sync.Mutex // held while fetching: one fetch at a time

	mu      sync.Mutex
	keys    []jose.JSONWebKey
	fetched time.Time // the last fetch attempt, successful or not
}

// VerifySignature returns the payload of jwt when a key of the issuer
// verifies its signature.
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	jws, err := jose.ParseSigned(jwt, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("auth: malformed token: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("auth: a token must carry exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	k.mu.Lock()
	keys, asked := k.keys, k.now()
	k.mu.Unlock()
	if payload, ok := verifyWith(jws, kid, keys); ok {
		return payload, nil
	}
	keys, err = k.refresh(ctx, asked)
	if err != nil {
		return nil, err
	}
	if payload, ok := verifyWith(jws, kid, keys); ok {
		return payload, nil
	}
	return nil, errNoKey
}

// verifyWith returns jws's payload when one of keys with key id kid (any
// key when kid is empty) verifies it.
func verifyWith(jws *jose.JSONWebSignature, kid string, keys []jose.JSONWebKey) ([]byte, bool) {
	for _, key := range keys {
		if kid != "" && key.KeyID != kid {
			continue
		}
		if payload, err := jws.Verify(&key); err == nil {
			return payload, true
		}
	}
	return nil, false
}

// refresh returns the keys after a fetch that started at or after asked:
// it waits for one already under way, fetches when the last fetch is at
// least refreshEvery old, and otherwise returns the cached keys.
func (k *keySet) refresh(ctx context.Context, asked time.Time) ([]jose.JSONWebKey, error) {
	k.fetch.Lock()
	defer k.fetch.Unlock()
	k.mu.Lock()
	keys, fetched := k.keys, k.fetched
	k.mu.Unlock()
	if !fetched.Before(asked) || (!fetched.IsZero() && k.now().Sub(fetched) < k.refreshEvery) {
		return keys, nil
	}
	fresh, err := k.get(ctx)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.fetched = k.now()
	if err != nil {
		return k.keys, err
	}
	k.keys = fresh
	return fresh, nil
}

// get fetches the key set and returns its signing keys.
func (k *keySet) get(ctx context.Context) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, fmt.Errorf("auth: keys request: %w", err)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("auth: fetch keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("auth: fetch keys: %s", resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxKeySetBytes)).Decode(&set); err != nil {
		return nil, fmt.Errorf("auth: decode keys: %w", err)
	}
	keys := set.Keys[:0]
	for _, key := range set.Keys {
		if key.IsPublic() && (key.Use == "" || key.Use == "sig") {
			keys = append(keys, key)
		}
	}
	return keys, nil
}
