package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/api"
)

// TestAPIDocsServed reads the OpenAPI document and the reference page as a
// client does, and revalidates them with their ETags.
func TestAPIDocsServed(t *testing.T) {
	m := MustRunMain(t, false)
	doc := m.Do(t, "GET", "/api/openapi.json", nil)
	if doc.Status != 200 || !bytes.Equal(doc.Body, api.OpenAPI()) {
		t.Fatalf("GET /api/openapi.json: got %d (%d bytes), want 200 with the embedded document", doc.Status, len(doc.Body))
	}
	page := m.Do(t, "GET", "/api/docs", nil)
	if page.Status != 200 || !bytes.Contains(page.Body, []byte("openapi.json")) {
		t.Fatalf("GET /api/docs: got %d %.200s, want 200 with a page that loads openapi.json", page.Status, page.Body)
	}
	for path, res := range map[string]*Response{"/api/openapi.json": doc, "/api/docs": page} {
		if again := m.Do(t, "GET", path, nil, "If-None-Match", res.Header.Get("ETag")); again.Status != 304 {
			t.Errorf("GET %s with its ETag: got %d, want 304", path, again.Status)
		}
	}
}

// browserRun is what scripts/browser/docs.mjs saw of the reference page.
type browserRun struct {
	Title      string   `json:"title"`
	Operations []string `json:"operations"`
	Filtered   []string `json:"filtered"`
	Responses  int      `json:"responses"`
	Error      string   `json:"error"`
	Console    []string `json:"console"`
}

// TestDocsPageInBrowser loads GET /api/docs in headless Chromium (Debian's
// chromium driven by playwright-core, both installed by scripts/test.sh)
// and checks that the page lists every documented operation, opens one,
// and filters them.
func TestDocsPageInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the browser test in -short mode")
	}
	chromium := os.Getenv("CHROMIUM_BIN")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	script := filepath.Join("..", "scripts", "browser", "docs.mjs")
	node, err := exec.LookPath("node")
	switch {
	case err != nil:
		skipWithoutPeer(t, "node is not installed")
	case !fileExists(chromium):
		skipWithoutPeer(t, chromium+" is missing (apt-get install chromium, or set CHROMIUM_BIN)")
	case !fileExists(filepath.Join("..", "scripts", "browser", "node_modules", "playwright-core")):
		skipWithoutPeer(t, "playwright-core is missing (npm ci in scripts/browser)")
	}
	m := MustRunMain(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, m.URL)
	cmd.Env = append(os.Environ(), "CHROMIUM_BIN="+chromium)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node docs.mjs: %v\n%s", err, stderr.Bytes())
	}
	var got browserRun
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node docs.mjs printed %s: %v", out, err)
	}
	if got.Error != "" || len(got.Console) > 0 {
		t.Errorf("the page shows error %q and logged %q; want none", got.Error, got.Console)
	}
	want := slices.Clone(mustContract(t).ops)
	slices.Sort(want)
	slices.Sort(got.Operations)
	if diff := cmp.Diff(want, got.Operations); diff != "" {
		t.Errorf("operations listed on /api/docs (-documented +listed):\n%s", diff)
	}
	if got.Responses < 2 {
		t.Errorf("an opened operation shows %d rows of responses, want a header and at least one status", got.Responses)
	}
	if len(got.Filtered) == 0 || len(got.Filtered) == len(got.Operations) {
		t.Errorf("filtering by /api/carts shows %d of %d operations, want some, not all", len(got.Filtered), len(got.Operations))
	}
	for _, op := range got.Filtered {
		if !strings.Contains(op, "/api/carts") {
			t.Errorf("filtering by /api/carts shows %q", op)
		}
	}
}

// skipWithoutPeer skips the test for want of what it needs, or fails it
// when SHOPFN_REQUIRE_PEERS=1 (scripts/test.sh) says it must run.
func skipWithoutPeer(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("SHOPFN_REQUIRE_PEERS") == "1" {
		t.Fatalf("%s; SHOPFN_REQUIRE_PEERS=1 requires it (scripts/test.sh installs it)", why)
	}
	t.Skipf("%s; scripts/test.sh installs it", why)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestE2EMetricsUnderHostPrefix checks that /api/metrics, the scrape
// where the Functions host forwards only /api/..., answers as /metrics
// does, and only with the admin key.
func TestE2EMetricsUnderHostPrefix(t *testing.T) {
	m := MustRunMain(t, false)
	plain, prefixed := m.Admin(t, "GET", "/metrics", nil), m.Admin(t, "GET", "/api/metrics", nil)
	if plain.Status != prefixed.Status || plain.Header.Get("Content-Type") != prefixed.Header.Get("Content-Type") {
		t.Errorf("GET /api/metrics: got %d %q, want %d %q as GET /metrics", prefixed.Status, prefixed.Header.Get("Content-Type"), plain.Status, plain.Header.Get("Content-Type"))
	}
	if res := m.Do(t, "GET", "/api/metrics", nil); res.Status != 401 {
		t.Errorf("GET /api/metrics without the key: got %d, want 401", res.Status)
	}
}
