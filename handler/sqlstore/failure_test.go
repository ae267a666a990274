package sqlstore

import (
	"errors"
	"fmt"
	"testing"

	"shopfn/handler/commerce"
)

// TestFailure checks what the store-call metric counts as a failed call:
// the database failing, not the store answering no.
func TestFailure(t *testing.T) {
	outOfStock := commerce.Errorf(commerce.KindConflict, commerce.CodeInsufficientStock, "out")
	unavailable := fmt.Errorf("sqlstore: x: %w", commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "down"))
	broken := errors.New("disk I/O error")
	for _, tc := range []struct {
		name     string
		err      error
		wantFail bool
	}{
		{"success", nil, false},
		{"an answer: out of stock", fmt.Errorf("wrapped: %w", outOfStock), false},
		{"an answer: not found", commerce.NotFoundf("no such checkout"), false},
		{"the database unavailable after retries", unavailable, true},
		{"a driver error", broken, true},
	} {
		if got := failure(tc.err) != nil; got != tc.wantFail {
			t.Errorf("%s: failure(%v) != nil is %v, want %v", tc.name, tc.err, got, tc.wantFail)
		}
	}
}
