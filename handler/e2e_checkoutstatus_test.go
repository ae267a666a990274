package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// This file holds the E2E tests of GET /api/checkout/{id}, a checkout's
// status under the order's access rule, and of the optional billing
// address a checkout takes and its order keeps.

// statusView is the body of GET /api/checkout/{id}.
type statusView struct {
	CheckoutID      string         `json:"checkoutId"`
	OrderID         string         `json:"orderId"`
	Status          string         `json:"status"`
	Total           e2eMoney       `json:"total"`
	NextAction      map[string]any `json:"nextAction"`
	DeclineCode     string         `json:"declineCode"`
	ReservedUntil   *string        `json:"reservedUntil"`
	Email           string         `json:"email"`
	ShippingAddress *moneyAddress  `json:"shippingAddress"`
	BillingAddress  *moneyAddress  `json:"billingAddress"`
}

// billingRequest is a checkout request with a billing address.
type billingRequest struct {
	moneyRequest
	BillingAddress *moneyAddress `json:"billingAddress,omitempty"`
}

// getCheckout reads a checkout's status, with token as X-Order-Token
// unless it is empty.
func (s e2eShop) getCheckout(tb testing.TB, id, token string) statusView {
	tb.Helper()
	res := s.do(tb, "GET", "/api/checkout/"+id, nil, "X-Order-Token", token)
	e2eWantStatus(tb, "GET checkout "+id, res, 200)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		tb.Errorf("GET checkout: Cache-Control %q, want no-store", cc)
	}
	var v statusView
	res.JSON(tb, &v)
	if v.CheckoutID != id {
		tb.Errorf("GET checkout %s: got checkoutId %q", id, v.CheckoutID)
	}
	return v
}

// wantNoBuyerInStatus checks that a checkout status shows none of the
// buyer's details.
func wantNoBuyerInStatus(tb testing.TB, what string, res *Response) {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(res.Body, &m); err != nil {
		tb.Fatalf("%s: %s: %v", what, res.Body, err)
	}
	for _, k := range []string{"email", "shippingAddress", "billingAddress"} {
		if _, ok := m[k]; ok {
			tb.Errorf("%s: got %q in %s, want none of the buyer's details", what, k, res.Body)
		}
	}
}

func TestE2ECheckoutStatus(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "status-lamp", "STAT-1", 1500, 10)

	billing := moneyAddress{Name: "Ada Payer", Line1: "9 Ledger Rd", City: "Boston", PostalCode: "02101", Country: "US"}
	req := billingRequest{moneyRequest: moneyNewRequest(s.moneyCart(t, e2eLine{"STAT-1", 1}), "pm_card_authenticationRequired"), BillingAddress: &billing}
	action := moneyWantAction(t, "checkout", s.moneyCheckout(t, req, "status-key-1"))

	t.Run("RequiresAction", func(t *testing.T) {
		v := s.getCheckout(t, action.CheckoutID, "")
		if v.Status != "requires_action" || v.OrderID != action.OrderID || v.NextAction["url"] != action.NextAction["url"] || v.ReservedUntil == nil {
			t.Errorf("got %+v, want requires_action with the checkout's order, nextAction and reservedUntil", v)
		}
		wantNoBuyerInStatus(t, "without a token", s.do(t, "GET", "/api/checkout/"+action.CheckoutID, nil))
		wantNoBuyerInStatus(t, "with a wrong token", s.do(t, "GET", "/api/checkout/"+action.CheckoutID, nil, "X-Order-Token", action.OrderToken+"x"))
		v = s.getCheckout(t, action.CheckoutID, action.OrderToken)
		if v.Email != req.Email || v.ShippingAddress == nil || *v.ShippingAddress != req.ShippingAddress || v.BillingAddress == nil || *v.BillingAddress != billing {
			t.Errorf("with the order's token: got %+v, want the buyer's email, shipping and billing address", v)
		}
	})

	t.Run("Paid", func(t *testing.T) {
		url, _ := action.NextAction["url"].(string)
		e2eWantStatus(t, "authenticate", s.moneyFollow(t, url, ""), 200)
		v := s.getCheckout(t, action.CheckoutID, "")
		if v.Status != "paid" || v.NextAction != nil || v.ReservedUntil != nil || v.Total.Amount <= 0 {
			t.Errorf("after authenticating: got %+v, want paid with its total, no nextAction", v)
		}
		s.moneyWaitOrder(t, action.OrderID, "placed")
		res := s.do(t, "GET", "/api/orders/"+action.OrderID, nil, "X-Order-Token", action.OrderToken)
		var o struct {
			BillingAddress *moneyAddress `json:"billingAddress"`
		}
		res.JSON(t, &o)
		if o.BillingAddress == nil || *o.BillingAddress != billing {
			t.Errorf("order with its token: got billingAddress %+v, want %+v", o.BillingAddress, billing)
		}
		res = s.do(t, "GET", "/api/orders/"+action.OrderID, nil)
		moneyWantNoBuyer(t, "order without its token", res.Body)
		wantNoBuyerInStatus(t, "order without its token", res)
		// The admin listing shows it too.
		var page struct {
			Items []struct {
				ID             string        `json:"id"`
				BillingAddress *moneyAddress `json:"billingAddress"`
			} `json:"items"`
		}
		s.admin(t, "GET", "/api/admin/orders", nil).JSON(t, &page)
		found := false
		for _, it := range page.Items {
			if it.ID == action.OrderID {
				found = it.BillingAddress != nil && *it.BillingAddress == billing
			}
		}
		if !found {
			t.Errorf("admin orders: got %+v, want order %s with its billing address", page.Items, action.OrderID)
		}
	})

	t.Run("Declined", func(t *testing.T) {
		r := moneyNewRequest(s.moneyCart(t, e2eLine{"STAT-1", 1}), "pm_card_authenticationRequired")
		a := moneyWantAction(t, "checkout", s.moneyCheckout(t, r, "status-key-2"))
		url, _ := a.NextAction["url"].(string)
		e2eWantStatus(t, "authenticate ?outcome=fail", s.moneyFollow(t, url, "outcome=fail"), 200)
		if v := s.getCheckout(t, a.CheckoutID, ""); v.Status != "declined" || v.NextAction != nil || v.ReservedUntil != nil {
			t.Errorf("after failing 3-D Secure: got %+v, want declined, no nextAction", v)
		}
	})

	t.Run("BadInput", func(t *testing.T) {
		e2eWantProblem(t, "unknown checkout", s.do(t, "GET", "/api/checkout/k00000000000000000000000000", nil), 404, "not_found")
		e2eWantProblem(t, "not a checkout ID", s.do(t, "GET", "/api/checkout/nope", nil), 404, "not_found")
		bad := billingRequest{moneyRequest: moneyNewRequest(s.moneyCart(t, e2eLine{"STAT-1", 1}), "pm_card_visa"), BillingAddress: &moneyAddress{Name: "No City", Line1: "1 Road", PostalCode: "1", Country: "US"}}
		res := s.moneyCheckout(t, bad, "status-key-3")
		e2eWantProblem(t, "billing address without a city", res, 422, "invalid_address")
		if want := "billingAddress.city"; !strings.Contains(string(res.Body), want) {
			t.Errorf("billing address without a city: got %s, want it to name %s", res.Body, want)
		}
	})
}
