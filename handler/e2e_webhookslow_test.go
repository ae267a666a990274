package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/webhook"
)

// TestE2EWebhookSlowEndpoint: a receiver that holds every request open
// (until the test ends) does not hold up another subscription's
// deliveries, which all arrive while the slow one still holds its first.
func TestE2EWebhookSlowEndpoint(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var releaseOnce sync.Once
	var slowHits atomic.Int64
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		slowHits.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }); slow.Close() })
	fast := newE2EReceiver(t, 0)
	fast.easy = true

	s := startWebhookShop(t, func(m *Main) {
		m.WebhookOptions = func(o *webhook.Options) { o.Timeout = time.Minute } // the slow one never times out here
	})
	s.mustSubscribe(t, slow.URL+"/slow", "product.created", "inventory.level_changed")
	sub := s.mustSubscribe(t, fast.srv.URL+"/fast", "product.created", "inventory.level_changed")
	fast.mu.Lock()
	fast.secrets = []string{sub.Secret}
	fast.mu.Unlock()

	s.mustCreateProduct(t, e2eProductInput("e2e-slow", "E2E-SLOW-1", 1000))
	for n := range int64(30) {
		s.mustSetStock(t, "E2E-SLOW-1", n+1)
	}
	log := s.feedAll(t, "0")
	if len(log) != 31 {
		t.Fatalf("feed: got %d events, want 31", len(log))
	}
	got := waitEvents(t, fast, len(log))
	wantInOrder(t, got, log)
	if slowHits.Load() == 0 {
		t.Fatal("the slow receiver was never called: the test shows nothing")
	}
	releaseOnce.Do(func() { close(release) })
}
