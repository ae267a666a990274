package sqlserver

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// migrations are the T-SQL schema, one file per version, named
// NNNN_what.sql and applied in order. A file may hold several batches
// separated by lines that say GO. Never edit an applied file: add one.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Migration is one version of the schema.
type Migration struct {
	// Version is the file's number; Name its file name.
	Version int
	Name    string
	// Batches are the file's batches, run in order.
	Batches []string
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("sqlserver: migration %s: want a name like 0001_what.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := migrations.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: e.Name(), Batches: batches(string(body))})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("sqlserver: migration %s: want version %d (no gaps, no repeats)", m.Name, i+1)
		}
	}
	return out, nil
}

// batches splits a file on lines that say GO, as sqlcmd does.
func batches(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if b := strings.TrimSpace(cur.String()); b != "" {
			out = append(out, b)
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(s, "\n") {
		if strings.EqualFold(strings.TrimSpace(line), "GO") {
			flush()
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return out
}

// The statements Migrate runs around the migrations.
const (
	// lockSchema takes an exclusive application lock owned by the
	// transaction: instances starting together wait here, one at a time,
	// and each finds what the one before applied.
	lockSchema = `DECLARE @result INT;
EXEC @result = sp_getapplock @Resource = N'shopfn-schema', @LockMode = N'Exclusive', @LockOwner = N'Transaction', @LockTimeout = 120000;
IF @result < 0 THROW 50000, N'shopfn: timed out waiting for the schema lock', 1;`
	createVersions = `IF OBJECT_ID(N'dbo.schema_versions', N'U') IS NULL
CREATE TABLE dbo.schema_versions (
    version    INT           NOT NULL CONSTRAINT pk_schema_versions PRIMARY KEY,
    name       NVARCHAR(200) NOT NULL,
    applied_at DATETIME2     NOT NULL CONSTRAINT df_schema_versions_applied DEFAULT SYSUTCDATETIME()
);`
	selectVersion = `SELECT COALESCE(MAX(version), 0) FROM dbo.schema_versions;`
	insertVersion = `INSERT INTO dbo.schema_versions (version, name) VALUES (@p1, @p2);`
)

// Migrate brings the database's schema to the latest embedded version in
// one transaction under sp_getapplock, recording each version applied in
// dbo.schema_versions, and returns the names of the migrations it applied
// (none when the schema was current). Safe to run from many instances at
// once and again at every start.
func Migrate(ctx context.Context, db *sql.DB) ([]string, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlserver: migrate: %w", err)
	}
	defer tx.Rollback()
	for _, stmt := range []string{lockSchema, createVersions} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("sqlserver: migrate: %w", err)
		}
	}
	var current int
	if err := tx.QueryRowContext(ctx, selectVersion).Scan(&current); err != nil {
		return nil, fmt.Errorf("sqlserver: migrate: read version: %w", err)
	}
	if current > len(all) {
		return nil, fmt.Errorf("sqlserver: migrate: the database is at version %d, newer than this binary's %d", current, len(all))
	}
	var applied []string
	for _, m := range all[current:] {
		for _, b := range m.Batches {
			if _, err := tx.ExecContext(ctx, b); err != nil {
				return nil, fmt.Errorf("sqlserver: migrate %s: %w", m.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, insertVersion, m.Version, m.Name); err != nil {
			return nil, fmt.Errorf("sqlserver: migrate %s: %w", m.Name, err)
		}
		applied = append(applied, m.Name)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlserver: migrate: %w", err)
	}
	return applied, nil
}

// MigrateStatements returns the statements Migrate runs besides the
// migrations, for tests that check their syntax.
func MigrateStatements() []string {
	return []string{lockSchema, createVersions, selectVersion, insertVersion}
}
