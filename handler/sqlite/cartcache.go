package sqlite

import (
	"sync"
	"time"
)

// cartCache holds the carts this process last read or wrote, by ID, so that
// reading a cart (every add-to-cart reads one) need not go to SQLite, whose
// read connections drop their page caches at every commit and so read each
// cart's pages again from the file.
//
// It is valid only while this process alone writes the file: a DB opened
// with Options.Exclusive (the process holds the data directory's exclusive
// lock, so no api or worker process shares the file). Then every change to
// the carts table goes through CartStore, which tells the cache, and the
// cache never answers with a version older than one a caller could have
// seen:
//
//   - a write marks its cart pending before it starts and until the cache
//     has the committed version; reads of a pending cart go to SQLite, so a
//     caller that read the new version there never reads the old one here;
//   - versions only go up: a read that raced a write cannot put back the
//     version the write replaced;
//   - a delete (or anything the cache cannot follow: a failed write, an
//     eviction) moves the generation on, and a put made from a read that
//     started before is dropped, so a deleted cart is never put back;
//   - a delete also moves its cart's own epoch on, and a write to it that
//     started before does not keep what it wrote. Writes look only at
//     their cart's epoch: were they to drop their cart at every change of
//     the generation, with many writes in flight each one dropped would
//     move the generation on again and the cache would never hold a cart.
//
// It holds each cart's document as SQLite holds it, so that a cart read
// here decodes to exactly the cart a read of the file returns, and the
// collector has no pointers in it to scan. A nil cartCache holds nothing.
type cartCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]*cartEntry
	size    int // the sum of the entries' sizes
}

// cartCacheBytes bounds about how much memory the carts held take (a cart
// document with a few lines takes about 300 bytes, one with 20 lines about
// 1 KiB, a full one about 4 KiB); when it is reached, half of the carts are
// dropped. The live heap grows by up to this much, and the process's RSS by
// up to twice that (the collector's default heap goal). At 1 MiB, 500
// priced 20-line carts (adjustments and list prices on every line) did not
// fit, and each overflow dropping half the cache cost add-to-cart 15-25%
// against 8 MiB in bench.sh's pricing part.
const cartCacheBytes = 8 << 20

// cartEntry is one cart ID in the cache: its document (nil when not held)
// and the writes to it under way.
type cartEntry struct {
	doc     []byte
	version int64
	epoch   uint64 // moved on when the cart is deleted or forgotten
	expires int64  // expires_at: the cart's ExpiresAt in Unix nanoseconds
	size    int    // entrySize(id, doc)
	pending int
}

// cartRow is a cart as the carts table holds it.
type cartRow struct {
	id      string
	doc     []byte
	version int64
	expires int64
}

func newCartCache() *cartCache {
	return &cartCache{entries: map[string]*cartEntry{}}
}

// get returns the document and version of the cart under id, or false
// when the cache does not hold it or a write to it is under way. It also
// returns the generation to pass to put with what a read from SQLite
// returns.
func (cc *cartCache) get(id string) ([]byte, int64, uint64, bool) {
	if cc == nil {
		return nil, 0, 0, false
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.entries[id]
	if e == nil || e.doc == nil || e.pending > 0 {
		return nil, 0, cc.gen, false
	}
	return e.doc, e.version, cc.gen, true
}

// put stores r, read from SQLite, unless the generation moved on since gen
// (from get), the cache holds that version or a later one, or a write to
// it is under way. r.doc must not change afterwards.
func (cc *cartCache) put(r cartRow, gen uint64) {
	if cc == nil {
		return
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e := cc.entries[r.id]; gen == cc.gen && (e == nil || e.pending == 0 && e.version < r.version) {
		cc.store(e, r)
	}
}

// store makes r the document of entry e (nil: a new entry). It returns
// false when the cache is full: then it dropped documents instead and
// moved the generation on. cc.mu is held.
func (cc *cartCache) store(e *cartEntry, r cartRow) bool {
	size := entrySize(r.id, r.doc)
	if cc.size+size-sizeOf(e) > cartCacheBytes {
		cc.shrink()
		return false
	}
	if e == nil {
		e = &cartEntry{}
		cc.entries[r.id] = e
	}
	cc.size += size - e.size
	e.doc, e.version, e.expires, e.size = r.doc, r.version, r.expires, size
	return true
}

// begin marks a write to cart id under way and returns the cart's epoch
// to pass to end once it has committed or failed; end must follow.
func (cc *cartCache) begin(id string) uint64 {
	if cc == nil {
		return 0
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.entries[id]
	if e == nil {
		e = &cartEntry{}
		cc.entries[id] = e
	}
	e.pending++
	return e.epoch
}

// end marks the write to cart id that begin (which returned epoch) marked
// as over. r is the row the write committed; a nil r.doc forgets cart id (a
// delete, or a write that failed or whose outcome the cache cannot
// follow), which moves the cart's epoch and the generation on, so that no
// write or read that started before can put it back. A write whose cart
// was forgotten since begin (a delete may have followed it) keeps nothing.
func (cc *cartCache) end(id string, r cartRow, epoch uint64) {
	if cc == nil {
		return
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.entries[id]
	switch {
	case r.doc == nil:
		cc.gen++
		e.epoch++
		cc.drop(e)
	case epoch != e.epoch:
		cc.drop(e) // forgotten since begin: its forget moved the generation on
	case e.version < r.version:
		if !cc.store(e, r) {
			cc.drop(e) // shrink moved the generation on
		}
	default:
		// the cache has a later write's document already
	}
	e.pending--
	if e.pending == 0 && e.doc == nil {
		delete(cc.entries, id)
	}
}

// drop lets go of e's document. cc.mu is held.
func (cc *cartCache) drop(e *cartEntry) {
	cc.size -= e.size
	e.doc, e.size = nil, 0
}

// expired drops every cart that expired at or before now (DeleteExpiredCarts
// removed them from the file) and moves the generation on.
func (cc *cartCache) expired(now time.Time) {
	if cc == nil {
		return
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	cc.gen++
	for id, e := range cc.entries {
		if e.doc != nil && e.expires <= now.UnixNano() {
			cc.drop(e)
			if e.pending == 0 {
				delete(cc.entries, id)
			}
		}
	}
}

// shrink drops at least half of the memory the documents held take (map
// order picks which) and moves the generation on. cc.mu is held.
func (cc *cartCache) shrink() {
	cc.gen++
	for id, e := range cc.entries {
		if cc.size <= cartCacheBytes/2 {
			break
		}
		cc.drop(e)
		if e.pending == 0 {
			delete(cc.entries, id)
		}
	}
}

// sizeOf returns the size of e's document, 0 without e.
func sizeOf(e *cartEntry) int {
	if e == nil {
		return 0
	}
	return e.size
}

// entrySize estimates the bytes an entry for doc takes, with its map slot.
func entrySize(id string, doc []byte) int {
	return 128 + len(id) + cap(doc)
}
