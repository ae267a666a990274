// Package storetest holds the conformance suites that every adapter of a
// commerce store interface must pass, in the manner of the Go CDK's
// drivertest: an adapter's test calls TestCatalogStore (and its siblings)
// with a function that makes a fresh, empty store.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// wantCode fails the test unless err is a *commerce.Error with the given code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *commerce.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v, want code %q", err, code)
	}
	if e.Code != code {
		t.Fatalf("got code %q (%v), want %q", e.Code, err, code)
	}
}

// must fails the test on a non-nil error.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// callTimeout bounds the store calls of each suite function (and of each
// helper call): a store that deadlocks, such as a transaction waiting for a
// second connection of a pool whose last one it holds, fails its test with
// "context deadline exceeded" instead of hanging it.
const callTimeout = time.Minute

// callContext returns a context that ends callTimeout from now or when t
// ends.
func callContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	t.Cleanup(cancel)
	return ctx
}
