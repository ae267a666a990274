// Package sqlstore is shopfn's relational store (inventory now; orders,
// reservations, checkouts and the outbox with the money path), written once on
// database/sql. The embedded SQLite file and Azure SQL run the same code; what
// differs between them is confined to a Dialect.
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
// driver and creates no tables.
type Dialect struct {
	// Name names the dialect in errors and logs.
	Name string
	// Rebind rewrites a query written with '?' placeholders into the
	// database's own placeholder syntax.
	Rebind func(query string) string
	// IsUnique reports whether err is a unique-constraint violation.
	IsUnique func(err error) bool
}

// DB is a relational database: a pool for writes and one for reads (they may
// be the same pool), and its dialect.
type DB struct {
	write, read *sql.DB
	d           Dialect
	// stmts caches prepared statements by pool and query: parsing SQL is
	// a large part of a short transaction's cost.
	stmts     sync.Map // stmtKey -> *sql.Stmt
	preparing sync.Map // stmtKey -> true while being prepared
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

// tx runs fn in a write transaction, committing when it returns nil.
func (db *DB) tx(ctx context.Context, what string, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		var ce *commerce.Error
		if errors.As(err, &ce) {
			return err
		}
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return nil
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
		go func() {
			defer db.preparing.Delete(key)
			if st, err := pool.Prepare(db.d.Rebind(query)); err == nil {
				db.stmts.Store(key, st)
			}
		}()
	}
	return nil
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
