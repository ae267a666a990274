package main

import (
	"fmt"
	"sync"
	"testing"
)

// This file holds the E2E tests of promotions' admin routes.

// e2ePromotion is a promotion's JSON, as far as the tests read it.
type e2ePromotion struct {
	ID               string `json:"id"`
	Code             string `json:"code"`
	Status           string `json:"status"`
	UsageLimit       *int64 `json:"usageLimit"`
	PerCustomerLimit *int64 `json:"perCustomerLimit"`
	EndsAt           string `json:"endsAt"`
	Used             int64  `json:"used"`
	Reserved         int64  `json:"reserved"`
}

// mustCreatePromotion creates a promotion that must be accepted and
// returns it.
func (s e2eShop) mustCreatePromotion(tb testing.TB, body map[string]any) e2ePromotion {
	tb.Helper()
	res := s.admin(tb, "POST", "/api/admin/promotions", body)
	e2eWantStatus(tb, "POST /api/admin/promotions", res, 201)
	var p e2ePromotion
	res.JSON(tb, &p)
	if p.ID == "" {
		tb.Fatal("POST /api/admin/promotions: no id")
	}
	return p
}

// percentOff is the body of an active percent promotion with code.
func percentOff(code string, bp int64) map[string]any {
	return map[string]any{"code": code, "action": map[string]any{"type": "percent", "value": bp, "target": "order"}, "stacking": "stack", "priority": 1, "status": "active"}
}

func TestE2EPromotionAdmin(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)

	body := percentOff("Save10", 1000)
	body["usageLimit"] = 5
	p := s.mustCreatePromotion(t, body)
	if p.Used != 0 || p.Reserved != 0 || p.UsageLimit == nil || *p.UsageLimit != 5 {
		t.Errorf("created: got %+v, want used 0, reserved 0, usageLimit 5", p)
	}

	t.Run("CodeTakenIgnoringCase", func(t *testing.T) {
		res := s.admin(t, "POST", "/api/admin/promotions", percentOff("SAVE10", 500))
		e2eWantProblem(t, "POST a taken code", res, 409, "code_taken")
	})

	t.Run("CodeRace", func(t *testing.T) {
		const n = 6
		var wg sync.WaitGroup
		statuses := make([]int, n)
		for i := range n {
			wg.Go(func() { statuses[i] = s.admin(t, "POST", "/api/admin/promotions", percentOff("RACE", 500)).Status })
		}
		wg.Wait()
		created := 0
		for _, st := range statuses {
			switch st {
			case 201:
				created++
			case 409:
			default:
				t.Errorf("concurrent create: got status %d, want 201 or 409", st)
			}
		}
		if created != 1 {
			t.Errorf("%d concurrent creates of one code: %d created, want 1", n, created)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			body map[string]any
		}{
			{"NoCodeNotAutomatic", map[string]any{"action": map[string]any{"type": "percent", "value": 1000}}},
			{"BadType", map[string]any{"code": "X1", "action": map[string]any{"type": "bogo", "value": 1}}},
			{"PercentOver100", map[string]any{"code": "X2", "action": map[string]any{"type": "percent", "value": 10001}}},
			{"FixedNoCurrency", map[string]any{"code": "X3", "action": map[string]any{"type": "fixed", "value": 500}}},
			{"BadCode", map[string]any{"code": "no spaces", "action": map[string]any{"type": "percent", "value": 1}}},
			{"UnknownField", map[string]any{"code": "X4", "action": map[string]any{"type": "percent", "value": 1}, "discount": 1}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e2eWantProblem(t, "POST "+tc.name, s.admin(t, "POST", "/api/admin/promotions", tc.body), 400, "invalid_request")
			})
		}
	})

	t.Run("ReadAndList", func(t *testing.T) {
		res := s.admin(t, "GET", "/api/admin/promotions/"+p.ID, nil)
		e2eWantStatus(t, "GET promotion", res, 200)
		var got e2ePromotion
		res.JSON(t, &got)
		if got.Code != "Save10" || got.ID != p.ID {
			t.Errorf("GET: got %+v, want %s with code Save10", got, p.ID)
		}
		e2eWantProblem(t, "GET unknown", s.admin(t, "GET", "/api/admin/promotions/m0000000000000000000000000", nil), 404, "not_found")
		e2eWantProblem(t, "GET malformed", s.admin(t, "GET", "/api/admin/promotions/nope", nil), 404, "not_found")
		res = s.admin(t, "GET", "/api/admin/promotions", nil)
		e2eWantStatus(t, "GET promotions", res, 200)
		var page struct{ Items []e2ePromotion }
		res.JSON(t, &page)
		codes := map[string]bool{}
		for i, it := range page.Items {
			codes[it.Code] = true
			if i > 0 && it.ID <= page.Items[i-1].ID {
				t.Errorf("listing: %s after %s, want id order", it.ID, page.Items[i-1].ID)
			}
		}
		if len(page.Items) != 2 || !codes["Save10"] || !codes["RACE"] {
			t.Errorf("listing: got %+v, want Save10 and RACE", page.Items)
		}
	})

	t.Run("Patch", func(t *testing.T) {
		res := s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"usageLimit": 9, "status": "draft", "endsAt": "2099-01-01T00:00:00Z"})
		e2eWantStatus(t, "PATCH", res, 200)
		var got e2ePromotion
		res.JSON(t, &got)
		if got.Status != "draft" || got.UsageLimit == nil || *got.UsageLimit != 9 || got.EndsAt != "2099-01-01T00:00:00Z" || got.Code != "Save10" {
			t.Errorf("PATCH: got %+v, want draft, usageLimit 9, endsAt 2099", got)
		}
		tag := res.Header.Get("ETag")
		res = s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"usageLimit": nil, "status": "active"}, "If-Match", tag)
		e2eWantStatus(t, "PATCH If-Match", res, 200)
		got = e2ePromotion{}
		res.JSON(t, &got)
		if got.UsageLimit != nil || got.Status != "active" {
			t.Errorf("PATCH null: got %+v, want no usageLimit, active", got)
		}
		e2eWantProblem(t, "PATCH stale", s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"priority": 3}, "If-Match", tag), 412, "precondition_failed")
		e2eWantProblem(t, "PATCH code", s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"code": "NEW"}), 400, "invalid_request")
		e2eWantProblem(t, "PATCH bad status", s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"status": "gone"}), 400, "invalid_request")
		e2eWantProblem(t, "PATCH unknown", s.admin(t, "PATCH", "/api/admin/promotions/m0000000000000000000000000", map[string]any{"status": "draft"}), 404, "not_found")
	})
}

// e2ePromoCart is a cart's JSON with its promotions.
type e2ePromoCart struct {
	ID            string   `json:"id"`
	Codes         []string `json:"codes"`
	Subtotal      e2eMoney `json:"subtotal"`
	DiscountTotal e2eMoney `json:"discountTotal"`
	Discounts     []struct {
		PromotionID string   `json:"promotionId"`
		Code        string   `json:"code"`
		Amount      e2eMoney `json:"amount"`
	} `json:"discounts"`
	Items []struct {
		SKU         string `json:"sku"`
		Adjustments []struct {
			PromotionID string   `json:"promotionId"`
			Amount      e2eMoney `json:"amount"`
		} `json:"adjustments"`
	} `json:"items"`
}

// applyCode posts a code to a cart.
func (s e2eShop) applyCode(tb testing.TB, cartID, code string, header ...string) *Response {
	tb.Helper()
	return s.do(tb, "POST", "/api/carts/"+cartID+"/promotions", map[string]any{"code": code}, header...)
}

func TestE2EPromotionCart(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustStockedProduct(t, "pr-lamp", "PR-LAMP", 2000, 100)
	s.mustStockedProduct(t, "pr-mug", "PR-MUG", 1001, 100)
	save := s.mustCreatePromotion(t, percentOff("SAVE10", 1000))
	min := percentOff("BIG", 500)
	min["rules"] = map[string]any{"minSubtotal": map[string]any{"amount": 100000, "currency": "USD"}}
	s.mustCreatePromotion(t, min)
	later := percentOff("LATER", 500)
	later["startsAt"] = "2099-01-01T00:00:00Z"
	s.mustCreatePromotion(t, later)
	draft := percentOff("DRAFT", 500)
	draft["status"] = "draft"
	s.mustCreatePromotion(t, draft)
	fixed := map[string]any{"code": "EUR5", "currency": "EUR", "action": map[string]any{"type": "fixed", "value": 500}}
	s.mustCreatePromotion(t, fixed)

	t.Run("ApplyAndRemove", func(t *testing.T) {
		id := s.moneyCart(t, e2eLine{"PR-LAMP", 1}, e2eLine{"PR-MUG", 1})
		res := s.applyCode(t, id, "save10")
		e2eWantStatus(t, "apply save10", res, 200)
		var c e2ePromoCart
		res.JSON(t, &c)
		// 10% of 3001 is 300.1, rounded to 300, spread 2000:1001 by largest remainder.
		if c.DiscountTotal.Amount != 300 || len(c.Discounts) != 1 || c.Discounts[0].PromotionID != save.ID || c.Discounts[0].Amount.Amount != 300 {
			t.Fatalf("after SAVE10: got %+v, want one discount of 300", c)
		}
		var adj int64
		for _, it := range c.Items {
			for _, a := range it.Adjustments {
				adj += a.Amount.Amount
			}
		}
		if adj != 300 {
			t.Errorf("line adjustments sum to %d, want 300", adj)
		}
		e2eWantStatus(t, "apply again in another case", s.applyCode(t, id, "SAVE10"), 200)
		if got := s.promoCart(t, id); len(got.Codes) != 1 || got.DiscountTotal.Amount != 300 {
			t.Errorf("after applying twice: got codes %v, discount %d; want one code, 300", got.Codes, got.DiscountTotal.Amount)
		}
		res = s.do(t, "DELETE", "/api/carts/"+id+"/promotions/Save10", nil)
		e2eWantStatus(t, "remove", res, 200)
		if got := s.promoCart(t, id); len(got.Codes) != 0 || got.DiscountTotal.Amount != 0 || len(got.Discounts) != 0 {
			t.Errorf("after removing: got %+v, want no codes and no discount", got)
		}
		e2eWantProblem(t, "remove again", s.do(t, "DELETE", "/api/carts/"+id+"/promotions/SAVE10", nil), 404, "not_found")
	})

	t.Run("Refused", func(t *testing.T) {
		id := s.moneyCart(t, e2eLine{"PR-MUG", 1})
		for _, tc := range []struct{ code, reason string }{
			{"NOPE", "unknown"}, {"BIG", "min_subtotal"}, {"LATER", "not_started"}, {"DRAFT", "unknown"}, {"EUR5", "currency"}, {"bad code!", "unknown"},
		} {
			res := s.applyCode(t, id, tc.code)
			e2eWantProblem(t, "apply "+tc.code, res, 422, "invalid_promotion")
			var p struct{ Reason string }
			res.JSON(t, &p)
			if p.Reason != tc.reason {
				t.Errorf("apply %s: got reason %q, want %q", tc.code, p.Reason, tc.reason)
			}
		}
		if got := s.promoCart(t, id); len(got.Codes) != 0 {
			t.Errorf("refused codes were kept: %v", got.Codes)
		}
	})

	t.Run("AtMostFiveCodes", func(t *testing.T) {
		id := s.moneyCart(t, e2eLine{"PR-LAMP", 1})
		for i := range 5 {
			p := percentOff(fmt.Sprintf("FIVE%d", i), 100)
			s.mustCreatePromotion(t, p)
			e2eWantStatus(t, "apply", s.applyCode(t, id, fmt.Sprintf("FIVE%d", i)), 200)
		}
		e2eWantProblem(t, "a sixth code", s.applyCode(t, id, "SAVE10"), 422, "too_many_codes")
	})

	t.Run("CheckoutCarriesDiscount", func(t *testing.T) {
		id := s.moneyCart(t, e2eLine{"PR-LAMP", 2})
		e2eWantStatus(t, "apply", s.applyCode(t, id, "SAVE10"), 200)
		res := s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), "promo-checkout-1")
		e2eWantStatus(t, "checkout", res, 201)
		type discounted struct {
			OrderID, OrderToken                           string
			Subtotal, Shipping, Tax, Total, DiscountTotal e2eMoney
			Discounts                                     []struct {
				PromotionID string
				Amount      e2eMoney
			}
		}
		var r discounted
		res.JSON(t, &r)
		if r.DiscountTotal.Amount != 400 || len(r.Discounts) != 1 || r.Total.Amount != r.Subtotal.Amount-400+r.Shipping.Amount+r.Tax.Amount {
			t.Errorf("paid checkout: got %+v, want a 400 discount taken off the total", r)
		}
		// The order keeps what the promotions took off.
		s.moneyWaitOrder(t, r.OrderID, "placed")
		res = s.do(t, "GET", "/api/orders/"+r.OrderID, nil, "X-Order-Token", r.OrderToken)
		e2eWantStatus(t, "GET the order", res, 200)
		var o discounted
		res.JSON(t, &o)
		if o.DiscountTotal != r.DiscountTotal || len(o.Discounts) != 1 || o.Discounts[0] != r.Discounts[0] || o.Total != r.Total {
			t.Errorf("order: got %+v, want the checkout's discounts %+v", o, r)
		}
	})

	t.Run("CheckoutWhenCodeNoLongerApplies", func(t *testing.T) {
		p := s.mustCreatePromotion(t, percentOff("SOON-GONE", 1000))
		id := s.moneyCart(t, e2eLine{"PR-LAMP", 1})
		e2eWantStatus(t, "apply", s.applyCode(t, id, "SOON-GONE"), 200)
		e2eWantStatus(t, "draft it", s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"status": "draft"}), 200)
		stock := s.moneyAvailable(t, "PR-LAMP")
		res := s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), "promo-checkout-2")
		e2eWantProblem(t, "checkout", res, 409, "price_changed")
		if got := s.moneyAvailable(t, "PR-LAMP"); got != stock {
			t.Errorf("available after a refused checkout: got %d, want %d (nothing reserved)", got, stock)
		}
	})

	t.Run("Automatic", func(t *testing.T) {
		auto := map[string]any{"automatic": true, "rules": map[string]any{"skus": []string{"PR-MUG"}}, "action": map[string]any{"type": "fixed", "value": 100, "target": "lines"}, "currency": "USD"}
		p := s.mustCreatePromotion(t, auto)
		defer s.admin(t, "PATCH", "/api/admin/promotions/"+p.ID, map[string]any{"status": "draft"})
		id := s.moneyCart(t, e2eLine{"PR-MUG", 3}, e2eLine{"PR-LAMP", 1})
		c := s.promoCart(t, id)
		if c.DiscountTotal.Amount != 300 || len(c.Discounts) != 1 || c.Discounts[0].PromotionID != p.ID {
			t.Errorf("automatic: got %+v, want 100 off each of 3 mugs", c)
		}
	})
}

// promoCart reads a cart with its promotions.
func (s e2eShop) promoCart(tb testing.TB, id string) e2ePromoCart {
	tb.Helper()
	res := s.do(tb, "GET", "/api/carts/"+id, nil)
	e2eWantStatus(tb, "GET cart", res, 200)
	var c e2ePromoCart
	res.JSON(tb, &c)
	return c
}

func TestE2EPromotionFreeOrder(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "pr-free", "PR-FREE", 1500, 10)
	all := s.mustCreatePromotion(t, percentOff("ALLFREE", 10000))
	id := s.moneyCart(t, e2eLine{"PR-FREE", 2})
	e2eWantStatus(t, "apply", s.applyCode(t, id, "ALLFREE"), 200)
	charges := s.moneyCharges(t)
	res := s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), "free-1")
	e2eWantStatus(t, "checkout", res, 201)
	var r struct {
		OrderID       string
		Status        string
		PaymentStatus string
		Total         e2eMoney
		DiscountTotal e2eMoney
	}
	res.JSON(t, &r)
	if r.Status != "paid" || r.PaymentStatus != "not_required" || r.Total.Amount != 0 || r.DiscountTotal.Amount != 3000 {
		t.Errorf("free checkout: got %+v, want paid, not_required, total 0, discount 3000", r)
	}
	if got := s.moneyCharges(t); got != charges {
		t.Errorf("charges: got %d, want %d (no payment for a free order)", got, charges)
	}
	s.moneyWaitOrder(t, r.OrderID, "placed")
	if used, reserved := s.promoCounters(t, all.ID); used != 1 || reserved != 0 {
		t.Errorf("counters: used %d, reserved %d; want 1 and 0", used, reserved)
	}
	// Same one checkout per cart as any order.
	e2eWantProblem(t, "second checkout", s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), "free-2"), 409, "cart_closed")
}

func TestE2EPromotionFreeShipping(t *testing.T) {
	t.Parallel()
	s := startMoney(t, func(m *Main) { m.Config.Shipping, m.Config.Tax = 700, 100 })
	s.mustStockedProduct(t, "pr-ship", "PR-SHIP", 1000, 10)
	fs := s.mustCreatePromotion(t, map[string]any{"code": "SHIPFREE", "action": map[string]any{"type": "free_shipping"}})
	id := s.moneyCart(t, e2eLine{"PR-SHIP", 1})
	res := s.applyCode(t, id, "shipfree")
	e2eWantStatus(t, "apply", res, 200)
	var c e2ePromoCart
	res.JSON(t, &c)
	if len(c.Discounts) != 1 || c.Discounts[0].PromotionID != fs.ID || c.DiscountTotal.Amount != 0 {
		t.Errorf("cart: got %+v, want the free shipping discount at 0 until checkout", c)
	}
	res = s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), "ship-1")
	e2eWantStatus(t, "checkout", res, 201)
	var r struct{ Subtotal, Shipping, Tax, Total, DiscountTotal e2eMoney }
	res.JSON(t, &r)
	// Free shipping touches the shipping only: 1000 + 700 - 700 + 100.
	if r.DiscountTotal.Amount != 700 || r.Shipping.Amount != 700 || r.Total.Amount != 1100 {
		t.Errorf("checkout: got %+v, want shipping 700 taken off, total 1100", r)
	}
}
