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

// StartRequest starts the server span of an HTTP request, a child of the
// request's traceparent when it has one (the Functions host forwards it).
// Call the returned function with the response status when it is written.
func (t *Telemetry) StartRequest(r *http.Request, route string) (*http.Request, func(status int)) {
	if t == nil {
		return r, func(int) {}
	}
	ctx := r.Context()
	if r.Header.Get("traceparent") != "" {
		ctx = t.prop.Extract(ctx, propagation.HeaderCarrier(r.Header))
	}
	ctx, span := t.tracer.Start(ctx, r.Method+" "+route, trace.WithSpanKind(trace.SpanKindServer))
	if !span.IsRecording() {
		return r.WithContext(ctx), func(int) {}
	}
	span.SetAttributes(attribute.String("http.request.method", r.Method), attribute.String("http.route", route),
		attribute.String("url.path", r.URL.Path))
	return r.WithContext(ctx), func(status int) {
		if status == 0 {
			status = http.StatusOK
		}
		span.SetAttributes(attribute.Int("http.response.status_code", status))
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		span.End()
	}
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
