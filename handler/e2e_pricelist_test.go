package main

import (
	"fmt"
	"testing"
)

// This file holds the E2E tests of price lists.

// e2ePriceList is a price list's JSON.
type e2ePriceList struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Currency       string   `json:"currency"`
	CustomerGroups []string `json:"customerGroups"`
	Status         string   `json:"status"`
	Prices         []struct {
		SKU    string `json:"sku"`
		Amount int64  `json:"amount"`
	} `json:"prices"`
	PriceCount int `json:"priceCount"`
}

// e2ePricedItem is a cart line with its price list fields.
type e2ePricedItem struct {
	SKU            string    `json:"sku"`
	UnitPrice      e2eMoney  `json:"unitPrice"`
	CompareAtPrice *e2eMoney `json:"compareAtPrice"`
	PriceListID    string    `json:"priceListId"`
}

// mustPutPriceList writes a price list that must be accepted, and returns its ETag.
func (s e2eShop) mustPutPriceList(tb testing.TB, id string, body map[string]any) string {
	tb.Helper()
	res := s.admin(tb, "PUT", "/api/admin/price-lists/"+id, body)
	e2eWantStatus(tb, "PUT /api/admin/price-lists/"+id, res, 200)
	return res.Header.Get("ETag")
}

// pricedItems returns a cart response's lines by SKU.
func pricedItems(tb testing.TB, res *Response) map[string]e2ePricedItem {
	tb.Helper()
	var c struct {
		Items []e2ePricedItem `json:"items"`
	}
	res.JSON(tb, &c)
	out := map[string]e2ePricedItem{}
	for _, it := range c.Items {
		out[it.SKU] = it
	}
	return out
}

func TestE2EPriceLists(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustStockedProduct(t, "pl-lamp", "PL-LAMP", 2000, 100)
	s.mustStockedProduct(t, "pl-mug", "PL-MUG", 800, 100)
	price := func(sku string, amount int64) map[string]any { return map[string]any{"sku": sku, "amount": amount} }

	s.mustPutPriceList(t, "sale", map[string]any{"name": "Winter sale", "currency": "USD", "prices": []any{price("PL-LAMP", 1500)}})
	s.mustPutPriceList(t, "vip", map[string]any{"name": "VIP", "currency": "USD", "customerGroups": []string{"vip"}, "prices": []any{price("PL-LAMP", 1000), price("PL-MUG", 500)}})
	s.mustPutPriceList(t, "eur", map[string]any{"name": "Euro", "currency": "EUR", "prices": []any{price("PL-LAMP", 1)}})
	s.mustPutPriceList(t, "draft", map[string]any{"name": "Draft", "currency": "USD", "status": "draft", "prices": []any{price("PL-MUG", 1)}})

	t.Run("AdminRoutes", func(t *testing.T) {
		res := s.admin(t, "GET", "/api/admin/price-lists", nil)
		e2eWantStatus(t, "GET /api/admin/price-lists", res, 200)
		var page struct{ Items []e2ePriceList }
		res.JSON(t, &page)
		var ids []string
		for _, l := range page.Items {
			ids = append(ids, fmt.Sprintf("%s:%d", l.ID, l.PriceCount))
		}
		if fmt.Sprint(ids) != "[draft:1 eur:1 sale:1 vip:2]" {
			t.Errorf("listing: got %v, want draft, eur, sale, vip with their price counts", ids)
		}
		res = s.admin(t, "GET", "/api/admin/price-lists/vip", nil)
		e2eWantStatus(t, "GET /api/admin/price-lists/vip", res, 200)
		var l e2ePriceList
		res.JSON(t, &l)
		if l.Status != "active" || len(l.Prices) != 2 || fmt.Sprint(l.CustomerGroups) != "[vip]" {
			t.Errorf("got %+v, want the vip list as written, active", l)
		}
		stale := s.admin(t, "PUT", "/api/admin/price-lists/sale", map[string]any{"name": "x", "currency": "USD"}, "If-Match", `"999"`)
		e2eWantProblem(t, "PUT with a stale If-Match", stale, 412, "precondition_failed")
		e2eWantProblem(t, "GET an unknown list", s.admin(t, "GET", "/api/admin/price-lists/nope", nil), 404, "not_found")
		e2eWantProblem(t, "DELETE an unknown list", s.admin(t, "DELETE", "/api/admin/price-lists/nope", nil), 404, "not_found")
		e2eWantProblem(t, "GET without the admin key", s.do(t, "GET", "/api/admin/price-lists", nil), 401, "unauthorized")
		for _, body := range []map[string]any{
			{"name": "x", "currency": "usd"},
			{"name": "", "currency": "USD"},
			{"name": "x", "currency": "USD", "status": "paused"},
			{"name": "x", "currency": "USD", "prices": []any{price("A", -1)}},
			{"name": "x", "currency": "USD", "prices": []any{price("A", 1), price("A", 2)}},
			{"name": "x", "currency": "USD", "customerGroups": []string{"VIP"}},
			{"name": "x", "currency": "USD", "startsAt": "2026-01-02T00:00:00Z", "endsAt": "2026-01-01T00:00:00Z"},
			{"name": "x", "currency": "USD", "prices": []any{map[string]any{"sku": "A"}}},
		} {
			e2eWantProblem(t, "PUT "+e2eJSONString(body), s.admin(t, "PUT", "/api/admin/price-lists/bad", body), 400, "invalid_request")
		}
		e2eWantProblem(t, "PUT a bad id", s.admin(t, "PUT", "/api/admin/price-lists/Bad_Id", map[string]any{"name": "x", "currency": "USD"}), 400, "invalid_request")
	})

	t.Run("GuestCart", func(t *testing.T) {
		res := s.do(t, "POST", "/api/carts", map[string]any{"items": []e2eLine{{"PL-LAMP", 2}, {"PL-MUG", 1}}})
		e2eWantStatus(t, "POST /api/carts", res, 201)
		c := e2eCheckCart(t, "POST /api/carts", res)
		items := pricedItems(t, res)
		lamp, mug := items["PL-LAMP"], items["PL-MUG"]
		if lamp.UnitPrice.Amount != 1500 || lamp.PriceListID != "sale" || lamp.CompareAtPrice == nil || *lamp.CompareAtPrice != (e2eMoney{2000, "USD"}) {
			t.Errorf("lamp: got %+v, want 1500 from the sale, compare at 2000", lamp)
		}
		if mug.UnitPrice.Amount != 800 || mug.PriceListID != "" || mug.CompareAtPrice != nil {
			t.Errorf("mug: got %+v, want its own 800 (the vip list is not for guests, the draft list prices nothing)", mug)
		}
		if c.Subtotal.Amount != 3800 {
			t.Errorf("subtotal: got %d, want 3800", c.Subtotal.Amount)
		}

		// Checkout re-reads the lists: a lower sale price is what is paid.
		s.mustPutPriceList(t, "sale", map[string]any{"name": "Winter sale", "currency": "USD", "prices": []any{price("PL-LAMP", 1200)}})
		r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(c.ID, "pm_card_visa"), ""))
		if r.Subtotal == nil || r.Subtotal.Amount != 3200 {
			t.Errorf("checkout subtotal: got %+v, want 2 × 1200 + 800 = 3200", r.Subtotal)
		}
	})

	t.Run("DeleteStopsPricing", func(t *testing.T) {
		s.mustPutPriceList(t, "gone", map[string]any{"name": "Gone", "currency": "USD", "prices": []any{price("PL-MUG", 100)}})
		c := s.mustNewCart(t, []e2eLine{{"PL-MUG", 1}})
		if c.Subtotal.Amount != 100 {
			t.Fatalf("with the list: got %d, want 100", c.Subtotal.Amount)
		}
		e2eWantStatus(t, "DELETE /api/admin/price-lists/gone", s.admin(t, "DELETE", "/api/admin/price-lists/gone", nil), 204)
		if got := s.mustGetCart(t, c.ID); got.Subtotal.Amount != 800 {
			t.Errorf("after delete: got %d, want 800", got.Subtotal.Amount)
		}
	})

	t.Run("TooMany", func(t *testing.T) {
		for i := 0; ; i++ {
			res := s.admin(t, "PUT", fmt.Sprintf("/api/admin/price-lists/many-%02d", i), map[string]any{"name": "Many", "currency": "USD"})
			if res.Status == 422 {
				e2eWantProblem(t, "one list too many", res, 422, "too_many_price_lists")
				if i+4 != 50 {
					t.Errorf("refused after %d more lists, want %d", i, 50-4)
				}
				break
			}
			e2eWantStatus(t, "PUT a list", res, 200)
			if i > 60 {
				t.Fatal("no bound on the number of price lists")
			}
		}
		s.mustPutPriceList(t, "vip", map[string]any{"name": "VIP again", "currency": "USD", "customerGroups": []string{"vip"}}) // a replace is not a new list
	})
}
