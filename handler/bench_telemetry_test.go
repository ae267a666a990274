//go:build unix

package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"shopfn/handler/telemetry"
)

// BenchmarkTelemetry compares listing and add-to-cart with telemetry off
// (no OTEL_* settings, no access log), with the access log only (JSON
// through telemetry.Writer), on (traces of every request and metrics
// exported over OTLP/HTTP to a local receiver, and the access log) and
// sampled (the same, one trace in a hundred recorded), in one run; compare
// cpu-ns/op on a loaded machine:
//
//	go test ./handler -run '^$' -bench BenchmarkTelemetry -benchtime 2s
func BenchmarkTelemetry(b *testing.B) {
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer recv.Close()
	accessLog := func(b *testing.B, m *Main) {
		w := telemetry.NewWriter(io.Discard, 200*time.Millisecond)
		b.Cleanup(func() { w.Close() })
		m.AccessLog, _ = telemetry.NewAccessLog(w, telemetry.LogConfig{JSON: true})
	}
	exporting := func(m *Main, more ...string) {
		env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": recv.URL, "OTEL_METRIC_EXPORT_INTERVAL": "1000"}
		for i := 0; i+1 < len(more); i += 2 {
			env[more[i]] = more[i+1]
		}
		m.Telemetry.Getenv = func(k string) string { return env[k] }
	}
	modes := []struct {
		name   string
		change func(*testing.B, *Main)
	}{
		{"off", nil},
		// No OTEL_* but the access log: the standalone default.
		{"log", accessLog},
		{"on", func(b *testing.B, m *Main) { exporting(m); accessLog(b, m) }},
		// An exporter, one trace in a hundred recorded (README, Telemetry).
		{"sampled", func(b *testing.B, m *Main) {
			exporting(m, "OTEL_TRACES_SAMPLER", "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0.01")
			accessLog(b, m)
		}},
	}
	for _, mode := range modes {
		change := func(b *testing.B) func(*Main) {
			if mode.change == nil {
				return nil
			}
			return func(m *Main) { mode.change(b, m) }
		}
		b.Run(mode.name+"/list", func(b *testing.B) {
			m := MustRunMainWith(b, true, change(b))
			reportCPU(b, func() { benchGET(b, m.server.Handler, []string{"/api/products?limit=20"}, nil) })
		})
		b.Run(mode.name+"/add-to-cart", func(b *testing.B) {
			m := MustRunMainWith(b, true, change(b))
			reportCPU(b, func() { benchAddToCart(b, m.server.Handler) })
		})
	}
}

// reportCPU runs a benchmark's loop and reports the CPU time the process
// spent per operation (cpu-ns/op): every goroutine's, so the span and
// metric exporters' too. Other processes' load on a shared machine moves
// it far less than the wall time. It includes the loop's own setup (the
// carts of add-to-cart: 256 requests, or one per 1000 operations): run
// enough operations that it does not matter.
func reportCPU(b *testing.B, run func()) {
	before := cpuTime()
	run()
	b.ReportMetric(float64(cpuTime()-before)/float64(b.N), "cpu-ns/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
