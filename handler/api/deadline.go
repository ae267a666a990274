package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"shopfn/handler/commerce"
)

// DefaultRequestTimeout is how long a request may run when
// Config.RequestTimeout is zero.
const DefaultRequestTimeout = 30 * time.Second

// requestTimeout returns cfg's request deadline: RequestTimeout, or
// DefaultRequestTimeout when it is not set.
func (cfg Config) requestTimeout() time.Duration {
	if cfg.RequestTimeout > 0 {
		return cfg.RequestTimeout
	}
	return DefaultRequestTimeout
}

// withDeadline returns r with a context that ends RequestTimeout from now,
// so that the stores, the queue and every other call made for r give up
// then, whatever r carries; the caller calls cancel when r is answered.
func (s *Server) withDeadline(r *http.Request) (*http.Request, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.requestTimeout())
	return r.WithContext(ctx), cancel
}

// timedOut turns the error of a request whose deadline passed into a 503
// "unavailable", which the client may retry, instead of the 500 an
// aborted store call would otherwise be answered with. Answers that are
// not internal failures stand.
func (s *Server) timedOut(r *http.Request, err error) error {
	if !errors.Is(r.Context().Err(), context.DeadlineExceeded) {
		return err
	}
	var e *commerce.Error
	if errors.As(err, &e) && e.Kind != commerce.KindInternal {
		return err
	}
	s.log.WarnContext(r.Context(), "request deadline passed", "route", r.Pattern, "timeout", s.cfg.requestTimeout(), "err", err)
	return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "the request did not finish within %v; retry later", s.cfg.requestTimeout())
}
