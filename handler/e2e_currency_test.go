package main

import (
	"encoding/json"
	"testing"
)

// This file holds the E2E tests of carts in several currencies.

// e2ePricedProduct creates an active product with one variant priced at
// amount USD and in prices, and stocks it.
func (s e2eShop) e2ePricedProduct(tb testing.TB, handle, sku string, amount int64, prices ...e2eMoney) {
	tb.Helper()
	in := e2eProductInput(handle, sku, amount)
	body := map[string]any{
		"handle": in.Handle, "title": in.Title, "description": in.Description, "category": in.Category, "status": "active",
		"variants": []map[string]any{{"sku": sku, "title": "M", "options": map[string]string{}, "price": in.Variants[0].Price, "prices": prices}},
	}
	res := s.admin(tb, "POST", "/api/admin/products", body)
	e2eWantStatus(tb, "POST /api/admin/products "+handle, res, 201)
	s.mustSetStock(tb, sku, 100)
}

func TestE2ECartCurrency(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.e2ePricedProduct(t, "cur-multi", "CUR-MULTI", 1000, e2eMoney{900, "EUR"}, e2eMoney{150000, "JPY"})
	s.mustStockedProduct(t, "cur-usd", "CUR-USD", 500, 100)

	t.Run("ProductShowsItsPrices", func(t *testing.T) {
		res := s.do(t, "GET", "/api/products/cur-multi", nil)
		e2eWantStatus(t, "GET product", res, 200)
		var p struct {
			Variants []struct {
				Prices []e2eMoney `json:"prices"`
			} `json:"variants"`
		}
		res.JSON(t, &p)
		if len(p.Variants) != 1 || len(p.Variants[0].Prices) != 2 || p.Variants[0].Prices[0] != (e2eMoney{900, "EUR"}) {
			t.Errorf("got variants %+v, want the EUR and JPY prices", p.Variants)
		}
	})

	t.Run("CartInEUR", func(t *testing.T) {
		res := s.do(t, "POST", "/api/carts", map[string]any{"currency": "EUR", "items": []e2eLine{{"CUR-MULTI", 2}}})
		e2eWantStatus(t, "POST /api/carts EUR", res, 201)
		c := e2eCheckCart(t, "POST /api/carts EUR", res)
		if c.Currency != "EUR" || len(c.Items) != 1 || c.Items[0].UnitPrice != (e2eMoney{900, "EUR"}) || c.Subtotal != (e2eMoney{1800, "EUR"}) {
			t.Errorf("got %+v, want 2 × 900 EUR", c)
		}
		res = s.do(t, "POST", "/api/carts/"+c.ID+"/items", e2eLine{"CUR-USD", 1})
		e2eWantProblem(t, "add a USD-only line to a EUR cart", res, 422, "not_priced_in_currency")
	})

	t.Run("EmptyCartKeepsChosenCurrency", func(t *testing.T) {
		res := s.do(t, "POST", "/api/carts", map[string]any{"currency": "JPY"})
		e2eWantStatus(t, "POST /api/carts JPY", res, 201)
		c := e2eCheckCart(t, "POST /api/carts JPY", res)
		res = s.do(t, "POST", "/api/carts/"+c.ID+"/items", e2eLine{"CUR-USD", 1})
		e2eWantProblem(t, "add a USD-only line to an empty JPY cart", res, 422, "not_priced_in_currency")
		got, _ := s.cartCall(t, 200, "POST", "/api/carts/"+c.ID+"/items", e2eLine{"CUR-MULTI", 1})
		if got.Currency != "JPY" || got.Subtotal != (e2eMoney{150000, "JPY"}) {
			t.Errorf("got %s %+v, want 150000 JPY", got.Currency, got.Subtotal)
		}
	})

	t.Run("DefaultCurrencyWhenPriced", func(t *testing.T) {
		c := s.mustNewCart(t, []e2eLine{{"CUR-MULTI", 1}})
		if c.Currency != "USD" || c.Subtotal != (e2eMoney{1000, "USD"}) {
			t.Errorf("got %s %+v, want 1000 USD", c.Currency, c.Subtotal)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		for _, tt := range []struct {
			body   any
			status int
			code   string
		}{
			{map[string]any{"currency": "GBP"}, 422, "unsupported_currency"},
			{map[string]any{"currency": "XXX"}, 400, "invalid_request"},
			{map[string]any{"currency": "eur"}, 400, "invalid_request"},
			{map[string]any{"currency": "EUR", "items": []e2eLine{{"CUR-USD", 1}}}, 422, "not_priced_in_currency"},
		} {
			res := s.do(t, "POST", "/api/carts", tt.body)
			e2eWantProblem(t, "POST /api/carts", res, tt.status, tt.code)
		}
	})

	t.Run("ProductPricesValidated", func(t *testing.T) {
		for _, prices := range [][]e2eMoney{{{900, "EUR"}, {800, "EUR"}}, {{900, "USD"}}, {{0, "EUR"}}} {
			in := e2eProductInput("cur-bad", "CUR-BAD", 1000)
			body := map[string]any{"handle": in.Handle, "title": in.Title, "category": in.Category,
				"variants": []map[string]any{{"sku": "CUR-BAD", "price": in.Variants[0].Price, "prices": prices}}}
			e2eWantProblem(t, "POST a product with prices "+e2eJSONString(prices), s.admin(t, "POST", "/api/admin/products", body), 400, "invalid_request")
		}
	})

	t.Run("CheckoutInEUR", func(t *testing.T) {
		res := s.do(t, "POST", "/api/carts", map[string]any{"currency": "EUR", "items": []e2eLine{{"CUR-MULTI", 1}}})
		e2eWantStatus(t, "POST /api/carts EUR", res, 201)
		c := e2eCheckCart(t, "POST /api/carts EUR", res)
		r := moneyWantPaid(t, "checkout EUR", s.moneyCheckout(t, moneyNewRequest(c.ID, "pm_card_visa"), ""))
		if r.Total == nil || *r.Total != (e2eMoney{900, "EUR"}) {
			t.Errorf("total: got %+v, want 900 EUR", r.Total)
		}
	})
}

// e2eJSONString returns v as JSON, for messages.
func e2eJSONString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
