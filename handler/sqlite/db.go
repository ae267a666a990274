// Package sqlite is shopfn's embedded store: the catalog and carts as JSON
// documents in one SQLite file (modernc.org/sqlite, pure Go, WAL mode), and
// the embedded queue.
//
// The relational tables (inventory, checkouts, reservations, orders, the
// outbox) live in the same file. This package creates them and defines the
// SQLite Dialect; package sqlstore, whose code also runs on Azure SQL,
// writes them.
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	msqlite "modernc.org/sqlite" // also registers the "sqlite" database/sql driver
)

// DB is an open SQLite file with two connection pools: Write has a single
// connection, so writers queue in Go instead of failing with SQLITE_BUSY, and
// Read has several, which WAL mode lets read while the writer writes.
//
// The writer does not checkpoint the WAL into the file itself: that copies
// pages and waits for fsync while holding the only write connection, and
// under load took a quarter of its time. A goroutine checkpoints instead,
// beside the writer, every CheckpointEvery (PASSIVE: it never blocks readers
// or the writer). Should it fall behind, the writer still checkpoints once
// the WAL reaches writerCheckpointPages.
type DB struct {
	Write *sql.DB
	Read  *sql.DB
	// Writer commits concurrent write transactions on Write together.
	Writer *Writer

	path      string
	file      os.FileInfo
	exclusive bool // Options.Exclusive // the file as opened, to notice it being removed or replaced

	stop chan struct{} // closed by Close to stop the checkpointer
	done chan struct{} // closed when the checkpointer has stopped
}

// CheckpointEvery is how often the WAL is checkpointed into the file.
const CheckpointEvery = 200 * time.Millisecond

// writerCheckpointPages is the WAL size, in pages, at which a commit
// checkpoints in the writer (SQLite's default is 1,000 pages): a backstop
// for a checkpointer that cannot keep up.
const writerCheckpointPages = 8000

// Options are the optional settings of OpenWith.
type Options struct {
	// Hold, when set, is told how long each caller holds the writer
	// (benchmarks set it; nil costs nothing).
	Hold *WriterHold
	// Exclusive says no other process opens the file while this DB is
	// open (the process holds the data directory's exclusive lock,
	// LockDir), so that rows this process wrote may be kept in memory:
	// CartStore then keeps recent carts (cartCache).
	Exclusive bool
}

// Open opens (creating if needed, readable by its owner only) the SQLite
// file at path and creates the document, queue and relational tables.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*DB, error) {
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
		for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(10000)", "foreign_keys(1)",
			fmt.Sprintf("wal_autocheckpoint(%d)", writerCheckpointPages)} {
			q.Add("_pragma", p)
		}
		if txlock == "immediate" {
			// The writer's group commit runs each member in a savepoint,
			// whose sub-journal keeps the pages it changes: in memory,
			// instead of spilling to a temporary file past 64 KiB, a
			// write(2) a page for every member of every batch.
			q.Add("_pragma", "temp_store(MEMORY)")
		}
		q.Set("_txlock", txlock)
		return "file:" + path + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn("immediate"))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if opts.Hold != nil {
		w.Close()
		c, err := msqlite.NewConnector(dsn("immediate"))
		if err != nil {
			return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
		}
		w = sql.OpenDB(holdConnector{Connector: c, h: opts.Hold})
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
	db := &DB{Write: w, Read: r, path: path, file: info, exclusive: opts.Exclusive, stop: make(chan struct{}), done: make(chan struct{})}
	if err := db.migrate(ctx); err != nil {
		close(db.done)
		db.Close()
		return nil, err
	}
	if db.Writer, err = newWriter(ctx, w, opts.Hold); err != nil {
		close(db.done)
		db.Close()
		return nil, err
	}
	go db.checkpoints()
	return db, nil
}

// checkpoints checkpoints the WAL every CheckpointEvery until Close.
func (db *DB) checkpoints() {
	defer close(db.done)
	t := time.NewTicker(CheckpointEvery)
	defer t.Stop()
	for {
		select {
		case <-db.stop:
			return
		case <-t.C:
			// A failure (the file gone, a full disk) shows in Check and
			// in the writes themselves; the next tick tries again.
			_ = db.Checkpoint(context.Background())
		}
	}
}

// Checkpoint copies what the WAL holds into the database file, as far as
// readers let it, without blocking readers or the writer.
func (db *DB) Checkpoint(ctx context.Context) error {
	var busy, frames, copied int
	if err := db.Read.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	return nil
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

// Close stops the checkpointer and closes both pools. A clean close
// checkpoints the WAL into the file.
func (db *DB) Close() error {
	select {
	case <-db.stop:
	default:
		close(db.stop)
	}
	<-db.done
	if db.Writer != nil {
		db.Writer.close()
	}
	rerr := db.Read.Close()
	if err := db.Write.Close(); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	if rerr != nil {
		return fmt.Errorf("sqlite: close: %w", rerr)
	}
	return nil
}

// migrate creates the tables and columns a file lacks and indexes products
// made before the listing's indexes, unless the file's stamp says it has
// this schema already (schemaStamp).
func (db *DB) migrate(ctx context.Context) error {
	want := schemaStamp()
	var have int64
	if err := db.Write.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&have); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if have == want {
		return nil // made or migrated by this schema: nothing to do
	}
	for _, stmt := range append(documentSchema, relationalSchema...) {
		if _, err := db.Write.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
	for _, c := range addedColumns {
		if err := addColumn(ctx, db.Write, c.table, c.column, c.decl); err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
	if err := migrateLocations(ctx, db.Write); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if err := reindexProducts(ctx, db.Write); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if _, err := db.Write.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, want)); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// migrationSteps names the steps of migrate beyond the statements of the
// schema lists; add a step's name here when adding a step, so that files
// stamped before it run it.
var migrationSteps = []string{"addColumn", "migrateLocations", "reindexProducts"}

// schemaStamp is the file's schema version that migrate writes to PRAGMA
// user_version once every step succeeded: a hash of every statement and
// step, so that any change to them migrates files stamped before it. A
// file stamped with it skips migrate, which otherwise takes about a tenth
// of the start-up time (a statement each, parsed on a cold connection).
// It is positive, and 0 is a file never stamped.
func schemaStamp() int64 {
	h := fnv.New32a()
	for _, list := range [][]string{documentSchema, relationalSchema, locationSchema, migrationSteps} {
		for _, s := range list {
			h.Write([]byte(s))
			h.Write([]byte{0})
		}
	}
	for _, c := range addedColumns {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", c.table, c.column, c.decl)
	}
	return int64(h.Sum32()&0x7fffffff) | 1
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
