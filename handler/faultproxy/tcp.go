// Package faultproxy puts faults between a program under test and the
// local peers it talks to: Proxy is a TCP proxy that adds latency, stalls
// (a peer that stops answering), resets mid-response, refuses connections
// and limits bandwidth; HTTP is a reverse proxy that answers chosen
// requests itself (503, 429 with Retry-After) or cuts them off after the
// peer applied them. Tests only; everything listens on 127.0.0.1.
package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Kind is a kind of TCP fault.
type Kind int

// The TCP faults.
const (
	None Kind = iota
	// Latency delays every chunk the peer sends by Fault.Latency.
	Latency
	// Stall forwards nothing either way while it lasts, as a peer that
	// stopped answering; connections that stalled are closed when it
	// clears, as the peer's end would time out.
	Stall
	// Reset lets Fault.After bytes of the peer's answer through on each
	// connection, then resets the connection (RST), mid-response.
	Reset
	// Refuse resets every connection and closes the listening socket, so
	// that new connections are refused until it clears (the peer is down).
	Refuse
	// Bandwidth lets the peer's answers through at Fault.BytesPerSecond.
	Bandwidth
)

var kindNames = [...]string{"none", "latency", "stall", "reset", "refuse", "bandwidth"}

// String returns the fault's name, as in test names and logs.
func (k Kind) String() string { return kindNames[k] }

// Fault is a TCP fault and its parameters.
type Fault struct {
	Kind           Kind
	Latency        time.Duration // Latency
	After          int64         // Reset: bytes of the answer let through first
	BytesPerSecond int           // Bandwidth
}

// Proxy is a TCP proxy from a 127.0.0.1 port to an upstream address,
// injecting the Fault set on it into every connection.
type Proxy struct {
	addr, upstream string

	mu      sync.Mutex
	ln      net.Listener
	fault   Fault
	changed chan struct{} // closed and replaced when the fault changes
	conns   map[*link]struct{}
	closed  bool
	wg      sync.WaitGroup
}

// link is one proxied connection: the client's and the peer's ends.
type link struct {
	client, peer net.Conn
	stalled      bool  // it stalled under the current Stall
	answered     int64 // bytes of answer let through since the fault was set
}

// Start listens on a free port of 127.0.0.1 and proxies to upstream
// (host:port).
func Start(upstream string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{addr: ln.Addr().String(), upstream: upstream, ln: ln, changed: make(chan struct{}), conns: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.serve(ln)
	return p, nil
}

// Addr is the proxy's address, 127.0.0.1:PORT; it stays the same across a
// Refuse.
func (p *Proxy) Addr() string { return p.addr }

// Fault returns the fault in force.
func (p *Proxy) Fault() Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fault
}

// Set puts f in force on every connection, open or new, replacing the
// fault before it; Set(Fault{}) clears it.
func (p *Proxy) Set(f Fault) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("faultproxy: closed")
	}
	old := p.fault
	p.fault = f
	close(p.changed)
	p.changed = make(chan struct{})
	for l := range p.conns {
		l.answered = 0
		if old.Kind == Stall && l.stalled {
			l.close(true)
		}
		if f.Kind == Refuse {
			l.close(true)
		}
	}
	switch {
	case f.Kind == Refuse && p.ln != nil:
		p.ln.Close()
		p.ln = nil
	case f.Kind != Refuse && p.ln == nil:
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			return fmt.Errorf("faultproxy: listen again on %s: %w", p.addr, err)
		}
		p.ln = ln
		p.wg.Add(1)
		go p.serve(ln)
	}
	return nil
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed, p.fault = true, Fault{}
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for l := range p.conns {
		l.close(false)
	}
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) serve(ln net.Listener) {
	defer p.wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.handle(c)
	}
}

func (p *Proxy) handle(c net.Conn) {
	defer p.wg.Done()
	peer, err := net.DialTimeout("tcp", p.upstream, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	l := &link{client: c, peer: peer}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		l.close(false)
		return
	}
	p.conns[l] = struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { p.pipe(l, peer, c, false); done <- struct{}{} }()
	go func() { p.pipe(l, c, peer, true); done <- struct{}{} }()
	<-done
	l.close(false)
	<-done
	p.mu.Lock()
	delete(p.conns, l)
	p.mu.Unlock()
}

// pipe copies src to dst chunk by chunk, applying the fault in force to
// each chunk; answer says src is the peer.
func (p *Proxy) pipe(l *link, dst, src net.Conn, answer bool) {
	buf := make([]byte, 16<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !p.forward(l, dst, buf[:n], answer) {
			return
		}
		if err != nil {
			if tc, ok := dst.(*net.TCPConn); ok && errors.Is(err, io.EOF) {
				tc.CloseWrite()
			}
			return
		}
	}
}

// forward writes chunk to dst under the fault in force, reporting whether
// the connection lives on.
func (p *Proxy) forward(l *link, dst net.Conn, chunk []byte, answer bool) bool {
	for {
		p.mu.Lock()
		f, changed := p.fault, p.changed
		if f.Kind == Stall {
			l.stalled = true
		}
		p.mu.Unlock()
		switch f.Kind {
		case Stall:
			<-changed // hold the chunk until the stall ends; Set closes the link
			continue
		case Refuse:
			return false
		case Latency:
			if answer {
				time.Sleep(f.Latency)
			}
		case Reset:
			if answer {
				p.mu.Lock()
				left := f.After - l.answered
				l.answered += int64(len(chunk))
				p.mu.Unlock()
				if left < int64(len(chunk)) {
					if left > 0 {
						dst.Write(chunk[:left])
					}
					l.close(true)
					return false
				}
			}
		case Bandwidth:
			if answer && f.BytesPerSecond > 0 {
				for len(chunk) > 0 {
					n := min(len(chunk), max(f.BytesPerSecond/20, 1))
					time.Sleep(time.Duration(n) * time.Second / time.Duration(f.BytesPerSecond))
					if _, err := dst.Write(chunk[:n]); err != nil {
						return false
					}
					chunk = chunk[n:]
				}
				return true
			}
		}
		_, err := dst.Write(chunk)
		return err == nil
	}
}

// close closes both ends, with an RST when reset is set.
func (l *link) close(reset bool) {
	for _, c := range []net.Conn{l.client, l.peer} {
		if tc, ok := c.(*net.TCPConn); ok && reset {
			tc.SetLinger(0)
		}
		c.Close()
	}
}
