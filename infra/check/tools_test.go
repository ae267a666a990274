package check

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needTool returns the path of a tool the test command installs
// (scripts/test.sh). Missing, the test skips with what to run, unless
// SHOPFN_REQUIRE_PEERS=1 (as scripts/test.sh sets), when it fails.
func needTool(t *testing.T, path, install string) string {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if p, err := exec.LookPath(filepath.Base(path)); err == nil && !strings.HasSuffix(path, ".js") {
		return p
	}
	if os.Getenv("SHOPFN_REQUIRE_PEERS") == "1" {
		t.Fatalf("%s is missing (SHOPFN_REQUIRE_PEERS=1): %s", path, install)
	}
	t.Skipf("%s is missing: %s (scripts/test.sh does it)", path, install)
	return ""
}

// gobin returns where `go install` puts binaries.
func gobin(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("GOBIN"); b != "" {
		return b
	}
	out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if lines[0] != "" {
		return lines[0]
	}
	return filepath.Join(strings.Split(lines[len(lines)-1], string(os.PathListSeparator))[0], "bin")
}
