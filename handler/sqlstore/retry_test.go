package sqlstore_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/sqlstore"
)

// flakyDialect is SQLite's dialect whose first failures upserts fail and
// count as transient, as a deadlock victim or a failover would on SQL
// Server; seen counts the upserts made.
func flakyDialect(failures int64, seen *atomic.Int64) sqlstore.Dialect {
	const marker = "transient_failure"
	d := sqlite.Dialect
	upsert := d.Upsert
	d.Upsert = func(u sqlstore.Upsert) string {
		if seen.Add(1) <= failures {
			return "SELECT 1 FROM " + marker // fails: no such table
		}
		return upsert(u)
	}
	d.Retryable = func(err error) bool { return strings.Contains(err.Error(), marker) }
	return d
}

func openWith(t *testing.T, d sqlstore.Dialect) *sqlstore.InventoryStore {
	t.Helper()
	lite, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shopfn.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstore.New(lite.Write, lite.Read, d)
	t.Cleanup(func() { db.Close(); lite.Close() })
	s, err := sqlstore.NewInventoryStore(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTransientRetry(t *testing.T) {
	ctx := context.Background()
	t.Run("RecoversWithinAttempts", func(t *testing.T) {
		var seen atomic.Int64
		s := openWith(t, flakyDialect(2, &seen))
		l, err := s.SetOnHand(ctx, "A", 7)
		if err != nil || l.OnHand != 7 {
			t.Fatalf("SetOnHand after 2 transient failures: got %+v, %v; want onHand 7", l, err)
		}
		if got := seen.Load(); got != 3 {
			t.Errorf("attempts: got %d, want 3", got)
		}
	})
	t.Run("UnavailableAfterAttempts", func(t *testing.T) {
		var seen atomic.Int64
		s := openWith(t, flakyDialect(100, &seen))
		_, err := s.SetOnHand(ctx, "A", 7)
		if commerce.ErrorKind(err) != commerce.KindUnavailable {
			t.Errorf("SetOnHand always failing transiently: got %v, want KindUnavailable", err)
		}
		if got := seen.Load(); got != 5 {
			t.Errorf("attempts: got %d, want 5", got)
		}
	})
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
		t.Cleanup(func() { db.Close(); lite.Close() })
		return sqlstore.NewOrderStore(db)
	}
	t.Run("RecoversWithinAttempts", func(t *testing.T) {
		var seen atomic.Int64
		_, err := orders(t, flakyReads(2, &seen)).Order(ctx, "o-none")
		if commerce.ErrorKind(err) != commerce.KindNotFound {
			t.Errorf("Order after 2 transient failures: got %v, want not found", err)
		}
		if got := seen.Load(); got < 3 {
			t.Errorf("reads: got %d, want at least 3", got)
		}
	})
	t.Run("UnavailableAfterAttempts", func(t *testing.T) {
		var seen atomic.Int64
		_, err := orders(t, flakyReads(1000, &seen)).Order(ctx, "o-none")
		if commerce.ErrorKind(err) != commerce.KindUnavailable {
			t.Errorf("Order always failing transiently: got %v, want KindUnavailable", err)
		}
	})
}
