package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"

	"shopfn/handler/commerce"
)

// cursorMACLen is how many bytes of HMAC-SHA256 a cursor carries.
const cursorMACLen = 16

// cursors seals and opens listing cursors. A cursor is the last product ID of
// a page and an HMAC of that ID with the filters the page was read with
// (category, q, limit), so a cursor used with other filters, forged or
// changed is refused. The key comes from configuration, so that every
// instance of a scaled-out deployment opens the cursors of the others.
type cursors struct{ key []byte }

// seal returns the cursor for the page after productID under lq's filters.
func (c cursors) seal(productID string, lq listQuery) string {
	return base64.RawURLEncoding.EncodeToString(append([]byte(productID), c.mac(productID, lq)...))
}

// open returns the product ID a cursor made by seal for lq's filters holds.
func (c cursors) open(cursor string, lq listQuery) (string, bool) {
	if len(cursor) > 128 {
		return "", false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil || len(b) <= cursorMACLen {
		return "", false
	}
	id, mac := string(b[:len(b)-cursorMACLen]), b[len(b)-cursorMACLen:]
	if !commerce.IsID(id, 'p') || !hmac.Equal(mac, c.mac(id, lq)) {
		return "", false
	}
	return id, true
}

func (c cursors) mac(productID string, lq listQuery) []byte {
	h := hmac.New(sha256.New, c.key)
	for _, s := range []string{"products", productID, lq.category, lq.q, strconv.Itoa(lq.limit)} {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	return h.Sum(nil)[:cursorMACLen]
}
