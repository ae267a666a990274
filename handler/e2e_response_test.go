package main

import (
	"bytes"
	"encoding/json"
	"mime"
	"testing"
)

// This file holds the checks of E2E responses: nothing internal leaks, and
// errors are problem+json with a stable code.

// e2eLeaks are strings no response body may contain: they would reveal the
// store, a stack trace, source files or the server's paths.
var e2eLeaks = []string{"sqlite", "SQL", "goroutine", ".go:", "/work/", "/tmp/"}

// e2eCheckResponse reports (with Errorf, so any goroutine may call it) a 5xx,
// and every way an error response breaks the error contract:
// application/problem+json, {"type","title","status","detail","code"} with
// status equal to the HTTP status, and no internal detail.
func e2eCheckResponse(tb testing.TB, method, path string, res *Response) {
	tb.Helper()
	if res.Status >= 500 {
		tb.Errorf("%s %s: got %d %s; want no 5xx", method, path, res.Status, res.Body)
	}
	if res.Status < 400 {
		return
	}
	ct := res.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/problem+json" {
		tb.Errorf("%s %s: %d Content-Type = %q, want application/problem+json", method, path, res.Status, ct)
	}
	for _, issue := range e2eShapeIssues(res.Body, e2eProblemShape) {
		tb.Errorf("%s %s: %d problem %s: %s", method, path, res.Status, res.Body, issue)
	}
	var p e2eProblem
	if err := json.Unmarshal(res.Body, &p); err == nil && p.Status != res.Status {
		tb.Errorf("%s %s: problem status = %d, want the HTTP status %d", method, path, p.Status, res.Status)
	}
	for _, leak := range e2eLeaks {
		if bytes.Contains(res.Body, []byte(leak)) {
			tb.Errorf("%s %s: %d body %s contains %q; want no internal detail", method, path, res.Status, res.Body, leak)
		}
	}
}

// e2eProblem is a problem+json body.
type e2eProblem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
}

// e2eWantProblem fails unless res is an error with the given status and code.
func e2eWantProblem(tb testing.TB, what string, res *Response, status int, code string) {
	tb.Helper()
	var p e2eProblem
	json.Unmarshal(res.Body, &p)
	if res.Status != status || p.Code != code {
		tb.Errorf("%s: got %d %s, want %d with code %q", what, res.Status, res.Body, status, code)
	}
}

// e2eWantStatus fails the test unless res has the given status.
func e2eWantStatus(tb testing.TB, what string, res *Response, status int) {
	tb.Helper()
	if res.Status != status {
		tb.Fatalf("%s: got %d %s, want %d", what, res.Status, res.Body, status)
	}
}
