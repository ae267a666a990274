package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"shopfn/handler/sqlite"
)

// openWriterTest opens a SQLite file whose writer is timed, with a table of
// numbered rows and a table whose rows must name one of them (checked at
// commit), and returns it and the timing.
func openWriterTest(t *testing.T) (*sqlite.DB, *sqlite.WriterHold) {
	t.Helper()
	hold := sqlite.NewWriterHold()
	db, err := sqlite.OpenWith(context.Background(), filepath.Join(t.TempDir(), "shopfn.db"), sqlite.Options{Hold: hold})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, stmt := range []string{
		`CREATE TABLE t (n INTEGER PRIMARY KEY)`,
		`CREATE TABLE ref (n INTEGER NOT NULL REFERENCES t (n) DEFERRABLE INITIALLY DEFERRED)`,
	} {
		if _, err := db.Write.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	hold.Reset()
	return db, hold
}

// insert returns a write that inserts row n.
func insert(n int) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO t (n) VALUES (?)`, n)
		return err
	}
}

// rows returns the rows of t, read on the read pool.
func rows(t *testing.T, db *sqlite.DB) map[int]bool {
	t.Helper()
	rs, err := db.Read.Query(`SELECT n FROM t`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	got := map[int]bool{}
	for rs.Next() {
		var n int
		if err := rs.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got[n] = true
	}
	return got
}

// blockWriter makes the writer run a write that waits until the returned
// func is called, so that calls to Do queue behind it; it returns once the
// write runs. The returned func waits for that write's Do.
func blockWriter(t *testing.T, db *sqlite.DB) func() {
	t.Helper()
	started, gate, done := make(chan struct{}), make(chan struct{}), make(chan error)
	go func() {
		done <- db.Writer.Do(context.Background(), "blocker", func(tx *sql.Tx) error {
			close(started)
			<-gate
			return insert(-1)(tx)
		})
	}()
	<-started
	return func() {
		close(gate)
		if err := <-done; err != nil {
			t.Errorf("blocker: got %v, want nil", err)
		}
	}
}

// waitQueued waits until n calls to Do wait for the writer.
func waitQueued(t *testing.T, db *sqlite.DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); db.Writer.Queued() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls queued, want %d", db.Writer.Queued(), n)
		}
	}
}

// commits returns how many transactions the writer committed or tried to.
func commits(h *sqlite.WriterHold) int64 {
	stats, _ := h.Stats()
	for _, s := range stats {
		if s.Op == "sqlite.group commit: begin, savepoints, commit" {
			return s.Calls
		}
	}
	return 0
}

// TestWriterBatch runs concurrent writes as one transaction: each caller
// hears only its own error, a failing write is undone alone, and every
// caller answered nil finds its row committed.
func TestWriterBatch(t *testing.T) {
	boom := errors.New("boom")
	for _, tc := range []struct {
		name string
		fail map[int]bool // members whose write fails after inserting
	}{
		{"all succeed", nil},
		{"one fails", map[int]bool{5: true}},
		{"first and last fail", map[int]bool{0: true, 9: true}},
		{"all fail", map[int]bool{0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, hold := openWriterTest(t)
			release := blockWriter(t, db)
			const members = 10
			errs := make([]error, members)
			var wg sync.WaitGroup
			for i := range members {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = db.Writer.Do(context.Background(), "member", func(tx *sql.Tx) error {
						if err := insert(i)(tx); err != nil {
							return err
						}
						if tc.fail[i] {
							return boom
						}
						return nil
					})
				}()
				waitQueued(t, db, i+1) // in order, so the batch runs 0..9
			}
			release()
			wg.Wait()
			got := rows(t, db)
			for i := range members {
				want := error(nil)
				if tc.fail[i] {
					want = boom
				}
				if !errors.Is(errs[i], want) || (want == nil && errs[i] != nil) {
					t.Errorf("member %d: got %v, want %v", i, errs[i], want)
				}
				if got[i] != !tc.fail[i] {
					t.Errorf("member %d: row committed %v, want %v", i, got[i], !tc.fail[i])
				}
			}
			if n := commits(hold); n != 2 {
				t.Errorf("got %d transactions, want 2 (the blocker's, then one for all %d members)", n, members)
			}
		})
	}
}

// TestWriterCommitFails answers every caller of a batch whose commit fails
// with an error, and commits none of their writes.
func TestWriterCommitFails(t *testing.T) {
	db, _ := openWriterTest(t)
	release := blockWriter(t, db)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Writer.Do(context.Background(), "member", func(tx *sql.Tx) error {
				if err := insert(i)(tx); err != nil {
					return err
				}
				if i == 2 { // a deferred foreign key: only COMMIT fails
					_, err := tx.Exec(`INSERT INTO ref (n) VALUES (1000)`)
					return err
				}
				return nil
			})
		}()
		waitQueued(t, db, i+1)
	}
	release()
	wg.Wait()
	for i, err := range errs {
		if err == nil {
			t.Errorf("member %d: got nil, want the commit's error", i)
		}
	}
	if got := rows(t, db); len(got) != 1 || !got[-1] {
		t.Errorf("got rows %v, want only the blocker's -1", got)
	}
}

// TestWriterLostTransaction reruns the other writes of a batch whose
// transaction one write lost (SQLite rolls it back whole on an interrupted
// statement or a full disk): that write's caller gets an error, the others
// commit.
func TestWriterLostTransaction(t *testing.T) {
	db, _ := openWriterTest(t)
	release := blockWriter(t, db)
	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Writer.Do(context.Background(), "member", func(tx *sql.Tx) error {
				if err := insert(i)(tx); err != nil {
					return err
				}
				if i == 2 {
					_, err := tx.Exec(`ROLLBACK`) // the whole transaction, behind database/sql's back
					return err
				}
				return nil
			})
		}()
		waitQueued(t, db, i+1)
	}
	release()
	wg.Wait()
	got := rows(t, db)
	for i, err := range errs {
		if i == 2 {
			if err == nil || got[i] {
				t.Errorf("member 2: got %v, row committed %v; want an error and no row", err, got[i])
			}
			continue
		}
		if err != nil || !got[i] {
			t.Errorf("member %d: got %v, row committed %v; want nil and its row", i, err, got[i])
		}
	}
}

// TestWriterCancelled never runs the write of a caller whose context ends
// while it waits, and answers it with the context's error.
func TestWriterCancelled(t *testing.T) {
	db, _ := openWriterTest(t)
	release := blockWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	ran := false
	errc := make(chan error)
	go func() {
		errc <- db.Writer.Do(ctx, "member", func(tx *sql.Tx) error {
			ran = true
			return insert(1)(tx)
		})
	}()
	waitQueued(t, db, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	release()
	if err := db.Writer.Do(context.Background(), "after", insert(2)); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, db); ran || got[1] || !got[2] {
		t.Errorf("cancelled write ran %v, rows %v; want it not run, row 2 committed", ran, got)
	}
}

// TestWriterClosed answers calls made after Close, and those still queued
// when it closes, with ErrWriterClosed.
func TestWriterClosed(t *testing.T) {
	db, _ := openWriterTest(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err := db.Writer.Do(context.Background(), "late", insert(1))
	if !errors.Is(err, sqlite.ErrWriterClosed) {
		t.Errorf("got %v, want ErrWriterClosed", err)
	}
}

// TestWriterConcurrent has many callers write at once: every write commits
// exactly once, in fewer transactions than writes.
func TestWriterConcurrent(t *testing.T) {
	db, hold := openWriterTest(t)
	const writers, each = 32, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				if err := db.Writer.Do(context.Background(), "member", insert(w*each+k)); err != nil {
					errs <- fmt.Errorf("write %d: %w", w*each+k, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := rows(t, db); len(got) != writers*each {
		t.Errorf("got %d rows, want %d", len(got), writers*each)
	}
	if n := commits(hold); n >= writers*each {
		t.Errorf("got %d transactions for %d writes, want fewer", n, writers*each)
	}
}
