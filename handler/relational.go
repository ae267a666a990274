package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"shopfn/handler/sqlite"
	"shopfn/handler/sqlserver"
	"shopfn/handler/sqlstore"
)

// openRelational opens the relational store SHOPFN_SQL names: the embedded
// SQLite file m.db, or SQL Server at SQLSERVER_DSN, whose schema it first
// brings up to date (safe with many instances starting at once).
func (m *Main) openRelational(ctx context.Context) (*sqlstore.DB, error) {
	switch m.Config.SQL {
	case "sqlserver":
		pool := m.Config.SQLServerPool
		db, err := sqlserver.Open(ctx, m.Config.SQLServerDSN, pool)
		if err != nil {
			return nil, err
		}
		m.sqlDB = db
		m.depend("sqlserver", db.PingContext)
		applied, err := migrateWithin(ctx, db, pool)
		if err != nil {
			return nil, err
		}
		if len(applied) > 0 {
			m.Logger.Info("applied SQL Server migrations", "migrations", applied)
		}
		// Reads and writes share this one pool: no store call may hold a
		// connection while it waits for another (sqlstore.DB.tx).
		return sqlstore.New(db, db, sqlserver.Dialect), nil
	default:
		db := sqlstore.New(m.db.Write, m.db.Read, sqlite.Dialect)
		db.Group = m.db.Writer.Do
		return db, nil
	}
}

// migrate is `handler migrate`: it applies the SQL Server migrations and
// exits, for a deployment step that runs before the new code starts.
func migrate(ctx context.Context, cfg Config, out io.Writer) error {
	if cfg.SQL != "sqlserver" {
		return fmt.Errorf("SHOPFN_SQL is %q: migrate applies to SHOPFN_SQL=sqlserver (SQLite creates its tables at start)", cfg.SQL)
	}
	db, err := sqlserver.Open(ctx, cfg.SQLServerDSN, cfg.SQLServerPool)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := migrateWithin(ctx, db, cfg.SQLServerPool)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(out, "shopfn migrate: the schema is up to date")
	}
	for _, name := range applied {
		fmt.Fprintln(out, "shopfn migrate: applied", name)
	}
	return nil
}

// migrateWithin applies the migrations, running them again after a
// transient failure (a failover: they are one transaction) within the
// pool's start-up budget.
func migrateWithin(ctx context.Context, db *sql.DB, pool sqlserver.Pool) ([]string, error) {
	var applied []string
	err := pool.Wait(ctx, sqlserver.Retryable, func(ctx context.Context) (err error) {
		applied, err = sqlserver.Migrate(ctx, db)
		return err
	})
	return applied, err
}
