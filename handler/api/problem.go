package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"shopfn/handler/commerce"
)

// statusByKind is the one table from error kinds to HTTP statuses.
var statusByKind = map[commerce.Kind]int{
	commerce.KindInternal:     http.StatusInternalServerError,
	commerce.KindInvalid:      http.StatusBadRequest,
	commerce.KindUnauthorized: http.StatusUnauthorized,
	commerce.KindNotFound:     http.StatusNotFound,
	commerce.KindConflict:     http.StatusConflict,
	commerce.KindPrecondition: http.StatusPreconditionFailed,
	commerce.KindRule:         http.StatusUnprocessableEntity,
	commerce.KindUnavailable:  http.StatusServiceUnavailable,
	commerce.KindRateLimited:  http.StatusTooManyRequests,
}

// statusByCode overrides statusByKind for the few codes whose status HTTP
// itself defines.
var statusByCode = map[string]int{
	commerce.CodePayloadTooLarge:  http.StatusRequestEntityTooLarge,
	commerce.CodeUnsupportedMedia: http.StatusUnsupportedMediaType,
	commerce.CodeMethodNotAllowed: http.StatusMethodNotAllowed,
	commerce.CodeHeadersTooLarge:  http.StatusRequestHeaderFieldsTooLarge,
	commerce.CodeTooManyCheckouts: http.StatusTooManyRequests,
	commerce.CodeCrossSite:        http.StatusForbidden,
	commerce.CodeTooManyHeldUnits: http.StatusTooManyRequests,
	commerce.CodeEmailNotVerified: http.StatusForbidden,
	commerce.CodeCursorExpired:    http.StatusGone,
}

// maxDetailRunes bounds a problem's detail. Details quote client input (an
// ID, a SKU); the bound keeps a 5,000-character ID from being echoed whole.
const maxDetailRunes = 240

// Problem is an RFC 9457 problem details body, with shopfn's stable code.
type Problem struct {
	Type   string   `json:"type"`
	Title  string   `json:"title"`
	Status int      `json:"status"`
	Detail string   `json:"detail"`
	Code   string   `json:"code"`
	SKUs   []string `json:"skus,omitempty"`
	// Totals are the current totals ("price_changed").
	Totals *commerce.Totals `json:"totals,omitempty"`
	// Reason says why a promotion code does not apply ("invalid_promotion").
	Reason string `json:"reason,omitempty"`
}

// writeError writes err as a problem. Errors that are not *commerce.Error
// are logged and answered with a bare 500: internal detail never reaches
// the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if clientClosed(r, err) {
		// Nobody reads the answer; its status keeps the client's going away
		// out of the 5xx error rate that alerts page on.
		s.log.InfoContext(r.Context(), "client closed the request before the answer", "route", r.Pattern, "err", err)
		w.WriteHeader(StatusClientClosedRequest)
		return
	}
	var e *commerce.Error
	if !errors.As(err, &e) || e.Kind == commerce.KindInternal {
		s.log.ErrorContext(r.Context(), "internal error", "route", r.Pattern, "err", err)
		e = &commerce.Error{Kind: commerce.KindInternal, Code: commerce.CodeInternal, Message: "an internal error occurred; it has been logged"}
	}
	writeProblem(w, Status(e.Kind, e.Code), e)
}

// Status returns the HTTP status of a problem of the given kind and code:
// statusByCode's, else statusByKind's. The README's table of codes is
// generated from it.
func Status(kind commerce.Kind, code string) int {
	if status, ok := statusByCode[code]; ok {
		return status
	}
	return statusByKind[kind]
}

// StatusClientClosedRequest is the status recorded (in the access log and
// the metrics) for a request whose client went away before its answer and
// whose work stopped because of it; nginx's 499.
const StatusClientClosedRequest = 499

// clientClosed reports whether err is r's own cancellation: its client
// closed the connection.
func clientClosed(r *http.Request, err error) bool {
	return r.Context().Err() != nil && errors.Is(err, context.Canceled)
}

func writeProblem(w http.ResponseWriter, status int, e *commerce.Error) {
	_, body := problemBody(status, e)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	setRetryAfter(w, status)
	w.WriteHeader(status)
	w.Write(body)
}

// unavailableRetryAfter is the Retry-After, in seconds, of every 503: a
// dependency (Cosmos DB, Azure SQL, Service Bus, the payment provider) is
// down or throttling after shopfn's own retries, and a client that waits
// a moment and sends the request again (with the same Idempotency-Key) is
// what recovers.
const unavailableRetryAfter = "1"

// setRetryAfter sets Retry-After on a 503.
func setRetryAfter(w http.ResponseWriter, status int) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", unavailableRetryAfter)
	}
}

// problemBody encodes e as a problem with the given status.
func problemBody(status int, e *commerce.Error) (int, []byte) {
	body, _ := json.Marshal(Problem{
		Type:   "urn:shopfn:problem:" + e.Code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: clipDetail(e.Message),
		Code:   e.Code,
		SKUs:   e.SKUs,
		Totals: e.Totals,
		Reason: e.Reason,
	})
	return status, body
}

// writeJSON writes v as a JSON response.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeBody(w, status, body)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if bodyAllowed(status) {
		// Without a length net/http sends a body past 2 KiB chunked: a
		// listing then costs framing and more writes than its bytes need.
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	w.Write(body)
}

// jsonContentType is the Content-Type header value of JSON bodies, shared
// by every response: setting a header to a new one-element slice is an
// allocation per response. Header.Add appends to a full slice, so it
// never changes this one.
var jsonContentType = []string{"application/json"}

// writeEntry writes a 200 with a JSON body from the response cache, as
// writeBody does, with the Content-Length the entry holds.
func writeEntry(w http.ResponseWriter, e cacheEntry) {
	if e.length == nil {
		writeBody(w, http.StatusOK, e.body)
		return
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = e.length
	w.WriteHeader(http.StatusOK)
	w.Write(e.body)
}

// bodyAllowed reports whether a response with this status may carry a body
// (and so a Content-Length).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// logRequest logs one line per request, under its route's pattern (empty
// for a request no route took), never its path, which holds IDs.
func (s *Server) logRequest(r *http.Request, route string, status int, size int64, took time.Duration) {
	if s.cfg.AccessLog == nil {
		return
	}
	s.cfg.AccessLog.Request(r.Context(), r.Method, route, status, size, took)
}

// clipDetail shortens a problem detail to maxDetailRunes.
func clipDetail(s string) string {
	if len(s) <= maxDetailRunes {
		return s
	}
	n := 0
	for i := range s {
		if n == maxDetailRunes-3 {
			return s[:i] + "..."
		}
		n++
	}
	return s
}
