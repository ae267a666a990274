package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Writer commits the write transactions of many callers together (group
// commit): callers hand Do a function that writes through a *sql.Tx, and one
// goroutine runs the functions waiting at that moment one after another in
// one SQLite transaction, each in its own savepoint, then commits once. A
// function that fails is rolled back to its savepoint alone: the others
// still commit. Do returns only when the transaction that ran its function
// has committed (nil) or failed (an error): no caller hears of success
// before its write is in the WAL, and a crash before the commit loses the
// whole batch, none of whose callers were answered.
//
// One BEGIN, one COMMIT and one write of each changed page serve the whole
// batch, instead of one each per caller: the single SQLite writer spends
// its time on the callers' statements.
type Writer struct {
	db   *sql.DB
	hold *WriterHold
	reqs chan *write
	stop chan struct{}
	done chan struct{}
	// savepoint statements, prepared once on the writer connection.
	save, release, undo *sql.Stmt
}

// maxBatch is the most functions one transaction runs: it bounds how long
// the first caller of a batch waits for the last.
const maxBatch = 128

// ErrWriterClosed is returned by Do once the DB is closing.
var ErrWriterClosed = errors.New("sqlite: the writer is closed")

// Request states: a request is run only if the writer moves it from queued
// to running before its caller gives up and moves it to abandoned.
const (
	queued int32 = iota
	running
	abandoned
)

// write is one caller's function waiting for the writer.
type write struct {
	op    string
	fn    func(*sql.Tx) error
	state atomic.Int32
	err   error
	took  time.Duration // how long fn ran, with WriterHold
	done  chan struct{}
}

// groupTx marks the writer's own transactions, which WriterHold counts by
// member rather than as one.
type groupTx struct{}

// newWriter starts the writer goroutine on pool, which has one connection.
func newWriter(ctx context.Context, pool *sql.DB, hold *WriterHold) (*Writer, error) {
	w := &Writer{db: pool, hold: hold, reqs: make(chan *write, maxBatch), stop: make(chan struct{}), done: make(chan struct{})}
	for _, p := range []struct {
		st   **sql.Stmt
		stmt string
	}{{&w.save, "SAVEPOINT member"}, {&w.release, "RELEASE member"}, {&w.undo, "ROLLBACK TO member"}} {
		var err error
		if *p.st, err = pool.PrepareContext(ctx, p.stmt); err != nil {
			return nil, fmt.Errorf("sqlite: prepare %s: %w", p.stmt, err)
		}
	}
	go w.loop()
	return w, nil
}

// Do runs fn in a write transaction shared with other callers and returns
// once that transaction committed (nil) or failed. fn must make every query
// through tx, must not call Do, and must set its results afresh each time
// it runs; when it returns an error, its writes are undone and Do returns
// that error. op names the write in WriterHold ("sqlite.replace cart").
//
// When ctx ends before the writer starts fn, Do returns ctx's error and fn
// never runs; once fn has started, Do waits for the commit, so its answer
// always says whether the write is committed.
func (w *Writer) Do(ctx context.Context, op string, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &write{op: op, fn: fn, done: make(chan struct{})}
	select {
	case w.reqs <- r:
	case <-w.stop:
		return ErrWriterClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	var gaveUp error
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		gaveUp = ctx.Err()
	case <-w.done: // closed with r still queued, or r ran last
		gaveUp = ErrWriterClosed
	}
	if r.state.CompareAndSwap(queued, abandoned) {
		return gaveUp // fn never runs
	}
	<-r.done
	return r.err
}

// loop takes the callers waiting, runs them as one transaction, and
// repeats until close.
func (w *Writer) loop() {
	defer close(w.done)
	batch := make([]*write, 0, maxBatch)
	for {
		select {
		case <-w.stop:
			return
		case r := <-w.reqs:
			batch = append(batch[:0], r)
		}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-w.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		w.run(batch)
		clear(batch)
	}
}

// run runs batch in one transaction and answers every caller. When the
// transaction is lost while one function ran (SQLite rolls back the whole
// transaction on an interrupted write or a full disk), that function's
// caller gets the error and the others run again in a new transaction.
func (w *Writer) run(batch []*write) {
	live := batch[:0:0]
	for _, r := range batch {
		if r.state.CompareAndSwap(queued, running) {
			live = append(live, r)
		}
	}
	for len(live) > 0 {
		start := time.Now()
		bad, err := w.commit(live)
		if w.hold != nil {
			w.hold.Add("sqlite.group commit: begin, savepoints, commit", time.Since(start)-w.ran(live))
		}
		if bad < 0 {
			for _, r := range live {
				if err != nil && r.err == nil {
					r.err = err
				}
				close(r.done)
			}
			return
		}
		if live[bad].err == nil {
			live[bad].err = err
		}
		close(live[bad].done)
		live = append(live[:bad:bad], live[bad+1:]...)
		for _, r := range live {
			r.err, r.took = nil, 0
		}
	}
}

// ran sums, for WriterHold, the time live's functions ran.
func (w *Writer) ran(live []*write) time.Duration {
	var d time.Duration
	for _, r := range live {
		d += r.took
	}
	return d
}

// commit runs live's functions in one transaction. It sets each one's
// err to its function's error. It returns the error that failed the whole
// transaction, when one did (then no function's writes were committed),
// and the index of the function that ran when the transaction was lost, or
// -1 when the failure was no one function's.
func (w *Writer) commit(live []*write) (int, error) {
	// The transaction outlives any one caller: a caller giving up must not
	// roll back the others.
	ctx := context.WithValue(context.Background(), groupTx{}, true)
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return -1, fmt.Errorf("sqlite: begin: %w", err)
	}
	defer tx.Rollback()
	if len(live) == 1 {
		// Alone: no savepoint, the transaction is the function's.
		r := live[0]
		at := time.Now()
		r.err = r.fn(tx)
		w.took(r, at)
		if r.err != nil {
			return -1, nil // undone by the deferred Rollback; r.err says why
		}
		if err := tx.Commit(); err != nil {
			return -1, fmt.Errorf("sqlite: commit: %w", err)
		}
		return -1, nil
	}
	save, release, undo := tx.StmtContext(ctx, w.save), tx.StmtContext(ctx, w.release), tx.StmtContext(ctx, w.undo)
	for i, r := range live {
		if _, err := save.ExecContext(ctx); err != nil {
			return -1, fmt.Errorf("sqlite: savepoint: %w", err)
		}
		at := time.Now()
		r.err = r.fn(tx)
		w.took(r, at)
		// ROLLBACK TO or RELEASE fails when SQLite rolled back the whole
		// transaction while fn ran (a statement interrupted by its
		// context, a full disk): nothing that ran in it may be committed.
		if r.err != nil {
			if _, err := undo.ExecContext(ctx); err != nil {
				return i, fmt.Errorf("sqlite: rollback to savepoint: %w", err)
			}
		}
		if _, err := release.ExecContext(ctx); err != nil {
			return i, fmt.Errorf("sqlite: release savepoint: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return -1, fmt.Errorf("sqlite: commit: %w", err)
	}
	return -1, nil
}

// took records how long r's function ran.
func (w *Writer) took(r *write, at time.Time) {
	if w.hold != nil {
		r.took = time.Since(at)
		w.hold.Add(r.op, r.took)
	}
}

// close stops the writer once the batch it runs is answered; later calls
// to Do return ErrWriterClosed.
func (w *Writer) close() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
	w.save.Close()
	w.release.Close()
	w.undo.Close()
}
