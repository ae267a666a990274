package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"

	"shopfn/handler/commerce"
)

// TestClientClosed checks that work stopped by the client going away is
// recorded as 499, not as a 5xx the error-rate alert would count, and only
// then.
func TestClientClosed(t *testing.T) {
	s := NewServer(Deps{}, Config{}, slog.New(slog.DiscardHandler))
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"the client's own cancellation", gone, fmt.Errorf("read cart: %w", context.Canceled), StatusClientClosedRequest},
		{"a cancellation while the client waits", context.Background(), context.Canceled, 500},
		{"another failure after the client left", gone, errors.New("disk full"), 500},
	} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/api/checkout", nil).WithContext(tc.ctx)
		s.writeError(rec, r, tc.err)
		if rec.Code != tc.want {
			t.Errorf("%s: got status %d, want %d", tc.name, rec.Code, tc.want)
		}
	}
}

// TestRetryAfter checks that every 503 tells the client when to retry,
// and that no other status does.
func TestRetryAfter(t *testing.T) {
	s := NewServer(Deps{}, Config{}, slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		err        error
		status     int
		retryAfter string
	}{
		{commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "Cosmos DB is unavailable"), 503, "1"},
		{commerce.Errorf(commerce.KindUnavailable, commerce.CodePaymentUnavailable, "Stripe is down"), 503, "1"},
		{commerce.NotFoundf("cart not found"), 404, ""},
		{errors.New("disk full"), 500, ""},
	} {
		rec := httptest.NewRecorder()
		s.writeError(rec, httptest.NewRequest("GET", "/api/carts/c1", nil), tc.err)
		if rec.Code != tc.status || rec.Header().Get("Retry-After") != tc.retryAfter {
			t.Errorf("%v: got %d with Retry-After %q, want %d with %q", tc.err, rec.Code, rec.Header().Get("Retry-After"), tc.status, tc.retryAfter)
		}
	}
}
