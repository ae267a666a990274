package api

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newLimiter(2, 3, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow("a")
	if ok || wait != 500*time.Millisecond {
		t.Errorf("past the burst: got ok %v wait %v, want refused, wait 500ms", ok, wait)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Error("another client refused")
	}
	now = now.Add(500 * time.Millisecond)
	if ok, _ := l.allow("a"); !ok {
		t.Error("a token later: refused")
	}
	if ok, _ := (*limiter)(nil).allow("a"); !ok {
		t.Error("a nil limiter refused")
	}
	if ok, _ := newLimiter(0, 1, time.Now).allow("a"); !ok {
		t.Error("rate 0 refused")
	}
}

func TestLimiterBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := newLimiter(1, 2, func() time.Time { return now })
	for i := 0; i < maxLimiterClients+1000; i++ {
		l.allow(fmt.Sprint("client-", i))
		if i%10_000 == 0 {
			now = now.Add(3 * time.Second) // the clients so far are idle again
		}
	}
	if n := l.clients(); n > maxLimiterClients {
		t.Errorf("the limiter remembers %d clients, want at most %d", n, maxLimiterClients)
	}
}

func TestClientKey(t *testing.T) {
	trusting := NewServer(Deps{}, Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, slog.New(slog.DiscardHandler))
	plain := NewServer(Deps{}, Config{}, slog.New(slog.DiscardHandler))
	by56 := NewServer(Deps{}, Config{IPv6Prefix: 56}, slog.New(slog.DiscardHandler))
	by48 := NewServer(Deps{}, Config{IPv6Prefix: 48}, slog.New(slog.DiscardHandler))
	tests := []struct {
		name   string
		s      *Server
		remote string
		xff    string
		want   string
	}{
		{"RemoteOnly", plain, "203.0.113.5:4000", "", "203.0.113.5"},
		{"ForwardedIgnoredWithoutTrust", plain, "10.1.1.1:4000", "198.51.100.2", "10.1.1.1"},
		{"ForwardedFromTrustedProxy", trusting, "10.1.1.1:4000", "198.51.100.2", "198.51.100.2"},
		{"ForwardedFromUntrustedPeer", trusting, "203.0.113.5:4000", "198.51.100.2", "203.0.113.5"},
		{"NearestUntrustedHop", trusting, "10.1.1.1:4000", "192.0.2.1, 198.51.100.2, 10.2.2.2", "198.51.100.2"},
		{"MalformedHop", trusting, "10.1.1.1:4000", "junk", "10.1.1.1"},
		{"IPv6By64", plain, "[2001:db8:1:2:3:4:5:6]:4000", "", "2001:db8:1:2::/64"},
		{"IPv6By56", by56, "[2001:db8:1:2ff:3:4:5:6]:4000", "", "2001:db8:1:200::/56"},
		{"IPv6By48", by48, "[2001:db8:1:2ff:3:4:5:6]:4000", "", "2001:db8:1::/48"},
		{"IPv4NotByPrefix", by48, "203.0.113.5:4000", "", "203.0.113.5"},
		{"IPv4Mapped", plain, "[::ffff:203.0.113.5]:4000", "", "203.0.113.5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/carts", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := tt.s.ClientKey(r); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCacheBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	c := newCache(time.Second, 10_000, func() time.Time { return now }, nil)
	body := make([]byte, 500)
	for i := 0; i < 1000; i++ {
		c.put(fmt.Sprint("k", i%50), c.generation(), body, "")
		if c.bytes > c.maxBytes {
			t.Fatalf("after %d puts: %d bytes, want at most %d", i+1, c.bytes, c.maxBytes)
		}
	}
	if len(c.order) > 2*len(c.entries)+64 {
		t.Errorf("%d keys in order for %d entries: replaced keys pile up", len(c.order), len(c.entries))
	}
	if _, ok := c.get("k49"); !ok {
		t.Error("the newest entry is gone")
	}
	c.put("huge", c.generation(), make([]byte, 5000), "")
	if _, ok := c.get("huge"); ok {
		t.Error("an entry of half the budget was kept")
	}
}
