package api

import (
	"sync"
	"sync/atomic"
	"time"

	"shopfn/handler/telemetry"
)

// maxCacheEntries bounds the cache; text queries make keys unbounded.
const maxCacheEntries = 10_000

// cache holds encoded catalog responses. Every catalog write made through
// this process bumps the generation, which retires every entry at once;
// the TTL bounds staleness after writes made by other instances.
type cache struct {
	ttl time.Duration
	now func() time.Time
	gen atomic.Uint64

	mu      sync.RWMutex
	entries map[string]cacheEntry
	metrics *telemetry.Metrics
}

type cacheEntry struct {
	gen     uint64
	expires time.Time
	body    []byte
	etag    string
}

func newCache(ttl time.Duration, now func() time.Time, metrics *telemetry.Metrics) *cache {
	return &cache{ttl: ttl, now: now, entries: make(map[string]cacheEntry), metrics: metrics}
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

// put stores an entry read at generation gen.
func (c *cache) put(key string, gen uint64, body []byte, etag string) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	if len(c.entries) >= maxCacheEntries {
		clear(c.entries)
	}
	c.entries[key] = cacheEntry{gen: gen, expires: c.now().Add(c.ttl), body: body, etag: etag}
	c.mu.Unlock()
}

// invalidate retires every entry.
func (c *cache) invalidate() { c.gen.Add(1) }
