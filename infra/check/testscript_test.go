package check

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// testScriptProblems checks scripts/test.sh, the test command: it installs
// through apt only what is missing, without recommended packages and
// upgrading nothing, and it runs govulncheck on an offline database built
// from golang.org/x/vulndb, with go.mod's toolchain.
func testScriptProblems(src string) []string {
	var problems []string
	installs := regexp.MustCompile(`apt-get install[^\n]*`).FindAllString(src, -1)
	if len(installs) == 0 {
		problems = append(problems, "no apt-get install at all: the check is out of date")
	}
	for _, l := range installs {
		for _, flag := range []string{"--no-install-recommends", "--no-upgrade"} {
			if !strings.Contains(l, flag) {
				problems = append(problems, fmt.Sprintf("%q lacks %s", l, flag))
			}
		}
	}
	if !strings.Contains(src, "dpkg-query") {
		problems = append(problems, "apt_install does not skip the packages already installed (dpkg-query)")
	}
	for _, want := range []string{"golang.org/x/vulndb@latest", "go run ./scripts/vulndb", `govulncheck" -db "file://`, "GOTOOLCHAIN=${toolchain"} {
		if !strings.Contains(src, want) {
			problems = append(problems, fmt.Sprintf("no %q: govulncheck does not run on the offline database with go.mod's toolchain", want))
		}
	}
	return problems
}

func TestTestScript(t *testing.T) {
	for _, p := range testScriptProblems(readFile(t, filepath.Join("..", "..", "scripts", "test.sh"))) {
		t.Error(p)
	}
}

// TestTestScriptBroken checks the script as it was: apt-get install with
// neither flag, for every package named, and no govulncheck.
func TestTestScriptBroken(t *testing.T) {
	old := `apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}`
	got := strings.Join(testScriptProblems(old), "\n")
	for _, want := range []string{"--no-install-recommends", "--no-upgrade", "dpkg-query", "govulncheck"} {
		if !strings.Contains(got, want) {
			t.Errorf("the old script: got %q, want it to contain %q", got, want)
		}
	}
}
