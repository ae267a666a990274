package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestWithDeadline checks that a request's work runs under RequestTimeout:
// the deadline store calls retry within before answering 503.
func TestWithDeadline(t *testing.T) {
	var left time.Duration
	var ok bool
	h := withDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var d time.Time
		d, ok = r.Context().Deadline()
		left = time.Until(d)
	}), RequestTimeout)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/products", nil))
	if !ok || left > RequestTimeout || left < RequestTimeout-time.Minute/2 {
		t.Errorf("request deadline: got %v from now (set %v), want about %v", left, ok, RequestTimeout)
	}
	if RequestTimeout >= 60*time.Second {
		t.Errorf("RequestTimeout %v: want it below the server's 60 s WriteTimeout, so that the 503 is written", RequestTimeout)
	}
}
