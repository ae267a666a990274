package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// This file holds the end-to-end tests of what bounds a request's work:
// bodies that once kept a handler busy for ever or took the memory of the
// square of their depth (issue 16), the request deadline, and shutting
// down with a request stuck.

// hangDetector bounds a request the tests expect answered at once: far
// longer than any answer takes, it only turns a hang into a failure.
const hangDetector = time.Minute

// boundsSend is send bounded by the hang detector, with the body as is.
func (s e2eShop) boundsSend(ctx context.Context, method, path, body string, header ...string) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: data}, nil
}

// TestE2EBodyMalformed sends bodies on which the strict-body check once
// looped for ever after a syntax error ("[\",\",\"items\":[]i", 16 bytes,
// spun a core per request): each is answered 400 invalid_request.
func TestE2EBodyMalformed(t *testing.T) {
	t.Parallel()
	s := startE2E(t, true)
	cart := s.mustNewCart(t, nil).ID
	for _, tt := range []struct{ method, path, body string }{
		{"POST", "/api/carts", `[",","items":[]i`},
		{"POST", "/api/carts", `{"items":[{"sku" x}]}`},
		{"POST", "/api/carts", `[1:2]`},
		{"POST", "/api/carts/" + cart + "/items", `[",","sku":[]i`},
		{"PUT", "/api/carts/" + cart + "/items/X", `{"quantity" 1}`},
		{"POST", "/api/checkout", `{"cartId":"` + cart + `","email" "a@b.c"}`},
		{"POST", "/api/admin/products", `{"variants":[{"sku" "S"}]}`},
	} {
		t.Run(tt.body, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), hangDetector)
			defer cancel()
			res, err := s.boundsSend(ctx, tt.method, tt.path, tt.body, "x-functions-key", testAdminKey)
			if err != nil {
				t.Fatalf("%s %s %s: %v; want an answer", tt.method, tt.path, tt.body, err)
			}
			e2eCheckResponse(t, tt.method, tt.path, res)
			e2eWantProblem(t, tt.method+" "+tt.path+" "+tt.body, res, 400, "invalid_request")
		})
	}
}

// TestE2EBodyDeep sends bodies nested deeper than 32 arrays and objects,
// up to 40,000 deep (which once took the process to 1.7 GB): each is
// answered 400 invalid_request saying so. The memory refusing takes is
// measured in package api (TestDecodeJSONDeepMemory).
func TestE2EBodyDeep(t *testing.T) {
	t.Parallel()
	s := startE2E(t, true)
	cart := s.mustNewCart(t, nil).ID
	product := `{"handle":"deep","title":"Deep","category":"c","attributes":{"a":%s},"variants":[{"sku":"DEEP-1","price":{"amount":1,"currency":"USD"}}]}`
	for _, tt := range []struct{ name, method, path, body string }{
		{"40000 '['", "POST", "/api/carts", strings.Repeat("[", 40_000)},
		{"40000 '{'", "POST", "/api/carts", `{"items":[` + strings.Repeat(`{"sku":`, 40_000)},
		{"33 closed", "POST", "/api/carts/" + cart + "/items", strings.Repeat("[", 33) + strings.Repeat("]", 33)},
		{"33 in attributes", "POST", "/api/admin/products", fmt.Sprintf(product, strings.Repeat("[", 32)+strings.Repeat("]", 32))},
		{"33 in checkout", "POST", "/api/checkout", `{"cartId":"` + cart + `","shippingAddress":` + strings.Repeat("[", 40)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), hangDetector)
			defer cancel()
			res, err := s.boundsSend(ctx, tt.method, tt.path, tt.body, "x-functions-key", testAdminKey)
			if err != nil {
				t.Fatalf("%s %s: %v; want an answer", tt.method, tt.path, err)
			}
			e2eCheckResponse(t, tt.method, tt.path, res)
			e2eWantProblem(t, tt.name, res, 400, "invalid_request")
			if !bytes.Contains(res.Body, []byte("nested deeper than 32")) {
				t.Errorf("%s: got %s, want the detail to say the body is nested deeper than 32", tt.name, res.Body)
			}
		})
	}
	// A product 32 deep is refused only for what its attributes hold.
	res := s.admin(t, "POST", "/api/admin/products", fmt.Sprintf(product, strings.Repeat("[", 30)+strings.Repeat("]", 30)))
	if bytes.Contains(res.Body, []byte("nested deeper")) {
		t.Errorf("a product 32 deep: got %d %s, want its depth accepted", res.Status, res.Body)
	}
}

// boundsStuck wraps the queue functions the Functions host calls (POST
// /orders) so that every run waits in stuck(ctx) until it returns; entered
// is sent each run's context.
func boundsStuck(entered chan<- context.Context, stuck func(ctx context.Context) error) func(Handler) Handler {
	return func(Handler) Handler {
		return func(ctx context.Context, queue string, m commerce.Message) error {
			entered <- ctx
			return stuck(ctx)
		}
	}
}

// boundsInvoke is the Functions host's call of the orders function.
const boundsInvoke = `{"Data":{"msg":{"type":"OrderPlaced","orderId":"o-none"}},"Metadata":{"MessageId":"m-stuck","DeliveryCount":1}}`

// TestE2ERequestDeadline runs a queue function, called as the Functions
// host calls it, that waits until its context ends: the request deadline
// (SHOPFN_REQUEST_TIMEOUT_SECONDS) ends it, and the host is answered that
// the function failed, so that Service Bus redelivers the message.
func TestE2ERequestDeadline(t *testing.T) {
	t.Parallel()
	entered := make(chan context.Context, 1)
	s := e2eShop{MustRunMainWith(t, false, func(m *Main) {
		m.Config.RequestTimeout = 300 * time.Millisecond
		m.HostMiddleware = boundsStuck(entered, func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
	})}
	ctx, cancel := context.WithTimeout(context.Background(), hangDetector)
	defer cancel()
	res, err := s.boundsSend(ctx, "POST", "/orders", boundsInvoke, "x-functions-key", testAdminKey)
	if err != nil {
		t.Fatalf("POST /orders with a function that runs until it is stopped: %v; want an answer", err)
	}
	if res.Status != 500 || !bytes.Contains(res.Body, []byte("deadline exceeded")) {
		t.Errorf("got %d %s, want 500 saying the function failed past its deadline", res.Status, res.Body)
	}
	if err := (<-entered).Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the function's context ended with %v, want its deadline", err)
	}
}

// TestE2EShutdownStuckRequest shuts down while a request is stuck in a
// handler that never looks at its context (as the strict-body check once
// spun): Close gives up after the request deadline, cancels the request
// and closes its connection, so that neither it nor the client waits for
// ever.
func TestE2EShutdownStuckRequest(t *testing.T) {
	t.Parallel()
	entered := make(chan context.Context, 1)
	release := make(chan struct{})
	s := e2eShop{MustRunMainWith(t, false, func(m *Main) {
		m.Config.RequestTimeout = 300 * time.Millisecond
		m.HostMiddleware = boundsStuck(entered, func(ctx context.Context) error {
			<-release // deaf to its context
			return errors.New("released")
		})
	})}
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithTimeout(context.Background(), hangDetector)
	defer cancel()
	answered := make(chan error, 1)
	go func() {
		_, err := s.boundsSend(ctx, "POST", "/orders", boundsInvoke, "x-functions-key", testAdminKey)
		answered <- err
	}()
	reqCtx := <-entered

	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err == nil || !strings.Contains(err.Error(), "shutdown") {
			t.Errorf("Close with a request stuck: got %v, want it to report the request it gave up on", err)
		}
	case <-ctx.Done():
		t.Fatal("Close waited for the stuck request")
	}
	if reqCtx.Err() == nil {
		t.Error("after Close the stuck request's context is still live, want it cancelled")
	}
	if err := <-answered; err == nil || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the stuck request's client got %v, want its connection closed by Close", err)
	}
}
