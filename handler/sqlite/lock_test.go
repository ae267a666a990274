package sqlite

import (
	"errors"
	"testing"
)

// TestDirLocks checks how the exclusive and shared data-directory locks
// exclude each other: flock locks belong to an open file, so two locks
// taken in one test behave as two processes' would.
func TestDirLocks(t *testing.T) {
	dir := t.TempDir()
	shared1, err := ShareDir(dir)
	if err != nil {
		t.Fatalf("first shared lock: %v", err)
	}
	shared2, err := ShareDir(dir)
	if err != nil {
		t.Fatalf("second shared lock beside the first: %v, want none (an api and a worker share the directory)", err)
	}
	if l, err := LockDir(dir); !errors.Is(err, ErrDirLocked) {
		l.Unlock()
		t.Fatalf("exclusive lock while shared locks are held: got %v, want ErrDirLocked", err)
	}
	if err := errors.Join(shared1.Unlock(), shared2.Unlock()); err != nil {
		t.Fatal(err)
	}
	excl, err := LockDir(dir)
	if err != nil {
		t.Fatalf("exclusive lock once the shared ones are gone: %v", err)
	}
	defer excl.Unlock()
	if l, err := ShareDir(dir); !errors.Is(err, ErrDirLocked) {
		l.Unlock()
		t.Fatalf("shared lock while the exclusive lock is held: got %v, want ErrDirLocked", err)
	}
	if l, err := LockDir(dir); !errors.Is(err, ErrDirLocked) {
		l.Unlock()
		t.Fatalf("second exclusive lock: got %v, want ErrDirLocked", err)
	}
}
