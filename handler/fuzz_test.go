package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"shopfn/handler/api"
)

// FuzzHTTP drives the real program over HTTP with fuzzed methods, paths,
// query strings and bodies, grown deep or wide by httpShape. Whatever
// arrives, an answer comes, it is never a 5xx, and every error is a
// problem+json body that leaks nothing internal. The seeds run on every go
// test; go test -fuzz=FuzzHTTP explores further.
func FuzzHTTP(f *testing.F) {
	s := startE2E(f, true)
	cart := s.mustNewCart(f, nil).ID
	for _, seed := range []struct{ method, target, body string }{
		{"GET", "/api/products", ""},
		{"GET", "/api/products?limit=%zz", ""},
		{"GET", "/api/products?cursor=%zz", ""},
		{"GET", "/api/products?q=blue%zztooth", ""},
		{"GET", "/api/products?category=apparel;limit=2", ""},
		{"GET", "/api/products?cursor=AAAA&category=x&limit=2", ""},
		{"GET", "/api/products?limit=1&limit=2&q=%ff", ""},
		{"GET", "/api/products/%ff%fe", ""},
		{"GET", "/api/categories?x=%", ""},
		{"GET", "/api/inventory/" + strings.Repeat("S", 300), ""},
		{"POST", "/api/carts", `{"items":[{"sku":"X","quantity":1}]}`},
		{"POST", "/api/carts", `{"Items":[{"SKU":"X","Quantity":1}]}`},
		{"POST", "/api/carts", `{"items":[],"items":[]}`},
		{"POST", "/api/carts", "{\"items\":[{\"sku\":\"\xff\",\"quantity\":1}]}"},
		{"POST", "/api/carts/" + cart + "/items", `{"sku":"X","quantity":1e400}`},
		{"PUT", "/api/carts/" + cart + "/items/X", `{"quantity":-1}`},
		{"DELETE", "/api/carts/" + cart + "/items/%2e%2e", ""},
		{"GET", "/api/carts/" + strings.Repeat("c", 5000), ""},
		{"POST", "/api/checkout", `{"cartId":"` + cart + `","email":"a@b.c"}`},
		{"POST", "/api/checkout/k0/confirm", `{}`},
		{"GET", "/api/orders/o0?x=%zz", ""},
		{"POST", "/api/admin/products?code=" + testAdminKey, `{"handle":"h","title":"\u202e","category":"c","variants":[]}`},
		{"GET", "/api/admin/orders?code=" + testAdminKey + "&cursor=%zz", ""},
		{"PATCH", "/api/products", ""},
		{"POST", "/api/carts", `[",","items":[]i`}, // issue 16: once spun for ever
	} {
		f.Add(seed.method, seed.target, seed.body, byte(0), uint16(0))
	}
	// Deep and wide bodies (issue 16: 40,000 '[' once took 1.7 GB).
	for _, seed := range []struct {
		method, target, body string
		shape                byte
		n                    uint16
	}{
		{"POST", "/api/carts", "", 1, 40000},
		{"POST", "/api/carts", "[]", 1, 31},
		{"POST", "/api/carts", "1", 2, 33},
		{"POST", "/api/carts/" + cart + "/items", `{"sku":"X","quantity":1}`, 2, 40000},
		{"POST", "/api/carts", `{"sku":"X","quantity":1}`, 3, 20000},
		{"POST", "/api/checkout", `"x"`, 4, 5000},
		{"PUT", "/api/carts/" + cart + "/items/X", `[[[]]]`, 3, 60000},
		{"POST", "/api/admin/products?code=" + testAdminKey, `{"a":[1,[2]]}`, 4, 2000},
	} {
		f.Add(seed.method, seed.target, seed.body, seed.shape, seed.n)
	}
	f.Fuzz(func(t *testing.T, method, target, body string, shape byte, n uint16) {
		switch method {
		case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS":
		default:
			return
		}
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		if shape%5 >= 3 && (len(body)+8)*int(n) > 2*api.MaxBodyBytes {
			return // refused unread, as any body over api.MaxBodyBytes
		}
		body = httpShape(body, shape, n)
		ctx, cancel := context.WithTimeout(context.Background(), hangDetector)
		defer cancel()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r, err := s.boundsSend(ctx, method, target, body)
		runtime.ReadMemStats(&after)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%s %s with %d bytes %.100q: no answer", method, target, len(body), body)
		}
		if err != nil {
			return // not a request a client can send
		}
		e2eCheckResponse(t, method, target, r)
		if grew, bound := after.TotalAlloc-before.TotalAlloc, fuzzAllocBound(len(body)); grew > bound {
			t.Fatalf("%s %s with %d bytes %.100q: the process allocated %d bytes, want at most %d", method, target, len(body), body, grew, bound)
		}
	})
}

// fuzzAllocBound is the most a request with a body of n bytes may make the
// program (server and client, one process) allocate: decoding takes some
// tens of times the body, plus a fixed allowance for the response and what
// runs alongside. Building a path per level of a 40,000-deep body took 1.7
// GB (issue 16).
func fuzzAllocBound(n int) uint64 {
	return 64<<20 + 100*uint64(n)
}

// httpShape grows a fuzzed body into one the mutator would take long to
// reach: as is (shape 0), nested n deep in arrays (1) or in objects (2),
// or n times over in a wide array (3) or a wide object (4).
func httpShape(body string, shape byte, n uint16) string {
	var b strings.Builder
	switch shape % 5 {
	case 1:
		return strings.Repeat("[", int(n)) + body + strings.Repeat("]", int(n))
	case 2:
		return strings.Repeat(`{"items":`, int(n)) + body + strings.Repeat("}", int(n))
	case 3:
		b.WriteByte('[')
		for i := range int(n) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(body)
		}
		b.WriteByte(']')
	case 4:
		b.WriteByte('{')
		for i := range int(n) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"k%d":%s`, i%1000, body) // keys repeat past 1000
		}
		b.WriteByte('}')
	default:
		return body
	}
	return b.String()
}
