package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// This file holds the shop every E2E test drives and its requests; the
// checks every response gets are in e2e_response_test.go, JSON shapes in
// e2e_shape_test.go.

// e2eShop is a program under test with the checks every E2E request gets:
// no 5xx, and every error a problem+json body that leaks nothing internal.
type e2eShop struct{ *Program }

// startE2E starts the program; seed loads the 204-product sample catalog.
func startE2E(tb testing.TB, seed bool) e2eShop {
	tb.Helper()
	return e2eShop{MustRunMain(tb, seed)}
}

// send sends a request and reads the whole response, returning transport
// errors instead of failing the test, so that goroutines can use it. body
// is nil, a []byte or string sent as is (with a known length), an
// io.Reader sent chunked, or any value sent as JSON. header holds pairs of
// names and values; a JSON Content-Type is set when there is a body.
func (s e2eShop) send(method, path string, body any, header ...string) (*Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	case io.Reader:
		rd = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: data}, nil
}

// do is send for the test goroutine: it fails the test on a transport error
// or any 5xx, and checks every error response against the error contract.
func (s e2eShop) do(tb testing.TB, method, path string, body any, header ...string) *Response {
	tb.Helper()
	res, err := s.send(method, path, body, header...)
	if err != nil {
		tb.Fatal(err)
	}
	e2eCheckResponse(tb, method, path, res)
	if res.Status >= 500 {
		tb.FailNow()
	}
	return res
}

// admin is do with the admin key.
func (s e2eShop) admin(tb testing.TB, method, path string, body any, header ...string) *Response {
	tb.Helper()
	return s.do(tb, method, path, body, append([]string{"x-functions-key", testAdminKey}, header...)...)
}
