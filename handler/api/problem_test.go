package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
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
