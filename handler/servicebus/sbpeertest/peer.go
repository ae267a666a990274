// Package sbpeertest starts scripts/sbpeer, the small AMQP 1.0 peer that
// stands in for Service Bus in tests, and moves its clock. Only tests
// import it.
package sbpeertest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Peer is a running scripts/sbpeer process on 127.0.0.1.
type Peer struct {
	cmd     *exec.Cmd
	amqp    int
	control string
}

// Start starts the peer with queues "orders" and "inventory", the given
// lock duration and max delivery count. It fails when node or the peer's
// npm packages are missing (scripts/test.sh installs them).
func Start(lock time.Duration, maxDelivery int) (*Peer, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node is not installed")
	}
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "sbpeer")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "rhea")); err != nil {
		return nil, fmt.Errorf("rhea is not installed: npm ci --prefix %s", dir)
	}
	cmd := exec.Command(node, filepath.Join(dir, "sbpeer.js"), "--port", "0",
		"--lock-ms", strconv.Itoa(int(lock/time.Millisecond)), "--max-delivery", strconv.Itoa(maxDelivery))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			lines <- s.Text()
		}
		close(lines)
		io.Copy(io.Discard, out)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(15 * time.Second):
	}
	var addr struct{ AMQP, Control int }
	if err := json.Unmarshal([]byte(line), &addr); err != nil || addr.AMQP == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("sbpeer printed %q, not its ports", line)
	}
	return &Peer{cmd: cmd, amqp: addr.AMQP, control: fmt.Sprintf("http://127.0.0.1:%d", addr.Control)}, nil
}

// Stop kills the peer by its PID and waits for it.
func (p *Peer) Stop() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}

// ConnectionString is the peer's connection string, in the emulator form.
func (p *Peer) ConnectionString() string {
	return fmt.Sprintf("Endpoint=sb://127.0.0.1:%d;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;", p.amqp)
}

// Now reads the peer's clock.
func (p *Peer) Now() (time.Time, error) { return p.call("GET", "/now") }

// Advance moves the peer's clock forward by d.
func (p *Peer) Advance(d time.Duration) error {
	_, err := p.call("POST", "/advance?ms="+strconv.FormatInt(d.Milliseconds(), 10))
	return err
}

// Pending counts the messages of queue that are not completed or
// dead-lettered, scheduled and locked ones included.
func (p *Peer) Pending(queue string) (int, error) {
	req, err := http.NewRequest("GET", p.control+"/pending?queue="+queue, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("sbpeer pending: %w", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("sbpeer pending %s: got %q", queue, b)
	}
	return n, nil
}

// Reset empties every queue and dead-letter queue and sets the clock back.
func (p *Peer) Reset() error {
	_, err := p.call("POST", "/reset")
	return err
}

// call sends a control request and returns the peer's clock.
func (p *Peer) call(method, path string) (time.Time, error) {
	req, err := http.NewRequest(method, p.control+path, nil)
	if err != nil {
		return time.Time{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return time.Time{}, fmt.Errorf("sbpeer %s: %w", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	ms, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if res.StatusCode != http.StatusOK || err != nil {
		return time.Time{}, fmt.Errorf("sbpeer %s: got %s %q", path, res.Status, b)
	}
	return time.UnixMilli(ms), nil
}
