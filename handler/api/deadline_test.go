package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/memstore"
)

// TestRequestDeadline runs handlers that wait for their context to end:
// the server-side deadline ends it, and the request is answered 503
// "unavailable", whatever error the wait returns. An answer that is not an
// internal failure stands; a client that went away gets no problem.
func TestRequestDeadline(t *testing.T) {
	for _, tt := range []struct {
		name       string
		err        func(ctx context.Context) error // what the wait returns
		wantStatus int
		wantCode   string
	}{
		{"context error", func(ctx context.Context) error { return ctx.Err() }, 503, commerce.CodeUnavailable},
		{"wrapped", func(ctx context.Context) error { return fmt.Errorf("query: %w", ctx.Err()) }, 503, commerce.CodeUnavailable},
		{"a driver's own error", func(context.Context) error { return errors.New("interrupted") }, 503, commerce.CodeUnavailable},
		{"a store's answer", func(context.Context) error {
			return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "the store is busy")
		}, 503, commerce.CodeUnavailable},
		{"a client error", func(context.Context) error { return commerce.NotFoundf("no such queue") }, 404, commerce.CodeNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var sawDeadline bool
			s := NewServer(Deps{
				DeadLetters: func(ctx context.Context, queue string, limit int) ([]commerce.DeadLetter, error) {
					_, sawDeadline = ctx.Deadline()
					<-ctx.Done() // a queue that never answers
					return nil, tt.err(ctx)
				},
			}, Config{AdminKey: "deadline-test-key", RequestTimeout: 50 * time.Millisecond}, slog.New(slog.DiscardHandler))
			req := httptest.NewRequest("GET", "/api/admin/deadletters", nil)
			req.Header.Set("x-functions-key", "deadline-test-key")
			rec := serveOrHang(t, s.Handler(), req)
			if !sawDeadline {
				t.Error("the handler's context had no deadline")
			}
			var p Problem
			json.Unmarshal(rec.Body.Bytes(), &p)
			if rec.Code != tt.wantStatus || p.Code != tt.wantCode || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("got %d %s %s, want a %d problem %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

// serveOrHang serves req, failing the test when h has not answered in a
// minute: a hang detector, not a timing.
func serveOrHang(t *testing.T, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
		return rec
	case <-time.After(time.Minute):
		t.Fatalf("%s %s did not answer", req.Method, req.URL)
		return nil
	}
}

// TestRequestDeadlineDefault checks that a Server configured without a
// timeout still gives every request a deadline, of DefaultRequestTimeout.
func TestRequestDeadlineDefault(t *testing.T) {
	var left time.Duration
	s := NewServer(Deps{
		Health: func(ctx context.Context) error {
			if d, ok := ctx.Deadline(); ok {
				left = time.Until(d)
			}
			return nil
		},
	}, Config{}, slog.New(slog.DiscardHandler))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/health", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("got %d %s, want 200", rec.Code, rec.Body)
	}
	if left <= 0 || left > DefaultRequestTimeout {
		t.Errorf("deadline %v from now, want one within DefaultRequestTimeout (%v)", left, DefaultRequestTimeout)
	}
}

// hangingCatalog is a catalog whose listing waits for its context to end.
type hangingCatalog struct {
	*memstore.CatalogStore
	sawDeadline bool
}

func (c *hangingCatalog) ListProducts(ctx context.Context, f commerce.ProductFilter) ([]commerce.Product, error) {
	_, c.sawDeadline = ctx.Deadline()
	<-ctx.Done()
	return nil, fmt.Errorf("list: %w", ctx.Err())
}

// TestListingDeadline checks that the storefront listing, which gives its
// request the deadline itself and only when the response cache cannot
// answer, still bounds its store reads with it, and answers 503.
func TestListingDeadline(t *testing.T) {
	catalog := &hangingCatalog{CatalogStore: memstore.NewCatalogStore()}
	s := NewServer(Deps{Catalog: catalog}, Config{RequestTimeout: 50 * time.Millisecond, CacheTTL: time.Minute}, slog.New(slog.DiscardHandler))
	rec := serveOrHang(t, s.Handler(), httptest.NewRequest("GET", "/api/products?limit=20", nil))
	if !catalog.sawDeadline {
		t.Error("the listing's store read had no deadline")
	}
	var p Problem
	json.Unmarshal(rec.Body.Bytes(), &p)
	if rec.Code != http.StatusServiceUnavailable || p.Code != commerce.CodeUnavailable {
		t.Errorf("got %d %s, want a 503 problem %s", rec.Code, rec.Body, commerce.CodeUnavailable)
	}
}
