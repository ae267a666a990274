package checkout

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"

	"shopfn/handler/commerce"
)

// An order access token lets its holder read the buyer's details of one
// order (email, name, address): GET /api/orders/{id} with X-Order-Token.
// Only the buyer gets it, in the answers to their own checkout request and
// its replays (same Idempotency-Key, same body); anyone else who learns an
// order, cart or checkout ID sees the order without them.
//
// The token is HMAC-SHA256 of the checkout ID under Config.TokenKey, so a
// replay answered by any instance sharing the key carries the same token,
// and the relational store keeps only its SHA-256 (Checkout.OrderTokenHash,
// copied into the order). A token is checked against that hash, never
// recomputed, so rotating the key leaves issued tokens valid.

// tokenLabel separates order tokens from anything else the key signs.
const tokenLabel = "shopfn order token v1\x00"

// OrderToken returns the order access token of checkout id under key.
func OrderToken(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tokenLabel))
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TokenHash returns the hex SHA-256 of token, as stores keep it.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// TokenMatches reports whether token hashes to hash, comparing the hashes
// in constant time. An empty token or hash never matches.
func TokenMatches(token, hash string) bool {
	if token == "" || hash == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(TokenHash(token)), []byte(hash)) == 1
}

// OrderToken returns the order access token of c, or "" when c has none
// this service can give (a checkout begun before tokens existed, or under
// another key).
func (s *Service) OrderToken(c *commerce.Checkout) string {
	if len(s.cfg.TokenKey) == 0 || c.OrderTokenHash == "" {
		return ""
	}
	t := OrderToken(s.cfg.TokenKey, c.ID)
	if !TokenMatches(t, c.OrderTokenHash) {
		return ""
	}
	return t
}
