package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"shopfn/handler/keyvault"
)

// cursorKeyFile is the file of the data directory that keeps the cursor key
// of a standalone shopfn: 32 random bytes in hex, readable by its owner only.
const cursorKeyFile = "cursor.key"

// sharedCursorKey says that the instances serving one catalog may share no
// data directory, so the cursor key must come from SHOPFN_CURSOR_KEY (or
// the vault): on Azure, whose instances each have their own, and wherever
// no embedded store keeps one (Cosmos DB, Azure SQL and Service Bus, as the
// api and worker Deployments on AKS run).
func (cfg Config) sharedCursorKey() bool {
	return cfg.OnAzure || !cfg.usesSQLite()
}

// cursorKey returns the key that signs listing cursors, never derived from
// another secret: SHOPFN_CURSOR_KEY; else the vault's shopfn-cursor-key;
// else the one kept in the data directory, made at the first start; else
// (no data directory, a Config LoadConfig refuses) nil, which makes the API
// use a random key for this process.
func (m *Main) cursorKey(secrets *keyvault.Secrets) ([]byte, error) {
	if m.Config.CursorKey != "" {
		return []byte(m.Config.CursorKey), nil
	}
	if secrets != nil {
		if v := secrets.Value(keyvault.CursorKey); v != "" {
			return []byte(v), nil
		}
	}
	if m.db == nil {
		return nil, nil
	}
	return loadCursorKey(m.Config.DataDir)
}

// loadCursorKey returns the key kept in dir, creating it when there is none.
// The file appears whole or not at all: it is written and synced under a
// temporary name (mode 0600) and linked into place, so that two processes
// starting at once on one directory (an api and a worker) end up with the
// same key, the first one linked.
func loadCursorKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, cursorKeyFile)
	key, err := readCursorKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	b := make([]byte, 32)
	rand.Read(b)
	tmp, err := os.CreateTemp(dir, "."+cursorKeyFile+"-*")
	if err != nil {
		return nil, fmt.Errorf("cursor key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(b) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("cursor key: create %s: %w", path, err)
	}
	return readCursorKey(path)
}

// readCursorKey reads a key file made by loadCursorKey, refusing one that
// others may read or that is not 32 bytes in hex.
func readCursorKey(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cursor key: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cursor key: %w", err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("cursor key: %s has mode %v: others may read it; chmod 600 it, or delete it to make a new one", path, fi.Mode().Perm())
	}
	data := make([]byte, 200)
	n, _ := f.Read(data)
	key, err := hex.DecodeString(strings.TrimSpace(string(data[:n])))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("cursor key: %s does not hold 32 bytes in hex; delete it to make a new one (the listing cursors given out so far stop working)", path)
	}
	return key, nil
}
