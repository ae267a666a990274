package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file holds the crash test's rig: the binary as a process, started,
// killed, and its HTTP requests.

// crashRig is the binary under test across its restarts.
type crashRig struct {
	t      *testing.T
	bin    string
	env    []string
	base   string
	out    *lockedBuffer
	cmd    *exec.Cmd
	exited chan error
	client *http.Client
	// dataDir holds the binary's SQLite file, read at the end.
	dataDir string
	// countries are the buyers' countries, one chosen at random per
	// checkout; none means the US.
	countries []string
}

func crashNewRig(t *testing.T, extra ...string) *crashRig {
	t.Helper()
	bin := mustBuildBinary(t)
	port := freePort(t)
	dataDir := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SHOPFN_") && !strings.HasPrefix(kv, "FUNCTIONS_") && !strings.HasPrefix(kv, "STRIPE_") &&
			!strings.HasPrefix(kv, "RESERVATION_") && !strings.HasPrefix(kv, "CART_TTL") {
			env = append(env, kv)
		}
	}
	env = append(env,
		"SHOPFN_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"SHOPFN_DATA_DIR="+dataDir,
		"SHOPFN_ADMIN_KEY="+crashAdminKey,
		"SHOPFN_SEED=false",
		"SHOPFN_RATE_LIMIT=0", // the load comes from one address
		"RESERVATION_TTL_MINUTES=1",
		"SHOPFN_MAX_ACTION_CHECKOUTS=0", // every buyer here is one client address
		"SHOPFN_MAX_HELD_UNITS=0", "SHOPFN_MAX_HELD_UNITS_TOTAL=0",
	)
	env = append(env, extra...)
	env = append(env, testDocumentsEnv()...)
	r := &crashRig{t: t, bin: bin, env: env, base: "http://127.0.0.1:" + strconv.Itoa(port), out: &lockedBuffer{}, dataDir: dataDir}
	watchContract(t, r.base)
	t.Cleanup(func() {
		if r.cmd != nil {
			r.cmd.Process.Kill()
			<-r.exited
		}
		if t.Failed() {
			t.Logf("handler output (tail):\n%s", r.out.tail(6000))
		}
	})
	return r
}

// start starts the binary and waits until /api/health answers 200.
func (r *crashRig) start() {
	r.t.Helper()
	cmd := exec.Command(r.bin)
	cmd.Env = r.env
	cmd.Stdout, cmd.Stderr = r.out, r.out
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.cmd, r.exited = cmd, make(chan error, 1)
	go func() { r.exited <- cmd.Wait() }()
	r.client = &http.Client{Timeout: 20 * time.Second, Transport: contractTransport{&http.Transport{MaxIdleConnsPerHost: 2 * crashBuyers}}}
	deadline := time.Now().Add(30 * time.Second)
	for {
		res := r.do("GET", "/api/health", nil)
		if res.status == 200 {
			return
		}
		select {
		case err := <-r.exited:
			r.cmd = nil
			r.t.Fatalf("handler exited before /api/health answered: %v\n%s", err, r.out.tail(3000))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("GET /api/health did not answer 200 within 30s: last %d %v", res.status, res.err)
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (r *crashRig) kill() {
	r.t.Helper()
	if err := r.cmd.Process.Kill(); err != nil {
		r.t.Fatal(err)
	}
	<-r.exited
	r.cmd = nil
	r.client.CloseIdleConnections()
}

// crashResponse is a response read whole, or the transport error.
type crashResponse struct {
	status int // 0 when err is set
	body   []byte
	err    error
}

// do sends a request; it is safe to call from many goroutines.
func (r *crashRig) do(method, path string, body []byte, header ...string) crashResponse {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, r.base+path, rd)
	if err != nil {
		return crashResponse{err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		// net/http would silently resend a POST carrying an Idempotency-Key
		// when its kept-alive connection breaks; each attempt here is to be
		// one request, so that a kill shows as a transport error.
		req.GetBody = nil
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := r.client.Do(req)
	if err != nil {
		return crashResponse{err: err}
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return crashResponse{err: err}
	}
	return crashResponse{status: res.StatusCode, body: data}
}

// must sends an admin request and fails the test unless it answers want.
func (r *crashRig) must(method, path string, body []byte, want int) []byte {
	r.t.Helper()
	res := r.do(method, path, body, "x-functions-key", crashAdminKey)
	if res.status != want {
		r.t.Fatalf("%s %s: got %d %s (%v), want %d", method, path, res.status, res.body, res.err, want)
	}
	return res.body
}
