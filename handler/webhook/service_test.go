package webhook_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/events"
	"shopfn/handler/sqlite"
	"shopfn/handler/sqlstore"
	"shopfn/handler/storetest"
	"shopfn/handler/webhook"
)

// newService returns a Service on a new SQLite file, on clock, reaching
// loopback (AllowPrivate).
func newService(t *testing.T, clock *storetest.Clock) *webhook.Service {
	t.Helper()
	lite, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shopfn.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstore.New(lite.Write, lite.Read, sqlite.Dialect)
	t.Cleanup(func() { db.Close(); lite.Close() })
	sealer, err := webhook.NewSealer(make([]byte, webhook.KeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	policy := webhook.Policy{AllowPrivate: true}
	svc := webhook.NewService(sqlstore.NewWebhookStore(db), sealer, webhook.NewClient(webhook.Options{Policy: policy, Now: clock.Now}), policy,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc.Now = clock.Now
	return svc
}

// step runs one step of the delivery loop and waits for its attempts.
func step(t *testing.T, svc *webhook.Service) int {
	t.Helper()
	n, err := svc.Step(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	return n
}

// TestServiceGivesUpAndDisables checks the retry window and the
// three-day rule: retries stop at the window's end with the delivery
// failed, and a subscription whose deliveries all failed for three days is
// disabled, saying so, and sends nothing more.
func TestServiceGivesUpAndDisables(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	clock := storetest.NewClock(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	svc := newService(t, clock)
	ctx := context.Background()
	c, err := svc.Create(ctx, srv.URL, []events.Type{events.ProductCreated}, "")
	if err != nil {
		t.Fatal(err)
	}
	e, err := events.New(events.ProductCreated, events.DefaultSource, "p1", clock.Now(), events.ProductData{ID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	e.Sequence = 1
	if err := svc.Handle(ctx, e); err != nil {
		t.Fatal(err)
	}
	// Move the clock to each next attempt until the window is over.
	for range 50 {
		if step(t, svc) == 0 {
			ds, err := svc.Store.Deliveries(ctx, c.ID, webhook.StatusPending, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) == 0 {
				break
			}
			clock.Advance(ds[0].NextAttemptAt.Sub(clock.Now()))
		}
	}
	failed, err := svc.Store.Deliveries(ctx, c.ID, webhook.StatusFailed, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].Attempts < 11 || failed[0].Attempts > 15 {
		t.Fatalf("after the window: got %+v, want one failed delivery after 11-15 attempts", failed)
	}
	if got := clock.Now().Sub(failed[0].FirstAttemptAt); got != webhook.DefaultBackoff.Window {
		t.Errorf("last attempt: %v after the first, want the window's end, %v", got, webhook.DefaultBackoff.Window)
	}
	sub, err := svc.Store.Subscription(ctx, c.ID)
	if err != nil || sub.FailingSince.IsZero() || !sub.DisabledAt.IsZero() {
		t.Fatalf("after a day of failures: got %+v, %v; want failing, not disabled", sub, err)
	}

	// Three days after the first failure, the next failure disables it.
	clock.Advance(webhook.DisableAfter - webhook.DefaultBackoff.Window)
	if _, err := svc.Redeliver(ctx, c.ID, failed[0].ID); err != nil {
		t.Fatal(err)
	}
	step(t, svc)
	sub, err = svc.Store.Subscription(ctx, c.ID)
	if err != nil || sub.DisabledAt.IsZero() || sub.DisabledReason == "" {
		t.Fatalf("after three days of failures: got %+v, %v; want disabled with a reason", sub, err)
	}
	before := hits.Load()
	if err := svc.Handle(ctx, e); err != nil { // a disabled subscription gets nothing
		t.Fatal(err)
	}
	if _, err := svc.Redeliver(ctx, c.ID, failed[0].ID); err != nil {
		t.Fatal(err)
	}
	step(t, svc)
	if got := hits.Load(); got != before {
		t.Errorf("a disabled subscription was sent %d more requests", got-before)
	}
}
