package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
)

// usesSQLite says whether any port of this configuration lives in the
// embedded SQLite file of DataDir: the relational store, the documents,
// the embedded queue, or the test payment provider's tables. Without any,
// the data directory is never touched (read-only root file systems on AKS,
// the read-only package folder on Flex Consumption).
func (cfg Config) usesSQLite() bool {
	return cfg.SQL != "sqlserver" || cfg.Documents != "cosmos" || cfg.Queue != "servicebus" || cfg.Payments == "test"
}

// openEmbedded creates the data directory, locks it and opens its SQLite
// file. A process that owns its data (SHOPFN_ROLE=all) takes the exclusive
// lock; an api and a worker sharing one file take shared locks, which keep
// an all-in-one process out while they run, and it them.
func (m *Main) openEmbedded(ctx context.Context, owns bool) error {
	dir := m.Config.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	lock := sqlite.ShareDir
	if owns {
		lock = sqlite.LockDir
	}
	var err error
	if m.lock, err = lock(dir); err != nil {
		return err
	}
	m.db, err = sqlite.OpenWith(ctx, filepath.Join(dir, "shopfn.db"), sqlite.Options{Hold: m.WriterHold, Exclusive: owns})
	return err
}

// sweepCarts deletes expired carts every ten minutes. Reads already treat an
// expired cart as gone; this reclaims the space.
func (m *Main) sweepCarts(ctx context.Context, carts commerce.CartStore) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := carts.DeleteExpiredCarts(ctx, m.Now()); err != nil {
				m.Logger.Warn("sweep expired carts", "err", err)
			} else if n > 0 {
				m.Logger.Info("swept expired carts", "count", n)
			}
		}
	}
}
