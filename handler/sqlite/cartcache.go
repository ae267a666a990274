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
	size    int // the sum of the entries' sizes
}

// cartCacheBytes bounds about how much memory the carts held take (a cart
// with a few lines takes about half a KiB, a full one about 6 KiB); when
// it is reached, half of the carts are dropped.
const cartCacheBytes = 4 << 20

// cartEntry is one cart ID in the cache: its cart (nil when not held) and
// the writes to it under way.
type cartEntry struct {
	cart    *commerce.Cart
	version int64
	size    int // cartSize(cart)
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

// put stores c (copied), read from SQLite at version, unless the
// generation moved on since gen (from get), the cache holds that version or
// a later one, or a write to it is under way.
func (cc *cartCache) put(c *commerce.Cart, version int64, gen uint64) {
	if cc == nil {
		return
	}
	cp, ok := canonicalCart(c)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if e := cc.entries[c.ID]; ok && gen == cc.gen && (e == nil || e.pending == 0 && e.version < version) {
		cc.store(e, cp, version)
	}
}

// store makes cp, at version, the cart of entry e (nil: a new entry). It
// returns false when the cache is full: then it dropped carts instead
// and moved the generation on. cc.mu is held.
func (cc *cartCache) store(e *cartEntry, cp *commerce.Cart, version int64) bool {
	cp.ETag = etag(version)
	size := cartSize(cp)
	if cc.size+size-sizeOf(e) > cartCacheBytes {
		cc.shrink()
		return false
	}
	if e == nil {
		e = &cartEntry{}
		cc.entries[cp.ID] = e
	}
	cc.size += size - e.size
	e.cart, e.version, e.size = cp, version, size
	return true
}

// begin marks a write to cart id under way and returns the generation to
// pass to end once it has committed or failed; end must follow.
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

// end marks the write to cart id that begin (which returned gen) marked as
// over. c is the cart the write committed at version; nil forgets cart id
// (a delete, or a write that failed or whose outcome the cache cannot
// follow). A forgotten cart, or one the cache cannot take (the generation
// moved on since begin: a delete may have followed the write), moves the
// generation on, so that no read that started before can put it back.
func (cc *cartCache) end(id string, c *commerce.Cart, version int64, gen uint64) {
	if cc == nil {
		return
	}
	var cp *commerce.Cart
	ok := false
	if c != nil {
		cp, ok = canonicalCart(c)
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	e := cc.entries[id]
	switch {
	case ok && gen == cc.gen && e.version < version:
		if !cc.store(e, cp, version) {
			cc.drop(e) // shrink moved the generation on
		}
	case ok && gen == cc.gen:
		// the cache has a later write's cart already
	default:
		cc.gen++
		cc.drop(e)
	}
	e.pending--
	if e.pending == 0 && e.cart == nil {
		delete(cc.entries, id)
	}
}

// drop lets go of e's cart. cc.mu is held.
func (cc *cartCache) drop(e *cartEntry) {
	cc.size -= e.size
	e.cart, e.size = nil, 0
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
			cc.drop(e)
			if e.pending == 0 {
				delete(cc.entries, id)
			}
		}
	}
}

// shrink drops at least half of the memory the carts held take (map order
// picks which) and moves the generation on. cc.mu is held.
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

// sizeOf returns the size of e's cart, 0 without e.
func sizeOf(e *cartEntry) int {
	if e == nil {
		return 0
	}
	return e.size
}

// cartSize estimates the bytes c takes in memory, with its map entry.
func cartSize(c *commerce.Cart) int {
	n := 320 + len(c.ID) + len(c.Currency) + len(c.Status) + len(c.CheckoutID) + len(c.OrderID) + len(c.CustomerID) + len(c.MergedInto) + len(c.ETag)
	for _, l := range c.Lines {
		n += 32 + len(l.SKU)
	}
	for _, s := range c.Merged {
		n += 16 + len(s)
	}
	for _, s := range c.Codes {
		n += 16 + len(s)
	}
	return n
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
