package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shopfn/handler/events"
	"shopfn/handler/webhook"
)

// This file holds the E2E tests of webhook subscriptions: a receiver on
// loopback that fails, times out and answers 429 before it accepts, and
// checks every signature with its own implementation of Standard Webhooks.

// e2eVerify checks a Standard Webhooks signature the way a receiver
// written from the specification would, independently of package webhook:
// HMAC-SHA256, keyed by the base64 bytes after "whsec_", over
// "id.timestamp.body"; the header holds space-separated "v1,<base64>".
func e2eVerify(secret, id, timestamp string, body []byte, header string) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(header) {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// e2eReceiver is a webhook endpoint that answers each message's first
// attempt 500, its second too late, its third 429 with Retry-After: 1, and
// accepts the fourth; it records what it accepted and every signature
// check.
type e2eReceiver struct {
	mu       sync.Mutex
	secrets  []string // any of these verifies
	tries    map[string]int
	lastTry  map[string]time.Time
	accepted []events.Event
	bad      []string
	late     time.Duration
	easy     bool // accept at once
	srv      *httptest.Server
}

func newE2EReceiver(t *testing.T, late time.Duration) *e2eReceiver {
	r := &e2eReceiver{tries: map[string]int{}, lastTry: map[string]time.Time{}, late: late}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *e2eReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id, ts, sig := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature")
	r.mu.Lock()
	ok := false
	for _, s := range r.secrets {
		ok = ok || e2eVerify(s, id, ts, body, sig)
	}
	if !ok {
		r.bad = append(r.bad, id)
		r.mu.Unlock()
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.tries[id]++
	n, easy := r.tries[id], r.easy
	prev := r.lastTry[id]
	r.lastTry[id] = time.Now()
	r.mu.Unlock()
	switch {
	case easy:
	case n == 1:
		w.WriteHeader(http.StatusInternalServerError)
		return
	case n == 2:
		time.Sleep(r.late) // past the client's timeout
		w.WriteHeader(http.StatusOK)
		return
	case n == 3:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	case time.Since(prev) < 900*time.Millisecond:
		r.mu.Lock()
		r.bad = append(r.bad, id+": Retry-After not honoured")
		r.mu.Unlock()
	}
	var e events.Event
	if err := json.Unmarshal(body, &e); err != nil || e.ID != id {
		r.mu.Lock()
		r.bad = append(r.bad, id+": body is not its event")
		r.mu.Unlock()
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.accepted = append(r.accepted, e)
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *e2eReceiver) got() ([]events.Event, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.accepted), slices.Clone(r.bad)
}

// startWebhookShop starts shopfn with private webhook URLs allowed (the
// receiver is on loopback), real time, a short attempt timeout and a fast
// retry schedule.
func startWebhookShop(t *testing.T, change func(*Main)) e2eShop {
	return e2eShop{MustRunMainWith(t, false, func(m *Main) {
		m.Now = time.Now
		if testing.Verbose() {
			m.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		}
		m.Config.WebhooksAllowPrivate = true
		m.WebhookOptions = func(o *webhook.Options) { o.Timeout = 300 * time.Millisecond }
		m.WebhookBackoff = &webhook.Backoff{First: 100 * time.Millisecond, Factor: 2, Max: time.Second, Window: time.Minute}
		if change != nil {
			change(m)
		}
	})}
}

// e2eSubscription is POST /api/admin/subscriptions's answer.
type e2eSubscription struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Secret string   `json:"secret"`
}

func (s e2eShop) mustSubscribe(t *testing.T, url string, types ...string) e2eSubscription {
	t.Helper()
	res := s.admin(t, "POST", "/api/admin/subscriptions", map[string]any{"url": url, "events": types, "description": "test"})
	e2eWantStatus(t, "POST /api/admin/subscriptions", res, 201)
	var sub e2eSubscription
	res.JSON(t, &sub)
	return sub
}

// waitEvents waits until the receiver accepted want events.
func waitEvents(t *testing.T, r *e2eReceiver, want int) []events.Event {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, bad := r.got()
		if len(bad) > 0 {
			t.Fatalf("receiver refused: %v", bad)
		}
		if len(got) >= want {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("receiver accepted %d events, want %d", len(got), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantInOrder checks that got holds exactly the events of want (by ID),
// each once, and that sorting by sequence gives each subject's events in
// the order the log has them.
func wantInOrder(t *testing.T, got, want []events.Event) {
	t.Helper()
	ids := func(es []events.Event) []string {
		out := make([]string, len(es))
		for i, e := range es {
			out[i] = e.ID
		}
		slices.Sort(out)
		return out
	}
	if g, w := ids(got), ids(want); !slices.Equal(g, w) {
		t.Fatalf("accepted events: got %v, want %v", g, w)
	}
	bySubject := map[string][]events.Event{}
	for _, e := range got {
		bySubject[e.Subject] = append(bySubject[e.Subject], e)
	}
	for subject, es := range bySubject {
		slices.SortFunc(es, func(a, b events.Event) int { return int(a.Sequence - b.Sequence) })
		var log []string
		for _, e := range want {
			if e.Subject == subject {
				log = append(log, e.ID)
			}
		}
		var sorted []string
		for _, e := range es {
			sorted = append(sorted, e.ID)
		}
		if !slices.Equal(sorted, log) {
			t.Errorf("%s sorted by sequence: got %v, want the log's order %v", subject, sorted, log)
		}
	}
}

func TestE2EWebhookDelivery(t *testing.T) {
	t.Parallel()
	r := newE2EReceiver(t, time.Second)
	s := startWebhookShop(t, nil)
	sub := s.mustSubscribe(t, r.srv.URL+"/hooks", "product.created", "product.updated", "inventory.level_changed", "inventory.low_stock")
	if !strings.HasPrefix(sub.Secret, "whsec_") {
		t.Fatalf("secret: got %q, want whsec_…", sub.Secret)
	}
	r.mu.Lock()
	r.secrets = []string{sub.Secret}
	r.mu.Unlock()

	p := s.mustCreateProduct(t, e2eProductInput("e2e-hook", "E2E-HOOK-1", 1000))
	s.mustSetStock(t, "E2E-HOOK-1", 10)
	p.Title = "Renamed"
	s.mustReplaceProduct(t, p)
	s.mustSetStock(t, "E2E-HOOK-1", 4)
	res := s.admin(t, "PUT", "/api/admin/inventory/E2E-HOOK-1", map[string]any{"onHand": 4, "lowStockThreshold": 5})
	e2eWantStatus(t, "PUT a threshold", res, 200)

	log := s.feedAll(t, "0")
	if len(log) != 6 {
		t.Fatalf("feed: got %d events, want 6", len(log))
	}
	got := waitEvents(t, r, len(log))
	wantInOrder(t, got, log)

	// Every delivery succeeded after four attempts, the second cut off.
	res = s.admin(t, "GET", "/api/admin/subscriptions/"+sub.ID+"/deliveries?status=succeeded", nil)
	e2eWantStatus(t, "GET deliveries", res, 200)
	var ds struct {
		Items []struct {
			Attempts   int `json:"attempts"`
			StatusCode int `json:"statusCode"`
		} `json:"items"`
	}
	res.JSON(t, &ds)
	if len(ds.Items) != 6 {
		t.Errorf("succeeded deliveries: got %d, want 6", len(ds.Items))
	}
	for _, d := range ds.Items {
		if d.Attempts != 4 || d.StatusCode != 204 {
			t.Errorf("delivery: got %d attempts, last %d; want 4, 204", d.Attempts, d.StatusCode)
		}
	}

	// A rotated secret: the receiver still holding the old one verifies
	// during the overlap, and one holding only the new one does too.
	res = s.admin(t, "POST", "/api/admin/subscriptions/"+sub.ID+"/rotate-secret", nil)
	e2eWantStatus(t, "POST rotate-secret", res, 200)
	var rot struct {
		Secret string `json:"secret"`
	}
	res.JSON(t, &rot)
	r.mu.Lock()
	r.easy = true
	r.mu.Unlock()
	for i, secret := range []string{sub.Secret, rot.Secret} {
		r.mu.Lock()
		r.secrets = []string{secret}
		r.mu.Unlock()
		s.mustSetStock(t, "E2E-HOOK-1", int64(20+i))
		waitEvents(t, r, 7+i)
	}

	// Redeliver sends the same event again, with its webhook-id.
	res = s.admin(t, "GET", "/api/admin/subscriptions/"+sub.ID+"/deliveries", nil)
	var all struct {
		Items []struct {
			ID      string `json:"id"`
			EventID string `json:"eventId"`
		} `json:"items"`
	}
	res.JSON(t, &all)
	res = s.admin(t, "POST", "/api/admin/subscriptions/"+sub.ID+"/deliveries/"+all.Items[0].ID+"/redeliver", nil)
	e2eWantStatus(t, "POST redeliver", res, 202)
	again := waitEvents(t, r, 9)
	if again[8].ID != all.Items[0].EventID {
		t.Errorf("redelivered: got event %s, want %s", again[8].ID, all.Items[0].EventID)
	}

	// The ping goes to this subscription only, and never into the feed.
	res = s.admin(t, "POST", "/api/admin/subscriptions/"+sub.ID+"/test", nil)
	e2eWantStatus(t, "POST test", res, 202)
	pinged := waitEvents(t, r, 10)
	if pinged[9].Type != events.Ping {
		t.Errorf("test: got %s, want ping", pinged[9].Type)
	}
	if n := len(s.feedAll(t, "0")); n != 8 {
		t.Errorf("feed after the ping: got %d events, want 8", n)
	}

	for _, path := range []string{"/api/admin/subscriptions/sub_nope", "/api/admin/subscriptions/" + sub.ID + "/deliveries/dlv_nope/redeliver"} {
		method := "GET"
		if strings.HasSuffix(path, "redeliver") {
			method = "POST"
		}
		res := s.admin(t, method, path, nil)
		e2eWantProblem(t, method+" "+path, res, 404, "not_found")
	}
	res = s.admin(t, "GET", "/api/admin/subscriptions/"+sub.ID+"/deliveries?status=lost", nil)
	e2eWantProblem(t, "GET deliveries?status=lost", res, 400, "invalid_request")
	res = s.admin(t, "POST", "/api/admin/subscriptions", map[string]any{"url": r.srv.URL, "events": []string{"ping"}})
	e2eWantProblem(t, "POST a ping subscription", res, 400, "invalid_request")
	res = s.admin(t, "GET", "/api/admin/subscriptions", nil)
	e2eWantStatus(t, "GET subscriptions", res, 200)
	if strings.Contains(string(res.Body), "whsec_") {
		t.Errorf("GET subscriptions shows a secret: %s", res.Body)
	}
	res = s.admin(t, "DELETE", "/api/admin/subscriptions/"+sub.ID, nil)
	e2eWantStatus(t, "DELETE subscription", res, 204)
	res = s.admin(t, "GET", "/api/admin/subscriptions/"+sub.ID, nil)
	e2eWantProblem(t, "GET a deleted subscription", res, 404, "not_found")
}

// e2eResolver resolves names from a table, each answer in turn (the last
// one repeating), as a rebinding DNS server would.
type e2eResolver struct {
	mu      sync.Mutex
	answers map[string][]string
}

func (r *e2eResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	as := r.answers[host]
	if len(as) == 0 {
		return nil, fmt.Errorf("no such host %s", host)
	}
	a := as[0]
	if len(as) > 1 {
		r.answers[host] = as[1:]
	}
	return []netip.Addr{netip.MustParseAddr(a)}, nil
}

func TestE2EWebhookSSRF(t *testing.T) {
	t.Parallel()
	resolver := &e2eResolver{answers: map[string][]string{
		"loopback.test": {"127.0.0.1"},
		"rebind.test":   {"93.184.215.14", "127.0.0.1"}, // public when checked, loopback when dialled
	}}
	s := e2eShop{MustRunMainWith(t, false, func(m *Main) {
		m.Now = time.Now
		m.WebhookResolver = resolver
		m.WebhookBackoff = &webhook.Backoff{First: 50 * time.Millisecond, Factor: 2, Max: 100 * time.Millisecond, Window: 200 * time.Millisecond}
	})}
	for _, url := range []string{
		"https://127.0.0.1/hook", "https://[::1]/hook", "https://10.1.2.3/hook", "https://169.254.169.254/latest/meta-data",
		"https://loopback.test/hook", "https://localhost/hook", "http://93.184.215.14/hook", "https://user:pw@example.test/hook",
		"https://[::ffff:127.0.0.1]/hook", "https://192.168.1.1/", "https://[fd00::1]/",
	} {
		res := s.admin(t, "POST", "/api/admin/subscriptions", map[string]any{"url": url, "events": []string{"product.created"}})
		e2eWantProblem(t, "POST a subscription to "+url, res, 422, "invalid_url")
	}
	// A host that resolved to a public address when subscribed and to
	// loopback when dialled is refused at the connection.
	sub := s.mustSubscribe(t, "https://rebind.test/hook", "product.created")
	s.mustCreateProduct(t, e2eProductInput("e2e-ssrf", "E2E-SSRF-1", 1000))
	deadline := time.Now().Add(20 * time.Second)
	for {
		res := s.admin(t, "GET", "/api/admin/subscriptions/"+sub.ID+"/deliveries?status=failed", nil)
		var ds struct {
			Items []struct {
				Error string `json:"error"`
			} `json:"items"`
		}
		res.JSON(t, &ds)
		if len(ds.Items) == 1 {
			if !strings.Contains(ds.Items[0].Error, "loopback") {
				t.Errorf("rebound delivery: got error %q, want a refused loopback address", ds.Items[0].Error)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the rebound delivery did not fail")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestE2EWebhookRedirect checks that a receiver's redirect (to the
// metadata address here) is not followed: the delivery fails at once.
func TestE2EWebhookRedirect(t *testing.T) {
	t.Parallel()
	var followed sync.Once
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Do(func() {})
		hits++
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	s := startWebhookShop(t, nil)
	sub := s.mustSubscribe(t, srv.URL, "product.created")
	s.mustCreateProduct(t, e2eProductInput("e2e-redirect", "E2E-REDIR-1", 1000))
	deadline := time.Now().Add(20 * time.Second)
	for {
		res := s.admin(t, "GET", "/api/admin/subscriptions/"+sub.ID+"/deliveries?status=failed", nil)
		var ds struct {
			Items []struct {
				Attempts   int    `json:"attempts"`
				StatusCode int    `json:"statusCode"`
				Error      string `json:"error"`
			} `json:"items"`
		}
		res.JSON(t, &ds)
		if len(ds.Items) == 1 {
			d := ds.Items[0]
			if d.Attempts != 1 || d.StatusCode != 307 || !strings.Contains(d.Error, "redirect") {
				t.Errorf("redirected delivery: got %+v, want one attempt, 307, not followed", d)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the redirected delivery did not fail")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
