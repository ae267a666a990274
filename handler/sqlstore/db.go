// Package sqlstore is shopfn's relational store (inventory, checkouts,
// reservations, orders and the outbox), written once on database/sql. The
// embedded SQLite file (package sqlite) and Azure SQL (package sqlserver) run
// the same code; what differs between them is confined to a Dialect, and the
// engine packages own their drivers and DDL. Many writers may share the
// database: every decision is one conditional statement or a key violation,
// never a read followed by a write.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// Dialect is what differs between the SQL databases shopfn runs on. The
// engine packages (sqlite, sqlserver) define theirs; this package imports no
// driver and creates no tables. Queries are written once, with '?'
// placeholders, in the SQL both engines accept; the few constructs they
// spell differently go through a Dialect function.
type Dialect struct {
	// Name names the dialect in errors and logs.
	Name string
	// Rebind rewrites a query written with '?' placeholders into the
	// database's own placeholder syntax.
	Rebind func(query string) string
	// IsUnique reports whether err is a unique-constraint violation.
	IsUnique func(err error) bool
	// Retryable reports whether err is transient (a deadlock victim, a
	// failover): the whole transaction may run again. Nil: never.
	Retryable func(err error) bool
	// Limit returns query, a SELECT ending in its ORDER BY, so that it
	// returns at most n rows, n being one more argument after the query's
	// own: "... LIMIT ?" or "SELECT TOP (@pN) ...".
	Limit func(query string) string
	// Upsert returns the statement of u: INSERT ... ON CONFLICT DO UPDATE
	// ... RETURNING, or MERGE ... OUTPUT inserted....
	Upsert func(u Upsert) string
	// LockRows is the table hint that makes a read inside a write
	// transaction lock the rows it reads until the transaction ends, so
	// that what the transaction decides from them still holds at commit:
	// "WITH (UPDLOCK, ROWLOCK)" on SQL Server, "" on SQLite, whose one
	// writer at a time already holds the database.
	LockRows string
	// ShareRows is the table hint that makes a read inside a write
	// transaction hold a shared lock on the rows it reads until the
	// transaction ends: concurrent readers holding it do not wait for one
	// another, and a writer of those rows waits for all of them
	// (promotionredeem.go). "WITH (HOLDLOCK)" on SQL Server (a locking read
	// even under READ COMMITTED SNAPSHOT), "" on SQLite.
	ShareRows string
	// OneWriter reports that the database runs one write transaction at
	// a time (SQLite), so that no other writer changes anything between
	// two statements of one: a redemption's move then tries the statement
	// most promotions need alone first (promotionredeem.go).
	OneWriter bool
}

// Upsert is one atomic insert-or-update of a row by its key: a single
// statement, so that concurrent writers of one key cannot both insert, and
// none reads before it writes.
type Upsert struct {
	// Table is the table written.
	Table string
	// Key are the columns of the table's primary or unique key.
	Key []string
	// Columns are every inserted column, Key included; the statement takes
	// one argument per column, in this order.
	Columns []string
	// Update are the columns set to the new values when the key exists.
	Update []string
	// Increment are columns increased by the values offered when the key
	// exists (OLD.column + NEW.column), such as a counter taking its next
	// value.
	Increment []string
	// UpdateIf, when set, guards the update: an existing row is updated
	// only when this condition holds, written with OLD.column for the
	// stored row and NEW.column for the values offered.
	UpdateIf string
	// Returning are columns of the written row the statement returns
	// (RETURNING or OUTPUT inserted.); no row when nothing was written.
	Returning []string
}

// Observe, when set, is told of every store transaction: what it was
// ("mark paid"), how long it took, and its error (telemetry's StoreCall).
type Observe func(op string, d time.Duration, err error)

// DB is a relational database: a pool for writes and one for reads (they may
// be the same pool), and its dialect.
type DB struct {
	write, read *sql.DB
	d           Dialect
	// Observe is told of every transaction; nil means no one listens.
	Observe Observe
	// Retry is how calls ride out transient failures; the zero Retry is
	// the default budget and backoff.
	Retry Retry
	// EventSource is the CloudEvents source of the events the stores
	// write; "" means events.DefaultSource.
	EventSource string
	// Now stamps the events the stores write; nil means time.Now.
	Now func() time.Time
	// Group, when set, runs each write transaction's fn in place of
	// BeginTx and Commit, returning only once fn's writes are committed
	// (nil) or undone (an error): the embedded SQLite store commits
	// concurrent transactions together (sqlite.Writer.Do). Nil: every
	// transaction is its own, on the write pool.
	Group func(ctx context.Context, what string, fn func(*sql.Tx) error) error
	// stmts caches prepared statements by pool and query: parsing SQL is
	// a large part of a short transaction's cost.
	stmts     sync.Map       // stmtKey -> *sql.Stmt
	preparing sync.Map       // stmtKey -> true while being prepared
	mu        sync.Mutex     // guards closed and bg.Add
	closed    bool           // Close was called: prepare no more
	bg        sync.WaitGroup // statements being prepared
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// New returns a DB on the given pools, whose tables the engine package
// has created.
func New(write, read *sql.DB, d Dialect) *DB {
	return &DB{write: write, read: read, d: d}
}

// tx runs fn in a write transaction, committing when it returns nil. what
// names the operation in errors and in the store-call metrics: a fixed
// phrase, never an id (every distinct value is a metric series). When
// the dialect says an error is transient (a deadlock victim, a failover),
// it runs the whole transaction again, within db.Retry's budget: fn must
// set its results afresh on each run. fn must make every query through tx,
// never through the pool: a transaction holding a connection while it
// waits for another stalls a pool that reads and writes share.
func (db *DB) tx(ctx context.Context, what string, fn func(*sql.Tx) error) (err error) {
	if db.Observe != nil {
		start := time.Now()
		defer func() { db.Observe("sqlstore."+what, time.Since(start), failure(err)) }()
	}
	err = db.again(ctx, func() error {
		if db.Group != nil {
			return db.Group(ctx, "sqlstore."+what, fn)
		}
		return db.tx1(ctx, fn)
	})
	var ce *commerce.Error
	if err == nil || errors.As(err, &ce) {
		return err
	}
	return fmt.Errorf("sqlstore: %s: %w", what, db.unavailable(ctx, err))
}

// again runs fn, and runs it again while it fails transiently (the
// dialect's Retryable: a deadlock victim, a failover), within db.Retry's
// budget. It returns fn's last error.
func (db *DB) again(ctx context.Context, fn func() error) error {
	return db.Retry.Do(ctx, db.d.Retryable, fn)
}

// unavailable marks an error still transient when the retry budget ran out,
// or a call that ctx's deadline cut short, as 503 "unavailable": the
// database is busy or moving, and the client may try again later (a queue
// message is abandoned, to be delivered again). Other errors are returned
// as they are.
func (db *DB) unavailable(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	transient := db.d.Retryable != nil && db.d.Retryable(err)
	late := errors.Is(err, context.DeadlineExceeded) || (errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(err, sql.ErrNoRows))
	if !transient && !late {
		return err
	}
	return fmt.Errorf("%w: %w", commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "the database is unavailable; try again"), err)
}

// failure returns err as a store-call metric counts it: a *commerce.Error
// is the store's answer (not found, out of stock, a lost race), not a
// failure, unless it says the database could not be used.
func failure(err error) error {
	var ce *commerce.Error
	if errors.As(err, &ce) && ce.Kind != commerce.KindUnavailable && ce.Kind != commerce.KindInternal {
		return nil
	}
	return err
}

func (db *DB) tx1(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// cached returns query, written with '?' placeholders, prepared on pool,
// or nil when it is not prepared yet. It then prepares it in the
// background: a caller inside a transaction on the write pool holds that
// pool's only SQLite connection, so it must not wait for one.
func (db *DB) cached(pool *sql.DB, query string) *sql.Stmt {
	key := stmtKey{pool, query}
	if st, ok := db.stmts.Load(key); ok {
		return st.(*sql.Stmt)
	}
	if _, busy := db.preparing.LoadOrStore(key, true); !busy {
		db.mu.Lock()
		defer db.mu.Unlock()
		if db.closed {
			return nil
		}
		db.bg.Add(1)
		go func() {
			defer db.bg.Done()
			defer db.preparing.Delete(key)
			if st, err := pool.Prepare(db.d.Rebind(query)); err == nil {
				db.stmts.Store(key, st)
			}
		}()
	}
	return nil
}

// Close waits for the statements being prepared and closes the prepared
// ones. Call it before closing the pools; the pools stay open.
func (db *DB) Close() error {
	db.mu.Lock()
	db.closed = true
	db.mu.Unlock()
	db.bg.Wait()
	var errs []error
	db.stmts.Range(func(k, st any) bool {
		if err := st.(*sql.Stmt).Close(); err != nil {
			errs = append(errs, err)
		}
		db.stmts.Delete(k)
		return true
	})
	return errors.Join(errs...)
}

// exec runs a query in tx and returns the number of rows it changed.
func (db *DB) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if st := db.cached(db.write, query); st != nil {
		res, err = tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	} else {
		res, err = tx.ExecContext(ctx, db.d.Rebind(query), args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// readRow runs a single-row query on the read pool. Its Scan runs the query
// again while it fails transiently, as a transaction would be run again.
func (db *DB) readRow(ctx context.Context, query string, args ...any) rowScanner {
	return retryRow{db, ctx, query, args}
}

// rowScanner is what a single-row query returns: *sql.Row, or retryRow.
type rowScanner interface {
	Scan(dest ...any) error
}

// retryRow is a single-row query on the read pool, run when scanned.
type retryRow struct {
	db    *DB
	ctx   context.Context
	query string
	args  []any
}

func (r retryRow) Scan(dest ...any) error {
	return r.db.unavailable(r.ctx, r.db.again(r.ctx, func() error {
		return r.db.queryRow(r.ctx, nil, r.query, r.args...).Scan(dest...)
	}))
}

// readRows runs a query, written for the dialect already, on the read pool,
// starting it again while it fails transiently to start.
func (db *DB) readRows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	var rows *sql.Rows
	err := db.again(ctx, func() error {
		var err error
		rows, err = db.read.QueryContext(ctx, query, args...)
		return err
	})
	return rows, db.unavailable(ctx, err)
}

// queryRow runs a single-row query in tx, or on the read pool when tx is nil.
func (db *DB) queryRow(ctx context.Context, tx *sql.Tx, query string, args ...any) *sql.Row {
	if tx == nil {
		if st := db.cached(db.read, query); st != nil {
			return st.QueryRowContext(ctx, args...)
		}
		return db.read.QueryRowContext(ctx, db.d.Rebind(query), args...)
	}
	if st := db.cached(db.write, query); st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, db.d.Rebind(query), args...)
}

// unix and fromUnix store times as Unix nanoseconds, the same on every dialect.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnix(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
