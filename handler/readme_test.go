package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readmeKey is the admin key the README's examples start shopfn with, as
// openssl rand -base64 32 makes one; the examples read it from
// $SHOPFN_ADMIN_KEY.
const readmeKey = "z1ty9fUHjCk/J3FUWq6HxLN8Qjes9O3Y/G9Rwyx5Tb4="

// readmeCurl replaces curl in the README's examples: it runs the real curl
// and fails the script unless the answer has the expected status, EXPECT
// when set (the README's "# 404" comments set it), else 2xx.
const readmeCurl = `
curl() {
	local out code
	out=$(command curl -sS -w '\n%{http_code}' "$@") || { echo "curl $*: failed" >&2; exit 1; }
	code=${out##*$'\n'}
	out=${out%$'\n'*}
	if [ -n "${EXPECT:-}" ]; then
		[ "$code" = "$EXPECT" ] || { printf 'curl %s\n  got %s: %s\n  want %s\n' "$*" "$code" "$out" "$EXPECT" >&2; exit 1; }
	else
		case "$code" in 2??) ;; *) printf 'curl %s\n  got %s: %s\n  want 2xx\n' "$*" "$code" "$out" >&2; exit 1 ;; esac
	fi
	printf '%s\n' "$out"
}
set -euo pipefail
`

// readmeStatus matches a one-line curl command whose comment starts with the
// status it must answer, e.g. "curl ... # 404: ...".
var readmeStatus = regexp.MustCompile(`^(curl .*?)\s+#\s*([1-5][0-9][0-9])\b`)

// readmeScript returns the README's ```sh blocks that run curl, in order,
// as one script for the given address.
func readmeScript(tb testing.TB, readme, addr string) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString(readmeCurl)
	blocks := 0
	for _, part := range strings.Split(readme, "```sh\n")[1:] {
		block, _, ok := strings.Cut(part, "```")
		if !ok {
			tb.Fatal("README: a ```sh block is not closed")
		}
		if !strings.Contains(block, "curl ") {
			continue // starting the program, the tests, packaging
		}
		blocks++
		for _, line := range strings.Split(block, "\n") {
			if m := readmeStatus.FindStringSubmatch(line); m != nil && m[2][0] != '2' {
				line = "EXPECT=" + m[2] + " " + line
			}
			b.WriteString(strings.ReplaceAll(line, "localhost:7071", addr) + "\n")
		}
	}
	if blocks < 4 {
		tb.Fatalf("README: found %d ```sh blocks with curl, want the catalog, admin, cart and checkout examples", blocks)
	}
	return b.String()
}

// TestREADMEExamples runs every curl example of the README, in order, as
// written, against the built binary started as the README says, and checks
// the status of every answer.
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the README examples (builds and runs the binary) in -short mode")
	}
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("SHOPFN_REQUIRE_PEERS") == "1" {
				t.Fatalf("the README examples need %s: %v (scripts/test.sh installs it)", tool, err)
			}
			t.Skipf("the README examples need %s: %v", tool, err)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	bin := mustBuildBinary(t)
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir()
	// The examples run at a script's pace, far faster than anyone types
	// them, from one address: a burst as large as the README's writes keeps
	// the per-client rate limit (which the README documents and which a
	// person at a terminal never reaches) out of their way.
	cmd.Env = append(readmeEnv(), "SHOPFN_ADMIN_KEY="+readmeKey, "SHOPFN_ADDR="+addr, "SHOPFN_DATA_DIR="+t.TempDir(), "SHOPFN_RATE_BURST=1000")
	var output lockedBuffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("shopfn output:\n%s", output.tail(4000))
		}
	})
	waitReady(t, &http.Client{Timeout: 5 * time.Second}, "http://"+addr, exited, &stopped)

	script := readmeScript(t, string(readme), addr)
	sh := exec.Command("bash", "-c", script)
	sh.Env = append(readmeEnv(), "SHOPFN_ADMIN_KEY="+readmeKey)
	sh.Dir = t.TempDir() // the examples write lamp.json and checkout.json
	out, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("the README examples failed: %v\n%s", err, out)
	}
}

// readmeEnv is the environment without shopfn's settings, as on a machine
// where the README is followed for the first time.
func readmeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SHOPFN_") && !strings.HasPrefix(kv, "FUNCTIONS_") && !strings.HasPrefix(kv, "STRIPE_") &&
			!strings.HasPrefix(kv, "WEBSITE_") && !strings.HasPrefix(kv, "CART_TTL") && !strings.HasPrefix(kv, "RESERVATION_") {
			env = append(env, kv)
		}
	}
	return env
}

// TestREADMEErrorCodes fails when an error code of commerce/error.go is not
// documented in the README.
func TestREADMEErrorCodes(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("commerce/error.go")
	if err != nil {
		t.Fatal(err)
	}
	codes := regexp.MustCompile(`(?m)^\s*Code\w+\s*=\s*"([a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(codes) < 10 {
		t.Fatalf("found %d codes in commerce/error.go, want them all", len(codes))
	}
	for _, c := range codes {
		if !strings.Contains(string(readme), fmt.Sprintf("`%s`", c[1])) {
			t.Errorf("error code %q is not documented in README.md", c[1])
		}
	}
}
