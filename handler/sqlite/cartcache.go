package sqlite

import (
	"sync"
	"time"

	"shopfn/handler/commerce"
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
//     eviction) moves the generation on; a put made from a read or a write
//     that started before that is dropped, so a deleted cart is never put
//     back.
//
// The carts it holds are its own: get returns a copy, put stores one. A nil
// cartCache holds nothing.
type cartCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]*cartEntry
}

// cartCacheMax bounds how many carts the cache holds (about 1 KiB each
// with a few lines); when full, half of them are dropped.
const cartCacheMax = 8192

// cartEntry is one cart ID in the cache: its cart (nil when not held) and
// the writes to it under way.
type cartEntry struct {
	cart    *commerce.Cart
	version int64
	pending int
}

func newCartCache() *cartCache {
	return &cartCache{entries: map[string]*cartEntry{}}
}

// get returns a copy of the cart under id, or false when the cache does not
// hold it or a write to it is under way. It also returns the generation to
// pass to put with what a read from SQLite returns.
func (cc *cartCache) get(id string) (*commerce.Cart, uint64, bool) {
	if cc == nil {
		return nil, 0, false
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.entries[id]
	if e == nil || e.cart == nil || e.pending > 0 {
		return nil, cc.gen, false
	}
	return cloneCart(e.cart), cc.gen, true
}

// put stores c (copied), read from SQLite or written there at version,
// unless the generation moved on since gen (from get or begin), the cache
// holds a later version, or (read false) a write to it is under way.
func (cc *cartCache) put(c *commerce.Cart, version int64, gen uint64, write bool) {
	if cc == nil {
		return
	}
	cp, ok := canonicalCart(c)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if !ok || gen != cc.gen {
		return
	}
	e := cc.entries[c.ID]
	switch {
	case e == nil:
		if len(cc.entries) >= cartCacheMax {
			cc.shrink()
			return // the generation moved on
		}
		e = &cartEntry{}
		cc.entries[c.ID] = e
	case !write && e.pending > 0, e.cart != nil && e.version >= version:
		return
	}
	cp.ETag = etag(version)
	e.cart, e.version = cp, version
}

// begin marks a write to cart id under way and returns the generation to
// pass to put once it has committed; end must follow.
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
	return cc.gen
}

// end marks the write begin marked as over. With forget (a delete, or a
// write whose outcome the cache cannot follow) it drops cart id and moves
// the generation on.
func (cc *cartCache) end(id string, forget bool) {
	if cc == nil {
		return
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.entries[id]
	if forget {
		cc.gen++
		e.cart = nil
	}
	e.pending--
	if e.pending == 0 && e.cart == nil {
		delete(cc.entries, id)
	}
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
		if e.cart != nil && !e.cart.ExpiresAt.After(now) {
			e.cart = nil
			if e.pending == 0 {
				delete(cc.entries, id)
			}
		}
	}
}

// shrink drops half of the carts held (none with writes under way) and
// moves the generation on. cc.mu is held.
func (cc *cartCache) shrink() {
	cc.gen++
	n := len(cc.entries) / 2
	for id, e := range cc.entries {
		if n == 0 {
			break
		}
		if e.pending == 0 {
			delete(cc.entries, id)
			n--
		}
	}
}

// canonicalCart returns a copy of c exactly as decodeCart(encodeCart(c))
// would return it, or false when c has a time not in UTC, which the
// round trip through JSON may turn into another zone (then the cache
// does not keep c).
func canonicalCart(c *commerce.Cart) (*commerce.Cart, bool) {
	for _, t := range []time.Time{c.CreatedAt, c.UpdatedAt, c.ExpiresAt} {
		if t.Location() != time.UTC {
			return nil, false
		}
	}
	cp := cloneCart(c)
	cp.CreatedAt, cp.UpdatedAt, cp.ExpiresAt = c.CreatedAt.Round(0), c.UpdatedAt.Round(0), c.ExpiresAt.Round(0)
	if len(cp.Merged) == 0 {
		cp.Merged = nil // omitempty in the document
	}
	if len(cp.Codes) == 0 {
		cp.Codes = nil
	}
	return cp, true
}

// cloneCart returns a copy of c that shares no slice with it.
func cloneCart(c *commerce.Cart) *commerce.Cart {
	cp := *c
	if c.Lines != nil {
		cp.Lines = append(make([]commerce.CartLine, 0, len(c.Lines)), c.Lines...)
	}
	if c.Merged != nil {
		cp.Merged = append(make([]string, 0, len(c.Merged)), c.Merged...)
	}
	if c.Codes != nil {
		cp.Codes = append(make([]string, 0, len(c.Codes)), c.Codes...)
	}
	return &cp
}
