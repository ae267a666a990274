package sqlstore_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/sqlstore"
	"shopfn/handler/storetest"
)

// simulated returns a Retry on clock: its waits move the clock instead of
// taking time, and take the whole backoff (no jitter).
func simulated(clock *storetest.Clock, budget time.Duration) sqlstore.Retry {
	return sqlstore.Retry{
		Budget: budget, Now: clock.Now,
		Sleep:  func(ctx context.Context, d time.Duration) error { clock.Advance(d); return ctx.Err() },
		Jitter: func(d time.Duration) time.Duration { return d },
	}
}

// flakyDialect is SQLite's dialect whose upserts of inventory fail, and
// count as transient, while failing says so, as a deadlock victim or a
// failover would on SQL Server; seen counts those upserts made (the event
// log's upserts are not counted).
func flakyDialect(failing func(n int64) bool, seen *atomic.Int64) sqlstore.Dialect {
	const marker = "transient_failure"
	d := sqlite.Dialect
	upsert := d.Upsert
	d.Upsert = func(u sqlstore.Upsert) string {
		if u.Table != "inventory" {
			return upsert(u)
		}
		if failing(seen.Add(1)) {
			return "SELECT 1 FROM " + marker // fails: no such table
		}
		return upsert(u)
	}
	d.Retryable = func(err error) bool { return strings.Contains(err.Error(), marker) }
	return d
}

// firstFailures fails the first n calls.
func firstFailures(n int64) func(int64) bool { return func(i int64) bool { return i <= n } }

func openWith(t *testing.T, d sqlstore.Dialect, retry sqlstore.Retry) *sqlstore.InventoryStore {
	t.Helper()
	lite, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shopfn.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstore.New(lite.Write, lite.Read, d)
	db.Retry = retry
	t.Cleanup(func() { db.Close(); lite.Close() })
	s, err := sqlstore.NewInventoryStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTransientRetry(t *testing.T) {
	ctx := context.Background()
	t.Run("Recovers", func(t *testing.T) {
		var seen atomic.Int64
		s := openWith(t, flakyDialect(firstFailures(2), &seen), simulated(storetest.NewClock(time.Now()), time.Minute))
		l, err := s.SetOnHand(ctx, "A", 7)
		if err != nil || l.OnHand != 7 {
			t.Fatalf("SetOnHand after 2 transient failures: got %+v, %v; want onHand 7", l, err)
		}
		if got := seen.Load(); got != 3 {
			t.Errorf("attempts: got %d, want 3", got)
		}
	})
	t.Run("UnavailableAfterBudget", func(t *testing.T) {
		var seen atomic.Int64
		clock := storetest.NewClock(time.Now())
		start := clock.Now()
		s := openWith(t, flakyDialect(firstFailures(1e9), &seen), simulated(clock, time.Minute))
		_, err := s.SetOnHand(ctx, "A", 7)
		if commerce.ErrorKind(err) != commerce.KindUnavailable {
			t.Errorf("SetOnHand always failing transiently: got %v, want KindUnavailable", err)
		}
		if took := clock.Now().Sub(start); took > time.Minute || took < 50*time.Second {
			t.Errorf("retried for %v, want most of the 1m budget and no more", took)
		}
	})
}

// TestOutage checks that a store call rides out an outage (a failover, a
// serverless resume) that ends within its retry budget, and answers 503
// "unavailable" when the outage outlasts the budget or the call's deadline.
func TestOutage(t *testing.T) {
	for _, tc := range []struct {
		name     string
		outage   time.Duration
		budget   time.Duration
		deadline time.Duration // of the call's context; 0: none
		wantErr  bool
	}{
		{"5s outage, 60s budget", 5 * time.Second, time.Minute, 0, false},
		{"5s outage, 30s request deadline", 5 * time.Second, time.Minute, 30 * time.Second, false},
		{"50s outage, 60s budget", 50 * time.Second, time.Minute, 0, false},
		{"90s outage, 60s budget", 90 * time.Second, time.Minute, 0, true},
		{"5s outage, 3s request deadline", 5 * time.Second, time.Minute, 3 * time.Second, true},
		{"5s outage, 2s budget", 5 * time.Second, 2 * time.Second, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := storetest.NewClock(time.Now())
			start := clock.Now()
			down := func(int64) bool { return clock.Now().Before(start.Add(tc.outage)) }
			var seen atomic.Int64
			s := openWith(t, flakyDialect(down, &seen), simulated(clock, tc.budget))
			ctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, start.Add(tc.deadline))
				defer cancel()
			}
			l, err := s.SetOnHand(ctx, "A", 7)
			took := clock.Now().Sub(start)
			if tc.wantErr {
				if commerce.ErrorKind(err) != commerce.KindUnavailable {
					t.Errorf("SetOnHand: got %v, want KindUnavailable", err)
				}
			} else if err != nil || l.OnHand != 7 {
				t.Errorf("SetOnHand: got %+v, %v; want onHand 7", l, err)
			}
			limit := tc.budget
			if tc.deadline > 0 {
				limit = min(limit, tc.deadline)
			}
			if took > limit {
				t.Errorf("retried for %v, past the %v the call had", took, limit)
			}
			if !tc.wantErr && took > tc.outage+5*time.Second {
				t.Errorf("recovered after %v, want within a backoff (5s) of the outage's end %v", took, tc.outage)
			}
		})
	}
}

// flakyReads is SQLite's dialect whose first failures reads of orders by
// ID fail and count as transient.
func flakyReads(failures int64, seen *atomic.Int64) sqlstore.Dialect {
	const marker = "transient_failure"
	d := sqlite.Dialect
	rebind := d.Rebind
	d.Rebind = func(q string) string {
		if strings.Contains(q, "FROM orders WHERE id = ?") && seen.Add(1) <= failures {
			return "SELECT 1 FROM " + marker // fails: no such table
		}
		return rebind(q)
	}
	d.Retryable = func(err error) bool { return strings.Contains(err.Error(), marker) }
	return d
}

// TestTransientReadRetry checks that a read failing transiently (a
// failover) is run again like a transaction, and answers 503 "unavailable"
// when it keeps failing, not 500.
func TestTransientReadRetry(t *testing.T) {
	ctx := context.Background()
	orders := func(t *testing.T, d sqlstore.Dialect) *sqlstore.OrderStore {
		lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "shopfn.db"))
		if err != nil {
			t.Fatal(err)
		}
		db := sqlstore.New(lite.Write, lite.Read, d)
		db.Retry = simulated(storetest.NewClock(time.Now()), time.Minute)
		t.Cleanup(func() { db.Close(); lite.Close() })
		return sqlstore.NewOrderStore(db)
	}
	t.Run("Recovers", func(t *testing.T) {
		var seen atomic.Int64
		_, err := orders(t, flakyReads(2, &seen)).Order(ctx, "o-none")
		if commerce.ErrorKind(err) != commerce.KindNotFound {
			t.Errorf("Order after 2 transient failures: got %v, want not found", err)
		}
		if got := seen.Load(); got < 3 {
			t.Errorf("reads: got %d, want at least 3", got)
		}
	})
	t.Run("UnavailableAfterBudget", func(t *testing.T) {
		var seen atomic.Int64
		_, err := orders(t, flakyReads(1e9, &seen)).Order(ctx, "o-none")
		if commerce.ErrorKind(err) != commerce.KindUnavailable {
			t.Errorf("Order always failing transiently: got %v, want KindUnavailable", err)
		}
	})
}
