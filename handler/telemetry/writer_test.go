package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// lockedBuffer is a bytes.Buffer safe for the flushing goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestWriter(t *testing.T) {
	t.Run("FlushesOnClose", func(t *testing.T) {
		var dst lockedBuffer
		w := NewWriter(&dst, time.Hour)
		io.WriteString(w, "one\n")
		io.WriteString(w, "two\n")
		if got := dst.String(); got != "" {
			t.Errorf("before a flush: got %q written, want nothing", got)
		}
		w.Close()
		if got, want := dst.String(), "one\ntwo\n"; got != want {
			t.Errorf("after Close: got %q, want %q", got, want)
		}
	})
	t.Run("FlushesOnInterval", func(t *testing.T) {
		var dst lockedBuffer
		w := NewWriter(&dst, 10*time.Millisecond)
		defer w.Close()
		io.WriteString(w, "line\n")
		deadline := time.Now().Add(5 * time.Second)
		for dst.String() != "line\n" && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if got := dst.String(); got != "line\n" {
			t.Errorf("after the interval: got %q, want %q", got, "line\n")
		}
	})
	t.Run("DropsWhenStalled", func(t *testing.T) {
		stall := make(chan struct{})
		w := NewWriter(writerFunc(func(p []byte) (int, error) { <-stall; return len(p), nil }), time.Millisecond)
		line := []byte(strings.Repeat("x", 1023) + "\n")
		for range 2 * dropOver / len(line) {
			w.Write(line)
		}
		if w.Dropped() == 0 {
			t.Errorf("dropped: got 0 writes, want some once %d bytes wait", dropOver)
		}
		close(stall)
		w.Close()
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestLoggerTraceIDs(t *testing.T) {
	var buf bytes.Buffer
	log, err := NewLogger(&buf, LogConfig{JSON: true})
	if err != nil {
		t.Fatal(err)
	}
	tel, err := New(context.Background(), Config{SpanProcessors: []sdktrace.SpanProcessor{tracetest.NewSpanRecorder()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := tel.Tracer().Start(context.Background(), "test")
	defer span.End()
	log.InfoContext(ctx, "in a span")
	log.InfoContext(context.Background(), "outside")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %s", l)
		}
		got = append(got, m)
	}
	if len(got) != 2 || got[0]["trace_id"] != span.SpanContext().TraceID().String() || got[0]["span_id"] != span.SpanContext().SpanID().String() {
		t.Errorf("line in a span: got %s, want trace_id %s span_id %s", lines[0], span.SpanContext().TraceID(), span.SpanContext().SpanID())
	}
	if len(got) == 2 && got[1]["trace_id"] != nil {
		t.Errorf("line outside a span: got %s, want no trace_id", lines[1])
	}
}

func TestParseLevel(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want slog.Level
		bad  bool
	}{{"", slog.LevelInfo, false}, {"debug", slog.LevelDebug, false}, {"WARN", slog.LevelWarn, false}, {"loud", 0, true}} {
		got, err := ParseLevel(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("ParseLevel(%q): got %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.bad)
		}
	}
}

// BenchmarkAccessLog is the per-request access line written the way it was
// (slog's JSON line straight to a file: a write(2) per request), through
// Writer, and formatted by AccessLog (to the file, and through Writer as
// the server does), from parallel goroutines as requests are served:
//
//	go test ./handler/telemetry -run '^$' -bench AccessLog
func BenchmarkAccessLog(b *testing.B) {
	line := func(log *slog.Logger) {
		log.LogAttrs(context.Background(), slog.LevelInfo, "request",
			slog.String("method", "GET"), slog.String("route", "/api/products/{idOrHandle}"),
			slog.Int("status", 200), slog.Int64("bytes", 1532), slog.Float64("took_ms", TookMS(183*time.Microsecond)))
	}
	open := func(b *testing.B) *os.File {
		f, err := os.Create(filepath.Join(b.TempDir(), "access.log"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		return f
	}
	b.Run("discard", func(b *testing.B) { // formatting alone
		log, _ := NewLogger(io.Discard, LogConfig{JSON: true})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				line(log)
			}
		})
	})
	b.Run("sync", func(b *testing.B) {
		log, _ := NewLogger(open(b), LogConfig{JSON: true})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				line(log)
			}
		})
	})
	b.Run("async", func(b *testing.B) {
		w := NewWriter(open(b), 200*time.Millisecond)
		defer w.Close()
		log, _ := NewLogger(w, LogConfig{JSON: true})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				line(log)
			}
		})
	})
	// The same line formatted by AccessLog, as the server writes it now.
	access := func(al *AccessLog) {
		al.Request(context.Background(), "GET", "/api/products/{idOrHandle}", 200, 1532, 183*time.Microsecond)
	}
	b.Run("access-sync", func(b *testing.B) {
		al, _ := NewAccessLog(open(b), LogConfig{JSON: true})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				access(al)
			}
		})
	})
	b.Run("access-async", func(b *testing.B) {
		w := NewWriter(open(b), 200*time.Millisecond)
		defer w.Close()
		al, _ := NewAccessLog(w, LogConfig{JSON: true})
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				access(al)
			}
		})
	})
}
