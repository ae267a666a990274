package faultproxy_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"shopfn/handler/faultproxy"
)

// echo is a TCP peer that answers each connection's first read with
// answer.
func echo(t *testing.T, answer string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64)
				if _, err := c.Read(buf); err == nil {
					c.Write([]byte(answer))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// ask sends a line through addr and reads the answer until the peer closes.
func ask(addr string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("hello\n")); err != nil {
		return "", err
	}
	b, err := io.ReadAll(c)
	return string(b), err
}

func TestProxy(t *testing.T) {
	p, err := faultproxy.Start(echo(t, "0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, tc := range []struct {
		name    string
		fault   faultproxy.Fault
		want    string
		wantErr func(error) bool
	}{
		{"None", faultproxy.Fault{}, "0123456789", nil},
		{"Latency", faultproxy.Fault{Kind: faultproxy.Latency, Latency: 10 * time.Millisecond}, "0123456789", nil},
		{"Bandwidth", faultproxy.Fault{Kind: faultproxy.Bandwidth, BytesPerSecond: 100}, "0123456789", nil},
		{"Reset", faultproxy.Fault{Kind: faultproxy.Reset, After: 4}, "0123", func(err error) bool { return errors.Is(err, syscall.ECONNRESET) }},
		{"Refuse", faultproxy.Fault{Kind: faultproxy.Refuse}, "", func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
		{"Stall", faultproxy.Fault{Kind: faultproxy.Stall}, "", isTimeout},
		{"ClearedAgain", faultproxy.Fault{}, "0123456789", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := p.Set(tc.fault); err != nil {
				t.Fatal(err)
			}
			got, err := ask(p.Addr())
			if got != tc.want || (tc.wantErr == nil) != (err == nil) || (tc.wantErr != nil && !tc.wantErr(err)) {
				t.Errorf("got %q, %v; want %q and %s", got, err, tc.want, map[bool]string{true: "no error", false: "its error"}[tc.wantErr == nil])
			}
		})
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestHTTP(t *testing.T) {
	peer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Write([]byte(`{"endpoint":"http://` + r.Host + `/"}`))
			return
		}
		w.Write([]byte("peer"))
	}))
	defer peer.Close()
	h, err := faultproxy.StartHTTP(peer.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	get := func(path string) (int, string, string) {
		res, err := http.Get(h.URL + path)
		if err != nil {
			return 0, "", err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), res.Header.Get("Retry-After")
	}
	h.Add(faultproxy.Rule{Match: func(r *http.Request) bool { return r.URL.Path == "/x" }, Times: 2, Status: 503, Header: http.Header{"Retry-After": {"1"}}})
	for i, want := range []struct {
		status     int
		body, more string
	}{{503, "", "1"}, {503, "", "1"}, {200, "peer", ""}} {
		if status, body, more := get("/x"); status != want.status || body != want.body || more != want.more {
			t.Errorf("GET /x #%d: got %d %q %q, want %d %q %q", i+1, status, body, more, want.status, want.body, want.more)
		}
	}
	if status, body, _ := get("/"); status != 200 || !strings.Contains(body, strings.TrimPrefix(h.URL, "http://")) {
		t.Errorf("GET /: got %d %s, want the peer's answer naming the proxy", status, body)
	}
	// A POST: net/http sends a GET again by itself on a reused connection.
	h.Add(faultproxy.Rule{Times: 1, Drop: true})
	if res, err := http.Post(h.URL+"/y", "text/plain", strings.NewReader("z")); err == nil {
		res.Body.Close()
		t.Errorf("dropped POST /y: got %d, want the connection cut", res.StatusCode)
	}
	if n := h.Hits(); n != 3 {
		t.Errorf("hits: got %d, want 3", n)
	}
}
