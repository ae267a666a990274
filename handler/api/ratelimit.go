package api

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// maxLimiterClients bounds the clients a limiter remembers. Idle clients
// (whose bucket has refilled) are forgotten first; past the bound, all are.
const maxLimiterClients = 100_000

// limiter is a token bucket per client: each client may send burst requests
// at once and rate per second after that. A zero rate turns it off.
type limiter struct {
	rate  float64 // tokens per second
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last computed
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	if burst < 1 {
		burst = 1
	}
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: make(map[string]*bucket)}
}

// allow takes a token from client's bucket. When it is empty it returns
// false and how long until a token is back.
func (l *limiter) allow(client string) (bool, time.Duration) {
	if l == nil || l.rate <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[client]
	if !ok {
		if len(l.buckets) >= maxLimiterClients {
			l.evictIdle(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[client] = b
	}
	b.tokens = l.refill(b, now)
	b.at = now
	if b.tokens < 1 {
		return false, time.Duration(math.Ceil((1 - b.tokens) / l.rate * float64(time.Second)))
	}
	b.tokens--
	return true, 0
}

func (l *limiter) refill(b *bucket, now time.Time) float64 {
	if d := now.Sub(b.at).Seconds(); d > 0 {
		return min(l.burst, b.tokens+d*l.rate)
	}
	return b.tokens
}

// evictIdle forgets the clients whose bucket is full again: they are in
// the state a new client starts in. If that frees nothing, it forgets every
// client, so memory stays bounded whatever the number of addresses. l.mu is
// held.
func (l *limiter) evictIdle(now time.Time) {
	for k, b := range l.buckets {
		if l.refill(b, now) >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxLimiterClients {
		clear(l.buckets)
	}
}

// clients returns how many clients the limiter remembers.
func (l *limiter) clients() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// limited reports whether rt is an anonymous write that rate limits apply
// to: cart creation and changes, checkout and confirm. Admin routes need a
// key, reads are cached, and Stripe's and Shopify's webhooks are signed.
func limited(rt route) bool {
	return !rt.Admin && rt.Method != "" && rt.Method != "GET" && rt.Method != "HEAD" &&
		rt.Pattern != "/api/webhooks/stripe" && rt.Pattern != "/api/webhooks/shopify"
}

// rateLimit answers 429 "rate_limited" with Retry-After when r's client has
// used up its bucket, and reports whether it did.
func (s *Server) rateLimit(w http.ResponseWriter, r *http.Request) error {
	return s.rateLimitKey(w, s.ClientKey(r))
}

// customerKey is the rate limit key of a signed-in customer: limits apply
// per customer as well as per address, so that a customer's writes from
// many addresses share one bucket. (Addresses never start with "customer:".)
func customerKey(id string) string { return "customer:" + id }

// rateLimitKey answers 429 "rate_limited" with Retry-After when the bucket
// of key is used up.
func (s *Server) rateLimitKey(w http.ResponseWriter, key string) error {
	ok, wait := s.limiter.allow(key)
	if ok {
		return nil
	}
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return commerce.Errorf(commerce.KindRateLimited, commerce.CodeRateLimited, "too many requests from this client; retry in %d s", secs)
}
