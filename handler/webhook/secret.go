// Package webhook delivers events to subscribers' HTTP endpoints as
// Standard Webhooks (https://www.standardwebhooks.com): it signs them, sends
// them through a client that refuses private addresses (server-side
// request forgery), classifies each attempt and schedules the next.
//
// Secrets must be kept usable for signing, so they cannot be stored only as
// a hash: stores keep each secret sealed (AES-256-GCM, see Sealer) under a
// key that is not in the same database, and show the plain secret once,
// when it is made.
package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SecretPrefix starts every signing secret.
const SecretPrefix = "whsec_"

// SecretBytes is the length of the keys GenerateSecret makes.
const SecretBytes = 32

// The key lengths ParseSecret accepts, as Standard Webhooks recommends.
const (
	minSecretBytes = 24
	maxSecretBytes = 64
)

// ErrInvalidSecret is wrapped by ParseSecret's errors.
var ErrInvalidSecret = errors.New("invalid webhook secret")

// GenerateSecret returns a new signing secret: "whsec_" and the standard
// base64 form of SecretBytes random bytes.
func GenerateSecret() string {
	b := make([]byte, SecretBytes)
	rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// ParseSecret returns the HMAC key of a secret: the bytes that the base64
// text after "whsec_" encodes. The key must have 24 to 64 bytes. Errors
// never include the secret.
func ParseSecret(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: it does not start with %s", ErrInvalidSecret, SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("%w: it is not base64 after %s", ErrInvalidSecret, SecretPrefix)
	}
	if len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, fmt.Errorf("%w: its key has %d bytes, not %d to %d", ErrInvalidSecret, len(key), minSecretBytes, maxSecretBytes)
	}
	return key, nil
}
