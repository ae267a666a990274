package api

import (
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"shopfn/handler/telemetry"
)

// DefaultCacheBytes bounds the catalog response cache when Config.CacheBytes
// is zero: keys come from clients (text queries, cursors), so the cache must
// not grow with them.
const DefaultCacheBytes = 32 << 20

// cacheEntryOverhead is what one entry costs besides its key and body: the
// map slot, the entry and the ETag, rounded up.
const cacheEntryOverhead = 128

// cache holds encoded catalog responses, at most maxBytes of them (keys,
// bodies and a fixed overhead per entry). Every catalog write made through
// this process bumps the generation, which retires every entry at once;
// the TTL bounds staleness after writes made by other instances. Expired and
// retired entries are evicted when room is needed; when none is, the oldest
// entries go.
type cache struct {
	ttl      time.Duration
	now      func() time.Time
	maxBytes int64
	gen      atomic.Uint64

	mu      sync.RWMutex
	entries map[string]cacheEntry
	order   []string // keys in insertion order; may hold keys already gone
	bytes   int64
	metrics *telemetry.Metrics

	flights flights // fills in progress (cachefill.go)
}

type cacheEntry struct {
	gen     uint64
	expires time.Time
	body    []byte
	etag    string
	// length is the body's Content-Length header value, made once so
	// that a response served from the cache formats no number.
	length []string
}

// lengthHeader returns the Content-Length header value of body.
func lengthHeader(body []byte) []string { return []string{strconv.Itoa(len(body))} }

func newCache(ttl time.Duration, maxBytes int64, now func() time.Time, metrics *telemetry.Metrics) *cache {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	return &cache{ttl: ttl, now: now, maxBytes: maxBytes, entries: make(map[string]cacheEntry), metrics: metrics}
}

func entrySize(key string, e cacheEntry) int64 {
	return int64(len(key)+len(e.body)+len(e.etag)) + cacheEntryOverhead
}

// generation returns the generation to pass to put; read it before reading
// the store, so that a write racing the read retires the entry.
func (c *cache) generation() uint64 { return c.gen.Load() }

// get returns a live entry for key.
func (c *cache) get(key string) (cacheEntry, bool) {
	if c.ttl <= 0 {
		return cacheEntry{}, false
	}
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || e.gen != c.gen.Load() || !c.now().Before(e.expires) {
		c.metrics.CacheLookups("responses", 0, 1)
		return cacheEntry{}, false
	}
	c.metrics.CacheLookups("responses", 1, 0)
	return e, true
}

// put stores an entry read at generation gen, evicting what it must to stay
// within maxBytes. An entry larger than a quarter of the cache is not kept.
func (c *cache) put(key string, gen uint64, body []byte, etag string) {
	if c.ttl <= 0 {
		return
	}
	e := cacheEntry{gen: gen, expires: c.now().Add(c.ttl), body: body, etag: etag, length: lengthHeader(body)}
	size := entrySize(key, e)
	if size > c.maxBytes/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.bytes -= entrySize(key, old)
		delete(c.entries, key)
	}
	if c.bytes+size > c.maxBytes {
		c.evictDead()
	}
	for c.bytes+size > c.maxBytes && len(c.order) > 0 {
		c.evictOldest()
	}
	c.entries[key] = e
	c.order = append(c.order, key)
	c.bytes += size
	if len(c.order) > 2*len(c.entries)+64 {
		c.evictDead()
		c.compact()
	}
}

// compact drops from c.order the keys that replaced entries left behind.
// c.mu is held.
func (c *cache) compact() {
	seen := make(map[string]bool, len(c.entries))
	live := make([]string, 0, len(c.entries))
	for i := len(c.order) - 1; i >= 0; i-- { // newest first: keep a key's last put
		k := c.order[i]
		if _, ok := c.entries[k]; ok && !seen[k] {
			seen[k] = true
			live = append(live, k)
		}
	}
	slices.Reverse(live)
	c.order = live
}

// evictDead drops expired and retired entries. c.mu is held.
func (c *cache) evictDead() {
	now, gen := c.now(), c.gen.Load()
	live := c.order[:0]
	for _, k := range c.order {
		e, ok := c.entries[k]
		switch {
		case !ok:
		case e.gen != gen || !now.Before(e.expires):
			c.bytes -= entrySize(k, e)
			delete(c.entries, k)
		default:
			live = append(live, k)
		}
	}
	clear(c.order[len(live):])
	c.order = live
}

// evictOldest drops the oldest entry. c.mu is held.
func (c *cache) evictOldest() {
	k := c.order[0]
	c.order[0] = ""
	c.order = c.order[1:]
	if e, ok := c.entries[k]; ok {
		c.bytes -= entrySize(k, e)
		delete(c.entries, k)
	}
}

// CacheSize returns the bytes (keys, bodies and overhead) and the entries
// the catalog response cache holds.
func (s *Server) CacheSize() (bytes int64, entries int) {
	c := s.cache
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.bytes, len(c.entries)
}

// invalidate retires every entry.
func (c *cache) invalidate() { c.gen.Add(1) }
