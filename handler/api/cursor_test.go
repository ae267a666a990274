package api

import "testing"

func TestCursors(t *testing.T) {
	const id = "p06h1p9yvk6wtb7cr9y8a9cydxw"
	a, b := cursors{key: []byte("key-a")}, cursors{key: []byte("key-b")}
	lq := listQuery{category: "books", q: "lamp", limit: 5}
	c := a.seal(id, lq)
	if got, ok := a.open(c, lq); !ok || got != id {
		t.Fatalf("open(seal(%q)) = %q, %v; want the ID back", id, got, ok)
	}
	if got, ok := (cursors{key: []byte("key-a")}).open(c, lq); !ok || got != id {
		t.Errorf("another instance with the same key: got %q, %v; want the ID back", got, ok)
	}
	tests := []struct {
		name   string
		c      cursors
		cursor string
		lq     listQuery
	}{
		{"OtherKey", b, c, lq},
		{"OtherCategory", a, c, listQuery{category: "toys", q: "lamp", limit: 5}},
		{"NoCategory", a, c, listQuery{q: "lamp", limit: 5}},
		{"OtherQuery", a, c, listQuery{category: "books", q: "lam", limit: 5}},
		{"OtherLimit", a, c, listQuery{category: "books", q: "lamp", limit: 6}},
		// length-prefixed fields: moving a character between two fields changes the MAC
		{"ShiftedFields", a, a.seal(id, listQuery{category: "book", q: "slamp", limit: 5}), lq},
		{"Truncated", a, c[:len(c)-2], lq},
		{"Empty", a, "", lq},
		{"NotBase64", a, "!!!!", lq},
		{"TooLong", a, c + string(make([]byte, 200)), lq},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, ok := tt.c.open(tt.cursor, tt.lq); ok {
				t.Errorf("open accepted it: got %q", got)
			}
		})
	}
}
