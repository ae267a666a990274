package main

import (
	"io"
	"slices"
	"strings"
	"testing"
)

// This file holds the E2E tests of the error contract.

// e2eChunked hides a reader's length, so that a request body is sent chunked.
type e2eChunked struct{ io.Reader }

func TestE2EErrors(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	p := s.mustCreateProduct(t, e2eProductInput("e2e-errors", "E2E-ERR-1", 1500))
	s.mustSetStock(t, "E2E-ERR-1", 50)
	c := s.mustNewCart(t, nil)
	cartPath := "/api/carts/" + c.ID
	big := `{"sku":"E2E-ERR-1","quantity":1,"pad":"` + strings.Repeat("x", 1<<20) + `"}`

	tests := []struct {
		name         string
		method, path string
		body         any
		header       []string
		admin        bool
		status       int
		code         string
	}{
		// Malformed bodies.
		{"MalformedJSON", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":`, nil, false, 400, "invalid_request"},
		{"NotJSON", "POST", cartPath + "/items", `sku=E2E-ERR-1`, nil, false, 400, "invalid_request"},
		{"UnknownField", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":1,"price":1}`, nil, false, 400, "invalid_request"},
		{"QuantityString", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":"2"}`, nil, false, 400, "invalid_request"},
		{"QuantityFraction", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":1.5}`, nil, false, 400, "invalid_request"},
		{"SKUNumber", "POST", cartPath + "/items", `{"sku":7,"quantity":1}`, nil, false, 400, "invalid_request"},
		{"TrailingGarbage", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":1} x`, nil, false, 400, "invalid_request"},
		{"TwoValues", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":1}{}`, nil, false, 400, "invalid_request"},
		{"BodyArray", "POST", cartPath + "/items", `[{"sku":"E2E-ERR-1","quantity":1}]`, nil, false, 400, "invalid_request"},
		{"SetQuantityString", "PUT", cartPath + "/items/E2E-ERR-1", `{"quantity":"2"}`, nil, false, 400, "invalid_request"},
		{"SetQuantityFraction", "PUT", cartPath + "/items/E2E-ERR-1", `{"quantity":1.5}`, nil, false, 400, "invalid_request"},
		{"SetQuantityUnknownField", "PUT", cartPath + "/items/E2E-ERR-1", `{"quantity":1,"sku":"E2E-ERR-1"}`, nil, false, 400, "invalid_request"},
		{"NewCartMalformed", "POST", "/api/carts", `{"items":[`, nil, false, 400, "invalid_request"},
		{"NewCartUnknownField", "POST", "/api/carts", `{"items":[],"coupon":"SAVE10"}`, nil, false, 400, "invalid_request"},
		{"NewCartItemsObject", "POST", "/api/carts", `{"items":{"sku":"E2E-ERR-1","quantity":1}}`, nil, false, 400, "invalid_request"},
		{"NewCartTrailingGarbage", "POST", "/api/carts", `{"items":[]}]`, nil, false, 400, "invalid_request"},
		{"ProductMalformed", "POST", "/api/admin/products", `{"handle":`, nil, true, 400, "invalid_request"},
		{"ProductUnknownField", "POST", "/api/admin/products", `{"handle":"e2e-x","title":"X","category":"e2e","variants":[{"sku":"E2E-X","price":{"amount":1,"currency":"USD"}}],"colour":"red"}`, nil, true, 400, "invalid_request"},
		{"ProductPriceFraction", "POST", "/api/admin/products", `{"handle":"e2e-x","title":"X","category":"e2e","variants":[{"sku":"E2E-X","price":{"amount":1.5,"currency":"USD"}}]}`, nil, true, 400, "invalid_request"},
		{"StockString", "PUT", "/api/admin/inventory/E2E-ERR-1", `{"onHand":"5"}`, nil, true, 400, "invalid_request"},
		{"StockTrailingGarbage", "PUT", "/api/admin/inventory/E2E-ERR-1", `{"onHand":5},`, nil, true, 400, "invalid_request"},

		// Bad query values.
		{"LimitZero", "GET", "/api/products?limit=0", nil, nil, false, 400, "invalid_request"},
		{"LimitTooBig", "GET", "/api/products?limit=101", nil, nil, false, 400, "invalid_request"},
		{"LimitNotNumber", "GET", "/api/products?limit=x", nil, nil, false, 400, "invalid_request"},
		{"CursorNotBase64", "GET", "/api/products?cursor=!!!", nil, nil, false, 400, "invalid_request"},
		{"CursorMadeUp", "GET", "/api/products?cursor=abc", nil, nil, false, 400, "invalid_request"},
		{"CategoryBad", "GET", "/api/products?category=Bad%20Cat", nil, nil, false, 400, "invalid_request"},

		// Unknown paths and resources.
		{"UnknownPath", "GET", "/api/nope", nil, nil, false, 404, "not_found"},
		{"UnknownRoot", "GET", "/nope", nil, nil, false, 404, "not_found"},
		{"UnknownDeepPath", "GET", "/api/products/" + p.ID + "/variants", nil, nil, false, 404, "not_found"},
		{"UnknownAdminPath", "GET", "/api/admin/nope", nil, nil, true, 404, "not_found"},

		// Too large: with a Content-Length, and chunked.
		{"TooLarge", "POST", cartPath + "/items", big, nil, false, 413, "payload_too_large"},
		{"TooLargeChunked", "POST", cartPath + "/items", e2eChunked{strings.NewReader(big)}, nil, false, 413, "payload_too_large"},
		{"TooLargeNewCart", "POST", "/api/carts", big, nil, false, 413, "payload_too_large"},
		{"TooLargeProduct", "POST", "/api/admin/products", big, nil, true, 413, "payload_too_large"},

		// Not JSON.
		{"TextPlain", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":1}`, []string{"Content-Type", "text/plain"}, false, 415, "unsupported_media_type"},
		{"XML", "POST", cartPath + "/items", `<item sku="E2E-ERR-1" quantity="1"/>`, []string{"Content-Type", "application/xml"}, false, 415, "unsupported_media_type"},
		{"XMLNewCart", "POST", "/api/carts", `<cart/>`, []string{"Content-Type", "application/xml"}, false, 415, "unsupported_media_type"},
		{"TextPlainSetQuantity", "PUT", cartPath + "/items/E2E-ERR-1", `{"quantity":1}`, []string{"Content-Type", "text/plain"}, false, 415, "unsupported_media_type"},
		{"XMLProduct", "POST", "/api/admin/products", `<product/>`, []string{"Content-Type", "application/xml"}, true, 415, "unsupported_media_type"},
		{"TextPlainStock", "PUT", "/api/admin/inventory/E2E-ERR-1", `{"onHand":5}`, []string{"Content-Type", "text/plain"}, true, 415, "unsupported_media_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do := s.do
			if tt.admin {
				do = s.admin
			}
			res := do(t, tt.method, tt.path, tt.body, tt.header...)
			e2eWantProblem(t, tt.method+" "+tt.path, res, tt.status, tt.code)
		})
	}

	// JSON with parameters, or a +json type, is JSON.
	for _, ct := range []string{"application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"} {
		res := s.do(t, "POST", cartPath+"/items", `{"sku":"E2E-ERR-1","quantity":1}`, "Content-Type", ct)
		e2eWantStatus(t, "POST items with Content-Type "+ct, res, 200)
		res = s.do(t, "DELETE", cartPath+"/items/E2E-ERR-1", nil)
		e2eWantStatus(t, "DELETE items", res, 200)
	}

	// None of the refused writes changed the cart.
	got := s.mustGetCart(t, c.ID)
	if len(got.Items) != 0 {
		t.Errorf("after refused writes, cart items = %+v, want none", got.Items)
	}
}

func TestE2EMethodNotAllowed(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	p := s.mustCreateProduct(t, e2eProductInput("e2e-methods", "E2E-METH-1", 1500))
	c := s.mustNewCart(t, nil)

	tests := []struct {
		method, path string
		allow        []string // methods Allow must list
	}{
		{"PATCH", "/api/carts/" + c.ID, []string{"GET", "DELETE"}},
		{"PUT", "/api/carts/" + c.ID, []string{"GET", "DELETE"}},
		{"PUT", "/api/products", []string{"GET"}},
		{"POST", "/api/products", []string{"GET"}},
		{"DELETE", "/api/products/" + p.ID, []string{"GET"}},
		{"POST", "/api/health", []string{"GET"}},
		{"GET", "/api/carts", []string{"POST"}},
		{"GET", "/api/carts/" + c.ID + "/items", []string{"POST"}},
		{"PATCH", "/api/carts/" + c.ID + "/items/E2E-METH-1", []string{"PUT", "DELETE"}},
		{"PATCH", "/api/admin/products/" + p.ID, []string{"GET", "PUT", "DELETE"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			res := s.admin(t, tt.method, tt.path, nil)
			e2eWantProblem(t, tt.method+" "+tt.path, res, 405, "method_not_allowed")
			var allow []string
			for _, m := range strings.Split(res.Header.Get("Allow"), ",") {
				if m = strings.TrimSpace(m); m != "" {
					allow = append(allow, m)
				}
			}
			for _, m := range tt.allow {
				if !slices.Contains(allow, m) {
					t.Errorf("%s %s: Allow = %q, want it to list %s", tt.method, tt.path, res.Header.Get("Allow"), m)
				}
			}
			if slices.Contains(allow, tt.method) {
				t.Errorf("%s %s: Allow = %q lists the refused method", tt.method, tt.path, res.Header.Get("Allow"))
			}
		})
	}
}
