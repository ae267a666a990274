package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shopfn/handler/sqlite"
)

// This file holds the end-to-end tests of the abuse bounds: memory that
// clients cannot grow without limit, rate limits, the data directory.

func TestE2ECatalogCacheBounded(t *testing.T) {
	const budget = 256 << 10
	s := e2eShop{MustRunMainWith(t, true, func(m *Main) { m.Config.CatalogCacheBytes = budget })}
	cats := s.categories(t)
	var peak int64
	for i := 0; i < 600; i++ {
		q := url.Values{"limit": {fmt.Sprint(1 + i%100)}, "category": {cats[i%len(cats)].ID}}
		if i%3 == 0 {
			q.Set("q", fmt.Sprintf("unmatched-%d", i))
		}
		s.page(t, q)
		b, n := s.API.CacheSize()
		if b > budget {
			t.Fatalf("after %d listings the cache holds %d bytes (%d entries), want at most %d", i+1, b, n, budget)
		}
		peak = max(peak, b)
	}
	if peak < budget/2 {
		t.Errorf("the cache peaked at %d bytes; want the listings to fill it (budget %d), or the test proves nothing", peak, budget)
	}

	t.Run("ExpiredEvicted", func(t *testing.T) {
		s.Clock.Advance(2 * time.Second) // past the 1 s TTL: every entry is dead
		for i := 0; i < 200; i++ {
			s.page(t, url.Values{"q": {fmt.Sprintf("fresh-%d", i)}})
		}
		if _, n := s.API.CacheSize(); n > 200 {
			t.Errorf("after the TTL and 200 new listings the cache holds %d entries, want the expired ones gone (at most 200)", n)
		}
	})

	t.Run("RefusedNotCached", func(t *testing.T) {
		s.Clock.Advance(2 * time.Second)
		s.page(t, url.Values{"q": {"one-more"}}) // evicts nothing yet: room is left
		b0, n0 := s.API.CacheSize()
		for i := 0; i < 50; i++ {
			res := s.do(t, "GET", fmt.Sprintf("/api/products?cursor=%s", url.QueryEscape(fmt.Sprintf("forged-%d", i))), nil)
			e2eWantProblem(t, "forged cursor", res, 400, "invalid_request")
		}
		if b, n := s.API.CacheSize(); b != b0 || n != n0 {
			t.Errorf("refused listings changed the cache from %d bytes/%d entries to %d/%d; want them never cached", b0, n0, b, n)
		}
	})
}

func TestE2ERateLimit(t *testing.T) {
	s := e2eShop{MustRunMainWith(t, false, func(m *Main) {
		m.Config.RateLimit, m.Config.RateBurst = 1, 3
	})}
	for i := 0; i < 3; i++ {
		e2eWantStatus(t, fmt.Sprintf("cart %d of the burst", i+1), s.do(t, "POST", "/api/carts", nil), 201)
	}
	res := s.do(t, "POST", "/api/carts", nil)
	e2eWantProblem(t, "cart past the burst", res, 429, "rate_limited")
	if ra := res.Header.Get("Retry-After"); ra != "1" {
		t.Errorf("Retry-After = %q, want 1 (one token a second)", ra)
	}
	e2eWantProblem(t, "checkout past the burst", s.do(t, "POST", "/api/checkout", map[string]string{}), 429, "rate_limited")
	e2eWantStatus(t, "a read past the burst", s.do(t, "GET", "/api/products", nil), 200)
	e2eWantStatus(t, "an admin write past the burst", s.admin(t, "PUT", "/api/admin/inventory/any-sku", map[string]int64{"onHand": 1}), 404)

	e2eWantProblem(t, "a spoofed X-Forwarded-For from an untrusted peer", s.do(t, "POST", "/api/carts", nil, "X-Forwarded-For", "203.0.113.9"), 429, "rate_limited")

	s.Clock.Advance(time.Second)
	e2eWantStatus(t, "a cart a second later", s.do(t, "POST", "/api/carts", nil), 201)
	e2eWantProblem(t, "and the next", s.do(t, "POST", "/api/carts", nil), 429, "rate_limited")

	t.Run("TrustedProxy", func(t *testing.T) {
		s := e2eShop{MustRunMainWith(t, false, func(m *Main) {
			m.Config.RateLimit, m.Config.RateBurst = 1, 1
			m.Config.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		})}
		for _, client := range []string{"203.0.113.7", "203.0.113.8", "198.51.100.1, 203.0.113.10"} {
			e2eWantStatus(t, "first cart of "+client, s.do(t, "POST", "/api/carts", nil, "X-Forwarded-For", client), 201)
		}
		e2eWantProblem(t, "second cart of 203.0.113.7", s.do(t, "POST", "/api/carts", nil, "X-Forwarded-For", "203.0.113.7"), 429, "rate_limited")
		// The proxy appends the address it saw; what the client wrote before it is not trusted.
		e2eWantProblem(t, "203.0.113.7 claiming to be 192.0.2.1", s.do(t, "POST", "/api/carts", nil, "X-Forwarded-For", "192.0.2.1, 203.0.113.7"), 429, "rate_limited")
	})
}

func TestE2EDataDirLocked(t *testing.T) {
	s := startE2E(t, false)
	second := &Main{Config: NewTestConfig(t, false), Stdout: io.Discard, Logger: slog.New(slog.DiscardHandler)}
	second.Config.DataDir = s.Config.DataDir
	err := second.Run(context.Background())
	second.Close()
	if err == nil {
		t.Fatal("a second process started on the same data directory; want it refused")
	}
	if !errors.Is(err, sqlite.ErrDirLocked) || !strings.Contains(err.Error(), s.Config.DataDir) {
		t.Errorf("got error %q, want one saying the data directory %s is in use", err, s.Config.DataDir)
	}
	e2eWantStatus(t, "the first process still serves", s.do(t, "GET", "/api/health", nil), 200)
}

func TestE2EDataDirRemoved(t *testing.T) {
	s := startE2E(t, false)
	c := s.mustNewCart(t, nil)
	if err := os.RemoveAll(s.Config.DataDir); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what, method, path string
		body               any
	}{
		{"health", "GET", "/api/health", nil},
		{"a new cart", "POST", "/api/carts", nil},
		{"a cart change", "DELETE", "/api/carts/" + c.ID, nil},
		{"a checkout", "POST", "/api/checkout", moneyNewRequest(c.ID, "pm_card_visa")},
	} {
		res, err := s.send(tc.method, tc.path, tc.body)
		if err != nil {
			t.Fatal(err)
		}
		e2eWantProblem(t, tc.what+" without the data directory", res, 503, "unavailable")
	}
}

func TestE2ESecretsAtRest(t *testing.T) {
	s := startE2E(t, false)
	for _, name := range []string{"shopfn.db", "shopfn.db-wal", "shopfn.db-shm", sqlite.LockFile} {
		info, err := os.Stat(filepath.Join(s.Config.DataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %o, want 600 (its owner only)", name, perm)
		}
	}
	res := s.admin(t, "GET", "/api/admin/orders", nil)
	e2eWantStatus(t, "GET /api/admin/orders", res, 200)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET /api/admin/orders: Cache-Control %q, want no-store", cc)
	}
}

func TestE2ETestPaymentsAnnounced(t *testing.T) {
	var out lockedBuffer
	MustRunMainWith(t, false, func(m *Main) { m.Logger = slog.New(slog.NewJSONHandler(&out, nil)) })
	if !strings.Contains(out.String(), "TEST PAYMENTS") {
		t.Errorf("start-up output with test payments:\n%s\nwant it to say TEST PAYMENTS plainly", out.String())
	}

	s, _ := startMoneyStripe(t)
	e2eWantProblem(t, "testpay with Stripe", s.do(t, "POST", "/api/testpay/authenticate/pay_x", nil), 404, "not_found")
}
