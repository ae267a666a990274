package telemetry

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// scrapeAll records every instrument once and returns the Prometheus scrape.
func scrapeAll(t *testing.T) string {
	t.Helper()
	tel, err := New(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := tel.Metrics()
	m.Route("/api/products", "GET").Served(200, time.Millisecond)
	m.Checkout(OutcomePaid)
	m.Reservation("made", 1)
	m.OrderPlaced()
	m.Message("orders", "OrderPlaced", ResultHandled)
	m.CacheLookups("responses", 1, 1)
	m.StoreCall("sqlstore.mark paid", time.Millisecond, errors.New("x"))
	m.RequestCharge("cosmos.read carts", 1.5)
	if err := m.ObserveOutbox(func(context.Context) (OutboxState, error) {
		return OutboxState{Waiting: 2, Oldest: time.Unix(100, 0), Parked: 1}, nil
	},
		func() time.Time { return time.Unix(130, 0) }); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	tel.Scrape().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func TestScrape(t *testing.T) {
	got := scrapeAll(t)
	for _, want := range []string{
		`shopfn_http_requests_total{method="GET",route="/api/products",status_class="2xx"} 1`,
		`shopfn_checkouts_total{outcome="paid"} 1`,
		`shopfn_store_calls_total{operation="sqlstore.mark paid",outcome="error"} 1`,
		`shopfn_store_request_charge_total{operation="cosmos.read carts"} 1.5`,
		`shopfn_outbox_backlog 2`,
		`shopfn_outbox_oldest_age_seconds 30`,
		`shopfn_outbox_parked 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("scrape lacks %q:\n%s", want, got)
		}
	}
}

// TestDocumentedNames checks that every metric the dashboard queries and
// the README documents is one shopfn exports, and that README documents
// every one it exports.
func TestDocumentedNames(t *testing.T) {
	scrape := scrapeAll(t)
	exported := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^# TYPE (shopfn_\w+)`).FindAllStringSubmatch(scrape, -1) {
		exported[m[1]] = true
	}
	name := regexp.MustCompile(`shopfn_[a-z_]+`)
	base := func(n string) string {
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if b := strings.TrimSuffix(n, suffix); b != n && exported[b] {
				return b
			}
		}
		return n
	}
	documented := map[string]bool{}
	for _, file := range []string{"../../infra/grafana/shopfn.json", "../../README.md"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range name.FindAllString(string(data), -1) {
			if !exported[base(n)] {
				t.Errorf("%s names %s, which shopfn does not export", file, n)
			}
			if strings.HasSuffix(file, "README.md") {
				documented[base(n)] = true
			}
		}
	}
	for n := range exported {
		if !documented[n] {
			t.Errorf("%s is exported but README.md does not document it", n)
		}
	}
}

// TestRouteBuildsClassOnServe checks that a route's recorder builds the
// attribute set and tally of a status class when the route first answers
// in it, not when it is made (a server makes one per route at start), and
// that concurrent first answers are all counted.
func TestRouteBuildsClassOnServe(t *testing.T) {
	tel, err := New(context.Background(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := tel.Metrics()
	rm := m.Route("/api/carts/{cartId}", "GET")
	if n := len(m.requests.list); n != 0 {
		t.Fatalf("after Route: got %d tallies, want 0", n)
	}
	if n := len(m.sets); n != 0 {
		t.Fatalf("after Route: got %d attribute sets, want 0", n)
	}
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 100 {
				rm.Served(404, time.Millisecond)
			}
		}()
	}
	for range 8 {
		<-done
	}
	if n := len(m.requests.list); n != 1 {
		t.Errorf("after 4xx answers: got %d tallies, want 1", n)
	}
	rec := httptest.NewRecorder()
	tel.Scrape().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	want := `shopfn_http_requests_total{method="GET",route="/api/carts/{cartId}",status_class="4xx"} 800`
	if !strings.Contains(rec.Body.String(), want) {
		t.Errorf("scrape lacks %q:\n%s", want, rec.Body.String())
	}
}
