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

// NewOrderID returns a new order ID: "o", 10 characters of creation time in
// milliseconds (so that IDs sort by it) and 26 of 128 random bits, so that
// an order's ID is as unguessable as its cart's.
func NewOrderID(now time.Time) string {
	var t [8]byte
	binary.BigEndian.PutUint64(t[:], uint64(now.UnixMilli())<<14) // 50 bits of time at the top of 64
	return "o" + idEncoding.EncodeToString(t[:])[:10] + NewCartID()[1:]
}

// NewCustomerID returns a new customer ID: "u" and 26 characters whose
// order follows creation time, as product IDs do, so that listing by ID
// lists oldest first.
func NewCustomerID(now time.Time) string { return "u" + NewProductID(now)[1:] }

// NewAddressID returns a new address ID: "a" and 128 random bits.
func NewAddressID() string { return "a" + NewCartID()[1:] }

// NewCheckoutID returns a new, unguessable checkout ID: "k" and 128 random bits.
func NewCheckoutID() string { return "k" + NewCartID()[1:] }

// orderIDLen is the length of order IDs made by NewOrderID; orders made
// before it have IDs of the common length, 27.
const orderIDLen = 37

// IsID reports whether s has the shape of an ID made by this package with the
// given prefix, so that malformed IDs are refused before any store is asked.
func IsID(s string, prefix byte) bool {
	if len(s) == 0 || s[0] != prefix || len(s) != 27 && !(prefix == 'o' && len(s) == orderIDLen) {
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
