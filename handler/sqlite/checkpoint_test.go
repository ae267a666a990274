package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBackgroundCheckpoint checks that what the writer commits reaches the
// database file without the writer checkpointing: the writer only does so
// past writerCheckpointPages, far more than this test writes, so the file
// grows only if the checkpointer runs.
func TestBackgroundCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shopfn.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func() int64 {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return info.Size()
	}
	before := size()
	if _, err := db.Write.ExecContext(ctx, `CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	blob := []byte(strings.Repeat("x", 64<<10))
	for range 32 { // 2 MiB: about 500 pages, well under writerCheckpointPages
		if _, err := db.Write.ExecContext(ctx, `INSERT INTO filler (b) VALUES (?)`, blob); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * CheckpointEvery)
	for size() < before+2<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("database file is %d bytes %v after 2 MiB were committed (it was %d): the WAL was not checkpointed", size(), 20*CheckpointEvery, before)
		}
		time.Sleep(CheckpointEvery / 4)
	}
}

// TestCloseStopsCheckpointer checks that Close returns, with the
// checkpointer stopped, and that a second Close does not hang or panic.
func TestCloseStopsCheckpointer(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "shopfn.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-db.done:
	default:
		t.Fatal("checkpointer still running after Close")
	}
	db.Close()
}
