package main

import (
	"fmt"
	"testing"
)

// This file holds the E2E tests of shipping options and tax rates.

// e2eTaxLine is one line of a checkout's or an order's taxLines.
type e2eTaxLine struct {
	SKU    string   `json:"sku"`
	Kind   string   `json:"kind"`
	Rate   int64    `json:"rate"`
	Amount e2eMoney `json:"amount"`
}

// e2eCharged is a paid checkout's or an order's totals and breakdown.
type e2eCharged struct {
	OrderID          string       `json:"orderId"`
	OrderToken       string       `json:"orderToken"`
	Subtotal         e2eMoney     `json:"subtotal"`
	Shipping         e2eMoney     `json:"shipping"`
	Tax              e2eMoney     `json:"tax"`
	Total            e2eMoney     `json:"total"`
	ShippingOptionID string       `json:"shippingOptionId"`
	TaxLines         []e2eTaxLine `json:"taxLines"`
	TaxIncluded      bool         `json:"taxIncluded"`
}

// shipRequest is a checkout request for cartID to country (and region),
// with the shipping option optionID when not empty.
func shipRequest(cartID, country, region, optionID string) map[string]any {
	addr := map[string]any{"name": "Ada Buyer", "line1": "1 Main St", "line2": "", "city": "Springfield", "postalCode": "12345", "country": country}
	if region != "" {
		addr["region"] = region
	}
	req := map[string]any{"cartId": cartID, "email": "buyer@example.com", "paymentMethod": "pm_card_visa", "shippingAddress": addr}
	if optionID != "" {
		req["shippingOptionId"] = optionID
	}
	return req
}

// mustCharge checks a cart out with req, which must be paid, and returns
// what it charged.
func (s e2eShop) mustCharge(tb testing.TB, what string, req map[string]any) e2eCharged {
	tb.Helper()
	res := s.moneyCheckout(tb, req, "")
	e2eWantStatus(tb, what, res, 201)
	var c e2eCharged
	res.JSON(tb, &c)
	return c
}

// cartOptions returns the shipping options of a cart to country as
// "id:price" strings.
func (s e2eShop) cartOptions(tb testing.TB, cartID, country string) []string {
	tb.Helper()
	res := s.do(tb, "GET", "/api/carts/"+cartID+"/shipping-options?country="+country, nil)
	e2eWantStatus(tb, "GET shipping options", res, 200)
	var page struct {
		Items []struct {
			ID    string   `json:"id"`
			Price e2eMoney `json:"price"`
		} `json:"items"`
	}
	res.JSON(tb, &page)
	out := []string{}
	for _, o := range page.Items {
		out = append(out, fmt.Sprintf("%s:%d%s", o.ID, o.Price.Amount, o.Price.Currency))
	}
	return out
}

func TestE2EShippingAndTax(t *testing.T) {
	t.Parallel()
	s := e2eShop{MustRunMainWith(t, false, func(m *Main) {
		m.Config.Shipping, m.Config.Tax = 700, 90
		m.Config.ShippingBy, m.Config.TaxBy = map[string]int64{"EUR": 600}, map[string]int64{"EUR": 80}
		m.Config.TaxInclusive = map[string]bool{"EUR": true}
	})}
	s.e2ePricedProduct(t, "st-lamp", "ST-LAMP", 2000, e2eMoney{1200, "EUR"})
	cart := func() string { return s.mustNewCart(t, []e2eLine{{"ST-LAMP", 1}}).ID }

	// Nothing configured: the flat shipping and tax, as before.
	flat := s.mustCharge(t, "flat checkout", shipRequest(cart(), "US", "", ""))
	if flat.Shipping.Amount != 700 || flat.Tax.Amount != 90 || flat.Total.Amount != 2790 || flat.TaxLines != nil || flat.ShippingOptionID != "" {
		t.Errorf("flat: got %+v, want shipping 700, tax 90, total 2790 and no breakdown", flat)
	}
	if got := s.cartOptions(t, cart(), "US"); len(got) != 0 {
		t.Errorf("options with none configured: got %v, want none", got)
	}

	t.Run("ShippingOptionAdmin", func(t *testing.T) {
		std := map[string]any{"name": "Standard", "currency": "USD", "amount": 500, "countries": []string{"US", "CA"}, "freeOver": e2eMoney{5000, "USD"}}
		res := s.admin(t, "PUT", "/api/admin/shipping-options/std", std)
		e2eWantStatus(t, "PUT std", res, 200)
		etag := res.Header.Get("ETag")
		res = s.admin(t, "PUT", "/api/admin/shipping-options/express", map[string]any{"name": "Express", "currency": "USD", "amount": 1500, "countries": []string{"US"}, "status": "active"})
		e2eWantStatus(t, "PUT express", res, 200)
		res = s.admin(t, "PUT", "/api/admin/shipping-options/eu", map[string]any{"name": "Europe", "currency": "EUR", "amount": 490, "countries": []string{"FR", "DE"}})
		e2eWantStatus(t, "PUT eu", res, 200)
		res = s.admin(t, "PUT", "/api/admin/shipping-options/paused", map[string]any{"name": "Paused", "currency": "USD", "amount": 1, "countries": []string{"US"}, "status": "draft"})
		e2eWantStatus(t, "PUT paused", res, 200)

		res = s.admin(t, "GET", "/api/admin/shipping-options", nil)
		e2eWantStatus(t, "GET /api/admin/shipping-options", res, 200)
		var page struct {
			Items []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"items"`
		}
		res.JSON(t, &page)
		if got := fmt.Sprint(page.Items); got != "[{eu active} {express active} {paused draft} {std active}]" {
			t.Errorf("listing: got %s, want eu, express, paused (draft), std in ID order", got)
		}
		res = s.admin(t, "GET", "/api/admin/shipping-options/std", nil)
		e2eWantStatus(t, "GET std", res, 200)
		if res.Header.Get("ETag") != etag {
			t.Errorf("GET std: ETag %q, want the PUT's %q", res.Header.Get("ETag"), etag)
		}
		e2eWantProblem(t, "PUT with a stale If-Match", s.admin(t, "PUT", "/api/admin/shipping-options/std", std, "If-Match", `"999"`), 412, "precondition_failed")
		e2eWantProblem(t, "GET an unknown option", s.admin(t, "GET", "/api/admin/shipping-options/nope", nil), 404, "not_found")
		e2eWantProblem(t, "DELETE an unknown option", s.admin(t, "DELETE", "/api/admin/shipping-options/nope", nil), 404, "not_found")
		e2eWantProblem(t, "GET without the admin key", s.do(t, "GET", "/api/admin/shipping-options", nil), 401, "unauthorized")
		for _, body := range []map[string]any{
			{"name": "x", "currency": "usd", "amount": 1, "countries": []string{"US"}},
			{"name": "", "currency": "USD", "amount": 1, "countries": []string{"US"}},
			{"name": "x", "currency": "USD", "countries": []string{"US"}},
			{"name": "x", "currency": "USD", "amount": -1, "countries": []string{"US"}},
			{"name": "x", "currency": "USD", "amount": 1, "countries": []string{}},
			{"name": "x", "currency": "USD", "amount": 1, "countries": []string{"us"}},
			{"name": "x", "currency": "USD", "amount": 1, "countries": []string{"US", "US"}},
			{"name": "x", "currency": "USD", "amount": 1, "countries": []string{"US"}, "status": "paused"},
			{"name": "x", "currency": "USD", "amount": 1, "countries": []string{"US"}, "freeOver": e2eMoney{100, "EUR"}},
			{"name": "x", "currency": "USD", "amount": 1, "countries": []string{"US"}, "extra": true},
		} {
			e2eWantProblem(t, "PUT "+e2eJSONString(body), s.admin(t, "PUT", "/api/admin/shipping-options/bad", body), 400, "invalid_request")
		}
		e2eWantProblem(t, "PUT a bad id", s.admin(t, "PUT", "/api/admin/shipping-options/Bad_Id", std), 400, "invalid_request")
		e2eWantStatus(t, "DELETE paused", s.admin(t, "DELETE", "/api/admin/shipping-options/paused", nil), 204)
		e2eWantProblem(t, "GET a deleted option", s.admin(t, "GET", "/api/admin/shipping-options/paused", nil), 404, "not_found")
	})

	t.Run("CartShippingOptions", func(t *testing.T) {
		c := cart()
		if got, want := fmt.Sprint(s.cartOptions(t, c, "US")), "[express:1500USD std:500USD]"; got != want {
			t.Errorf("US options: got %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(s.cartOptions(t, c, "CA")), "[std:500USD]"; got != want {
			t.Errorf("CA options: got %s, want %s", got, want)
		}
		if got := s.cartOptions(t, c, "FR"); len(got) != 0 {
			t.Errorf("FR options of a USD cart: got %v, want none (eu is in EUR)", got)
		}
		big := s.mustNewCart(t, []e2eLine{{"ST-LAMP", 3}}).ID // 6000, over std's freeOver
		if got, want := fmt.Sprint(s.cartOptions(t, big, "US")), "[express:1500USD std:0USD]"; got != want {
			t.Errorf("options over freeOver: got %s, want %s", got, want)
		}
		eur := s.do(t, "POST", "/api/carts", map[string]any{"currency": "EUR", "items": []e2eLine{{"ST-LAMP", 1}}})
		e2eWantStatus(t, "POST EUR cart", eur, 201)
		var ec e2eCart
		eur.JSON(t, &ec)
		if got, want := fmt.Sprint(s.cartOptions(t, ec.ID, "FR")), "[eu:490EUR]"; got != want {
			t.Errorf("FR options of a EUR cart: got %s, want %s", got, want)
		}
		e2eWantProblem(t, "no country", s.do(t, "GET", "/api/carts/"+c+"/shipping-options", nil), 400, "invalid_request")
		e2eWantProblem(t, "a bad country", s.do(t, "GET", "/api/carts/"+c+"/shipping-options?country=usa", nil), 400, "invalid_request")
		e2eWantProblem(t, "another parameter", s.do(t, "GET", "/api/carts/"+c+"/shipping-options?country=US&region=CA", nil), 400, "invalid_request")
		e2eWantProblem(t, "an unknown cart", s.do(t, "GET", "/api/carts/c0000000000000000000000000/shipping-options?country=US", nil), 404, "not_found")
	})

	t.Run("CheckoutChoosesAnOption", func(t *testing.T) {
		for _, tt := range []struct{ name, country, option string }{
			{"Missing", "US", ""},
			{"Unknown", "US", "nope"},
			{"OtherCountry", "MX", "std"},
			{"OtherCurrency", "FR", "eu"}, // a USD cart
			{"Deleted", "US", "paused"},
		} {
			e2eWantProblem(t, tt.name, s.moneyCheckout(t, shipRequest(cart(), tt.country, "", tt.option), ""), 422, "invalid_shipping_option")
		}
		got := s.mustCharge(t, "express", shipRequest(cart(), "US", "", "express"))
		if got.Shipping.Amount != 1500 || got.Tax.Amount != 90 || got.Total.Amount != 3590 || got.ShippingOptionID != "express" {
			t.Errorf("express: got %+v, want shipping 1500, flat tax 90, total 3590", got)
		}
		free := s.mustCharge(t, "over freeOver", shipRequest(s.mustNewCart(t, []e2eLine{{"ST-LAMP", 3}}).ID, "CA", "", "std"))
		if free.Shipping.Amount != 0 || free.Total.Amount != 6090 {
			t.Errorf("over freeOver: got %+v, want free shipping, total 6000 + 90", free)
		}
		// No option ships to Mexico: the flat shipping, as before.
		mx := s.mustCharge(t, "to MX", shipRequest(cart(), "MX", "", ""))
		if mx.Shipping.Amount != 700 || mx.ShippingOptionID != "" {
			t.Errorf("to MX: got %+v, want the flat 700", mx)
		}
	})

	t.Run("TaxRateAdmin", func(t *testing.T) {
		res := s.admin(t, "PUT", "/api/admin/tax-rates/US", map[string]any{"rate": 0, "shippingTaxed": false, "subdivisions": map[string]int64{"CA": 725, "NY": 400}})
		e2eWantStatus(t, "PUT US", res, 200)
		etag := res.Header.Get("ETag")
		e2eWantStatus(t, "PUT FR", s.admin(t, "PUT", "/api/admin/tax-rates/FR", map[string]any{"rate": 2000, "shippingTaxed": true}), 200)
		e2eWantStatus(t, "PUT GB", s.admin(t, "PUT", "/api/admin/tax-rates/GB", map[string]any{"rate": 2000}), 200)
		res = s.admin(t, "GET", "/api/admin/tax-rates", nil)
		e2eWantStatus(t, "GET /api/admin/tax-rates", res, 200)
		var page struct {
			Items []struct {
				Country string `json:"country"`
				Rate    int64  `json:"rate"`
			} `json:"items"`
		}
		res.JSON(t, &page)
		if got := fmt.Sprint(page.Items); got != "[{FR 2000} {GB 2000} {US 0}]" {
			t.Errorf("listing: got %s, want FR, GB, US in order", got)
		}
		res = s.admin(t, "GET", "/api/admin/tax-rates/US", nil)
		e2eWantStatus(t, "GET US", res, 200)
		var us struct {
			Subdivisions map[string]int64 `json:"subdivisions"`
		}
		res.JSON(t, &us)
		if us.Subdivisions["CA"] != 725 || res.Header.Get("ETag") != etag {
			t.Errorf("GET US: got %v with ETag %q, want CA at 725 and ETag %q", us.Subdivisions, res.Header.Get("ETag"), etag)
		}
		e2eWantProblem(t, "PUT with a stale If-Match", s.admin(t, "PUT", "/api/admin/tax-rates/US", map[string]any{"rate": 1}, "If-Match", `"999"`), 412, "precondition_failed")
		e2eWantProblem(t, "GET a country without a rate", s.admin(t, "GET", "/api/admin/tax-rates/DE", nil), 404, "not_found")
		e2eWantProblem(t, "GET a malformed country", s.admin(t, "GET", "/api/admin/tax-rates/usa", nil), 404, "not_found")
		e2eWantProblem(t, "DELETE a country without a rate", s.admin(t, "DELETE", "/api/admin/tax-rates/DE", nil), 404, "not_found")
		e2eWantProblem(t, "PUT without the admin key", s.do(t, "PUT", "/api/admin/tax-rates/US", map[string]any{"rate": 1}), 401, "unauthorized")
		for _, body := range []map[string]any{
			{"shippingTaxed": true},
			{"rate": -1},
			{"rate": 10001},
			{"rate": 100, "subdivisions": map[string]int64{"ca": 1}},
			{"rate": 100, "subdivisions": map[string]int64{"CA": 10001}},
			{"rate": 100, "extra": 1},
		} {
			e2eWantProblem(t, "PUT "+e2eJSONString(body), s.admin(t, "PUT", "/api/admin/tax-rates/DE", body), 400, "invalid_request")
		}
		e2eWantProblem(t, "PUT a malformed country", s.admin(t, "PUT", "/api/admin/tax-rates/de", map[string]any{"rate": 100}), 400, "invalid_request")
		e2eWantStatus(t, "DELETE GB", s.admin(t, "DELETE", "/api/admin/tax-rates/GB", nil), 204)
	})

	t.Run("TaxExclusive", func(t *testing.T) {
		// California: 2000 × 7.25% = 145, added; shipping untaxed.
		got := s.mustCharge(t, "to CA", shipRequest(cart(), "US", "CA", "std"))
		want := []e2eTaxLine{{SKU: "ST-LAMP", Kind: "line", Rate: 725, Amount: e2eMoney{145, "USD"}}}
		if got.Shipping.Amount != 500 || got.Tax.Amount != 145 || got.Total.Amount != 2645 || got.TaxIncluded || fmt.Sprint(got.TaxLines) != fmt.Sprint(want) {
			t.Errorf("to California: got %+v, want shipping 500, tax 145 added, total 2645, taxLines %v", got, want)
		}
		// The order keeps the breakdown.
		res := s.do(t, "GET", "/api/orders/"+got.OrderID, nil, "X-Order-Token", got.OrderToken)
		e2eWantStatus(t, "GET order", res, 200)
		var o e2eCharged
		res.JSON(t, &o)
		if fmt.Sprint(o.TaxLines) != fmt.Sprint(want) || o.ShippingOptionID != "std" || o.Tax.Amount != 145 {
			t.Errorf("order: got %+v, want the checkout's taxLines and option", o)
		}
		// A US address with no region pays the country's rate, 0; a
		// country with no rate pays none once rates are configured.
		if got := s.mustCharge(t, "to US", shipRequest(cart(), "US", "", "std")); got.Tax.Amount != 0 || got.Total.Amount != 2500 {
			t.Errorf("to the US without a region: got %+v, want no tax", got)
		}
		if got := s.mustCharge(t, "to MX", shipRequest(cart(), "MX", "", "")); got.Tax.Amount != 0 || got.Total.Amount != 2700 {
			t.Errorf("to Mexico: got %+v, want flat shipping and no tax", got)
		}
		e2eWantProblem(t, "a malformed region", s.moneyCheckout(t, shipRequest(cart(), "US", "us-ca", "std"), ""), 422, "invalid_address")
	})

	t.Run("SavedAddressRegion", func(t *testing.T) {
		// A customer's saved address keeps its region, and a checkout with
		// shippingAddressId is taxed by it; the owned cart lists its
		// options with the customer's token.
		c := devSignIn(t, s.Program, "region@example.com", "Rae Gion")
		addr := testAddress("9 Sunset Blvd", true)
		addr["region"] = "CA"
		a := c.addAddress(t, addr)
		res := c.do(t, "GET", "/api/me/addresses", nil)
		var book struct {
			Items []struct {
				ID     string `json:"id"`
				Region string `json:"region"`
			} `json:"items"`
		}
		res.JSON(t, &book)
		if len(book.Items) != 1 || book.Items[0].ID != a.ID || book.Items[0].Region != "CA" {
			t.Errorf("saved addresses: got %+v, want %s with region CA", book.Items, a.ID)
		}
		_, mine := cartAs(t, s, c, "POST", "/api/carts", map[string][]e2eLine{"items": {{"ST-LAMP", 1}}})
		res, _ = cartAs(t, s, c, "GET", "/api/carts/"+mine.ID+"/shipping-options?country=US", nil)
		e2eWantStatus(t, "GET an owned cart's options", res, 200)
		res, _ = cartAs(t, s, customerClient{}, "GET", "/api/carts/"+mine.ID+"/shipping-options?country=US", nil)
		e2eWantStatus(t, "GET an owned cart's options without its token", res, 401)
		res, _, _ = checkoutAs(t, s, c, map[string]any{"cartId": mine.ID, "shippingAddressId": a.ID, "shippingOptionId": "std"})
		e2eWantStatus(t, "checkout to the saved address", res, 201)
		var paid e2eCharged
		res.JSON(t, &paid)
		if paid.Tax.Amount != 145 {
			t.Errorf("checkout to a saved California address: got tax %+v, want 145 (7.25%%)", paid.Tax)
		}
	})

	t.Run("TaxInclusive", func(t *testing.T) {
		res := s.do(t, "POST", "/api/carts", map[string]any{"currency": "EUR", "items": []e2eLine{{"ST-LAMP", 1}}})
		e2eWantStatus(t, "POST EUR cart", res, 201)
		var c e2eCart
		res.JSON(t, &c)
		// France, 20% contained: 1200/6 = 200 in the line, 490/6 = 81.67 → 82 in shipping.
		got := s.mustCharge(t, "to FR", shipRequest(c.ID, "FR", "", "eu"))
		want := []e2eTaxLine{{SKU: "ST-LAMP", Kind: "line", Rate: 2000, Amount: e2eMoney{200, "EUR"}}, {Kind: "shipping", Rate: 2000, Amount: e2eMoney{82, "EUR"}}}
		if got.Total.Amount != 1690 || got.Tax.Amount != 282 || !got.TaxIncluded || fmt.Sprint(got.TaxLines) != fmt.Sprint(want) {
			t.Errorf("to France: got %+v, want total 1690 containing tax 282, taxLines %v", got, want)
		}
	})

	t.Run("ChangeBeforeCheckoutIsPriceChanged", func(t *testing.T) {
		c := cart()
		expected := e2eMoney{2000 + 1500 + 80, "USD"} // the lamp, express, and New York's 4% of the lamp
		s.mustCharge(t, "as expected", func() map[string]any {
			r := shipRequest(cart(), "US", "NY", "express")
			r["expectedTotal"] = expected
			return r
		}())
		e2eWantStatus(t, "reprice express", s.admin(t, "PUT", "/api/admin/shipping-options/express", map[string]any{"name": "Express", "currency": "USD", "amount": 1700, "countries": []string{"US"}}), 200)
		req := shipRequest(c, "US", "NY", "express")
		req["expectedTotal"] = expected
		res := s.moneyCheckout(t, req, "")
		e2eWantProblem(t, "after the option's price changed", res, 409, "price_changed")
		var p struct {
			Totals struct {
				Shipping e2eMoney `json:"shipping"`
				Total    e2eMoney `json:"total"`
			} `json:"totals"`
		}
		res.JSON(t, &p)
		if p.Totals.Shipping.Amount != 1700 || p.Totals.Total.Amount != 3780 {
			t.Errorf("price_changed totals: got %+v, want shipping 1700, total 3780", p.Totals)
		}
		e2eWantStatus(t, "retax NY", s.admin(t, "PUT", "/api/admin/tax-rates/US", map[string]any{"rate": 0, "subdivisions": map[string]int64{"NY": 800}}), 200)
		req["expectedTotal"] = e2eMoney{3780, "USD"}
		e2eWantProblem(t, "after the rate changed", s.moneyCheckout(t, req, ""), 409, "price_changed")
		req["expectedTotal"] = e2eMoney{3860, "USD"}
		if got := s.mustCharge(t, "at the new total", req); got.Total.Amount != 3860 {
			t.Errorf("at the new total: got %+v, want 3860", got)
		}
	})
}
