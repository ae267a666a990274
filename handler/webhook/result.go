package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps the wait a Retry-After header can ask for.
const MaxRetryAfter = time.Hour

// Outcome is what became of a delivery attempt.
type Outcome int

// The outcomes.
const (
	// Succeeded: the endpoint answered 2xx.
	Succeeded Outcome = iota
	// Retry: the endpoint answered 5xx, 408 or 429, or could not be reached
	// in time; try again later (see Backoff).
	Retry
	// Failed: the endpoint answered another status (4xx, a redirect), or
	// the URL or an address it resolved to is refused; trying again would
	// fail the same way.
	Failed
)

// String returns "succeeded", "retry" or "failed".
func (o Outcome) String() string {
	switch o {
	case Succeeded:
		return "succeeded"
	case Retry:
		return "retry"
	}
	return "failed"
}

// Result is the outcome of one delivery attempt, as a delivery record
// keeps it.
type Result struct {
	Outcome Outcome
	// StatusCode is the response's status, or 0 when there was none.
	StatusCode int
	// RetryAfter is the wait the response's Retry-After header asked for,
	// at most MaxRetryAfter; 0 when absent or not a Retry.
	RetryAfter time.Duration
	// Duration is how long the attempt took.
	Duration time.Duration
	// Error says why the attempt did not succeed; it never holds the URL
	// (whose query may carry a receiver's token) nor the response body.
	Error string
	// Body is the start of the response body, at most 1 KiB.
	Body []byte
}

// Classify decides the outcome of an attempt that got status and header,
// or err when it got no response, at now (for a Retry-After date).
func Classify(status int, header http.Header, err error, now time.Time) Result {
	if err != nil {
		r := Result{Outcome: Retry, Error: describe(err)}
		if errors.Is(err, ErrInvalidURL) {
			r.Outcome = Failed
		}
		return r
	}
	r := Result{StatusCode: status}
	switch {
	case status >= 200 && status <= 299:
		r.Outcome = Succeeded
		return r
	case status == http.StatusRequestTimeout, status == http.StatusTooManyRequests, status >= 500 && status <= 599:
		r.Outcome = Retry
		r.RetryAfter = RetryAfter(header.Get("Retry-After"), now)
	case status >= 300 && status <= 399:
		r.Outcome = Failed
		r.Error = "redirects are not followed: subscribe the final URL"
		return r
	default:
		r.Outcome = Failed
	}
	r.Error = "HTTP " + strconv.Itoa(status)
	return r
}

// RetryAfter returns the wait a Retry-After header value asks for: a
// number of seconds or an HTTP date, capped at MaxRetryAfter; 0 when it
// is empty, malformed or in the past.
func RetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n >= int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return max(0, min(d, MaxRetryAfter))
}

// describe returns err without the request URL that http.Client adds, and
// names timeouts plainly.
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout: " + err.Error()
	}
	return err.Error()
}
