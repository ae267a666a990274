package api

import (
	"strconv"
	"strings"
	"testing"
)

func TestListMemoBounds(t *testing.T) {
	var lm listMemo
	short, long := "limit=20", "q=a&"+strings.Repeat("x", maxListMemoQuery)
	lm.put(short, &listMemoEntry{key: "k"})
	lm.put(long, &listMemoEntry{key: "k"})
	if _, ok := lm.get(short); !ok {
		t.Errorf("get(%q): not remembered, want remembered", short)
	}
	if _, ok := lm.get(long); ok {
		t.Errorf("get of a %d-byte query: remembered, want parsed each time", len(long))
	}
	for i := range maxListMemo {
		lm.put("limit="+strconv.Itoa(i), &listMemoEntry{})
	}
	n := 0
	lm.m.Range(func(any, any) bool { n++; return true })
	if n > maxListMemo {
		t.Errorf("memo holds %d queries, want at most %d", n, maxListMemo)
	}
}
