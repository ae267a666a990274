package api

import (
	"bytes"
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

// invoke serves a queue function to the Functions host: 200 when the
// message was handled, 500 when it was not, so that the host abandons it
// and Service Bus redelivers it, or dead-letters it in the end.
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
		res := invocationResult{Outputs: map[string]any{}, Logs: []string{}}
		status := http.StatusOK
		trace := ""
		if id := telemetry.TraceID(m); id != "" {
			trace = " trace_id=" + id // the host's invocation log joins the checkout's trace
		}
		if err := s.Functions(r.Context(), queue, m); err != nil {
			s.log.WarnContext(r.Context(), "function failed", "queue", queue, "message", m.ID, "delivery", m.DeliveryCount, "err", err)
			status = http.StatusInternalServerError
			res.Logs = append(res.Logs, "failed: "+err.Error()+trace)
		} else {
			res.Logs = append(res.Logs, "handled "+m.Type+" "+m.ID+trace)
		}
		out, _ := json.Marshal(res)
		writeBody(w, status, out)
		return nil
	}
}
