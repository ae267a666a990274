package webhook

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// receiver is a local TLS webhook endpoint that verifies each request with
// the independent verifier and answers with handle.
type receiver struct {
	*httptest.Server
	hits   atomic.Int32
	secret string
}

func newReceiver(t *testing.T, secret string, handle http.HandlerFunc) *receiver {
	t.Helper()
	r := &receiver{secret: secret}
	r.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		body, _ := io.ReadAll(req.Body)
		if err := verify(r.secret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("receiver: %v", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
			t.Errorf("receiver: got %s with Content-Type %q", req.Method, req.Header.Get("Content-Type"))
		}
		handle(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

// tlsFor returns a TLS config that trusts s's certificate.
func tlsFor(s *httptest.Server) *tls.Config {
	return s.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
}

// privateClient returns a client that may reach loopback: the tests below
// run their endpoints on 127.0.0.1, so they say AllowPrivate explicitly.
func privateClient(s *httptest.Server, timeout time.Duration) *Client {
	return NewClient(Options{Policy: Policy{AllowPrivate: true}, TLSConfig: tlsFor(s), Timeout: timeout})
}

func TestDeliverClassifies(t *testing.T) {
	secret := GenerateSecret()
	tests := []struct {
		name       string
		handle     http.HandlerFunc
		outcome    Outcome
		status     int
		retryAfter time.Duration
	}{
		{"200", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }, Succeeded, 200, 0},
		{"204", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }, Succeeded, 204, 0},
		{"500", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }, Retry, 500, 0},
		{"503 retry-after seconds", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(503)
		}, Retry, 503, 2 * time.Minute},
		{"429 retry-after date", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(90*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(429)
		}, Retry, 429, 90 * time.Second},
		{"429 retry-after capped", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "999999")
			w.WriteHeader(429)
		}, Retry, 429, MaxRetryAfter},
		{"408", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(408) }, Retry, 408, 0},
		{"400", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(400) }, Failed, 400, 0},
		{"404", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404) }, Failed, 404, 0},
		{"410", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(410) }, Failed, 410, 0},
		{"401", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(401) }, Failed, 401, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReceiver(t, secret, tt.handle)
			got := privateClient(r.Server, 0).Deliver(context.Background(), Message{URL: r.URL + "/hook", ID: "evt_1", Body: []byte(`{"a":1}`), Secrets: []string{secret}})
			if got.Outcome != tt.outcome || got.StatusCode != tt.status {
				t.Errorf("got %v %d (%s), want %v %d", got.Outcome, got.StatusCode, got.Error, tt.outcome, tt.status)
			}
			// A date's seconds are truncated and the attempt takes time:
			// allow two seconds' difference.
			if d := got.RetryAfter - tt.retryAfter; d < -2*time.Second || d > 2*time.Second {
				t.Errorf("RetryAfter: got %v, want %v", got.RetryAfter, tt.retryAfter)
			}
			if r.hits.Load() != 1 {
				t.Errorf("hits: got %d, want 1", r.hits.Load())
			}
		})
	}
}

func TestDeliverRotationOverlap(t *testing.T) {
	oldSecret, newSecret := GenerateSecret(), GenerateSecret()
	for _, held := range []string{oldSecret, newSecret} {
		r := newReceiver(t, held, func(w http.ResponseWriter, _ *http.Request) {})
		got := privateClient(r.Server, 0).Deliver(context.Background(), Message{URL: r.URL, ID: "evt_1", Body: []byte(`{}`), Secrets: []string{newSecret, oldSecret}})
		if got.Outcome != Succeeded {
			t.Errorf("receiver holding one of the secrets: got %v (%d %s), want succeeded", got.Outcome, got.StatusCode, got.Error)
		}
	}
}

func TestDeliverTimeout(t *testing.T) {
	release := make(chan struct{})
	// The receiver answers only once released, after Deliver has given up:
	// returning early when the client cancels would race a 200 against the
	// cancellation.
	r := newReceiver(t, GenerateSecret(), func(w http.ResponseWriter, req *http.Request) {
		<-release
		panic(http.ErrAbortHandler)
	})
	defer close(release)
	got := privateClient(r.Server, 200*time.Millisecond).Deliver(context.Background(), Message{URL: r.URL, ID: "evt_1", Body: []byte(`{}`), Secrets: []string{r.secret}})
	if got.Outcome != Retry || got.StatusCode != 0 || !strings.HasPrefix(got.Error, "timeout") {
		t.Errorf("got %v %d %q, want retry with a timeout", got.Outcome, got.StatusCode, got.Error)
	}
	if strings.Contains(got.Error, r.URL) {
		t.Errorf("the error %q holds the URL", got.Error)
	}
}

func TestDeliverConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := NewClient(Options{Policy: Policy{AllowPrivate: true}})
	got := c.Deliver(context.Background(), Message{URL: "https://" + addr + "/x?token=sekrit", ID: "evt_1", Body: []byte(`{}`), Secrets: []string{GenerateSecret()}})
	if got.Outcome != Retry || got.Error == "" {
		t.Errorf("got %v %q, want retry", got.Outcome, got.Error)
	}
	if strings.Contains(got.Error, "sekrit") {
		t.Errorf("the error %q holds the URL's query", got.Error)
	}
}

func TestDeliverBoundsBody(t *testing.T) {
	r := newReceiver(t, GenerateSecret(), func(w http.ResponseWriter, _ *http.Request) {
		chunk := strings.Repeat("x", 64<<10)
		for range 64 { // 4 MiB
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	})
	got := privateClient(r.Server, 0).Deliver(context.Background(), Message{URL: r.URL, ID: "evt_1", Body: []byte(`{}`), Secrets: []string{r.secret}})
	if got.Outcome != Succeeded || len(got.Body) != 1024 {
		t.Errorf("got %v with %d body bytes, want succeeded with 1024", got.Outcome, len(got.Body))
	}
}

// TestDeliverRefusesRedirect: a redirect is never followed, not even to a
// loopback server with AllowPrivate, so no redirect can lead a delivery to
// an address Validate did not see.
func TestDeliverRefusesRedirect(t *testing.T) {
	target := newReceiver(t, GenerateSecret(), func(w http.ResponseWriter, _ *http.Request) {})
	for _, code := range []int{301, 302, 307, 308} {
		from := newReceiver(t, target.secret, func(w http.ResponseWriter, req *http.Request) {
			http.Redirect(w, req, target.URL+"/stolen", code)
		})
		got := privateClient(from.Server, 0).Deliver(context.Background(), Message{URL: from.URL, ID: "evt_1", Body: []byte(`{}`), Secrets: []string{target.secret}})
		if got.Outcome != Failed || got.StatusCode != code {
			t.Errorf("%d: got %v %d, want failed %d", code, got.Outcome, got.StatusCode, code)
		}
	}
	if n := target.hits.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests, want 0", n)
	}
}

// TestDeliverRefusesPrivate: without AllowPrivate, a delivery never
// connects to a loopback address, whether named by an IP literal or by a
// host that resolves to one, and plain http is refused.
func TestDeliverRefusesPrivate(t *testing.T) {
	r := newReceiver(t, GenerateSecret(), func(w http.ResponseWriter, _ *http.Request) {})
	_, port, _ := net.SplitHostPort(r.Listener.Addr().String())
	res := newResolver(map[string][][]string{"hook.example": {{"127.0.0.1"}}, "hook6.example": {{"::1", "::ffff:127.0.0.1"}}})
	c := NewClient(Options{Policy: Policy{Resolver: res}, TLSConfig: tlsFor(r.Server)})
	for _, url := range []string{
		"https://127.0.0.1:" + port + "/",
		"https://[::ffff:127.0.0.1]:" + port + "/",
		"https://hook.example:" + port + "/",
		"https://hook6.example:" + port + "/",
		"http://127.0.0.1:" + port + "/",
	} {
		got := c.Deliver(context.Background(), Message{URL: url, ID: "evt_1", Body: []byte(`{}`), Secrets: []string{r.secret}})
		if got.Outcome != Failed {
			t.Errorf("%s: got %v %d %q, want failed", url, got.Outcome, got.StatusCode, got.Error)
		}
	}
	if n := r.hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests, want 0", n)
	}
}

// TestDeliverRefusesRebinding: a host that resolves to a public address
// when the subscription is validated and to loopback when the delivery
// connects is refused at the connection.
func TestDeliverRefusesRebinding(t *testing.T) {
	r := newReceiver(t, GenerateSecret(), func(w http.ResponseWriter, _ *http.Request) {})
	_, port, _ := net.SplitHostPort(r.Listener.Addr().String())
	res := newResolver(map[string][][]string{"rebind.example": {{"8.8.8.8"}, {"127.0.0.1"}}})
	p := Policy{Resolver: res}
	url := "https://rebind.example:" + port + "/hook"
	if err := p.Validate(context.Background(), url); err != nil {
		t.Fatalf("Validate while the host answers a public address: %v", err)
	}
	got := NewClient(Options{Policy: p, TLSConfig: tlsFor(r.Server)}).Deliver(context.Background(), Message{URL: url, ID: "evt_1", Body: []byte(`{}`), Secrets: []string{r.secret}})
	if got.Outcome != Failed || !strings.Contains(got.Error, "loopback") {
		t.Errorf("got %v %d %q, want failed: loopback refused", got.Outcome, got.StatusCode, got.Error)
	}
	if n := r.hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests, want 0", n)
	}
	if res.asked["rebind.example"] != 2 {
		t.Errorf("lookups: got %d, want 2 (validation, then the dial)", res.asked["rebind.example"])
	}
}
