package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// TestUnavailable checks that a store the request's deadline ran out on (a
// failover, a serverless database resuming) is answered 503 "unavailable"
// with Retry-After, and that other failures are not.
func TestUnavailable(t *testing.T) {
	s := NewServer(Deps{}, Config{}, slog.New(slog.DiscardHandler))
	late, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	storeDown := fmt.Errorf("sqlstore: mark paid: %w", commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "the database is unavailable; try again"))
	for _, tc := range []struct {
		name       string
		ctx        context.Context
		err        error
		want       int
		retryAfter string
	}{
		{"the store's retry budget ran out", context.Background(), storeDown, 503, "1"},
		{"the request's deadline passed in a store", late, fmt.Errorf("cosmos: read: %w", context.DeadlineExceeded), 503, "1"},
		{"a deadline of the call's own, the request's still running", context.Background(), context.DeadlineExceeded, 500, ""},
		{"a driver failure", context.Background(), errors.New("disk I/O error"), 500, ""},
	} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/api/checkout", nil).WithContext(tc.ctx)
		s.writeError(rec, r, s.timedOut(r, tc.err)) // as every route's errors are
		if rec.Code != tc.want || rec.Header().Get("Retry-After") != tc.retryAfter {
			t.Errorf("%s: got %d with Retry-After %q, want %d with %q", tc.name, rec.Code, rec.Header().Get("Retry-After"), tc.want, tc.retryAfter)
		}
	}
}
