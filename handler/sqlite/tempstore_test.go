package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"shopfn/handler/sqlite"
)

// TestWriterTempStoreMemory checks that the writer connection keeps its
// temporary files, the group commit's savepoint sub-journals among them,
// in memory (temp_store 2), so that a batch's sub-journal never spills to
// a file one write(2) a page; the read pool keeps SQLite's default (0), so
// a large sort on a read connection may still use a file.
func TestWriterTempStoreMemory(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "shopfn.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got int
	if err := db.Write.QueryRow(`PRAGMA temp_store`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != 2 {
		t.Errorf("writer temp_store: got %d, want 2 (MEMORY)", got)
	}
	if err := db.Read.QueryRow(`PRAGMA temp_store`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != 0 {
		t.Errorf("read pool temp_store: got %d, want 0 (the default)", got)
	}
}
