package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
)

// cursorMACLen is how many bytes of HMAC-SHA256 a cursor carries.
const cursorMACLen = 16

// cursors seals and opens listing cursors. A cursor is the last ID of a
// page and an HMAC of that ID with the listing and the filters the page was
// read with (products: every filter, the sort and the limit, and the sort
// key of the last product; customers: email, limit), so a
// cursor used with other filters or another listing, forged or changed is
// refused. The key comes from configuration, so that every
// instance of a scaled-out deployment opens the cursors of the others.
type cursors struct{ key []byte }

// seal returns the cursor for the page after the product with the given
// ID and sort key under lq's filters, sort and limit.
func (c cursors) seal(productID, key string, lq listQuery) string {
	payload := productID + "\x00" + key
	return base64.RawURLEncoding.EncodeToString(append([]byte(payload), c.mac("products", payload, []string{lq.signature()})...))
}

// maxProductCursor bounds a product cursor's length: an ID, a title as
// sort key and the MAC, in base64.
const maxProductCursor = 1200

// open returns the product ID and sort key a cursor made by seal for lq's
// filters, sort and limit holds.
func (c cursors) open(cursor string, lq listQuery) (id, key string, ok bool) {
	if len(cursor) > maxProductCursor {
		return "", "", false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil || len(b) <= cursorMACLen {
		return "", "", false
	}
	payload, mac := string(b[:len(b)-cursorMACLen]), b[len(b)-cursorMACLen:]
	id, key, found := strings.Cut(payload, "\x00")
	if !found || !commerce.IsID(id, 'p') || !hmac.Equal(mac, c.mac("products", payload, []string{lq.signature()})) {
		return "", "", false
	}
	return id, key, true
}

// sealID returns the cursor for the page after id in a listing of kind
// ("products", "customers") read with the given filters.
func (c cursors) sealID(kind, id string, filters ...string) string {
	return base64.RawURLEncoding.EncodeToString(append([]byte(id), c.mac(kind, id, filters)...))
}

// openID returns the ID, with the given prefix, that a cursor made by
// sealID for kind and filters holds.
func (c cursors) openID(cursor, kind string, prefix byte, filters ...string) (string, bool) {
	if len(cursor) > 128 {
		return "", false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(cursor)
	if err != nil || len(b) <= cursorMACLen {
		return "", false
	}
	id, mac := string(b[:len(b)-cursorMACLen]), b[len(b)-cursorMACLen:]
	if !commerce.IsID(id, prefix) || !hmac.Equal(mac, c.mac(kind, id, filters)) {
		return "", false
	}
	return id, true
}

// mac is the HMAC of a listing's kind, the last ID of a page and the
// filters, each length-prefixed.
func (c cursors) mac(kind, id string, filters []string) []byte {
	h := hmac.New(sha256.New, c.key)
	for _, s := range append([]string{kind, id}, filters...) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	return h.Sum(nil)[:cursorMACLen]
}
