package api

import (
	"strings"
	"testing"
)

func TestCursors(t *testing.T) {
	const id, key = "p06h1p9yvk6wtb7cr9y8a9cydxw", "00000000000000001999"
	a, b := cursors{key: []byte("key-a")}, cursors{key: []byte("key-b")}
	lq := listQuery{category: "books", q: "lamp", sort: "price", currency: "USD", limit: 5,
		attrs: map[string][]string{"brand": {"halcyon", "kestrel"}}}
	c := a.seal(id, key, lq)
	if gotID, gotKey, ok := a.open(c, lq); !ok || gotID != id || gotKey != key {
		t.Fatalf("open(seal(%q, %q)) = %q, %q, %v; want them back", id, key, gotID, gotKey, ok)
	}
	if gotID, _, ok := (cursors{key: []byte("key-a")}).open(c, lq); !ok || gotID != id {
		t.Errorf("another instance with the same key: got %q, %v; want the ID back", gotID, ok)
	}
	with := func(change func(*listQuery)) listQuery {
		q := lq
		change(&q)
		return q
	}
	tests := []struct {
		name   string
		c      cursors
		cursor string
		lq     listQuery
	}{
		{"OtherKey", b, c, lq},
		{"OtherCategory", a, c, with(func(q *listQuery) { q.category = "toys" })},
		{"NoCategory", a, c, with(func(q *listQuery) { q.category = "" })},
		{"OtherQuery", a, c, with(func(q *listQuery) { q.q = "lam" })},
		{"OtherLimit", a, c, with(func(q *listQuery) { q.limit = 6 })},
		{"OtherSort", a, c, with(func(q *listQuery) { q.sort = "-price" })},
		{"OtherCurrency", a, c, with(func(q *listQuery) { q.currency = "EUR" })},
		{"OtherMinPrice", a, c, with(func(q *listQuery) { q.minPrice = 1 })},
		{"InStock", a, c, with(func(q *listQuery) { q.inStock = true })},
		{"OtherAttr", a, c, with(func(q *listQuery) { q.attrs = map[string][]string{"brand": {"halcyon"}} })},
		{"AttrAsOption", a, c, with(func(q *listQuery) { q.attrs, q.options = nil, lq.attrs })},
		{"Admin", a, c, with(func(q *listQuery) { q.admin = true })},
		// length-prefixed fields: moving a character between two fields changes the MAC
		{"ShiftedFields", a, a.seal(id, key, with(func(q *listQuery) { q.category, q.q = "book", "slamp" })), lq},
		{"OtherSortKey", a, a.seal(id, key, lq)[:len(c)-1] + "A", lq},
		{"Truncated", a, c[:len(c)-2], lq},
		{"Empty", a, "", lq},
		{"NotBase64", a, "!!!!", lq},
		{"TooLong", a, a.seal(id, strings.Repeat("x", 1000), lq), lq},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if gotID, gotKey, ok := tt.c.open(tt.cursor, tt.lq); ok {
				t.Errorf("open accepted it: got %q, %q", gotID, gotKey)
			}
		})
	}
}
