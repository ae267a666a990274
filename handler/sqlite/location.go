package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// locationSchema holds the stock locations (package sqlstore, location.go).
// The default location's levels are the inventory table's rows, as they
// were before locations: they become its levels where they are, so nothing
// moves and nothing a client does changes meaning. Other locations' levels
// are rows of location_stock. It is applied in one transaction.
var locationSchema = []string{
	`CREATE TABLE IF NOT EXISTS locations (
		id         TEXT PRIMARY KEY,
		name       TEXT NOT NULL,
		priority   INTEGER NOT NULL,
		countries  TEXT NOT NULL,
		status     TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
		updated_at INTEGER NOT NULL
	)`,
	`INSERT INTO locations (id, name, priority, countries, status, updated_at)
		SELECT 'default', 'Default', 0, '', 'active', 0 WHERE NOT EXISTS (SELECT 1 FROM locations WHERE id = 'default')`,
	`CREATE TABLE IF NOT EXISTS location_stock (
		sku         TEXT NOT NULL,
		location_id TEXT NOT NULL,
		on_hand     INTEGER NOT NULL CHECK (on_hand >= 0),
		reserved    INTEGER NOT NULL CHECK (reserved >= 0),
		committed   INTEGER NOT NULL CHECK (committed >= 0),
		updated_at  INTEGER NOT NULL,
		PRIMARY KEY (sku, location_id)
	)`,
	`CREATE TABLE IF NOT EXISTS location_sources (
		sku         TEXT NOT NULL,
		location_id TEXT NOT NULL,
		source      TEXT NOT NULL,
		sequence    INTEGER NOT NULL,
		PRIMARY KEY (sku, location_id, source)
	)`,
	// A checkout's units of a SKU at locations other than the default;
	// the reservation's elsewhere column counts them, and the rest of the
	// line is at the default location, as before locations.
	`CREATE TABLE IF NOT EXISTS allocations (
		checkout_id TEXT NOT NULL,
		sku         TEXT NOT NULL,
		location_id TEXT NOT NULL,
		quantity    INTEGER NOT NULL,
		status      TEXT NOT NULL,
		PRIMARY KEY (checkout_id, sku, location_id)
	)`,
	// Moves of an order's unshipped units between locations; idem_key is
	// the request's Idempotency-Key, or the move's ID without one.
	`CREATE TABLE IF NOT EXISTS allocation_moves (
		id            TEXT PRIMARY KEY,
		order_id      TEXT NOT NULL,
		idem_key      TEXT NOT NULL,
		request_hash  TEXT NOT NULL,
		sku           TEXT NOT NULL,
		from_location TEXT NOT NULL,
		to_location   TEXT NOT NULL,
		quantity      INTEGER NOT NULL,
		created_at    INTEGER NOT NULL,
		UNIQUE (order_id, idem_key)
	)`,
}

// migrateLocations applies locationSchema in one transaction: a file is
// either without locations or has all of them with the default one.
func migrateLocations(ctx context.Context, db *sql.DB) error {
	if err := addColumn(ctx, db, "reservations", "elsewhere", "INTEGER NOT NULL DEFAULT 0"); err != nil {
		return fmt.Errorf("locations: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("locations: %w", err)
	}
	defer tx.Rollback()
	for _, stmt := range locationSchema {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("locations: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("locations: %w", err)
	}
	return nil
}
