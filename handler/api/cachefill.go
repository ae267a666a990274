package api

import (
	"strconv"
	"sync"
)

// flight is one read of the store filling a cache entry, which the requests
// that miss the same entry meanwhile wait for instead of each reading the
// store themselves.
type flight struct {
	done chan struct{}
	e    cacheEntry
	err  error
}

// flights are the fills in progress, by key and generation.
type flights struct {
	mu sync.Mutex
	m  map[string]*flight
}

// fill returns the live entry for key, or reads it with load and caches it.
// When the entry expires under load, every request in flight misses it at
// once; without fill each would read the store and encode the same response
// (a listing is a store query, a stock read and an encoding: tens of times
// a cache hit). With fill the first reads, and the others wait for its
// result and share it. A read that fails (its own request cancelled, a store
// error) is not shared: its waiters start the next flight, one of them
// reading. The flight's key
// holds the generation, so a request after a write never joins a read begun
// before it.
func (c *cache) fill(key string, load func() (body []byte, etag string, err error)) (cacheEntry, error) {
	if e, ok := c.get(key); ok {
		return e, nil
	}
	gen := c.generation()
	fk := strconv.FormatUint(gen, 10) + "\x00" + key
	c.flights.mu.Lock()
	if f, ok := c.flights.m[fk]; ok {
		c.flights.mu.Unlock()
		<-f.done
		if f.err == nil {
			return f.e, nil
		}
		return c.fill(key, load) // the next flight, one of the waiters leading
	}
	f := &flight{done: make(chan struct{})}
	if c.flights.m == nil {
		c.flights.m = make(map[string]*flight)
	}
	c.flights.m[fk] = f
	c.flights.mu.Unlock()
	defer func() {
		c.flights.mu.Lock()
		delete(c.flights.m, fk)
		c.flights.mu.Unlock()
		close(f.done)
	}()
	f.e, f.err = c.load(key, gen, load)
	return f.e, f.err
}

// load reads an entry with load, read at generation gen, and caches it.
func (c *cache) load(key string, gen uint64, load func() ([]byte, string, error)) (cacheEntry, error) {
	body, etag, err := load()
	if err != nil {
		return cacheEntry{}, err
	}
	c.put(key, gen, body, etag)
	return cacheEntry{body: body, etag: etag, length: lengthHeader(body)}, nil
}
