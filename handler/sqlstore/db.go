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
	"strings"
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// Dialect is what differs between the SQL databases shopfn runs on.
type Dialect struct {
	// Name names the dialect in errors and logs.
	Name string
	// Rebind rewrites a query written with '?' placeholders into the
	// database's own placeholder syntax.
	Rebind func(query string) string
	// Schema creates the relational tables if they do not exist.
	Schema []string
	// IsUnique reports whether err is a unique-constraint violation.
	IsUnique func(err error) bool
}

// SQLite is the dialect of the embedded store.
var SQLite = Dialect{
	Name:   "sqlite",
	Rebind: func(q string) string { return q },
	IsUnique: func(err error) bool {
		return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
	},
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS inventory (
			sku        TEXT PRIMARY KEY,
			on_hand    INTEGER NOT NULL CHECK (on_hand >= 0),
			reserved   INTEGER NOT NULL CHECK (reserved >= 0),
			committed  INTEGER NOT NULL DEFAULT 0 CHECK (committed >= 0),
			updated_at INTEGER NOT NULL
		)`,
		`CREATE TABLE IF NOT EXISTS stock_sources (
			sku      TEXT NOT NULL,
			source   TEXT NOT NULL,
			sequence INTEGER NOT NULL,
			PRIMARY KEY (sku, source)
		)`,
		`CREATE TABLE IF NOT EXISTS checkouts (
			id              TEXT PRIMARY KEY,
			idempotency_key TEXT NOT NULL UNIQUE,
			order_id        TEXT NOT NULL UNIQUE,
			status          TEXT NOT NULL,
			payment_id      TEXT NOT NULL,
			next_action     TEXT NOT NULL,
			lease_until     INTEGER NOT NULL,
			response_status INTEGER NOT NULL,
			response_body   BLOB,
			reserved_until  INTEGER NOT NULL,
			created_at      INTEGER NOT NULL,
			updated_at      INTEGER NOT NULL,
			doc             TEXT NOT NULL
		)`,
		`CREATE INDEX IF NOT EXISTS checkouts_status ON checkouts (status, reserved_until)`,
		`CREATE TABLE IF NOT EXISTS reservations (
			checkout_id TEXT NOT NULL,
			sku         TEXT NOT NULL,
			quantity    INTEGER NOT NULL,
			status      TEXT NOT NULL,
			PRIMARY KEY (checkout_id, sku)
		)`,
		`CREATE TABLE IF NOT EXISTS outbox (
			seq          INTEGER PRIMARY KEY AUTOINCREMENT,
			queue        TEXT NOT NULL,
			message_id   TEXT NOT NULL,
			type         TEXT NOT NULL,
			body         BLOB NOT NULL,
			scheduled_at INTEGER NOT NULL
		)`,
		`CREATE TABLE IF NOT EXISTS orders (
			id           TEXT PRIMARY KEY,
			checkout_id  TEXT NOT NULL UNIQUE,
			status       TEXT NOT NULL,
			restocked    INTEGER NOT NULL,
			created_at   INTEGER NOT NULL,
			cancelled_at INTEGER NOT NULL,
			fulfilled_at INTEGER NOT NULL DEFAULT 0,
			doc          TEXT NOT NULL
		)`,
		`CREATE INDEX IF NOT EXISTS orders_status ON orders (status, id)`,
	},
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

// New returns a DB on the given pools, creating the tables if needed.
func New(ctx context.Context, write, read *sql.DB, d Dialect) (*DB, error) {
	for _, stmt := range d.Schema {
		if _, err := write.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("sqlstore: %s schema: %w", d.Name, err)
		}
	}
	return &DB{write: write, read: read, d: d}, nil
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
