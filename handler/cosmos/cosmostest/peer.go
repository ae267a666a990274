// Package cosmostest starts the local Cosmos DB peer for tests:
// @vercel/cosmosdb-server, installed by scripts/test.sh in
// scripts/cosmospeer (see LOCAL-PEERS.md).
package cosmostest

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Key is the key the peer is given (any base64 key works; this is the
// emulator's well-known one).
const Key = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="

// ErrNotInstalled says the peer or node is missing.
var ErrNotInstalled = errors.New("the Cosmos DB peer is not installed: run scripts/test.sh, or npm ci in scripts/cosmospeer (needs Node >= 20)")

// Peer is a running peer.
type Peer struct {
	// Endpoint is its URL, http://127.0.0.1:PORT.
	Endpoint string
	cmd      *exec.Cmd
}

// Script returns the peer's start script: $SHOPFN_COSMOS_PEER, or
// scripts/cosmospeer/start.js in this repository.
func Script() string {
	if s := os.Getenv("SHOPFN_COSMOS_PEER"); s != "" {
		return s
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "scripts", "cosmospeer", "start.js")
}

// Start starts the peer on a free port of 127.0.0.1 and waits until it
// listens. It returns ErrNotInstalled when it cannot be started.
func Start() (*Peer, error) {
	script := Script()
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, ErrNotInstalled
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", "@vercel", "cosmosdb-server")); err != nil {
		return nil, ErrNotInstalled
	}
	cmd := exec.Command(node, script, "0")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cosmostest: start peer: %w", err)
	}
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				port <- p
			}
		}
	}()
	select {
	case p := <-port:
		return &Peer{Endpoint: "http://127.0.0.1:" + p, cmd: cmd}, nil
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		return nil, errors.New("cosmostest: the peer did not start within 30 s")
	}
}

// Stop stops the peer by its process ID.
func (p *Peer) Stop() {
	p.cmd.Process.Kill()
	p.cmd.Wait()
}
