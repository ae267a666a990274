package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"shopfn/handler/telemetry"
)

// BenchmarkTelemetry compares listing and add-to-cart with telemetry off
// (no OTEL_* settings, no access log) and on (traces of every request and
// metrics exported over OTLP/HTTP to a local receiver, the access log in
// JSON through telemetry.Writer), in one run:
//
//	go test ./handler -run '^$' -bench BenchmarkTelemetry -benchtime 2s
func BenchmarkTelemetry(b *testing.B) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer recv.Close()
	modes := []struct {
		name   string
		change func(*Main)
	}{
		{"off", nil},
		{"on", func(m *Main) {
			env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": recv.URL, "OTEL_METRIC_EXPORT_INTERVAL": "1000"}
			m.Telemetry.Getenv = func(k string) string { return env[k] }
			w := telemetry.NewWriter(io.Discard, 200*time.Millisecond)
			b.Cleanup(func() { w.Close() })
			m.AccessLog, _ = telemetry.NewLogger(w, telemetry.LogConfig{JSON: true})
		}},
	}
	for _, mode := range modes {
		b.Run(mode.name+"/list", func(b *testing.B) {
			m := MustRunMainWith(b, true, mode.change)
			benchGET(b, m.server.Handler, []string{"/api/products?limit=20"}, nil)
		})
		b.Run(mode.name+"/add-to-cart", func(b *testing.B) {
			m := MustRunMainWith(b, true, mode.change)
			benchAddToCart(b, m.server.Handler)
		})
	}
}
