package telemetry

import (
	"context"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"shopfn/handler/commerce"
)

// serverKind is the start option of every server span, built once.
var serverKind = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}

// RouteSpans starts and ends the server spans of one route's requests,
// with the span name and the route's attributes built once.
type RouteSpans struct {
	t      *Telemetry
	route  string
	name   string // "GET /api/products"; "" when method is "*"
	method attribute.KeyValue
}

// Spans returns the span starter of route, a pattern, and method ("*" for
// the fallbacks that answer any method). Build it once per route, not per
// request. A nil *Telemetry returns nil, which starts no span.
func (t *Telemetry) Spans(route, method string) *RouteSpans {
	if t == nil {
		return nil
	}
	rs := &RouteSpans{t: t, route: route}
	if method != "*" {
		rs.name = method + " " + route
		rs.method = attribute.String("http.request.method", method)
	}
	return rs
}

// Start starts the server span of an HTTP request, a child of the
// request's traceparent when it has one (the Functions host forwards it).
// Without tracing and without a traceparent it does nothing and returns r
// and a nil span. Call End with the span when the response is written.
func (rs *RouteSpans) Start(r *http.Request) (*http.Request, trace.Span) {
	if rs == nil {
		return r, nil
	}
	t := rs.t
	ctx := r.Context()
	// The canonical key, looked up directly: Header.Get("traceparent")
	// would allocate the canonical form on every request.
	if len(r.Header["Traceparent"]) > 0 {
		ctx = t.prop.Extract(ctx, propagation.HeaderCarrier(r.Header))
	} else if !t.tracing {
		return r, nil // nothing to record, nothing to carry on
	}
	name := rs.name
	if name == "" {
		name = r.Method + " " + rs.route
	}
	ctx, span := t.tracer.Start(ctx, name, serverKind...)
	return r.WithContext(ctx), span
}

// End ends the span Start returned, recording the response status; a nil
// span is ignored.
func (rs *RouteSpans) End(span trace.Span, r *http.Request, status int) {
	if span == nil || !span.IsRecording() {
		return
	}
	if status == 0 {
		status = http.StatusOK
	}
	method := rs.method
	if !method.Valid() {
		method = attribute.String("http.request.method", r.Method)
	}
	// One call, so the span's attribute slice grows once. The route, never
	// url.path: paths hold cart, order, checkout and payment IDs.
	span.SetAttributes(method, attribute.String("http.route", rs.route),
		attribute.Int("http.response.status_code", status))
	if status >= 500 {
		span.SetStatus(codes.Error, http.StatusText(status))
	}
	span.End()
}

// carrier reads and writes a message's attributes as a TextMapCarrier.
type carrier map[string]string

func (c carrier) Get(key string) string { return c[key] }
func (c carrier) Set(key, value string) { c[key] = value }
func (c carrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// Publishing starts a producer span for m, a message about to be written to
// the outbox in ctx's trace, and stamps m's attributes with that span's
// traceparent so that the function that handles m continues the trace.
// Call the returned function once the write is done.
func (t *Telemetry) Publishing(ctx context.Context, m *commerce.Message) func(error) {
	if t == nil {
		return func(error) {}
	}
	ctx, span := t.tracer.Start(ctx, "send "+m.Type, trace.WithSpanKind(trace.SpanKindProducer),
		trace.WithAttributes(attribute.String("messaging.message.id", m.ID)))
	if span.SpanContext().IsValid() {
		attrs := make(carrier, len(m.Attributes)+1)
		for k, v := range m.Attributes {
			attrs[k] = v
		}
		t.prop.Inject(ctx, attrs)
		m.Attributes = attrs
	}
	return func(err error) {
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}

// Handler runs a queue function on a message.
type Handler = func(ctx context.Context, queue string, m commerce.Message) error

// Consume wraps a queue function: each message is handled in a consumer
// span that continues the trace of its traceparent attribute, and its
// result is counted. A failed delivery counts as dead-lettered when it was
// the last of maxDeliveries, as retried otherwise.
func (t *Telemetry) Consume(handle Handler, maxDeliveries int) Handler {
	if t == nil {
		return handle
	}
	return func(ctx context.Context, queue string, m commerce.Message) error {
		if m.Attributes[commerce.AttrTraceParent] != "" {
			ctx = t.prop.Extract(ctx, carrier(m.Attributes))
		}
		ctx, span := t.tracer.Start(ctx, "process "+queue+" "+m.Type, trace.WithSpanKind(trace.SpanKindConsumer))
		if span.IsRecording() {
			span.SetAttributes(attribute.String("messaging.destination.name", queue),
				attribute.String("messaging.message.id", m.ID), attribute.Int("messaging.delivery_count", m.DeliveryCount))
		}
		err := handle(ctx, queue, m)
		result := ResultHandled
		if err != nil {
			span.SetStatus(codes.Error, err.Error())
			result = ResultRetried
			if maxDeliveries > 0 && m.DeliveryCount >= maxDeliveries {
				result = ResultDeadLettered
			}
		}
		span.End()
		t.Metrics().Message(queue, m.Type, result)
		return err
	}
}

// TraceID returns the trace id a message carries in its traceparent, or "".
func TraceID(m commerce.Message) string {
	sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(context.Background(), carrier(m.Attributes)))
	if !sc.HasTraceID() {
		return ""
	}
	return sc.TraceID().String()
}
