package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// pool is an http.RoundTripper over n keep-alive connections, each its own
// http.Transport limited to one connection, taken in turn: every connection
// carries its share of the load, as a browser's would, rather than the few
// most recently used ones of one Transport's idle list. A request whose
// connection is busy waits for it, and that wait counts in its latency.
type pool struct {
	ts     []*http.Transport
	turn   atomic.Uint64
	opened atomic.Int64 // connections dialled
}

// newPool makes a pool of n connections (none open yet).
func newPool(n int) *pool {
	p := &pool{ts: make([]*http.Transport, n)}
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	for i := range p.ts {
		p.ts[i] = &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := d.DialContext(ctx, network, addr)
				if err == nil {
					p.opened.Add(1)
				}
				return c, err
			},
			MaxConnsPerHost:     1,
			MaxIdleConnsPerHost: 1,
			IdleConnTimeout:     5 * time.Minute,
			DisableCompression:  true,
		}
	}
	return p
}

// RoundTrip sends req over the next connection.
func (p *pool) RoundTrip(req *http.Request) (*http.Response, error) {
	return p.ts[p.turn.Add(1)%uint64(len(p.ts))].RoundTrip(req)
}

// open opens every connection with a GET of url, 256 at a time.
func (p *pool) open(url string) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, 256)
	for _, t := range p.ts {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			err := get(t, url)
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return fmt.Errorf("opening %d connections: %w", len(p.ts), first)
	}
	return nil
}

// get sends GET url over t and reads the answer, leaving the connection
// idle in t.
func get(t *http.Transport, url string) error {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return err
	}
	resp, err := t.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}
