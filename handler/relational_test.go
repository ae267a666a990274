package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// `handler migrate` applies to SQL Server only; on SQLite it says why.
func TestMigrateRefusesSQLite(t *testing.T) {
	var out bytes.Buffer
	err := migrate(context.Background(), Config{SQL: "sqlite"}, &out)
	if err == nil || !strings.Contains(err.Error(), "SHOPFN_SQL=sqlserver") {
		t.Errorf("migrate with SHOPFN_SQL=sqlite: got %v, want an error naming SHOPFN_SQL=sqlserver", err)
	}
}
