package api

import (
	"sync"
	"sync/atomic"
)

// maxListMemo bounds the listing queries listMemo remembers: query strings
// come from clients, so the memo is emptied when it reaches this many.
const maxListMemo = 4096

// maxListMemoQuery is the longest query string listMemo remembers, so that
// the memo holds at most maxListMemo times this many bytes of keys; a longer
// one is parsed each time.
const maxListMemoQuery = 1 << 10

// listMemo remembers, for the query strings of recent storefront listings,
// the validated query and its response cache key, so that a listing served
// from the cache does not parse, validate and canonicalize the same query
// string again: that took a tenth of its time. Both are functions of the
// query string alone (a cursor's MAC uses this process's key), so a
// remembered answer is the one parsing again would give. Only valid
// queries are remembered; an invalid one is refused by parsing each time.
type listMemo struct {
	m sync.Map // raw query -> *listMemoEntry
	n atomic.Int64
}

type listMemoEntry struct {
	lq  listQuery
	key string
}

// get returns the entry of raw, if remembered.
func (lm *listMemo) get(raw string) (*listMemoEntry, bool) {
	e, ok := lm.m.Load(raw)
	if !ok {
		return nil, false
	}
	return e.(*listMemoEntry), true
}

// put remembers e for raw, unless raw is too long, first forgetting
// everything once the memo is full.
func (lm *listMemo) put(raw string, e *listMemoEntry) {
	if len(raw) > maxListMemoQuery {
		return
	}
	if lm.n.Add(1) > maxListMemo {
		lm.m.Clear()
		lm.n.Store(1)
	}
	lm.m.Store(raw, e)
}
