package main

import (
	"context"
	"net/url"
	"testing"
	"time"

	"shopfn/handler/sqlstore"
)

// TestE2EEventCursorExpired purges the feed's oldest events, as retention
// does, and checks that a cursor from before them answers 410
// cursor_expired, telling the receiver to resync, instead of silently
// skipping what was purged; a cursor at the purge's edge, and none, still
// read.
func TestE2EEventCursorExpired(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustCreateProduct(t, e2eProductInput("e2e-cursor", "E2E-CURSOR-1", 1000))
	for _, n := range []int64{1, 2, 3} {
		s.mustSetStock(t, "E2E-CURSOR-1", n)
	}
	all := s.feedAll(t, "0")
	if len(all) != 4 {
		t.Fatalf("feed: got %d events, want 4 (a product and 3 stock levels)", len(all))
	}

	// Purge the first two, once every consumer has handled them.
	log := sqlstore.NewEventStore(s.rel)
	deadline := time.Now().Add(10 * time.Second)
	for purged := int64(0); purged < 2; {
		n, err := log.Purge(context.Background(), time.Now().Add(time.Hour), 2-int(purged))
		if err != nil {
			t.Fatal(err)
		}
		purged += n
		if purged < 2 && time.Now().After(deadline) {
			t.Fatalf("purged %d events in 10s, want 2", purged)
		}
		time.Sleep(20 * time.Millisecond)
	}

	res := s.admin(t, "GET", "/api/admin/events?after=1", nil)
	e2eWantProblem(t, "GET /api/admin/events?after=1 after events 1 and 2 were purged", res, 410, "cursor_expired")
	res = s.admin(t, "GET", "/api/admin/events?after=1&type=inventory.level_changed", nil)
	e2eWantProblem(t, "GET /api/admin/events?after=1&type=… after events 1 and 2 were purged", res, 410, "cursor_expired")
	if got := s.feed(t, url.Values{"after": {"2"}}); len(got.Items) != 2 || got.Items[0].ID != all[2].ID {
		t.Errorf("after=2, the last purged position: got %d events, want the 2 kept", len(got.Items))
	}
	if got := s.feed(t, url.Values{}); len(got.Items) != 2 || got.Items[0].ID != all[2].ID {
		t.Errorf("no cursor: got %d events, want the 2 kept, from the oldest", len(got.Items))
	}
}
