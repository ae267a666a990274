package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoadCursorKey(t *testing.T) {
	t.Run("MadeOnceKept", func(t *testing.T) {
		dir := t.TempDir()
		key, err := loadCursorKey(dir)
		if err != nil || len(key) != 32 {
			t.Fatalf("got %x, %v; want 32 bytes", key, err)
		}
		again, err := loadCursorKey(dir)
		if err != nil || !bytes.Equal(again, key) {
			t.Errorf("second load: got %x, %v; want the same key", again, err)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 || entries[0].Name() != cursorKeyFile {
			t.Errorf("data dir holds %v, want only %s (no temporary file left)", entries, cursorKeyFile)
		}
		if other, _ := loadCursorKey(t.TempDir()); bytes.Equal(other, key) {
			t.Errorf("two data directories got the same key")
		}
	})

	t.Run("ConcurrentStarts", func(t *testing.T) {
		dir := t.TempDir()
		keys := make([][]byte, 8)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Go(func() {
				k, err := loadCursorKey(dir)
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			})
		}
		wg.Wait()
		for i, k := range keys {
			if !bytes.Equal(k, keys[0]) {
				t.Errorf("start %d got key %x, start 0 %x; want one key", i, k, keys[0])
			}
		}
	})

	for _, tt := range []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"ReadableByOthers", strings.Repeat("ab", 32) + "\n", 0o644, "chmod 600"},
		{"NotHex", "not a key\n", 0o600, "delete it"},
		{"Short", "abcd\n", 0o600, "delete it"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, cursorKeyFile)
			if err := os.WriteFile(path, []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			os.Chmod(path, tt.mode) // past the umask
			if _, err := loadCursorKey(dir); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
