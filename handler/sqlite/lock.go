package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockFile is the file in a data directory that one process at a time
// holds an OS lock on.
const LockFile = "shopfn.lock"

// DirLock is an exclusive OS file lock on a data directory: the embedded
// queue's message locks and the checkout leases assume that one process
// owns the directory. The OS releases it when the process dies.
type DirLock struct{ f *os.File }

// ErrDirLocked is returned by LockDir when another process holds the lock.
var ErrDirLocked = errors.New("the data directory is in use by another shopfn process")

// LockDir takes the exclusive lock on dir without waiting: the process
// that holds it alone uses the directory. Its error names dir and, when
// another process holds the lock (exclusive or shared), wraps ErrDirLocked.
func LockDir(dir string) (*DirLock, error) {
	return lockDir(dir, syscall.LOCK_EX)
}

// ShareDir takes a shared lock on dir without waiting, for processes that
// use one SQLite file together (an api and a worker, SHOPFN_ROLE): any
// number of them may hold it, but not while a process holds the exclusive
// lock, nor may one take the exclusive lock while they do. Processes
// sharing a directory release none of each other's message locks or
// checkout leases; those expire by time.
func ShareDir(dir string) (*DirLock, error) {
	return lockDir(dir, syscall.LOCK_SH)
}

func lockDir(dir string, how int) (*DirLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lock data directory %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("sqlite: data directory %s: %w; stop it or set SHOPFN_DATA_DIR to another directory", dir, ErrDirLocked)
		}
		return nil, fmt.Errorf("sqlite: lock data directory %s: %w", dir, err)
	}
	return &DirLock{f: f}, nil
}

// Unlock releases the lock.
func (l *DirLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the last descriptor releases a flock
	l.f = nil
	return err
}
