package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"shopfn/handler/sqlite"
)

// TestMigrateOnlyUnstamped checks that opening a file its schema stamp
// says is current runs no migration (a start reads one pragma, not a
// statement per table), and that a file with another stamp, as one made
// by an earlier schema has, is migrated again.
func TestMigrateOnlyUnstamped(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shopfn.db")
	open := func() *sqlite.DB {
		t.Helper()
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	hasIndex := func(db *sqlite.DB) bool {
		t.Helper()
		var n int
		if err := db.Read.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'products_status_category'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	stamp := func(db *sqlite.DB) int64 {
		t.Helper()
		var v int64
		if err := db.Read.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}

	db := open()
	want := stamp(db)
	if want == 0 {
		t.Fatalf("a new file has no schema stamp")
	}
	// Something migrate would create: gone, it shows whether migrate ran.
	if _, err := db.Write.ExecContext(ctx, `DROP INDEX products_status_category`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open()
	if hasIndex(db) {
		t.Errorf("reopening a stamped file migrated it: the dropped index is back")
	}
	if _, err := db.Write.ExecContext(ctx, `PRAGMA user_version = 0`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = open()
	defer db.Close()
	if !hasIndex(db) {
		t.Errorf("reopening a file without the stamp did not migrate it: the index is missing")
	}
	if got := stamp(db); got != want {
		t.Errorf("stamp after migrating: got %d, want %d", got, want)
	}
}
