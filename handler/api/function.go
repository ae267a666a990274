package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
	"shopfn/handler/telemetry"
)

// invocation is the Functions host's request to a non-HTTP function.
type invocation struct {
	Data     map[string]json.RawMessage `json:"Data"`
	Metadata map[string]json.RawMessage `json:"Metadata"`
}

// invocationResult is the answer the host expects.
type invocationResult struct {
	Outputs     map[string]any `json:"Outputs"`
	Logs        []string       `json:"Logs"`
	ReturnValue any            `json:"ReturnValue"`
}

// parseInvocation turns a Service Bus trigger invocation into a message.
func parseInvocation(data []byte) (commerce.Message, error) {
	var inv invocation
	if err := json.Unmarshal(data, &inv); err != nil || inv.Data == nil {
		return commerce.Message{}, commerce.Invalidf(commerce.CodeInvalidRequest, "not a Functions invocation: want {\"Data\":{...},\"Metadata\":{...}}")
	}
	raw, ok := inv.Data["msg"]
	if !ok {
		for _, v := range inv.Data { // the trigger binding has one name; take it
			raw = v
			break
		}
	}
	m := commerce.Message{Body: messageBody(raw)}
	m.ID = metaString(inv.Metadata, "MessageId")
	m.Type = metaString(inv.Metadata, "Subject")
	if m.Type == "" {
		m.Type = metaString(inv.Metadata, "Label")
	}
	m.DeliveryCount, _ = strconv.Atoi(metaString(inv.Metadata, "DeliveryCount"))
	m.Attributes = metaProperties(inv.Metadata)
	return m, nil
}

// messageBody decodes a Service Bus body as the host sends it: JSON when it
// is JSON, otherwise a string holding JSON, or base64 of the bytes.
func messageBody(raw json.RawMessage) []byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return raw
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return raw
	}
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") {
		return []byte(t)
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b
	}
	return []byte(s)
}

// metaString reads a metadata value that may be a JSON string or number.
func metaString(meta map[string]json.RawMessage, key string) string {
	raw, ok := meta[key]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// metaProperties reads a message's application properties, which the host
// sends as ApplicationProperties (or UserProperties in older extensions):
// an object of strings, possibly JSON-encoded as a string itself.
func metaProperties(meta map[string]json.RawMessage) map[string]string {
	for _, key := range []string{"ApplicationProperties", "UserProperties"} {
		raw, ok := meta[key]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			raw = json.RawMessage(s)
		}
		var props map[string]any
		if json.Unmarshal(raw, &props) != nil || len(props) == 0 {
			continue
		}
		out := make(map[string]string, len(props))
		for k, v := range props {
			if s, ok := v.(string); ok {
				out[k] = s
			}
		}
		return out
	}
	return nil
}

// HostRetry redelivers later a Service Bus message whose queue function
// failed under the Functions host (servicebus.HostRetry).
type HostRetry interface {
	// Lineage folds a redelivery copy's original ID and earlier
	// deliveries, carried in its application properties, back into m.
	Lineage(m commerce.Message) commerce.Message
	// MaxDeliveryCount is how many deliveries a message gets in all.
	MaxDeliveryCount() int
	// Retry schedules a copy of m due after a backoff.
	Retry(ctx context.Context, queue string, m commerce.Message) error
}

// invoke serves a queue function to the Functions host: 200 when the
// message was handled, 500 when it was not, so that the host abandons it
// and Service Bus redelivers it, or dead-letters it in the end. With
// HostRetry (Service Bus), a failed message with deliveries left is
// rescheduled instead and answered 200, so that the host completes the
// original; a copy past its last allowed delivery is answered 500
// without running the function, until Service Bus dead-letters it.
func (s *Server) invoke(queue string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := readBody(w, r)
		if err != nil {
			return err
		}
		m, err := parseInvocation(body)
		if err != nil {
			return err
		}
		if s.HostRetry != nil {
			m = s.HostRetry.Lineage(m)
		}
		res := invocationResult{Outputs: map[string]any{}, Logs: []string{}}
		trace := ""
		if id := telemetry.TraceID(m); id != "" {
			trace = " trace_id=" + id // the host's invocation log joins the checkout's trace
		}
		status, line := s.runFunction(r.Context(), queue, m)
		res.Logs = append(res.Logs, line+trace)
		out, _ := json.Marshal(res)
		writeBody(w, status, out)
		return nil
	}
}

// runFunction runs queue's function on m and returns the status to answer
// the host and a line for its log.
func (s *Server) runFunction(ctx context.Context, queue string, m commerce.Message) (int, string) {
	retry := s.HostRetry
	if retry != nil && m.DeliveryCount > retry.MaxDeliveryCount() {
		s.log.WarnContext(ctx, "message past its last delivery, left to dead-letter", "queue", queue, "message", m.ID, "delivery", m.DeliveryCount)
		return http.StatusInternalServerError, "refused: delivery " + strconv.Itoa(m.DeliveryCount) + " of " + m.ID + " is past the last allowed, Service Bus dead-letters it"
	}
	err := s.Functions(ctx, queue, m)
	if err == nil {
		return http.StatusOK, "handled " + m.Type + " " + m.ID
	}
	s.log.WarnContext(ctx, "function failed", "queue", queue, "message", m.ID, "delivery", m.DeliveryCount, "err", err)
	if retry == nil || m.DeliveryCount >= retry.MaxDeliveryCount() {
		return http.StatusInternalServerError, "failed: " + err.Error()
	}
	if rerr := retry.Retry(ctx, queue, m); rerr != nil {
		s.log.WarnContext(ctx, "redelivery not scheduled", "queue", queue, "message", m.ID, "err", rerr)
		return http.StatusInternalServerError, "failed: " + err.Error() + "; redelivery not scheduled: " + rerr.Error()
	}
	return http.StatusOK, "failed, redelivery scheduled: " + err.Error()
}
