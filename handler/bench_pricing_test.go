package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkAddToCartPriceLists is BenchmarkAddToCart with three active
// price lists (a sale for everyone and two for customer groups), each
// pricing every SKU the benchmark adds: pricing reads the lists from
// memory, so it should cost within 10% of BenchmarkAddToCart.
func BenchmarkAddToCartPriceLists(b *testing.B) {
	_, h := benchHandler(b)
	skus := benchSKUs(b, h, 100, 99)
	for i, list := range []struct{ id, groups string }{{"sale", `[]`}, {"vip", `["vip"]`}, {"staff", `["staff"]`}} {
		var prices []string
		for _, sku := range skus {
			prices = append(prices, fmt.Sprintf(`{"sku":%q,"amount":%d}`, sku, 100+i))
		}
		body := fmt.Sprintf(`{"name":%q,"currency":"USD","customerGroups":%s,"prices":[%s]}`, list.id, list.groups, strings.Join(prices, ","))
		benchAdmin(b, h, "PUT", "/api/admin/price-lists/"+list.id, body, http.StatusOK)
	}
	benchAddToCart(b, h)
}

// benchAdmin serves one admin request in process, for setup; it fails the
// benchmark unless the status is want.
func benchAdmin(b *testing.B, h http.Handler, method, path, body string, want int) json.RawMessage {
	b.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-functions-key", testAdminKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: got %d %s, want %d", method, path, rec.Code, rec.Body.Bytes(), want)
	}
	return rec.Body.Bytes()
}
