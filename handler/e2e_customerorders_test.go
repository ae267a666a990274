package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// customerOrder is an order as its owner reads it.
type customerOrder struct {
	ID              string         `json:"id"`
	Status          string         `json:"status"`
	Email           string         `json:"email"`
	CustomerID      string         `json:"customerId"`
	Items           []e2eItem      `json:"items"`
	Total           e2eMoney       `json:"total"`
	ShippingAddress map[string]any `json:"shippingAddress"`
}

// checkoutAs checks a cart out with the customer's token (none for the
// zero customerClient) and returns the answer.
func checkoutAs(tb testing.TB, s e2eShop, c customerClient, body map[string]any) (*Response, string, string) {
	tb.Helper()
	var h []string
	if c.token != "" {
		h = []string{"Authorization", "Bearer " + c.token}
	}
	body["paymentMethod"] = "pm_card_visa"
	res := s.do(tb, "POST", "/api/checkout", body, h...)
	var r struct {
		OrderID    string `json:"orderId"`
		OrderToken string `json:"orderToken"`
	}
	if res.Status == http.StatusCreated {
		res.JSON(tb, &r)
	}
	return res, r.OrderID, r.OrderToken
}

// myOrders reads one page of GET /api/me/orders.
func myOrders(tb testing.TB, c customerClient, query string) ([]customerOrder, *string) {
	tb.Helper()
	res := c.do(tb, "GET", "/api/me/orders"+query, nil)
	if res.Status != 200 {
		tb.Fatalf("GET /api/me/orders%s: got %d %s, want 200", query, res.Status, res.Body)
	}
	var page struct {
		Items      []customerOrder `json:"items"`
		NextCursor *string         `json:"nextCursor"`
	}
	res.JSON(tb, &page)
	return page.Items, page.NextCursor
}

func TestE2ECustomerOrders(t *testing.T) {
	t.Parallel()
	s := e2eShop{MustRunMain(t, false)}
	s.mustStockedProduct(t, "orders-tee", "ORD-TEE", 2000, 100)
	ada := devSignIn(t, s.Program, "ada@example.com", "Ada")
	bob := devSignIn(t, s.Program, "bob@example.com", "Bob")
	adaID := ada.me(t).ID
	home := ada.addAddress(t, testAddress("7 Home Rd", true))

	newCart := func(t *testing.T) string {
		t.Helper()
		res, c := cartAs(t, s, ada, "POST", "/api/carts", map[string][]e2eLine{"items": {{"ORD-TEE", 1}}})
		e2eWantStatus(t, "owned cart", res, 201)
		return c.ID
	}
	cartID := newCart(t)
	res, _, _ := checkoutAs(t, s, ada, map[string]any{"cartId": cartID, "shippingAddressId": "a_nope"})
	wantProblem(t, "an unknown shippingAddressId", res, 404, "not_found")
	res, _, _ = checkoutAs(t, s, ada, map[string]any{"cartId": cartID, "shippingAddressId": home.ID, "shippingAddress": shipTo("1 Main St")})
	wantProblem(t, "shippingAddressId and shippingAddress", res, 400, "invalid_request")
	res, _, _ = checkoutAs(t, s, bob, map[string]any{"cartId": cartID, "shippingAddressId": home.ID})
	wantProblem(t, "another customer's address and cart", res, 404, "not_found")
	res, _, _ = checkoutAs(t, s, customerClient{}, map[string]any{"cartId": cartID, "email": "ada@example.com", "shippingAddressId": home.ID})
	wantProblem(t, "shippingAddressId without a token", res, 401, "unauthorized")

	res, first, token := checkoutAs(t, s, ada, map[string]any{"cartId": cartID, "shippingAddressId": home.ID})
	e2eWantStatus(t, "checkout with a token, no email, an address id", res, 201)

	// The order is its owner's alone.
	for _, tt := range []struct {
		what   string
		header []string
	}{
		{"no token", nil},
		{"the order token", []string{"X-Order-Token", token}},
		{"another customer's token", []string{"Authorization", "Bearer " + bob.token}},
	} {
		wantProblem(t, "GET the order with "+tt.what, s.do(t, "GET", "/api/orders/"+first, nil, tt.header...), 404, "not_found")
	}
	var o customerOrder
	res = ada.do(t, "GET", "/api/orders/"+first, nil)
	e2eWantStatus(t, "GET the order with the owner's token", res, 200)
	res.JSON(t, &o)
	if o.CustomerID != adaID || o.Email != "ada@example.com" || o.ShippingAddress["line1"] != "7 Home Rd" || len(o.Items) != 1 {
		t.Errorf("the owner's order: got %+v, want customerId %s, her email and her book's address", o, adaID)
	}

	s.Clock.Advance(time.Second) // order IDs sort by their millisecond
	res, second, _ := checkoutAs(t, s, ada, map[string]any{"cartId": newCart(t), "email": "ada+shop@example.com", "shippingAddress": shipTo("1 Main St")})
	e2eWantStatus(t, "a second checkout", res, 201)

	// History: newest first, paged by signed cursors.
	page, next := myOrders(t, ada, "?limit=1")
	if len(page) != 1 || page[0].ID != second || next == nil {
		t.Fatalf("first page: got %+v next %v, want [%s] and a cursor", page, next, second)
	}
	page2, end := myOrders(t, ada, "?limit=1&cursor="+url.QueryEscape(*next))
	if len(page2) != 1 || page2[0].ID != first || page2[0].CustomerID != adaID {
		t.Errorf("second page: got %+v, want [%s]", page2, first)
	}
	if end != nil {
		if last, _ := myOrders(t, ada, "?limit=1&cursor="+url.QueryEscape(*end)); len(last) != 0 {
			t.Errorf("third page: got %+v, want none", last)
		}
	}
	wantProblem(t, "a cursor for another limit", ada.do(t, "GET", "/api/me/orders?limit=2&cursor="+url.QueryEscape(*next), nil), 400, "invalid_request")
	wantProblem(t, "another customer's cursor", bob.do(t, "GET", "/api/me/orders?limit=1&cursor="+url.QueryEscape(*next), nil), 400, "invalid_request")
	wantProblem(t, "a bad limit", ada.do(t, "GET", "/api/me/orders?limit=0", nil), 400, "invalid_request")
	if all, _ := myOrders(t, bob, ""); len(all) != 0 {
		t.Errorf("bob's orders: got %d, want none", len(all))
	}
	wantProblem(t, "GET /api/me/orders without a token", s.do(t, "GET", "/api/me/orders", nil), 401, "unauthorized")

	var admin struct {
		OrderCount int `json:"orderCount"`
	}
	s.admin(t, "GET", "/api/admin/customers/"+adaID, nil).JSON(t, &admin)
	if admin.OrderCount != 2 {
		t.Errorf("orderCount: got %d, want 2", admin.OrderCount)
	}
}

func TestE2ECustomerOrderClaim(t *testing.T) {
	t.Parallel()
	s := e2eShop{MustRunMain(t, false)}
	s.mustStockedProduct(t, "claim-tee", "CLM-TEE", 2000, 100)
	guestOrder := func(t *testing.T, email string) (string, string) {
		t.Helper()
		c := s.mustNewCart(t, []e2eLine{{"CLM-TEE", 1}})
		res, id, token := checkoutAs(t, s, customerClient{}, map[string]any{"cartId": c.ID, "email": email, "shippingAddress": shipTo("1 Main St")})
		e2eWantStatus(t, "guest checkout", res, 201)
		return id, token
	}
	ada := devSignIn(t, s.Program, "ada@example.com", "Ada")
	adaID := ada.me(t).ID
	bob := devSignIn(t, s.Program, "bob@example.com", "Bob")
	res := s.do(t, "POST", "/api/dev/oidc/token", map[string]any{"email": "ada@example.com", "emailVerified": false})
	var unverifiedTok struct {
		AccessToken string `json:"accessToken"`
	}
	res.JSON(t, &unverifiedTok)
	unverified := customerClient{p: s.Program, token: unverifiedTok.AccessToken}

	id, token := guestOrder(t, "Ada@Example.COM")
	claim := func(c customerClient, orderID string) *Response {
		return s.do(t, "POST", "/api/me/orders/claim", map[string]string{"orderId": orderID}, "Authorization", "Bearer "+c.token)
	}
	wantProblem(t, "a claim with an unverified email", claim(unverified, id), 403, "email_not_verified")
	wantProblem(t, "a claim of another email's order", claim(bob, id), 404, "not_found")
	wantProblem(t, "a claim of an unknown order", claim(ada, "o0000000000aaaaaaaaaaaaaaaaaaaaaaaaaa"), 404, "not_found")
	wantProblem(t, "a claim without a token", s.do(t, "POST", "/api/me/orders/claim", map[string]string{"orderId": id}), 401, "unauthorized")
	for i := range 2 { // idempotent
		res := claim(ada, id)
		var o customerOrder
		if res.Status == 200 {
			res.JSON(t, &o)
		}
		if res.Status != 200 || o.ID != id || o.CustomerID != adaID {
			t.Errorf("claim %d: got %d %s, want 200 with customerId %s", i, res.Status, res.Body, adaID)
		}
	}
	if all, _ := myOrders(t, ada, ""); len(all) != 1 || all[0].ID != id {
		t.Errorf("ada's orders after the claim: got %+v, want [%s]", all, id)
	}
	wantProblem(t, "the claimed order with its guest token", s.do(t, "GET", "/api/orders/"+id, nil, "X-Order-Token", token), 404, "not_found")
}

func TestE2ECustomerErasure(t *testing.T) {
	t.Parallel()
	s := e2eShop{MustRunMain(t, false)}
	s.mustStockedProduct(t, "erase-tee", "ERA-TEE", 2000, 100)
	ada := devSignIn(t, s.Program, "ada@example.com", "Ada")
	adaID := ada.me(t).ID
	res, c := cartAs(t, s, ada, "POST", "/api/carts", map[string][]e2eLine{"items": {{"ERA-TEE", 1}}})
	e2eWantStatus(t, "owned cart", res, 201)
	res, orderID, _ := checkoutAs(t, s, ada, map[string]any{"cartId": c.ID, "shippingAddress": shipTo("9 Secret Ln")})
	e2eWantStatus(t, "checkout", res, 201)
	res, open := cartAs(t, s, ada, "POST", "/api/carts", map[string][]e2eLine{"items": {{"ERA-TEE", 2}}})
	e2eWantStatus(t, "a new open cart after the checkout", res, 201)

	if res := ada.do(t, "DELETE", "/api/me", nil); res.Status != 204 {
		t.Fatalf("DELETE /api/me: got %d %s", res.Status, res.Body)
	}
	// The open cart is gone; the order is redacted, its lines and totals kept.
	if res, _ := cartAs(t, s, customerClient{}, "GET", "/api/carts/"+open.ID, nil); res.Status != 404 {
		t.Errorf("the open cart after erasure: got %d %s, want 404", res.Status, res.Body)
	}
	var list struct {
		Items []customerOrder `json:"items"`
	}
	s.admin(t, "GET", "/api/admin/orders?limit=100", nil).JSON(t, &list)
	found := false
	for _, o := range list.Items {
		if o.ID != orderID {
			continue
		}
		found = true
		if o.Email != "[redacted]" || o.ShippingAddress["line1"] != "[redacted]" || o.ShippingAddress["name"] != "[redacted]" {
			t.Errorf("the order after erasure: email %q address %v, want [redacted]", o.Email, o.ShippingAddress)
		}
		if len(o.Items) != 1 || o.Total.Amount < 2000 || o.Status == "" {
			t.Errorf("the order after erasure: items %v total %v status %q, want them kept", o.Items, o.Total, o.Status)
		}
		if b, _ := json.Marshal(o); strings.Contains(string(b), "Secret") {
			t.Errorf("the order after erasure still holds the address: %+v", o)
		}
	}
	if !found {
		t.Fatalf("order %s not in the admin list", orderID)
	}
	// The same subject signs in to a new, empty customer.
	again := ada.me(t)
	if again.ID == adaID {
		t.Errorf("after erasure: the same customer %s, want a new one", adaID)
	}
	if all, _ := myOrders(t, ada, ""); len(all) != 0 {
		t.Errorf("the new customer's orders: got %d, want none", len(all))
	}
	wantProblem(t, "the new customer's cart", ada.do(t, "GET", "/api/me/cart", nil), 404, "not_found")
}
