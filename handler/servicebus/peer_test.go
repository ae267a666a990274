package servicebus_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The Service Bus protocol peer (scripts/sbpeer) that TestMain starts: its
// settings must match the harness's.
const (
	peerLock        = 30 * time.Second
	peerMaxDelivery = 4
)

// peer is the running Service Bus peer, or nil with skip saying why.
var peer *sbpeer

// peerMissing says why the peer did not start.
var peerMissing string

// sbpeer is a running scripts/sbpeer process.
type sbpeer struct {
	cmd     *exec.Cmd
	amqp    int
	control string
}

// ConnectionString is the emulator-form connection string of the peer.
func (p *sbpeer) ConnectionString() string {
	return fmt.Sprintf("Endpoint=sb://127.0.0.1:%d;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;", p.amqp)
}

// call sends a control request and returns the peer's clock.
func (p *sbpeer) call(tb testing.TB, method, path string) time.Time {
	tb.Helper()
	req, _ := http.NewRequest(method, p.control+path, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("sbpeer %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	ms, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if res.StatusCode != http.StatusOK || err != nil {
		tb.Fatalf("sbpeer %s: got %s %q", path, res.Status, b)
	}
	return time.UnixMilli(ms)
}

func TestMain(m *testing.M) {
	p, err := startPeer()
	if err != nil {
		if os.Getenv("SHOPFN_REQUIRE_PEERS") == "1" {
			fmt.Fprintf(os.Stderr, "servicebus: the Service Bus peer is required (SHOPFN_REQUIRE_PEERS=1): %v\n", err)
			os.Exit(1)
		}
		peerMissing = fmt.Sprintf("the Service Bus peer did not start (%v); run scripts/test.sh, which installs it", err)
	}
	peer = p
	code := m.Run()
	if p != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
	os.Exit(code)
}

// startPeer starts scripts/sbpeer on 127.0.0.1 and a free port.
func startPeer() (*sbpeer, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not installed")
	}
	dir, err := filepath.Abs(filepath.Join("..", "..", "scripts", "sbpeer"))
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "rhea")); err != nil {
		return nil, fmt.Errorf("rhea is not installed: npm ci --prefix %s", dir)
	}
	cmd := exec.Command(node, filepath.Join(dir, "sbpeer.js"), "--port", "0",
		"--lock-ms", strconv.Itoa(int(peerLock/time.Millisecond)), "--max-delivery", strconv.Itoa(peerMaxDelivery))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ports := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			ports <- s.Text()
		}
		close(ports)
		io.Copy(io.Discard, out)
	}()
	var line string
	select {
	case line = <-ports:
	case <-time.After(15 * time.Second):
	}
	var addr struct{ AMQP, Control int }
	if err := json.Unmarshal([]byte(line), &addr); err != nil || addr.AMQP == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("sbpeer printed %q, not its ports", line)
	}
	return &sbpeer{cmd: cmd, amqp: addr.AMQP, control: fmt.Sprintf("http://127.0.0.1:%d", addr.Control)}, nil
}
