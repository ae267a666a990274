package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"

	"shopfn/handler/telemetry"
)

// These tests follow one checkout through the telemetry: the trace links
// the HTTP request, the outbox write, and the orders function that the
// queue delivers the message to; the metrics move.

// telSpan is what the tests check of a span, from any exporter.
type telSpan struct {
	Name, TraceID, SpanID, ParentID string
}

// telFind returns the first span named name, or false.
func telFind(spans []telSpan, name string) (telSpan, bool) {
	for _, s := range spans {
		if s.Name == name {
			return s, true
		}
	}
	return telSpan{}, false
}

// telRecorded returns the spans a recorder has seen end.
func telRecorded(rec *tracetest.SpanRecorder) []telSpan {
	var out []telSpan
	for _, s := range rec.Ended() {
		out = append(out, telSpan{s.Name(), s.SpanContext().TraceID().String(), s.SpanContext().SpanID().String(), s.Parent().SpanID().String()})
	}
	return out
}

// telWantTrace checks that spans hold the checkout's request (a child of
// the client's traceparent), its OrderPlaced outbox write, and the orders
// function's span, each the child of the one before, in one trace.
func telWantTrace(t *testing.T, spans []telSpan, traceID, parentID string) {
	t.Helper()
	chain := []string{"POST /api/checkout", "send OrderPlaced", "process orders OrderPlaced"}
	parent := parentID
	for _, name := range chain {
		s, ok := telFind(spans, name)
		if !ok {
			t.Fatalf("no span %q among %+v", name, spans)
		}
		if s.TraceID != traceID || s.ParentID != parent {
			t.Errorf("span %q: got trace %s parent %s, want trace %s parent %s", name, s.TraceID, s.ParentID, traceID, parent)
		}
		parent = s.SpanID
	}
}

// telCheckout runs one paid checkout with the given traceparent and waits
// for its order to be placed.
func telCheckout(t *testing.T, s e2eShop, sku, traceparent string) {
	t.Helper()
	s.mustStockedProduct(t, strings.ToLower(sku), sku, 1500, 10)
	req := moneyNewRequest(s.moneyCart(t, e2eLine{sku, 2}), "pm_card_visa")
	r := moneyWantPaid(t, "checkout", s.do(t, "POST", "/api/checkout", req, "traceparent", traceparent))
	s.moneyWaitOrder(t, r.OrderID, "placed")
}

// telSum returns the value of a counter's or gauge's data point whose
// attributes include attrs, or -1 when there is none.
func telSum(rm metricdata.ResourceMetrics, name string, attrs ...string) int64 {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			var points []metricdata.DataPoint[int64]
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				points = d.DataPoints
			case metricdata.Gauge[int64]:
				points = d.DataPoints
			}
		next:
			for _, p := range points {
				for i := 0; i+1 < len(attrs); i += 2 {
					if v, ok := p.Attributes.Value(attribute.Key(attrs[i])); !ok || v.AsString() != attrs[i+1] {
						continue next
					}
				}
				return p.Value
			}
		}
	}
	return -1
}

func TestE2ETelemetry(t *testing.T) {
	t.Parallel()
	rec := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	s := startMoney(t, func(m *Main) {
		m.Telemetry = telemetry.Config{SpanProcessors: []sdktrace.SpanProcessor{rec}, Readers: []sdkmetric.Reader{reader}}
	})
	const traceID, parentID = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	telCheckout(t, s, "TEL-1", "00-"+traceID+"-"+parentID+"-01")

	t.Run("Trace", func(t *testing.T) {
		moneyWait(t, "the orders function's span", func() (bool, string) {
			_, ok := telFind(telRecorded(rec), "process orders OrderPlaced")
			return ok, fmt.Sprint(telRecorded(rec))
		})
		telWantTrace(t, telRecorded(rec), traceID, parentID)
	})

	t.Run("Metrics", func(t *testing.T) {
		var rm metricdata.ResourceMetrics
		moneyWait(t, "the outbox to empty", func() (bool, string) {
			if err := reader.Collect(context.Background(), &rm); err != nil {
				t.Fatal(err)
			}
			n := telSum(rm, "shopfn.outbox.backlog")
			return n == 0, fmt.Sprintf("backlog %d", n)
		})
		for _, tt := range []struct {
			name  string
			attrs []string
			want  int64
		}{
			{"shopfn.checkouts", []string{"outcome", "paid"}, 1},
			{"shopfn.reservations", []string{"event", "made"}, 1},
			{"shopfn.orders.placed", nil, 1},
			{"shopfn.queue.messages", []string{"queue", "orders", "type", "OrderPlaced", "result", "handled"}, 1},
			{"shopfn.http.requests", []string{"route", "/api/checkout", "method", "POST", "status_class", "2xx"}, 1},
			{"shopfn.store.calls", []string{"operation", "sqlstore.begin checkout", "outcome", "ok"}, 1},
		} {
			if got := telSum(rm, tt.name, tt.attrs...); got != tt.want {
				t.Errorf("%s %v: got %d, want %d", tt.name, tt.attrs, got, tt.want)
			}
		}
		// The document store's calls, by the adapter in use.
		cartRead := "sqlite.read cart"
		if testCosmos != "" {
			cartRead = "cosmos.read carts"
		}
		if got := telSum(rm, "shopfn.store.calls", "operation", cartRead, "outcome", "ok"); got < 1 {
			t.Errorf("shopfn.store.calls %s: got %d, want at least 1", cartRead, got)
		}
	})

	t.Run("Scrape", func(t *testing.T) {
		if res := s.Program.Do(t, "GET", "/metrics", nil); res.Status != 401 {
			t.Errorf("GET /metrics without the key: got %d, want 401", res.Status)
		}
		res := s.Program.Admin(t, "GET", "/metrics", nil)
		for _, want := range []string{
			`shopfn_checkouts_total{outcome="paid"} 1`,
			`shopfn_orders_placed_total 1`,
			`shopfn_http_request_duration_seconds_bucket{method="POST",route="/api/checkout",status_class="2xx",le="+Inf"} 1`,
			`shopfn_outbox_backlog 0`,
			`shopfn_outbox_oldest_age_seconds 0`,
		} {
			if res.Status != 200 || !strings.Contains(string(res.Body), want) {
				t.Errorf("GET /metrics: got %d without %q:\n%s", res.Status, want, res.Body)
			}
		}
		if testCosmos != "" {
			// The peer charges 1 RU a request, as x-ms-request-charge says.
			const prefix = `shopfn_store_request_charge_total{operation="cosmos.read carts"} `
			var ru float64
			for _, line := range strings.Split(string(res.Body), "\n") {
				if v, ok := strings.CutPrefix(line, prefix); ok {
					ru, _ = strconv.ParseFloat(v, 64)
				}
			}
			if ru <= 0 {
				t.Errorf("GET /metrics: got %v for %q, want a positive charge:\n%s", ru, prefix, res.Body)
			}
		}
	})

	t.Run("FunctionsHost", func(t *testing.T) {
		// The host delivers a message whose application properties carry
		// the traceparent; its span and its Logs continue that trace.
		const hostTrace, hostParent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
		props, _ := json.Marshal(map[string]string{"traceparent": "00-" + hostTrace + "-" + hostParent + "-01"})
		body := `{"Data":{"msg":"{\"type\":\"OrderPlaced\",\"orderId\":\"o_unknown\"}"},"Metadata":{"MessageId":"tel-host-1",` +
			`"DeliveryCount":1,"Subject":"OrderPlaced","ApplicationProperties":` + string(props) + `}}`
		res := s.Program.Admin(t, "POST", "/orders", body)
		var out struct{ Logs []string }
		res.JSON(t, &out)
		if len(out.Logs) != 1 || !strings.Contains(out.Logs[0], "trace_id="+hostTrace) {
			t.Errorf("invocation Logs: got %q, want a line with trace_id=%s", out.Logs, hostTrace)
		}
		var span telSpan
		for _, sp := range telRecorded(rec) {
			if sp.Name == "process orders OrderPlaced" && sp.TraceID == hostTrace {
				span = sp
			}
		}
		if span.ParentID != hostParent {
			t.Errorf("the host's delivery span: got %+v, want a child of %s", span, hostParent)
		}
	})
}

// TestE2EMetricsAddr serves /metrics without a key on SHOPFN_METRICS_ADDR,
// and only /metrics there.
func TestE2EMetricsAddr(t *testing.T) {
	t.Parallel()
	s := startMoney(t, func(m *Main) { m.Config.MetricsAddr = "127.0.0.1:0" })
	s.do(t, "GET", "/api/health", nil)
	for _, tt := range []struct {
		path string
		want int
		body string
	}{
		{"/metrics", 200, `shopfn_http_requests_total{method="GET",route="/api/health",status_class="2xx"} 1`},
		{"/api/health", 404, ""},
	} {
		res, err := http.Get("http://" + s.MetricsAddr() + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.want || !strings.Contains(string(body), tt.body) {
			t.Errorf("GET %s on the metrics address: got %d %s, want %d with %q", tt.path, res.StatusCode, body, tt.want, tt.body)
		}
	}
}

// telReceiver is a local OTLP/HTTP receiver: it keeps the spans and the
// names of the metrics it is sent.
type telReceiver struct {
	mu      sync.Mutex
	spans   []telSpan
	metrics map[string]int64
	service string
}

func (r *telReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch req.URL.Path {
	case "/v1/traces":
		var in coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &in); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for _, rs := range in.ResourceSpans {
			for _, a := range rs.Resource.GetAttributes() {
				if a.Key == "service.name" {
					r.service = a.Value.GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					r.spans = append(r.spans, telSpan{s.Name, hex.EncodeToString(s.TraceId), hex.EncodeToString(s.SpanId), hex.EncodeToString(s.ParentSpanId)})
				}
			}
		}
	case "/v1/metrics":
		var in colmetricpb.ExportMetricsServiceRequest
		if err := proto.Unmarshal(body, &in); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for _, rm := range in.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					var total int64
					for _, p := range m.GetSum().GetDataPoints() {
						total += p.GetAsInt()
					}
					r.metrics[m.Name] = total
				}
			}
		}
	default:
		http.NotFound(w, req)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(200)
}

func (r *telReceiver) snapshot() ([]telSpan, map[string]int64, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans), maps.Clone(r.metrics), r.service
}

// TestE2ETelemetryOTLP exports over OTLP/HTTP, configured by the standard
// variables, to a local receiver.
func TestE2ETelemetryOTLP(t *testing.T) {
	recv := &telReceiver{metrics: map[string]int64{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_SERVICE_NAME", "shopfn-otlp-test")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
	t.Setenv("OTEL_METRIC_EXPORT_INTERVAL", "100")
	s := startMoney(t, func(m *Main) { m.Telemetry.Getenv = os.Getenv })
	const traceID, parentID = "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174"
	telCheckout(t, s, "TEL-OTLP", "00-"+traceID+"-"+parentID+"-01")

	moneyWait(t, "the spans and metrics at the receiver", func() (bool, string) {
		spans, metrics, _ := recv.snapshot()
		_, ok := telFind(spans, "process orders OrderPlaced")
		return ok && metrics["shopfn.orders.placed"] == 1, fmt.Sprint(spans, metrics)
	})
	spans, metrics, service := recv.snapshot()
	telWantTrace(t, spans, traceID, parentID)
	if service != "shopfn-otlp-test" {
		t.Errorf("service.name: got %q, want OTEL_SERVICE_NAME's shopfn-otlp-test", service)
	}
	if got := metrics["shopfn.checkouts"]; got != 1 {
		t.Errorf("shopfn.checkouts over OTLP: got %d, want 1", got)
	}
}
