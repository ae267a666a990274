package main

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// This file holds the E2E tests of the cart rules.

func TestE2ECartRules(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustStockedProduct(t, "e2e-rules-a", "E2E-A", 1000, 500)
	s.mustStockedProduct(t, "e2e-rules-low", "E2E-LOW", 800, 2)
	draft := s.mustStockedProduct(t, "e2e-rules-draft", "E2E-DRAFT", 900, 50)
	draft.Status = "draft"
	s.mustReplaceProduct(t, draft)
	archived := e2eProductInput("e2e-rules-archived", "E2E-ARCH", 900)
	archived.Status = "archived"
	s.mustCreateProduct(t, archived)
	s.mustSetStock(t, "E2E-ARCH", 50)
	gone := s.mustStockedProduct(t, "e2e-rules-gone", "E2E-GONE", 900, 50)
	e2eWantStatus(t, "DELETE a product", s.admin(t, "DELETE", "/api/admin/products/"+gone.ID, nil), 204)
	eur := e2eProductInput("e2e-rules-eur", "E2E-EUR", 1900)
	eur.Variants[0].Price.Currency = "EUR"
	s.mustCreateProduct(t, eur)
	s.mustSetStock(t, "E2E-EUR", 50)

	if l := s.mustSetStock(t, "E2E-LOW", 2); l.Available != 2 {
		t.Fatalf("E2E-LOW available = %d, want 2", l.Available)
	}

	// A full cart: 100 lines, and a 101st SKU to try.
	var full []e2eLine
	for i := range 101 {
		sku := fmt.Sprintf("E2E-FULL-%03d", i)
		s.mustStockedProduct(t, fmt.Sprintf("e2e-full-%03d", i), sku, 100, 10)
		full = append(full, e2eLine{sku, 1})
	}
	hundred, extra := full[:100], full[100]

	tests := []struct {
		name   string
		start  []e2eLine // the cart's lines before the request
		method string    // on the cart; "" means POST /api/carts with body
		path   string    // after /api/carts/{id}
		body   any
		code   string
	}{
		{"UnknownSKU", nil, "POST", "/items", e2eLine{"NO-SUCH-SKU", 1}, "unknown_sku"},
		{"UnknownSKUMalformed", nil, "POST", "/items", e2eLine{"no such sku!", 1}, "unknown_sku"},
		{"UnknownSKUSet", nil, "PUT", "/items/NO-SUCH-SKU", map[string]int{"quantity": 1}, "unknown_sku"},
		{"DraftSKU", nil, "POST", "/items", e2eLine{"E2E-DRAFT", 1}, "unknown_sku"},
		{"DraftSKUSet", []e2eLine{{"E2E-A", 1}}, "PUT", "/items/E2E-DRAFT", map[string]int{"quantity": 1}, "unknown_sku"},
		{"ArchivedSKU", nil, "POST", "/items", e2eLine{"E2E-ARCH", 1}, "unknown_sku"},
		{"DeletedProductSKU", nil, "POST", "/items", e2eLine{"E2E-GONE", 1}, "unknown_sku"},
		{"UnknownSKUNewCart", nil, "", "", []e2eLine{{"E2E-A", 1}, {"NO-SUCH-SKU", 1}}, "unknown_sku"},
		{"DraftSKUNewCart", nil, "", "", []e2eLine{{"E2E-DRAFT", 1}}, "unknown_sku"},

		{"QuantityZero", nil, "POST", "/items", e2eLine{"E2E-A", 0}, "quantity_limit"},
		{"QuantityNegative", nil, "POST", "/items", e2eLine{"E2E-A", -1}, "quantity_limit"},
		{"Quantity100", nil, "POST", "/items", e2eLine{"E2E-A", 100}, "quantity_limit"},
		{"QuantityHuge", nil, "POST", "/items", e2eLine{"E2E-A", math.MaxInt32}, "quantity_limit"},
		{"QuantitySumOver99", []e2eLine{{"E2E-A", 60}}, "POST", "/items", e2eLine{"E2E-A", 40}, "quantity_limit"},
		{"QuantitySet100", []e2eLine{{"E2E-A", 1}}, "PUT", "/items/E2E-A", map[string]int{"quantity": 100}, "quantity_limit"},
		{"QuantitySetNegative", []e2eLine{{"E2E-A", 1}}, "PUT", "/items/E2E-A", map[string]int{"quantity": -1}, "quantity_limit"},
		{"QuantityNewCart100", nil, "", "", []e2eLine{{"E2E-A", 100}}, "quantity_limit"},
		{"QuantityNewCartZero", nil, "", "", []e2eLine{{"E2E-A", 0}}, "quantity_limit"},
		{"QuantityNewCartSumOver99", nil, "", "", []e2eLine{{"E2E-A", 50}, {"E2E-A", 50}}, "quantity_limit"},

		{"CartFull", hundred, "POST", "/items", extra, "cart_full"},
		{"CartFullSet", hundred, "PUT", "/items/" + extra.SKU, map[string]int{"quantity": 1}, "cart_full"},
		{"CartFullNewCart", nil, "", "", full, "cart_full"},

		{"CurrencyMismatch", []e2eLine{{"E2E-A", 1}}, "POST", "/items", e2eLine{"E2E-EUR", 1}, "currency_mismatch"},
		{"CurrencyMismatchSet", []e2eLine{{"E2E-A", 1}}, "PUT", "/items/E2E-EUR", map[string]int{"quantity": 1}, "currency_mismatch"},
		{"CurrencyMismatchNewCart", nil, "", "", []e2eLine{{"E2E-A", 1}, {"E2E-EUR", 1}}, "currency_mismatch"},

		{"InsufficientStock", nil, "POST", "/items", e2eLine{"E2E-LOW", 3}, "insufficient_stock"},
		{"InsufficientStockSum", []e2eLine{{"E2E-LOW", 2}}, "POST", "/items", e2eLine{"E2E-LOW", 1}, "insufficient_stock"},
		{"InsufficientStockSet", []e2eLine{{"E2E-LOW", 1}}, "PUT", "/items/E2E-LOW", map[string]int{"quantity": 3}, "insufficient_stock"},
		{"InsufficientStockNewCart", nil, "", "", []e2eLine{{"E2E-LOW", 3}}, "insufficient_stock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.method == "" {
				res := s.do(t, "POST", "/api/carts", map[string]any{"items": tt.body})
				e2eWantProblem(t, "POST /api/carts", res, 422, tt.code)
				return
			}
			c := s.mustNewCart(t, tt.start)
			_, etag := s.cartCall(t, 200, "GET", "/api/carts/"+c.ID, nil)
			path := "/api/carts/" + c.ID + tt.path
			res := s.do(t, tt.method, path, tt.body)
			e2eWantProblem(t, tt.method+" "+path, res, 422, tt.code)

			after, tag := s.cartCall(t, 200, "GET", "/api/carts/"+c.ID, nil)
			if diff := cmp.Diff(c, after); diff != "" || tag != etag {
				t.Errorf("a refused write changed the cart: ETag %q → %q (-before +after):\n%s", etag, tag, diff)
			}
		})
	}

	// What the rules allow, right at their limits.
	allowed := []struct {
		name   string
		start  []e2eLine
		method string
		path   string
		body   any
		want   map[string]int
	}{
		{"Quantity99", nil, "POST", "/items", e2eLine{"E2E-A", 99}, map[string]int{"E2E-A": 99}},
		{"QuantitySumTo99", []e2eLine{{"E2E-A", 60}}, "POST", "/items", e2eLine{"E2E-A", 39}, map[string]int{"E2E-A": 99}},
		{"AllOfTheStock", []e2eLine{{"E2E-LOW", 1}}, "POST", "/items", e2eLine{"E2E-LOW", 1}, map[string]int{"E2E-LOW": 2}},
		{"FullCartExistingLine", hundred, "POST", "/items", hundred[0], nil},
		{"FullCartRemoveThenAdd", hundred[:99], "POST", "/items", extra, nil},
		{"DecreaseBelowStock", []e2eLine{{"E2E-LOW", 2}}, "PUT", "/items/E2E-LOW", map[string]int{"quantity": 1}, map[string]int{"E2E-LOW": 1}},
	}
	// An empty cart takes the currency of its first line (README), and then
	// holds to it.
	t.Run("EmptyCartTakesFirstLineCurrency", func(t *testing.T) {
		c := s.mustNewCart(t, nil)
		got, _ := s.cartCall(t, 200, "POST", "/api/carts/"+c.ID+"/items", e2eLine{"E2E-EUR", 1})
		if got.Currency != "EUR" || got.Subtotal.Currency != "EUR" {
			t.Errorf("got currency %q, subtotal %v; want EUR", got.Currency, got.Subtotal)
		}
		res := s.do(t, "POST", "/api/carts/"+c.ID+"/items", e2eLine{"E2E-A", 1})
		e2eWantProblem(t, "add a USD line to a EUR cart", res, 422, "currency_mismatch")
	})
	for _, tt := range allowed {
		t.Run("Allowed/"+tt.name, func(t *testing.T) {
			c := s.mustNewCart(t, tt.start)
			got, _ := s.cartCall(t, 200, tt.method, "/api/carts/"+c.ID+tt.path, tt.body)
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, e2eQuantities(got)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
		})
	}
}
