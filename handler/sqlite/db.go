// Package sqlite is shopfn's embedded store: the catalog and carts as JSON
// documents in one SQLite file (modernc.org/sqlite, pure Go, WAL mode).
//
// The relational tables (inventory, and later orders) live in the same file
// but are written by package sqlstore, whose code also runs on Azure SQL.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// DB is an open SQLite file with two connection pools: Write has a single
// connection, so writers queue in Go instead of failing with SQLITE_BUSY, and
// Read has several, which WAL mode lets read while the writer writes.
type DB struct {
	Write *sql.DB
	Read  *sql.DB

	path string
	file os.FileInfo // the file as opened, to notice it being removed or replaced
}

// Open opens (creating if needed, readable by its owner only) the SQLite
// file at path and creates the document tables.
func Open(ctx context.Context, path string) (*DB, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	info, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	dsn := func(txlock string) string {
		q := url.Values{}
		for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(1)"} {
			q.Add("_pragma", p)
		}
		q.Set("_txlock", txlock)
		return "file:" + path + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn("immediate"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn("deferred"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db := &DB{Write: w, Read: r, path: path, file: info}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Check reports whether the file can still take writes: it is still at its
// path (its directory was not removed, it was not replaced) and its
// directory is writable. SQLite would otherwise keep writing to an unlinked
// file, and every write would be lost at the next start.
//
// A nil DB (no embedded store in this deployment) is always healthy.
func (db *DB) Check() error {
	if db == nil {
		return nil
	}
	info, err := os.Stat(db.path)
	if err != nil {
		return fmt.Errorf("sqlite: %s: %w", db.path, err)
	}
	if !os.SameFile(info, db.file) {
		return fmt.Errorf("sqlite: %s was replaced while open", db.path)
	}
	if err := syscall.Access(filepath.Dir(db.path), 2 /* W_OK */); err != nil {
		return fmt.Errorf("sqlite: %s is not writable: %w", filepath.Dir(db.path), err)
	}
	return nil
}

// Close closes both pools. A clean close checkpoints the WAL into the file.
func (db *DB) Close() error {
	rerr := db.Read.Close()
	if err := db.Write.Close(); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	if rerr != nil {
		return fmt.Errorf("sqlite: close: %w", rerr)
	}
	return nil
}

var schema = []string{
	`CREATE TABLE IF NOT EXISTS products (
		id       TEXT PRIMARY KEY,
		handle   TEXT NOT NULL UNIQUE,
		category TEXT NOT NULL,
		status   TEXT NOT NULL,
		search   TEXT NOT NULL,
		version  INTEGER NOT NULL,
		doc      TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS products_status_category ON products (status, category, id)`,
	`CREATE TABLE IF NOT EXISTS variants (
		sku        TEXT PRIMARY KEY,
		product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE
	)`,
	`CREATE INDEX IF NOT EXISTS variants_product ON variants (product_id)`,
	`CREATE TABLE IF NOT EXISTS carts (
		id         TEXT PRIMARY KEY,
		version    INTEGER NOT NULL,
		expires_at INTEGER NOT NULL,
		doc        TEXT NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS carts_expires_at ON carts (expires_at)`,
	// The embedded queue (queue.go). Times are Unix nanoseconds. visible_at
	// is when a message is next due: its scheduled time, or its lock expiry.
	`CREATE TABLE IF NOT EXISTS queue_messages (
		seq            INTEGER PRIMARY KEY AUTOINCREMENT,
		queue          TEXT NOT NULL,
		message_id     TEXT NOT NULL,
		type           TEXT NOT NULL,
		body           BLOB,
		attributes     TEXT,
		enqueued_at    INTEGER NOT NULL,
		scheduled_at   INTEGER,
		visible_at     INTEGER NOT NULL,
		delivery_count INTEGER NOT NULL DEFAULT 0,
		lock_token     TEXT
	)`,
	`CREATE INDEX IF NOT EXISTS queue_messages_due ON queue_messages (queue, visible_at, seq)`,
	`CREATE UNIQUE INDEX IF NOT EXISTS queue_messages_lock ON queue_messages (lock_token)`,
	`CREATE TABLE IF NOT EXISTS queue_deadletters (
		seq              INTEGER PRIMARY KEY AUTOINCREMENT,
		queue            TEXT NOT NULL,
		message_id       TEXT NOT NULL,
		type             TEXT NOT NULL,
		body             BLOB,
		attributes       TEXT,
		delivery_count   INTEGER NOT NULL,
		reason           TEXT NOT NULL,
		enqueued_at      INTEGER NOT NULL,
		dead_lettered_at INTEGER NOT NULL
	)`,
	`CREATE INDEX IF NOT EXISTS queue_deadletters_queue ON queue_deadletters (queue, seq)`,
	`CREATE TABLE IF NOT EXISTS queue_dedup (
		queue       TEXT NOT NULL,
		message_id  TEXT NOT NULL,
		accepted_at INTEGER NOT NULL,
		PRIMARY KEY (queue, message_id)
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS queue_dedup_accepted ON queue_dedup (accepted_at)`,
}

// addedColumns are columns added to tables after their first release: a
// file made before gets them at open.
var addedColumns = []struct{ table, column, decl string }{
	{"queue_messages", "attributes", "TEXT"},
	{"queue_deadletters", "attributes", "TEXT"},
	// The relational tables are created by sqlstore after Open; a file made
	// before committed stock and fulfilment gets their columns here.
	{"inventory", "committed", "INTEGER NOT NULL DEFAULT 0 CHECK (committed >= 0)"},
	{"orders", "fulfilled_at", "INTEGER NOT NULL DEFAULT 0"},
}

func (db *DB) migrate(ctx context.Context) error {
	for _, stmt := range schema {
		if _, err := db.Write.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
	for _, c := range addedColumns {
		if err := addColumn(ctx, db.Write, c.table, c.column, c.decl); err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
	return nil
}

// addColumn adds a column to a table unless the table has it or does not
// exist yet (then its CREATE TABLE has the column).
func addColumn(ctx context.Context, db *sql.DB, table, column, decl string) error {
	var cols, n int
	if err := db.QueryRowContext(ctx, `SELECT count(*), count(CASE WHEN name = ? THEN 1 END) FROM pragma_table_info(?)`, column, table).Scan(&cols, &n); err != nil {
		return fmt.Errorf("%s.%s: %w", table, column, err)
	}
	if cols == 0 || n > 0 {
		return nil
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE `+table+` ADD COLUMN `+column+` `+decl); err != nil {
		return fmt.Errorf("%s.%s: %w", table, column, err)
	}
	return nil
}

// etag formats a row version as an HTTP entity tag.
func etag(version int64) string { return fmt.Sprintf(`"%d"`, version) }
