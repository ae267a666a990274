package sqlserver

import (
	"fmt"
	"testing"

	mssql "github.com/microsoft/go-mssqldb"

	"shopfn/handler/sqlstore"
)

func TestRebindAndLimit(t *testing.T) {
	for _, tt := range []struct{ in, rebound, limited string }{
		{"SELECT a FROM t ORDER BY a", "SELECT a FROM t ORDER BY a", "SELECT TOP (@p1) a FROM t ORDER BY a"},
		{"SELECT a FROM t WHERE a > ? AND b = ? ORDER BY a", "SELECT a FROM t WHERE a > @p1 AND b = @p2 ORDER BY a",
			"SELECT TOP (@p3) a FROM t WHERE a > @p1 AND b = @p2 ORDER BY a"},
	} {
		if got := rebind(tt.in); got != tt.rebound {
			t.Errorf("rebind(%q): got %q, want %q", tt.in, got, tt.rebound)
		}
		if got := rebind(limit(tt.in)); got != tt.limited {
			t.Errorf("rebind(limit(%q)): got %q, want %q", tt.in, got, tt.limited)
		}
	}
}

func TestUpsert(t *testing.T) {
	got := upsert(sqlstore.Upsert{Table: "s", Key: []string{"k", "src"}, Columns: []string{"k", "src", "seq"},
		Update: []string{"seq"}, UpdateIf: "OLD.seq < NEW.seq", Returning: []string{"seq"}})
	want := "MERGE s WITH (HOLDLOCK) AS target USING (VALUES (?, ?, ?)) AS incoming (k, src, seq)" +
		" ON target.k = incoming.k AND target.src = incoming.src" +
		" WHEN MATCHED AND target.seq < incoming.seq THEN UPDATE SET seq = incoming.seq" +
		" WHEN NOT MATCHED THEN INSERT (k, src, seq) VALUES (incoming.k, incoming.src, incoming.seq)" +
		" OUTPUT inserted.seq;"
	if got != want {
		t.Errorf("upsert:\n got %s\nwant %s", got, want)
	}
	got = upsert(sqlstore.Upsert{Table: "h", Key: []string{"id"}, Columns: []string{"id", "n"}, Increment: []string{"n"}, Returning: []string{"n"}})
	want = "MERGE h WITH (HOLDLOCK) AS target USING (VALUES (?, ?)) AS incoming (id, n) ON target.id = incoming.id" +
		" WHEN MATCHED THEN UPDATE SET n = target.n + incoming.n" +
		" WHEN NOT MATCHED THEN INSERT (id, n) VALUES (incoming.id, incoming.n) OUTPUT inserted.n;"
	if got != want {
		t.Errorf("upsert with an increment:\n got %s\nwant %s", got, want)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct {
		err               error
		unique, retryable bool
	}{
		{mssql.Error{Number: 2627}, true, false},
		{fmt.Errorf("insert: %w", mssql.Error{Number: 2601}), true, false},
		{mssql.Error{Number: 1205}, false, true},
		{&mssql.Error{Number: 40613}, false, true},
		{mssql.Error{Number: 40501}, false, true},
		{mssql.Error{Number: 40197}, false, true},
		{mssql.Error{Number: 49918}, false, true},
		{mssql.Error{Number: 10928}, false, true},
		{mssql.Error{Number: 10929}, false, true},
		{mssql.Error{Number: 4060}, false, true},
		{fmt.Errorf("sqlstore: mark paid: %w", &mssql.Error{Number: 40613}), false, true},
		{mssql.Error{Number: 18456}, false, false}, // login failed: definite
		{mssql.Error{Number: 208}, false, false},   // invalid object name: a bug, not a blip
		{mssql.Error{Number: 547}, false, false},   // a constraint violation is not transient
		{fmt.Errorf("other"), false, false},
		{nil, false, false},
	} {
		if got := IsUnique(tt.err); got != tt.unique {
			t.Errorf("IsUnique(%v): got %v, want %v", tt.err, got, tt.unique)
		}
		if got := Retryable(tt.err); got != tt.retryable {
			t.Errorf("Retryable(%v): got %v, want %v", tt.err, got, tt.retryable)
		}
	}
}

func TestDriver(t *testing.T) {
	for _, tt := range []struct{ dsn, want string }{
		{"sqlserver://sa:pw@localhost:1433?database=shopfn", "sqlserver"},
		{"sqlserver://shop.database.windows.net?database=shopfn&fedauth=ActiveDirectoryManagedIdentity", "azuresql"},
		{"sqlserver://shop.database.windows.net?database=shopfn&fedauth=ActiveDirectoryWorkloadIdentity", "azuresql"},
		{"sqlserver://shop.database.windows.net?database=shopfn&fedauth=ActiveDirectoryDefault", "azuresql"},
		{"server=localhost;user id=sa", ""},
		{"postgres://localhost/shopfn", ""},
	} {
		got, err := Driver(tt.dsn)
		if tt.want == "" {
			if err == nil {
				t.Errorf("Driver(%q): got %q, want an error", tt.dsn, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Driver(%q): got %q, %v; want %q", tt.dsn, got, err, tt.want)
		}
	}
}

func TestMigrations(t *testing.T) {
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 || len(ms[0].Batches) == 0 {
		t.Fatalf("got %+v, want version 1 first, with batches", ms)
	}
	if got := batches("CREATE TABLE a (x INT);\nGO\n  go  \nCREATE VIEW v AS SELECT x FROM a;\n"); len(got) != 2 {
		t.Errorf("batches split on GO: got %q, want 2 batches", got)
	}
}
