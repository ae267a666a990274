package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestBuild indexes two advisories, one affecting two modules, and checks
// the database's layout and indexes.
func TestBuild(t *testing.T) {
	osv := t.TempDir()
	advisories := map[string]string{
		"GO-2026-0001": `{"id":"GO-2026-0001","modified":"2026-01-02T00:00:00Z","aliases":["CVE-2026-1"],
			"affected":[{"package":{"name":"stdlib","ecosystem":"Go"}},{"package":{"name":"golang.org/x/net","ecosystem":"Go"}}]}`,
		"GO-2026-0002": `{"id":"GO-2026-0002","modified":"2026-03-04T00:00:00Z",
			"affected":[{"package":{"name":"golang.org/x/net","ecosystem":"Go"}}]}`,
	}
	for id, body := range advisories {
		if err := os.WriteFile(filepath.Join(osv, id+".json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "db")
	n, err := build(osv, out)
	if err != nil || n != 2 {
		t.Fatalf("build: %d, %v; want 2 advisories", n, err)
	}
	var db struct{ Modified string }
	readJSON(t, filepath.Join(out, "index", "db.json"), &db)
	if db.Modified != "2026-03-04T00:00:00Z" {
		t.Errorf("db.json modified %q, want the newest advisory's", db.Modified)
	}
	var mods []struct {
		Path  string
		Vulns []struct{ ID string }
	}
	readJSON(t, filepath.Join(out, "index", "modules.json"), &mods)
	if len(mods) != 2 || mods[0].Path != "golang.org/x/net" || len(mods[0].Vulns) != 2 || mods[1].Path != "stdlib" || len(mods[1].Vulns) != 1 {
		t.Errorf("modules.json: got %+v, want x/net with both advisories, then stdlib with one", mods)
	}
	var vulns []struct {
		ID      string
		Aliases []string
	}
	readJSON(t, filepath.Join(out, "index", "vulns.json"), &vulns)
	if len(vulns) != 2 || vulns[0].ID != "GO-2026-0001" || len(vulns[0].Aliases) != 1 {
		t.Errorf("vulns.json: got %+v", vulns)
	}
	for id := range advisories {
		if _, err := os.Stat(filepath.Join(out, "ID", id+".json")); err != nil {
			t.Errorf("advisory %s: %v", id, err)
		}
	}

	// A file that is not the advisory it is named for is refused, and the
	// database built before stays.
	os.WriteFile(filepath.Join(osv, "GO-2026-0003.json"), []byte(`{"id":"GO-2026-0004"}`), 0o644)
	if _, err := build(osv, out); err == nil {
		t.Error("build with a misnamed advisory: got no error")
	}
	if _, err := os.Stat(filepath.Join(out, "index", "db.json")); err != nil {
		t.Errorf("the database built before: %v", err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
