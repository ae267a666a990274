package faultproxy

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Rule is an HTTP fault: what requests it applies to and what happens to
// them instead of the peer's answer.
type Rule struct {
	// Match selects the requests; nil selects every one.
	Match func(*http.Request) bool
	// Times is how many requests it applies to; 0 is every one until the
	// rule is removed.
	Times int
	// Status, with Header and Body, is the answer given without asking
	// the peer (503, 429 with x-ms-retry-after-ms or Retry-After, ...).
	Status int
	Header http.Header
	Body   string
	// Drop sends the request to the peer, which applies it, and then cuts
	// the connection instead of answering: the caller cannot know it was
	// applied.
	Drop bool
	// Delay waits this long before anything else (a slow peer).
	Delay time.Duration
}

// HTTP is a reverse proxy to an HTTP peer on 127.0.0.1 that applies its
// rules, first added first, to each request.
type HTTP struct {
	// URL is the proxy's address, http://127.0.0.1:PORT.
	URL string

	srv   *httptest.Server
	proxy *httputil.ReverseProxy

	mu    sync.Mutex
	rules []*rule
	hits  int
}

type rule struct {
	Rule
	left int // requests it still applies to (Times > 0)
}

// StartHTTP starts a reverse proxy to upstream (http://host:port). In its
// answers to GET / (a Cosmos DB account's regional endpoints) upstream's
// host:port becomes the one the client called, so that clients that
// follow them keep coming through the proxy.
func StartHTTP(upstream string) (*HTTP, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	h := &HTTP{proxy: httputil.NewSingleHostReverseProxy(u)}
	h.proxy.ModifyResponse = func(res *http.Response) error {
		if res.Request.Method != http.MethodGet || res.Request.URL.Path != "/" {
			return nil
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		host, _ := res.Request.Context().Value(hostKey{}).(string)
		body = bytes.ReplaceAll(body, []byte(u.Host), []byte(host))
		res.Body = io.NopCloser(bytes.NewReader(body))
		res.ContentLength = int64(len(body))
		res.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	h.proxy.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		panic(http.ErrAbortHandler) // the peer is gone: so is the answer
	}
	h.srv = httptest.NewServer(h)
	h.URL = h.srv.URL
	return h, nil
}

// Add puts r in force and returns what removes it.
func (h *HTTP) Add(r Rule) (remove func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	x := &rule{Rule: r, left: r.Times}
	h.rules = append(h.rules, x)
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		for i, y := range h.rules {
			if y == x {
				h.rules = append(h.rules[:i], h.rules[i+1:]...)
				return
			}
		}
	}
}

// Clear removes every rule.
func (h *HTTP) Clear() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rules = nil
}

// Hits returns how many requests a rule applied to.
func (h *HTTP) Hits() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits
}

// Close stops the proxy.
func (h *HTTP) Close() { h.srv.Close() }

// pick returns the rule that applies to r, counting it, or nil.
func (h *HTTP) pick(r *http.Request) *Rule {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, x := range h.rules {
		if x.Match != nil && !x.Match(r) {
			continue
		}
		h.hits++
		if x.Times > 0 {
			x.left--
			if x.left == 0 {
				h.rules = append(h.rules[:i:i], h.rules[i+1:]...)
			}
		}
		return &x.Rule
	}
	return nil
}

// hostKey carries the Host a request was sent to, for ModifyResponse.
type hostKey struct{}

// ServeHTTP applies the first rule that matches r, or proxies it.
func (h *HTTP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r = r.WithContext(context.WithValue(r.Context(), hostKey{}, r.Host))
	x := h.pick(r)
	if x == nil {
		h.proxy.ServeHTTP(w, r)
		return
	}
	if x.Delay > 0 {
		select {
		case <-time.After(x.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case x.Drop:
		h.proxy.ServeHTTP(discard{}, r)
		panic(http.ErrAbortHandler)
	case x.Status != 0:
		for k, v := range x.Header {
			w.Header()[k] = v
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(x.Status)
		w.Write([]byte(x.Body))
	default:
		h.proxy.ServeHTTP(w, r)
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
