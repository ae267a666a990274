package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// mustBuildBinary builds the handler once per test run and returns the path
// of the binary. The binary lives in its own temporary directory, which is
// left behind: with no TestMain there is no moment when every test is done.
func mustBuildBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "shopfn-handler-")
		if err != nil {
			buildErr = err
			return
		}
		path := filepath.Join(dir, "handler")
		out, err := exec.Command("go", "build", "-o", path, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		buildPath = path
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return buildPath
}

// lockedBuffer collects a child process's output safely.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns the last n bytes of the output.
func (b *lockedBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.buf.Bytes()
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return string(out)
}

// freePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestHost plays the Azure Functions host against the real binary: it starts
// the handler as the host does, waits for it to answer on /, forwards HTTP
// requests to it, and stops it with SIGTERM.
func TestHost(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the custom-handler test (builds and runs the binary) in -short mode")
	}
	bin := mustBuildBinary(t)
	port := freePort(t)
	base := "http://127.0.0.1:" + strconv.Itoa(port)

	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir() // the host runs the handler in the function app folder
	cmd.Env = append(os.Environ(),
		"FUNCTIONS_CUSTOMHANDLER_PORT="+strconv.Itoa(port),
		"FUNCTIONS_CUSTOMHANDLER_WORKER_ID=test-worker",
		"SHOPFN_DATA_DIR="+t.TempDir(),
		"SHOPFN_SEED=false",
		"SHOPFN_ADMIN_KEY=", // as local.settings.json.example has it
	)
	cmd.Env = append(cmd.Env, testDocumentsEnv()...)
	var output lockedBuffer
	cmd.Stdout = &output
	cmd.Stderr = &output
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
			t.Logf("handler output:\n%s", output.String())
		}
	})

	client := &http.Client{Timeout: 10 * time.Second, Transport: contractTransport{http.DefaultTransport}}
	watchContract(t, base)
	waitReady(t, client, base, exited, &stopped)

	t.Run("Health", func(t *testing.T) {
		status, body := hostRequest(t, client, "GET", base+"/api/health", nil, nil)
		if status != http.StatusOK {
			t.Fatalf("GET /api/health: status %d, want 200; body %s", status, body)
		}
		var got struct{ Status string }
		if err := json.Unmarshal(body, &got); err != nil || got.Status != "ok" {
			t.Errorf("GET /api/health: body %s, want {\"status\":\"ok\"}", body)
		}
	})

	t.Run("Products", func(t *testing.T) {
		status, body := hostRequest(t, client, "GET", base+"/api/products?limit=5", nil, nil)
		if status != http.StatusOK {
			t.Fatalf("GET /api/products?limit=5: status %d, want 200; body %s", status, body)
		}
		var got struct{ Items json.RawMessage }
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("GET /api/products?limit=5: %v; body %s", err, body)
		}
		if !bytes.HasPrefix(bytes.TrimSpace(got.Items), []byte("[")) {
			t.Errorf("GET /api/products?limit=5: items = %s, want a JSON array; body %s", got.Items, body)
		}
	})

	// The host has already checked the function key of catalog-admin
	// (authLevel function) and passes x-functions-key through; under the host
	// shopfn trusts it and checks no key itself.
	t.Run("AdminWithoutKey", func(t *testing.T) {
		status, body := hostRequest(t, client, "POST", base+"/api/admin/products",
			productJSON("host-test", "HOST-1"), nil)
		if status != http.StatusCreated {
			t.Fatalf("POST /api/admin/products without a key: status %d, want 201; body %s", status, body)
		}
		status, body = hostRequest(t, client, "GET", base+"/api/products/host-test", nil, nil)
		if status != http.StatusOK {
			t.Errorf("GET /api/products/host-test: status %d, want 200; body %s", status, body)
		}
	})
	t.Run("AdminWithHostKey", func(t *testing.T) {
		status, body := hostRequest(t, client, "POST", base+"/api/admin/products",
			productJSON("host-test-key", "HOST-2"), http.Header{"X-Functions-Key": {"the-host-function-key"}})
		if status != http.StatusCreated {
			t.Fatalf("POST /api/admin/products with the host's function key: status %d, want 201; body %s", status, body)
		}
	})

	t.Run("Cart", func(t *testing.T) {
		status, body := hostRequest(t, client, "POST", base+"/api/carts", []byte(`{}`), nil)
		if status != http.StatusCreated {
			t.Fatalf("POST /api/carts: status %d, want 201; body %s", status, body)
		}
	})

	// Queue functions: the host posts the Service Bus message to
	// /<FunctionName> with its invocation payload, and retries when the
	// answer is not 2xx.
	t.Run("QueueFunction", func(t *testing.T) {
		msg := `{"type":"StockLevelSet","sku":"HOST-1","onHand":7,"source":"erp","sequence":3}`
		status, body := hostRequest(t, client, "POST", base+"/inventory", hostInvocation(msg, "stock-1"), nil)
		if status != http.StatusOK {
			t.Fatalf("POST /inventory: status %d, want 200; body %s", status, body)
		}
		var res struct {
			Outputs map[string]any
			Logs    []string
		}
		if err := json.Unmarshal(body, &res); err != nil || res.Outputs == nil || len(res.Logs) == 0 {
			t.Errorf("POST /inventory: body %s, want {\"Outputs\":{},\"Logs\":[...]}", body)
		}
		status, body = hostRequest(t, client, "GET", base+"/api/inventory/HOST-1", nil, nil)
		if status != http.StatusOK || !bytes.Contains(body, []byte(`"available":7`)) {
			t.Errorf("after StockLevelSet: GET /api/inventory/HOST-1 = %d %s, want available 7", status, body)
		}
		status, body = hostRequest(t, client, "POST", base+"/orders", hostInvocation(`{"type":"OrderPlaced"}`, "bad-1"), nil)
		if status < 300 {
			t.Errorf("POST /orders with a malformed message: status %d, want a failure so the host retries; body %s", status, body)
		}
	})

	// The timer function relay: every 30 s the host posts its invocation
	// and the handler publishes what the outbox still holds.
	t.Run("RelayTimer", func(t *testing.T) {
		timer := []byte(`{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"IsPastDue":false}},"Metadata":{"sys":{"MethodName":"relay","UtcNow":"2026-11-27T05:00:00Z"}}}`)
		status, body := hostRequest(t, client, "POST", base+"/relay", timer, nil)
		var res struct {
			Outputs map[string]any
			Logs    []string
		}
		if status != http.StatusOK || json.Unmarshal(body, &res) != nil || res.Outputs == nil || len(res.Logs) == 0 {
			t.Errorf("POST /relay: %d %s, want 200 {\"Outputs\":{},\"Logs\":[...]}", status, body)
		}
	})

	t.Run("Probes", func(t *testing.T) {
		for _, path := range []string{"/healthz/live", "/healthz/ready", "/healthz/startup"} {
			if status, body := hostRequest(t, client, "GET", base+path, nil, nil); status != http.StatusOK {
				t.Errorf("GET %s: %d %s, want 200", path, status, body)
			}
		}
	})

	t.Run("LoopbackOnly", func(t *testing.T) {
		ip := nonLoopbackIPv4()
		if ip == nil {
			t.Skip("no non-loopback IPv4 address on this machine")
		}
		addr := net.JoinHostPort(ip.String(), strconv.Itoa(port))
		conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err == nil {
			conn.Close()
			t.Errorf("dial %s succeeded; want the handler to listen on 127.0.0.1 only", addr)
		}
	})

	t.Run("SIGTERM", func(t *testing.T) {
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-exited:
			stopped = true
			if err != nil {
				t.Errorf("after SIGTERM: %v, want exit status 0", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("handler still running 10s after SIGTERM")
		}
	})
}

// waitReady polls GET / until the handler answers, as the host does before
// it sends anything. Any HTTP response counts.
func waitReady(t *testing.T, client *http.Client, base string, exited <-chan error, stopped *bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := client.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			return
		}
		select {
		case err := <-exited:
			*stopped = true
			t.Fatalf("handler exited before answering on /: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("handler did not answer GET / within 30s: %v", err)
		}
	}
}

// hostRequest sends a request as the Functions host forwards it and returns
// the response status and body.
func hostRequest(t *testing.T, client *http.Client, method, url string, body []byte, header http.Header) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("X-Azure-Functions-InvocationId", invocationID())
	req.Header.Set("User-Agent", "Azure-Functions-Host/4.x")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp.StatusCode, data
}

// productJSON returns a valid product to create, with one variant.
func productJSON(handle, sku string) []byte {
	return []byte(`{"handle":"` + handle + `","title":"Host test","description":"d","category":"tests","status":"active",` +
		`"variants":[{"sku":"` + sku + `","title":"Default","options":{},"price":{"amount":1000,"currency":"USD"}}]}`)
}

// hostInvocation returns the host's invocation payload for a Service Bus
// message whose body is msg (a JSON object, sent as a JSON string, as the
// host does for a message it received as a string).
func hostInvocation(msg, id string) []byte {
	quoted, _ := json.Marshal(msg)
	return []byte(`{"Data":{"msg":` + string(quoted) + `},"Metadata":{"MessageId":"` + id + `","DeliveryCount":1,` +
		`"Subject":"","sys":{"MethodName":"inventory","UtcNow":"2026-11-21T00:00:00Z","RandGuid":"` + invocationID() + `"}}}`)
}

// invocationID returns a random GUID, like the host's invocation IDs.
func invocationID() string {
	var b [16]byte
	rand.Read(b[:])
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// nonLoopbackIPv4 returns an IPv4 address of this machine that is not a
// loopback address, or nil.
func nonLoopbackIPv4() net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		if ip := n.IP.To4(); ip != nil && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() {
			return ip
		}
	}
	return nil
}
