package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"shopfn/handler/servicebus/sbpeertest"
	"shopfn/handler/storetest"
)

// TestMain checks every response of the programs under test against the
// OpenAPI document (contract_test.go), starts the test documents store and
// the Service Bus peer, runs the tests, stops the peers, fails the run when
// a response broke the document or, after a full run, when a documented
// operation was never exercised, and removes the binary that
// mustBuildBinary built.
func TestMain(m *testing.M) {
	http.DefaultClient.Transport = contractTransport{http.DefaultTransport}
	stop, err := startTestDocuments()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if sbPeer, err = sbpeertest.Start(30*time.Second, 10); err != nil {
		if os.Getenv("SHOPFN_REQUIRE_PEERS") == "1" {
			fmt.Fprintf(os.Stderr, "handler: the Service Bus peer is required (SHOPFN_REQUIRE_PEERS=1): %v\n", err)
			os.Exit(1)
		}
		sbPeerMissing = fmt.Sprintf("the Service Bus peer did not start (%v); scripts/test.sh installs it", err)
	}
	code := m.Run()
	if sbPeer != nil {
		sbPeer.Stop()
	}
	stop()
	stopFaultCosmos()
	full := flag.Lookup("test.run").Value.String() == "" && !testing.Short()
	if !checkContractCoverage(full) && code == 0 {
		code = 1
	}
	if buildPath != "" {
		os.RemoveAll(filepath.Dir(buildPath))
	}
	os.Exit(code)
}

// testAdminKey is the admin key of programs started by MustRunMain: random,
// as LoadConfig requires of a key (keystrength.go), and URL-safe.
const testAdminKey = "ybF7AukOMSHtBezfOAWWleDdC-D-mfO28ItkKeHtQzw"

// Program is the program under test: a running Main and a client for it.
type Program struct {
	*Main
	URL   string
	Clock *storetest.Clock
}

// MustRunMain starts the real program on 127.0.0.1:0 with a fresh data
// directory and the test admin key. seed says whether the sample catalog is
// loaded. The program is closed when the test ends.
func MustRunMain(tb testing.TB, seed bool) *Program {
	tb.Helper()
	return MustRunMainWith(tb, seed, nil)
}

// NewTestConfig returns the configuration MustRunMain uses.
func NewTestConfig(tb testing.TB, seed bool) Config {
	cfg := Config{
		Addr: "127.0.0.1:0", DataDir: tb.TempDir(), AdminKey: testAdminKey,
		CartTTL: 72 * time.Hour, Seed: seed, Currency: "USD", CatalogCacheTTL: time.Second,
		Payments: "test", ReservationTTL: 15 * time.Minute, MaxDeliveries: 10, Workers: 8, SQL: "sqlite",
		RetryBackoff: 0,                         // the clock stands still: a test that wants backoff sets it and advances the clock
		Identity:     IdentityConfig{Dev: true}, // as LoadConfig's default off Azure
	}
	useTestDocuments(&cfg)
	return cfg
}

// MustRunMainWith is MustRunMain with a chance to change the Main before it
// runs (its Config, Middleware or Now).
func MustRunMainWith(tb testing.TB, seed bool, change func(*Main)) *Program {
	tb.Helper()
	clock := storetest.NewClock(time.Now().UTC())
	m := &Main{
		Config: NewTestConfig(tb, seed),
		Stdout: io.Discard,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:    clock.Now,
	}
	if change != nil {
		change(m)
	}
	if err := m.Run(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Error(err)
		}
	})
	p := &Program{Main: m, URL: "http://" + m.Addr(), Clock: clock}
	watchContract(tb, p.URL)
	return p
}

// Response is a response read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r *Response) JSON(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends a request to the program and reads the whole response. body may
// be nil, a []byte or string sent as is, or any value sent as JSON. header
// holds pairs of header names and values.
func (m *Program) Do(tb testing.TB, method, path string, body any, header ...string) *Response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, m.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: data}
}

// Admin is Do with the admin key.
func (m *Program) Admin(tb testing.TB, method, path string, body any, header ...string) *Response {
	tb.Helper()
	return m.Do(tb, method, path, body, append([]string{"x-functions-key", testAdminKey}, header...)...)
}

func TestHarnessSmoke(t *testing.T) {
	m := MustRunMain(t, false)
	res := m.Do(t, "GET", "/api/health", nil)
	if res.Status != 200 || string(res.Body) != `{"status":"ok"}` {
		t.Fatalf("GET /api/health: got %d %s, want 200 {\"status\":\"ok\"}", res.Status, res.Body)
	}
}
