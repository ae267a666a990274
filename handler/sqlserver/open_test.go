package sqlserver

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"shopfn/handler/sqlstore"
)

// fakeClock is a simulated clock: its sleeps move it instead of taking time.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// TestStartupWait checks the start-up wait for the database on a simulated
// clock: a serverless database resuming from auto-pause (40613 for a
// while), or unreachable while its address moves, is waited for within
// SQLSERVER_STARTUP_TIMEOUT; a refused login is not waited for.
func TestStartupWait(t *testing.T) {
	unreachable := errors.New("dial tcp: connect: connection refused")
	for _, tc := range []struct {
		name    string
		outage  time.Duration
		err     error
		budget  time.Duration
		wantErr bool
		maxPing int // at most this many pings; 0: any
	}{
		{"resuming 5s", 5 * time.Second, mssql.Error{Number: 40613}, 0, false, 0},
		{"resuming 50s, default 60s budget", 50 * time.Second, mssql.Error{Number: 40613}, 0, false, 0},
		{"resuming 90s, default 60s budget", 90 * time.Second, mssql.Error{Number: 40613}, 0, true, 0},
		{"resuming 90s, 2m budget", 90 * time.Second, mssql.Error{Number: 40613}, 2 * time.Minute, false, 0},
		{"unreachable 20s", 20 * time.Second, unreachable, 0, false, 0},
		{"login refused", time.Hour, mssql.Error{Number: 18456}, 0, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{now: time.Now()}
			start := clock.Now()
			p := Pool{StartupTimeout: tc.budget, Retry: sqlstore.Retry{Now: clock.Now, Sleep: clock.Sleep}}
			pings := 0
			err := p.Wait(context.Background(), Startable, func(context.Context) error {
				pings++
				if clock.Now().Before(start.Add(tc.outage)) {
					return tc.err
				}
				return nil
			})
			if (err != nil) != tc.wantErr {
				t.Errorf("Wait: got %v, want error %v", err, tc.wantErr)
			}
			budget := tc.budget
			if budget == 0 {
				budget = DefaultStartupTimeout
			}
			if took := clock.Now().Sub(start); took > budget {
				t.Errorf("waited %v, past the %v budget", took, budget)
			}
			if tc.maxPing > 0 && pings > tc.maxPing {
				t.Errorf("pings: got %d, want at most %d", pings, tc.maxPing)
			}
		})
	}
}

func TestSize(t *testing.T) {
	for _, tc := range []struct{ set, want int }{{0, DefaultMaxConns}, {4, 4}, {25, 25}} {
		db, err := sqlOpenUnconnected()
		if err != nil {
			t.Fatal(err)
		}
		Pool{MaxConns: tc.set}.Size(db)
		if got := db.Stats().MaxOpenConnections; got != tc.want {
			t.Errorf("MaxConns %d: got MaxOpenConnections %d, want %d", tc.set, got, tc.want)
		}
		db.Close()
	}
}

// sqlOpenUnconnected returns a pool on a server it never connects to.
func sqlOpenUnconnected() (*sql.DB, error) {
	return sql.Open("sqlserver", "sqlserver://127.0.0.1:1?database=none")
}
