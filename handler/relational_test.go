package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// `handler migrate` applies to SQL Server only; on SQLite it says why.
func TestMigrateRefusesSQLite(t *testing.T) {
	var out bytes.Buffer
	err := migrate(context.Background(), Config{SQL: "sqlite"}, &out)
	if err == nil || !strings.Contains(err.Error(), "SHOPFN_SQL=sqlserver") {
		t.Errorf("migrate with SHOPFN_SQL=sqlite: got %v, want an error naming SHOPFN_SQL=sqlserver", err)
	}
}

// With SHOPFN_SQL=sqlserver and no server answering, the start fails with
// an error that says so, and Close still releases what was opened.
func TestRunSQLServerUnreachable(t *testing.T) {
	cfg := NewTestConfig(t, false)
	cfg.SQL, cfg.SQLServerDSN = "sqlserver", "sqlserver://sa:pw@127.0.0.1:1?database=shopfn&dial+timeout=2&connection+timeout=5"
	cfg.SQLServerPool.StartupTimeout = time.Second // an unreachable server is waited for this long
	m := &Main{Config: cfg, Stdout: io.Discard, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	err := m.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "sqlserver: connect") {
		t.Errorf("Run with no SQL Server: got %v, want a sqlserver: connect error", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close after a failed start: %v", err)
	}
}
