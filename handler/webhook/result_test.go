package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errors.New("connection refused"))}
	tests := []struct {
		name       string
		status     int
		retryAfter string
		err        error
		outcome    Outcome
		wait       time.Duration
	}{
		{"200", 200, "", nil, Succeeded, 0},
		{"201", 201, "", nil, Succeeded, 0},
		{"299", 299, "", nil, Succeeded, 0},
		{"301", 301, "", nil, Failed, 0},
		{"304", 304, "", nil, Failed, 0},
		{"400", 400, "", nil, Failed, 0},
		{"403", 403, "", nil, Failed, 0},
		{"404 ignores retry-after", 404, "60", nil, Failed, 0},
		{"408", 408, "", nil, Retry, 0},
		{"409", 409, "", nil, Failed, 0},
		{"410", 410, "", nil, Failed, 0},
		{"413", 413, "", nil, Failed, 0},
		{"429", 429, "", nil, Retry, 0},
		{"429 seconds", 429, "30", nil, Retry, 30 * time.Second},
		{"429 date", 429, "Thu, 02 Jan 2025 03:14:05 GMT", nil, Retry, 10 * time.Minute},
		{"429 past date", 429, "Thu, 02 Jan 2025 03:00:00 GMT", nil, Retry, 0},
		{"429 capped", 429, "86400", nil, Retry, MaxRetryAfter},
		{"429 capped date", 429, "Fri, 03 Jan 2025 03:04:05 GMT", nil, Retry, MaxRetryAfter},
		{"429 garbage", 429, "soon", nil, Retry, 0},
		{"429 negative", 429, "-5", nil, Retry, 0},
		{"500", 500, "", nil, Retry, 0},
		{"502", 502, "", nil, Retry, 0},
		{"503 seconds", 503, " 5 ", nil, Retry, 5 * time.Second},
		{"599", 599, "", nil, Retry, 0},
		{"600", 600, "", nil, Failed, 0},
		{"timeout", 0, "", &url.Error{Op: "Post", URL: "https://h/x?token=t", Err: context.DeadlineExceeded}, Retry, 0},
		{"connection refused", 0, "", &url.Error{Op: "Post", URL: "https://h/", Err: refused}, Retry, 0},
		{"tls", 0, "", &url.Error{Op: "Post", URL: "https://h/", Err: errors.New("tls: failed to verify certificate")}, Retry, 0},
		{"refused address", 0, "", &url.Error{Op: "Post", URL: "https://h/", Err: &net.OpError{Op: "dial", Err: fmt.Errorf("%w: loopback", ErrInvalidURL)}}, Failed, 0},
		{"invalid url", 0, "", ErrInvalidURL, Failed, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.retryAfter != "" {
				h.Set("Retry-After", tt.retryAfter)
			}
			got := Classify(tt.status, h, tt.err, now)
			if got.Outcome != tt.outcome || got.RetryAfter != tt.wait {
				t.Errorf("got %v wait %v, want %v wait %v", got.Outcome, got.RetryAfter, tt.outcome, tt.wait)
			}
			if got.Outcome != Succeeded && got.Error == "" {
				t.Errorf("no error text for %v", got.Outcome)
			}
			if tt.err != nil && (got.StatusCode != 0 || containsAny(got.Error, "https://h", "token")) {
				t.Errorf("got status %d error %q, want 0 and no URL", got.StatusCode, got.Error)
			}
		})
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{Succeeded: "succeeded", Retry: "retry", Failed: "failed"} {
		if o.String() != want {
			t.Errorf("%d: got %q, want %q", o, o.String(), want)
		}
	}
}
