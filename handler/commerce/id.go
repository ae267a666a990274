package commerce

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewProductID returns a new product ID: "p" and 26 characters whose order
// follows creation time, so that listing by ID lists oldest first.
func NewProductID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	rand.Read(b[6:])
	return "p" + idEncoding.EncodeToString(b[:])
}

// NewCartID returns a new, unguessable cart ID: "c" and 128 random bits.
func NewCartID() string {
	var b [16]byte
	rand.Read(b[:])
	return "c" + idEncoding.EncodeToString(b[:])
}

// NewOrderID returns a new order ID: "o" and 26 characters, 80 of whose bits
// are random (unguessable) and whose order follows creation time.
func NewOrderID(now time.Time) string { return "o" + NewProductID(now)[1:] }

// NewCheckoutID returns a new, unguessable checkout ID: "k" and 128 random bits.
func NewCheckoutID() string { return "k" + NewCartID()[1:] }

// IsID reports whether s has the shape of an ID made by this package with the
// given prefix, so that malformed IDs are refused before any store is asked.
func IsID(s string, prefix byte) bool {
	if len(s) != 27 || s[0] != prefix {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
