package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"shopfn/handler/telemetry"
)

const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

func newTelemetry(tb testing.TB, cfg telemetry.Config) *telemetry.Telemetry {
	tb.Helper()
	tel, err := telemetry.New(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { tel.Shutdown(context.Background()) })
	return tel
}

// TestServerSpans checks the server span of each request: named by method
// and route template, joined to the incoming traceparent, with the route,
// path and status, and the access line stamped with its ids.
func TestServerSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	var log bytes.Buffer
	access, _ := telemetry.NewAccessLog(&log, telemetry.LogConfig{JSON: true})
	tel := newTelemetry(t, telemetry.Config{SpanProcessors: []sdktrace.SpanProcessor{rec}})
	h := NewServer(Deps{}, Config{Telemetry: tel, AccessLog: access}, slog.New(slog.DiscardHandler)).Handler()
	for _, tt := range []struct {
		method, path, name string
		status             int
	}{
		{"GET", "/api/health", "GET /api/health", 200},
		{"GET", "/api/inventory/SKU-1/x", "GET /", 404},               // no route: the fallback
		{"PATCH", "/api/carts/c_1", "PATCH /api/carts/{cartId}", 405}, // any method
	} {
		req := httptest.NewRequest(tt.method, tt.path, nil)
		req.Header.Set("traceparent", parent)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("spans: got %d, want 3", len(spans))
	}
	type got struct {
		Name, Trace, Parent, Route, Path, Method string
		Status                                   int64
	}
	want := []got{
		// No url.path: paths hold IDs; the route says which operation ran.
		{"GET /api/health", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "/api/health", "", "GET", 200},
		{"GET /", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "/", "", "GET", 404},
		{"PATCH /api/carts/{cartId}", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "/api/carts/{cartId}", "", "PATCH", 405},
	}
	for i, s := range spans {
		attrs := attribute.NewSet(s.Attributes()...)
		str := func(k string) string { v, _ := attrs.Value(attribute.Key(k)); return v.AsString() }
		status, _ := attrs.Value("http.response.status_code")
		g := got{s.Name(), s.SpanContext().TraceID().String(), s.Parent().SpanID().String(),
			str("http.route"), str("url.path"), str("http.request.method"), status.AsInt64()}
		if diff := cmp.Diff(want[i], g); diff != "" {
			t.Errorf("span %d (-want +got):\n%s", i, diff)
		}
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"`+spans[0].SpanContext().SpanID().String()+`"`) {
		t.Errorf("access lines: got %q, want 3 with the first span's ids", lines)
	}
	for i, want := range []string{`"route":"/api/health"`, `"route":"/"`, `"route":"/api/carts/{cartId}"`} {
		if i < len(lines) && (!strings.Contains(lines[i], want) || strings.Contains(lines[i], "c_1") || strings.Contains(lines[i], "SKU-1")) {
			t.Errorf("access line %d: got %s, want %s and no IDs from the path", i, lines[i], want)
		}
	}
}

// TestNoTracingNoSpan checks that without tracing a request without a
// traceparent gets no span, and one with a traceparent still carries it.
func TestNoTracingNoSpan(t *testing.T) {
	spans := newTelemetry(t, telemetry.Config{}).Spans("/api/health", "GET")
	r := httptest.NewRequest("GET", "/api/health", nil)
	if got, span := spans.Start(r); got != r || span != nil {
		t.Errorf("no traceparent: got a new request or span %v, want r and no span", span)
	}
	r.Header.Set("traceparent", parent)
	got, span := spans.Start(r)
	defer spans.End(span, got, 200)
	if id := span.SpanContext().TraceID().String(); id != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("traceparent: got trace %q, want the incoming one", id)
	}
}

// BenchmarkTelemetryOverhead is what telemetry adds to the cheapest route
// (GET /api/health): none at all (no *Telemetry), OTEL_* unset (metrics
// for /metrics only), unset with the access log, and traces exported over
// OTLP/HTTP to a local receiver with the access log:
//
//	go test ./handler/api -run '^$' -bench TelemetryOverhead -benchmem
func BenchmarkTelemetryOverhead(b *testing.B) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer recv.Close()
	exporting := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": recv.URL, "OTEL_METRIC_EXPORT_INTERVAL": "1000"}
	for _, mode := range []struct {
		name   string
		env    map[string]string // nil: no *Telemetry
		access bool
	}{
		{"none", nil, false},
		{"unset", map[string]string{}, false},
		{"unset+log", map[string]string{}, true},
		{"on", exporting, true},
	} {
		b.Run(mode.name, func(b *testing.B) {
			var cfg Config
			if mode.env != nil {
				cfg.Telemetry = newTelemetry(b, telemetry.Config{Getenv: func(k string) string { return mode.env[k] }})
			}
			if mode.access {
				w := telemetry.NewWriter(io.Discard, 200*time.Millisecond)
				b.Cleanup(func() { w.Close() })
				cfg.AccessLog, _ = telemetry.NewAccessLog(w, telemetry.LogConfig{JSON: true})
			}
			h := NewServer(Deps{}, cfg, slog.New(slog.DiscardHandler)).Handler()
			req := httptest.NewRequest("GET", "/api/health", nil)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				w.Body.Reset()
				h.ServeHTTP(w, req)
			}
		})
	}
}
