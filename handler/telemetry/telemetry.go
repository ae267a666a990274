// Package telemetry is shopfn's OpenTelemetry: traces and metrics configured
// by the standard OTEL_* variables, the Prometheus scrape handler, the W3C
// trace context carried on HTTP requests and queue messages, and the JSON
// logger that stamps every line with the trace and span ids.
//
// With no OTLP endpoint configured nothing is exported and spans are not
// recorded: a traceparent that arrives is still carried on to the messages a
// request publishes, at the cost of copying a string. Metrics are always
// kept in memory for GET /metrics.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/exemplar"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Config says where telemetry goes.
type Config struct {
	// Getenv reads the OTEL_* settings; nil means none are set. The OTLP
	// exporters themselves read the process environment, as their
	// specification says.
	Getenv func(string) string
	// SpanProcessors and Readers are added to the providers; tests pass
	// in-memory ones. Either turns tracing on.
	SpanProcessors []sdktrace.SpanProcessor
	Readers        []sdkmetric.Reader
}

// Telemetry holds the providers and the instruments of one process.
type Telemetry struct {
	metrics *Metrics
	tracer  trace.Tracer
	tracing bool // spans are recorded: a processor or exporter is set
	prop    propagation.TextMapPropagator
	scrape  http.Handler
	close   []func(context.Context) error
}

// New sets telemetry up. OTLP/HTTP export of traces starts when
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set
// and OTEL_TRACES_EXPORTER is not "none", and likewise for metrics;
// OTEL_SDK_DISABLED=true turns both off. Sampling follows
// OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, read through
// Config.Getenv; the service name OTEL_SERVICE_NAME (default shopfn).
func New(ctx context.Context, cfg Config) (*Telemetry, error) {
	env := cfg.Getenv
	if env == nil {
		env = func(string) string { return "" }
	}
	disabled := strings.EqualFold(env("OTEL_SDK_DISABLED"), "true")
	exporting := func(signal string) bool {
		if disabled || strings.EqualFold(env("OTEL_"+signal+"_EXPORTER"), "none") {
			return false
		}
		return env("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || env("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT") != ""
	}
	res, err := resource.Merge(
		resource.NewSchemaless(semconv.ServiceName("shopfn")),
		resource.Environment(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
	)
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	t := &Telemetry{prop: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})}

	// Traces.
	t.tracer = noop.NewTracerProvider().Tracer("shopfn")
	var topts []sdktrace.TracerProviderOption
	for _, sp := range cfg.SpanProcessors {
		topts = append(topts, sdktrace.WithSpanProcessor(sp))
	}
	if exporting("TRACES") {
		var opts []otlptracehttp.Option
		if u := endpoint(env, "TRACES"); u != "" {
			opts = append(opts, otlptracehttp.WithEndpointURL(u))
		}
		exp, err := otlptracehttp.New(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("telemetry: OTLP trace exporter: %w", err)
		}
		topts = append(topts, sdktrace.WithBatcher(exp))
	}
	if len(topts) > 0 {
		sampler, err := samplerFrom(env)
		if err != nil {
			return nil, err
		}
		tp := sdktrace.NewTracerProvider(append(topts, sdktrace.WithResource(res), sdktrace.WithSampler(sampler))...)
		t.tracer = tp.Tracer("shopfn")
		t.tracing = true
		t.close = append(t.close, tp.Shutdown)
	}

	// Metrics: always for Prometheus, over OTLP where configured.
	reg := prometheus.NewRegistry()
	pe, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(), otelprom.WithoutTargetInfo())
	if err != nil {
		return nil, fmt.Errorf("telemetry: prometheus exporter: %w", err)
	}
	// No exemplars: every measurement is made without the request's
	// context, so the default trace-based filter would only cost a check.
	mopts := []sdkmetric.Option{sdkmetric.WithResource(res), sdkmetric.WithReader(pe), sdkmetric.WithView(views()...),
		sdkmetric.WithExemplarFilter(exemplar.AlwaysOffFilter)}
	for _, r := range cfg.Readers {
		mopts = append(mopts, sdkmetric.WithReader(r))
	}
	if exporting("METRICS") {
		var opts []otlpmetrichttp.Option
		if u := endpoint(env, "METRICS"); u != "" {
			opts = append(opts, otlpmetrichttp.WithEndpointURL(u))
		}
		exp, err := otlpmetrichttp.New(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("telemetry: OTLP metric exporter: %w", err)
		}
		mopts = append(mopts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)))
	}
	mp := sdkmetric.NewMeterProvider(mopts...)
	t.close = append(t.close, mp.Shutdown)
	if t.metrics, err = newMetrics(mp.Meter("shopfn")); err != nil {
		return nil, fmt.Errorf("telemetry: instruments: %w", err)
	}
	t.scrape = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return t, nil
}

// samplerFrom returns the sampler OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG name, as the specification defines them
// (default parentbased_always_on; a ratio's default argument is 1), read
// through env so that Config.Getenv decides. An unknown name or a ratio
// outside [0, 1] is an error: a typo must not silently trace everything.
func samplerFrom(env func(string) string) (sdktrace.Sampler, error) {
	name := strings.ToLower(strings.TrimSpace(env("OTEL_TRACES_SAMPLER")))
	ratio := func() (float64, error) {
		arg := strings.TrimSpace(env("OTEL_TRACES_SAMPLER_ARG"))
		if arg == "" {
			return 1, nil
		}
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			return 0, fmt.Errorf("telemetry: OTEL_TRACES_SAMPLER_ARG %q is not a ratio between 0 and 1", arg)
		}
		return r, nil
	}
	switch name {
	case "", "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "traceidratio", "parentbased_traceidratio":
		r, err := ratio()
		if err != nil {
			return nil, err
		}
		if name == "traceidratio" {
			return sdktrace.TraceIDRatioBased(r), nil
		}
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(r)), nil
	}
	return nil, fmt.Errorf("telemetry: OTEL_TRACES_SAMPLER %q is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio", name)
}

// endpoint returns the OTLP/HTTP URL of a signal as the specification
// builds it: OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT as is, or
// OTEL_EXPORTER_OTLP_ENDPOINT plus /v1/<signal>. Passing it explicitly
// makes Config.Getenv, not only the process environment, decide.
func endpoint(env func(string) string, signal string) string {
	if u := env("OTEL_EXPORTER_OTLP_" + signal + "_ENDPOINT"); u != "" {
		return u
	}
	if u := env("OTEL_EXPORTER_OTLP_ENDPOINT"); u != "" {
		return strings.TrimSuffix(u, "/") + "/v1/" + strings.ToLower(signal)
	}
	return ""
}

// Metrics returns shopfn's instruments; nil (which records nothing) on a
// nil *Telemetry.
func (t *Telemetry) Metrics() *Metrics {
	if t == nil {
		return nil
	}
	return t.metrics
}

// Tracer returns the tracer spans are started with.
func (t *Telemetry) Tracer() trace.Tracer { return t.tracer }

// Scrape serves the metrics in the Prometheus text format.
func (t *Telemetry) Scrape() http.Handler { return t.scrape }

// Shutdown flushes what is left to export and stops the exporters.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	for i := len(t.close) - 1; i >= 0; i-- {
		errs = append(errs, t.close[i](ctx))
	}
	return errors.Join(errs...)
}
