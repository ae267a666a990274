package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestAccessLogMatchesSlog checks that the hand-written access line says
// what the slog line it replaced said, field for field, in both formats,
// for paths that need escaping too.
func TestAccessLogMatchesSlog(t *testing.T) {
	tel, err := New(context.Background(), Config{SpanProcessors: []sdktrace.SpanProcessor{tracetest.NewSpanRecorder()}})
	if err != nil {
		t.Fatal(err)
	}
	spanCtx, span := tel.Tracer().Start(context.Background(), "test")
	defer span.End()
	paths := []string{"/api/products", "", "/a b=c", `/q"u\o`, "/tab\t/nl\n/ctl\x01", "/é/✓", "/bad\xff\xfe", "/<&>"}
	stamp := regexp.MustCompile(`time=\S+ |"time":"[^"]*",`)
	for _, json := range []bool{true, false} {
		for _, ctx := range []context.Context{context.Background(), spanCtx} {
			for _, path := range paths {
				var got, want bytes.Buffer
				al, err := NewAccessLog(&got, LogConfig{JSON: json})
				if err != nil {
					t.Fatal(err)
				}
				log, _ := NewLogger(&want, LogConfig{JSON: json})
				al.Request(ctx, "GET", path, 404, 1532, 183*time.Microsecond)
				log.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("method", "GET"), slog.String("route", path),
					slog.Int("status", 404), slog.Int64("bytes", 1532), slog.Float64("took_ms", TookMS(183*time.Microsecond)))
				if json {
					if diff := cmp.Diff(decodeLine(t, want.Bytes()), decodeLine(t, got.Bytes())); diff != "" {
						t.Errorf("JSON line for %q (-slog +access):\n%s", path, diff)
					}
				}
				g, w := stamp.ReplaceAllString(got.String(), ""), stamp.ReplaceAllString(want.String(), "")
				if g != w {
					t.Errorf("line for %q: got %q, want %q", path, g, w)
				}
			}
		}
	}
}

func decodeLine(t *testing.T, line []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("not a JSON line: %s: %v", line, err)
	}
	if _, err := time.Parse(time.RFC3339, m["time"].(string)); err != nil {
		t.Errorf("time: %v", err)
	}
	delete(m, "time")
	return m
}

func TestAccessLogLevel(t *testing.T) {
	var buf bytes.Buffer
	al, err := NewAccessLog(&buf, LogConfig{Level: "warn", JSON: true})
	if err != nil {
		t.Fatal(err)
	}
	al.Request(context.Background(), "GET", "/", 200, 0, 0)
	if buf.Len() != 0 {
		t.Errorf("at level warn: got %q, want no access line", buf.String())
	}
	if _, err := NewAccessLog(&buf, LogConfig{Level: "loud"}); err == nil {
		t.Errorf("level loud: got no error, want one")
	}
}

// BenchmarkAccessLine is the access line's formatting alone, slog's and
// AccessLog's, in a span: go test ./handler/telemetry -run '^$' -bench AccessLine
func BenchmarkAccessLine(b *testing.B) {
	tel, err := New(context.Background(), Config{SpanProcessors: []sdktrace.SpanProcessor{tracetest.NewSpanRecorder()}})
	if err != nil {
		b.Fatal(err)
	}
	ctx, span := tel.Tracer().Start(context.Background(), "test")
	defer span.End()
	b.Run("slog", func(b *testing.B) {
		log, _ := NewLogger(io.Discard, LogConfig{JSON: true})
		b.ReportAllocs()
		for b.Loop() {
			log.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", "GET"), slog.String("route", "/api/products/{idOrHandle}"),
				slog.Int("status", 200), slog.Int64("bytes", 1532), slog.Float64("took_ms", TookMS(183*time.Microsecond)))
		}
	})
	b.Run("access", func(b *testing.B) {
		al, _ := NewAccessLog(io.Discard, LogConfig{JSON: true})
		b.ReportAllocs()
		for b.Loop() {
			al.Request(ctx, "GET", "/api/products/{idOrHandle}", 200, 1532, 183*time.Microsecond)
		}
	})
}

// TestAccessLogTime checks that the time of the access line, formatted from
// a per-second stamp, is what AppendFormat writes, across second
// boundaries, in UTC and in a zone with an offset.
func TestAccessLogTime(t *testing.T) {
	const layout = "2006-01-02T15:04:05.000Z07:00"
	east := time.FixedZone("east", 5*3600+30*60)
	al, err := NewAccessLog(io.Discard, LogConfig{JSON: true})
	if err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 12, 7, 8, 59, 59, 0, time.UTC)
	for _, tt := range []time.Time{
		base, base.Add(7 * time.Millisecond), base.Add(999999999), base.Add(time.Second), base.Add(time.Second + 120*time.Millisecond),
		base.Add(time.Second + 120*time.Millisecond).In(east), base.Add(2*time.Second + 5*time.Millisecond).In(east), base.Add(3 * time.Second),
	} {
		if got, want := string(al.appendTime(nil, tt)), tt.Format(layout); got != want {
			t.Errorf("appendTime(%v): got %q, want %q", tt, got, want)
		}
	}
}
