package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"shopfn/handler/cosmos"
	"shopfn/handler/cosmos/cosmostest"
	"shopfn/handler/faultproxy"
)

// This file holds the rig of the fault-injection suite (e2e_faults_test.go):
// the program's peers, each behind a fault proxy, and the record of every
// answer the program gave while they failed.

// faultCosmos is the Cosmos DB peer of the fault suite: the one TestMain
// started in Cosmos mode, or one started on first use and stopped by
// TestMain.
var faultCosmos struct {
	once     sync.Once
	endpoint string
	err      error
	peer     *cosmostest.Peer
}

// faultCosmosPeer returns the Cosmos DB peer's endpoint, starting it once
// per package run.
func faultCosmosPeer() (string, error) {
	faultCosmos.once.Do(func() {
		if testCosmos != "" {
			faultCosmos.endpoint = testCosmos
			return
		}
		faultCosmos.peer, faultCosmos.err = cosmostest.Start()
		if faultCosmos.err == nil {
			faultCosmos.endpoint = faultCosmos.peer.Endpoint
		}
	})
	return faultCosmos.endpoint, faultCosmos.err
}

// stopFaultCosmos stops the peer faultCosmosPeer started, if any.
func stopFaultCosmos() {
	if faultCosmos.peer != nil {
		faultCosmos.peer.Stop()
	}
}

// faultRig is the program's peers behind fault proxies: Cosmos DB and the
// fake Stripe each behind an HTTP fault layer and a TCP proxy, Service Bus
// and the OTLP receiver behind a TCP proxy.
type faultRig struct {
	cosmosHTTP, stripeHTTP          *faultproxy.HTTP
	cosmos, stripe, serviceBus, otl *faultproxy.Proxy
	fake                            *moneyStripe
	otlp                            *telReceiver
}

// newFaultRig starts the proxies in front of the peers, closed when the
// test ends. It skips the test when a peer is missing (and SHOPFN_REQUIRE_PEERS
// is not 1).
func newFaultRig(t *testing.T) *faultRig {
	t.Helper()
	endpoint, err := faultCosmosPeer()
	if err != nil {
		if os.Getenv("SHOPFN_REQUIRE_PEERS") == "1" {
			t.Fatalf("the Cosmos DB peer is required (SHOPFN_REQUIRE_PEERS=1): %v", err)
		}
		t.Skip(err)
	}
	if sbPeer == nil {
		t.Skip(sbPeerMissing)
	}
	r := &faultRig{fake: newMoneyStripe(t), otlp: &telReceiver{metrics: map[string]int64{}}}
	r.fake.patient = true
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	tcp := func(upstream string) *faultproxy.Proxy {
		p, err := faultproxy.Start(upstream)
		must(err)
		t.Cleanup(p.Close)
		return p
	}
	web := func(upstream string) *faultproxy.HTTP {
		h, err := faultproxy.StartHTTP(upstream)
		must(err)
		t.Cleanup(h.Close)
		return h
	}
	r.cosmosHTTP = web(endpoint)
	r.cosmos = tcp(strings.TrimPrefix(r.cosmosHTTP.URL, "http://"))
	stripeSrv := httpServer(t, r.fake)
	r.stripeHTTP = web(stripeSrv)
	r.stripe = tcp(strings.TrimPrefix(r.stripeHTTP.URL, "http://"))
	r.serviceBus = tcp(sbAddr(sbPeer.ConnectionString()))
	r.otl = tcp(strings.TrimPrefix(httpServer(t, r.otlp), "http://"))
	return r
}

// proxies returns the TCP proxies, named.
func (r *faultRig) proxies() map[string]*faultproxy.Proxy {
	return map[string]*faultproxy.Proxy{"cosmos": r.cosmos, "stripe": r.stripe, "servicebus": r.serviceBus, "otlp": r.otl}
}

// configure points the program at the proxies: Cosmos DB documents (a new
// database, short retries), Service Bus queues, Stripe payments and OTLP
// telemetry, and the relational store sqlDSN names (SQLite when empty).
func (r *faultRig) configure(m *Main, sqlDSN string) {
	m.Config.Documents = "cosmos"
	m.Config.Cosmos = CosmosConfig{Endpoint: "http://" + r.cosmos.Addr(), Database: newTestDatabase(), Key: cosmostest.Key,
		Retry: cosmos.RetryOptions{BaseDelay: 20 * time.Millisecond, MaxDelay: 200 * time.Millisecond, TryTimeout: 400 * time.Millisecond, Budget: 2 * time.Second}}
	m.Config.ServiceBusConnection = strings.Replace(sbPeer.ConnectionString(), sbAddr(sbPeer.ConnectionString()), r.serviceBus.Addr(), 1)
	m.Config.Payments = "stripe"
	m.Config.StripeSecretKey = "sk_test_x"
	m.Config.StripeWebhookSecret = moneyWebhookSecret
	m.Config.StripeAPIBase = "http://" + r.stripe.Addr()
	if sqlDSN != "" {
		m.Config.SQL, m.Config.SQLServerDSN = "sqlserver", sqlDSN
	}
	otel := map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + r.otl.Addr(), "OTEL_SERVICE_NAME": "shopfn-faults",
		"OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_METRIC_EXPORT_INTERVAL": "200", "OTEL_EXPORTER_OTLP_TIMEOUT": "1000",
	}
	m.Telemetry.Getenv = func(name string) string { return otel[name] }
}

// sbAddr returns the host:port of a Service Bus connection string's
// sb:// endpoint.
func sbAddr(conn string) string {
	_, rest, _ := strings.Cut(conn, "sb://")
	addr, _, _ := strings.Cut(rest, ";")
	return strings.TrimSuffix(addr, "/")
}

// httpServer serves h on 127.0.0.1 until the test ends and returns its URL.
func httpServer(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// faultLog records every answer the program gave during a fault run: no
// 5xx but 503, and every 503 with Retry-After.
type faultLog struct {
	mu       sync.Mutex
	requests int
	byStatus map[int]int
	broken   []string
}

func (l *faultLog) record(method, path string, res *Response) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byStatus == nil {
		l.byStatus = map[int]int{}
	}
	l.requests++
	l.byStatus[res.Status]++
	switch {
	case res.Status == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "":
		l.broken = append(l.broken, method+" "+path+": 503 without Retry-After: "+string(res.Body))
	case res.Status >= 500 && res.Status != http.StatusServiceUnavailable:
		l.broken = append(l.broken, method+" "+path+": "+http.StatusText(res.Status)+": "+string(res.Body))
	}
}

// call sends a request the way a careful client does: a 503 is sent again
// after its Retry-After (shortened to 100 ms here) until the deadline. It
// returns the first other answer, or nil (reported) when the program could
// not be reached or kept answering 503.
func (l *faultLog) call(t *testing.T, s e2eShop, deadline time.Time, method, path string, body any, header ...string) *Response {
	t.Helper()
	for {
		res, err := s.send(method, path, body, header...)
		if err != nil {
			t.Errorf("%s %s: %v", method, path, err)
			return nil
		}
		l.record(method, path, res)
		if res.Status != http.StatusServiceUnavailable {
			e2eCheckResponse(t, method, path, res)
			return res
		}
		var p e2eProblem
		res.JSON(t, &p)
		if p.Status != 503 || (p.Code != "unavailable" && p.Code != "payment_unavailable") {
			t.Errorf("%s %s: 503 %s, want a problem unavailable or payment_unavailable", method, path, res.Body)
		}
		if time.Now().After(deadline) {
			t.Errorf("%s %s: still 503 at the deadline: %s", method, path, res.Body)
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}
