package main

import (
	"strings"
	"testing"
)

// FuzzHTTP drives the real program over HTTP with fuzzed methods, paths,
// query strings and bodies. Whatever arrives, the answer is never a 5xx,
// and every error is a problem+json body that leaks nothing internal. The
// seeds run on every go test; go test -fuzz=FuzzHTTP explores further.
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
	} {
		f.Add(seed.method, seed.target, seed.body)
	}
	f.Fuzz(func(t *testing.T, method, target, body string) {
		switch method {
		case "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS":
		default:
			return
		}
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		r, err := s.send(method, target, body)
		if err != nil {
			return // not a request a client can send
		}
		e2eCheckResponse(t, method, target, r)
	})
}
