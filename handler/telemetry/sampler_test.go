package telemetry

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// TestSampler checks that OTEL_TRACES_SAMPLER and its argument are read
// through Config.Getenv (not only the process environment) and refused
// when they make no sense.
func TestSampler(t *testing.T) {
	sampledParent := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}, TraceFlags: trace.FlagsSampled, Remote: true}))
	for _, tc := range []struct {
		sampler, arg string
		parent       bool // start the spans under a sampled remote parent
		want         int  // spans recorded of 1,000 (-1: a ratio, strictly between 0 and 1,000)
		wantErr      bool
	}{
		{sampler: "", want: 1000},
		{sampler: "always_off", want: 0},
		{sampler: "ALWAYS_ON", want: 1000},
		{sampler: "parentbased_always_off", want: 0},
		{sampler: "parentbased_always_off", parent: true, want: 1000},
		{sampler: "traceidratio", arg: "0", want: 0},
		{sampler: "traceidratio", want: 1000},
		{sampler: "parentbased_traceidratio", arg: "0.5", want: -1},
		{sampler: "parentbased_traceidratio", arg: "0", parent: true, want: 1000},
		{sampler: "traceidratio", arg: "1.5", wantErr: true},
		{sampler: "traceidratio", arg: "half", wantErr: true},
		{sampler: "sometimes", wantErr: true},
	} {
		env := map[string]string{"OTEL_TRACES_SAMPLER": tc.sampler, "OTEL_TRACES_SAMPLER_ARG": tc.arg}
		rec := tracetest.NewSpanRecorder()
		tel, err := New(context.Background(), Config{Getenv: func(k string) string { return env[k] }, SpanProcessors: []sdktrace.SpanProcessor{rec}})
		if tc.wantErr {
			if err == nil {
				t.Errorf("sampler %q arg %q: got no error, want one", tc.sampler, tc.arg)
			}
			continue
		}
		if err != nil {
			t.Fatalf("sampler %q arg %q: %v", tc.sampler, tc.arg, err)
		}
		ctx := context.Background()
		if tc.parent {
			ctx = sampledParent
		}
		for range 1000 {
			_, span := tel.Tracer().Start(ctx, "x")
			span.End()
		}
		got := len(rec.Ended())
		if tc.want >= 0 && got != tc.want || tc.want < 0 && (got == 0 || got == 1000) {
			t.Errorf("sampler %q arg %q parent %v: %d of 1000 spans recorded, want %d", tc.sampler, tc.arg, tc.parent, got, tc.want)
		}
		tel.Shutdown(context.Background())
	}
}
