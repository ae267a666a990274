// Package sqlstore is shopfn's relational store (inventory now; orders,
// reservations, checkouts and the outbox with the money path), written once on
// database/sql. The embedded SQLite file and Azure SQL run the same code; what
// differs between them is confined to a Dialect.
package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// Dialect is what differs between the SQL databases shopfn runs on.
type Dialect struct {
	// Name names the dialect in errors and logs.
	Name string
	// Rebind rewrites a query written with '?' placeholders into the
	// database's own placeholder syntax.
	Rebind func(query string) string
	// Schema creates the relational tables if they do not exist.
	Schema []string
}

// SQLite is the dialect of the embedded store.
var SQLite = Dialect{
	Name:   "sqlite",
	Rebind: func(q string) string { return q },
	Schema: []string{
		`CREATE TABLE IF NOT EXISTS inventory (
			sku        TEXT PRIMARY KEY,
			on_hand    INTEGER NOT NULL CHECK (on_hand >= 0),
			reserved   INTEGER NOT NULL CHECK (reserved >= 0),
			updated_at INTEGER NOT NULL
		)`,
	},
}

// DB is a relational database: a pool for writes and one for reads (they may
// be the same pool), and its dialect.
type DB struct {
	write, read *sql.DB
	d           Dialect
}

// New returns a DB on the given pools, creating the tables if needed.
func New(ctx context.Context, write, read *sql.DB, d Dialect) (*DB, error) {
	for _, stmt := range d.Schema {
		if _, err := write.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("sqlstore: %s schema: %w", d.Name, err)
		}
	}
	return &DB{write: write, read: read, d: d}, nil
}
