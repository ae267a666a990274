package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file holds the E2E tests of the checkout contract.

func TestE2ECheckout(t *testing.T) {
	t.Parallel()
	const shipping, tax = 500, 120
	s := startMoney(t, func(m *Main) { m.Config.Shipping, m.Config.Tax = shipping, tax })

	t.Run("Paid", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-paid", "MNY-PAID", 1500, 10)
		req := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-PAID", 2}), "pm_card_visa")
		r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, req, ""))
		want := moneyResult{
			CheckoutID: r.CheckoutID, OrderID: r.OrderID, Status: "paid",
			Subtotal: &e2eMoney{3000, "USD"}, Shipping: &e2eMoney{shipping, "USD"}, Tax: &e2eMoney{tax, "USD"}, Total: &e2eMoney{3000 + shipping + tax, "USD"},
			OrderToken: r.OrderToken,
		}
		if r.OrderToken == "" {
			t.Errorf("checkout: no orderToken in %+v", r)
		}
		if diff := cmp.Diff(want, r); diff != "" {
			t.Errorf("checkout (-want +got):\n%s", diff)
		}
		if pay, err := s.moneyTestPay(t).PaymentForCheckout(context.Background(), r.CheckoutID); err != nil || pay.Amount.Amount != want.Total.Amount {
			t.Errorf("payment of the checkout: got %+v %v, want the total %+v", pay, err, *want.Total)
		}
		s.moneyWaitOrder(t, r.OrderID, "placed")
		_, o := s.moneyGetOrder(t, r.OrderID, r.OrderToken)
		if o.Email != req.Email || o.ShippingAddress != req.ShippingAddress || o.Total != *want.Total ||
			o.Subtotal != *want.Subtotal || o.Shipping != *want.Shipping || o.Tax != *want.Tax {
			t.Errorf("order %+v, want the checkout's email, address and totals", o)
		}
		if len(o.Items) != 1 || o.Items[0].SKU != "MNY-PAID" || o.Items[0].Quantity != 2 || o.Items[0].LineTotal != (e2eMoney{3000, "USD"}) {
			t.Errorf("order items %+v, want 2 × MNY-PAID for 3000 USD", o.Items)
		}
		if got, want := s.moneySettledStock(t, "MNY-PAID"), (e2eStock{"MNY-PAID", 10, 2, 0, 8}); got != want {
			t.Errorf("stock after the order: got %+v, want %+v", got, want)
		}
	})

	t.Run("RepricedAtCheckout", func(t *testing.T) {
		t.Parallel()
		p := s.mustStockedProduct(t, "money-reprice", "MNY-REPRICE", 1500, 10)
		cart := s.moneyCart(t, e2eLine{"MNY-REPRICE", 3})
		p.Variants[0].Price.Amount = 2500
		s.mustReplaceProduct(t, p)
		r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(cart, "pm_card_visa"), ""))
		if want := (e2eMoney{7500, "USD"}); *r.Subtotal != want {
			t.Errorf("subtotal %+v, want the new price × 3 = %+v", *r.Subtotal, want)
		}
		if pay, err := s.moneyTestPay(t).PaymentForCheckout(context.Background(), r.CheckoutID); err != nil || pay.Amount.Amount != r.Total.Amount || pay.Amount.Currency != r.Total.Currency {
			t.Errorf("payment of the checkout: got %+v %v, want the total %+v", pay, err, *r.Total)
		}
		o := s.moneyWaitOrder(t, r.OrderID, "placed")
		if len(o.Items) != 1 || o.Items[0].UnitPrice != (e2eMoney{2500, "USD"}) {
			t.Errorf("order items %+v, want unit price 2500 USD", o.Items)
		}
	})

	t.Run("ThreeDSecure", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-3ds", "MNY-3DS", 1000, 5)
		r := moneyWantAction(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-3DS", 2}), "pm_card_authenticationRequired"), ""))
		if got := s.moneyAvailable(t, "MNY-3DS"); got != 3 {
			t.Errorf("available while authenticating: got %d, want 3 (2 reserved)", got)
		}
		confirm := "/api/checkout/" + r.CheckoutID + "/confirm"
		e2eWantProblem(t, "confirm before authenticating", s.do(t, "POST", confirm, nil), 409, "requires_action")
		res, _ := s.moneyGetOrder(t, r.OrderID)
		e2eWantProblem(t, "order before paying", res, 404, "not_found")

		url, _ := r.NextAction["url"].(string)
		e2eWantStatus(t, "authenticate", s.moneyFollow(t, url, ""), 200)
		paid := s.do(t, "POST", confirm, nil)
		e2eWantStatus(t, "confirm", paid, 200)
		e2eCheckShape(t, "confirm", paid.Body, moneyPaidShape)
		var c moneyResult
		paid.JSON(t, &c)
		if c.Status != "paid" || c.CheckoutID != r.CheckoutID || c.OrderID != r.OrderID {
			t.Errorf("confirm: got %s, want checkout %s paid with order %s", paid.Body, r.CheckoutID, r.OrderID)
		}
		moneyCheckSum(t, "confirm", c)
		s.moneyWaitOrder(t, r.OrderID, "placed")
		if got, want := s.moneySettledStock(t, "MNY-3DS"), (e2eStock{"MNY-3DS", 5, 2, 0, 3}); got != want {
			t.Errorf("stock after the order: got %+v, want %+v", got, want)
		}
	})

	t.Run("ThreeDSecureFailed", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-3ds-fail", "MNY-3DS-FAIL", 1000, 5)
		r := moneyWantAction(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-3DS-FAIL", 2}), "pm_card_authenticationRequired"), ""))
		url, _ := r.NextAction["url"].(string)
		e2eWantStatus(t, "authenticate ?outcome=fail", s.moneyFollow(t, url, "outcome=fail"), 200)
		e2eWantProblem(t, "confirm", s.do(t, "POST", "/api/checkout/"+r.CheckoutID+"/confirm", nil), 402, "payment_declined")
		if got := s.moneyAvailable(t, "MNY-3DS-FAIL"); got != 5 {
			t.Errorf("available after the failed authentication: got %d, want 5 (released)", got)
		}
		res, _ := s.moneyGetOrder(t, r.OrderID)
		e2eWantProblem(t, "order of a declined checkout", res, 404, "not_found")
	})

	t.Run("Declined", func(t *testing.T) {
		t.Parallel()
		for i, pm := range []string{"pm_card_chargeDeclined", "pm_card_chargeDeclinedInsufficientFunds"} {
			sku := fmt.Sprintf("MNY-DECL-%d", i)
			s.mustStockedProduct(t, fmt.Sprintf("money-decl-%d", i), sku, 1000, 4)
			res := s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 3}), pm), "")
			e2eWantProblem(t, "checkout with "+pm, res, 402, "payment_declined")
			if got := s.moneyAvailable(t, sku); got != 4 {
				t.Errorf("%s: available right after the decline: got %d, want 4 (released)", pm, got)
			}
		}
	})

	t.Run("InsufficientStock", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-short-a", "MNY-SHORT-A", 1000, 10)
		s.mustStockedProduct(t, "money-short-b", "MNY-SHORT-B", 1000, 10)
		s.mustStockedProduct(t, "money-short-c", "MNY-SHORT-C", 1000, 10)
		// Carts check stock when lines are added; checkout checks it again.
		one := s.moneyCart(t, e2eLine{"MNY-SHORT-A", 5})
		many := s.moneyCart(t, e2eLine{"MNY-SHORT-A", 4}, e2eLine{"MNY-SHORT-B", 6}, e2eLine{"MNY-SHORT-C", 2})
		s.mustSetStock(t, "MNY-SHORT-A", 3)
		s.mustSetStock(t, "MNY-SHORT-B", 5)

		res := s.moneyCheckout(t, moneyNewRequest(one, "pm_card_visa"), "")
		e2eWantProblem(t, "one short line", res, 409, "insufficient_stock")
		moneyWantSKUs(t, "one short line", res, "MNY-SHORT-A")
		res = s.moneyCheckout(t, moneyNewRequest(many, "pm_card_visa"), "")
		e2eWantProblem(t, "two short lines of three", res, 409, "insufficient_stock")
		moneyWantSKUs(t, "two short lines of three", res, "MNY-SHORT-A", "MNY-SHORT-B")
		// All or nothing: the line that fitted holds nothing.
		for sku, want := range map[string]int64{"MNY-SHORT-A": 3, "MNY-SHORT-B": 5, "MNY-SHORT-C": 10} {
			if got := s.moneyAvailable(t, sku); got != want {
				t.Errorf("%s available after refused checkouts: got %d, want %d", sku, got, want)
			}
		}
	})

	t.Run("CartNotFound", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-gone", "MNY-GONE", 1000, 10)
		gone := s.moneyCart(t, e2eLine{"MNY-GONE", 1})
		e2eWantStatus(t, "DELETE cart", s.do(t, "DELETE", "/api/carts/"+gone, nil), 204)
		for _, id := range []string{gone, "no-such-cart", "c" + strings.Repeat("0", 26)} {
			res := s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), "")
			e2eWantProblem(t, "checkout of cart "+id, res, 404, "not_found")
		}
		for _, id := range []string{"no-such-checkout", "k" + strings.Repeat("0", 26)} {
			res := s.do(t, "POST", "/api/checkout/"+id+"/confirm", nil)
			e2eWantProblem(t, "confirm of checkout "+id, res, 404, "not_found")
		}
	})

	t.Run("Rules", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-rules", "MNY-RULES", 1000, 100)
		empty := s.moneyCart(t)
		addr := func(f func(*moneyAddress)) moneyRequest {
			r := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-RULES", 1}), "pm_card_visa")
			f(&r.ShippingAddress)
			return r
		}
		email := func(e string) moneyRequest {
			r := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-RULES", 1}), "pm_card_visa")
			r.Email = e
			return r
		}
		tests := []struct {
			name string
			req  moneyRequest
			code string
		}{
			{"EmptyCart", moneyNewRequest(empty, "pm_card_visa"), "empty_cart"},
			{"EmailEmpty", email(""), "invalid_email"},
			{"EmailNoAt", email("buyer.example.com"), "invalid_email"},
			{"EmailWithName", email("Ada <buyer@example.com>"), "invalid_email"},
			{"EmailSpace", email("bu yer@example.com"), "invalid_email"},
			{"NoName", addr(func(a *moneyAddress) { a.Name = "" }), "invalid_address"},
			{"NoLine1", addr(func(a *moneyAddress) { a.Line1 = "  " }), "invalid_address"},
			{"NoCity", addr(func(a *moneyAddress) { a.City = "" }), "invalid_address"},
			{"NoPostalCode", addr(func(a *moneyAddress) { a.PostalCode = "" }), "invalid_address"},
			{"CountryName", addr(func(a *moneyAddress) { a.Country = "USA" }), "invalid_address"},
			{"CountryLower", addr(func(a *moneyAddress) { a.Country = "us" }), "invalid_address"},
			{"Line2TooLong", addr(func(a *moneyAddress) { a.Line2 = strings.Repeat("x", 201) }), "invalid_address"},
			{"NameNewline", addr(func(a *moneyAddress) { a.Name = "Ada\nBuyer" }), "invalid_address"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e2eWantProblem(t, "checkout", s.moneyCheckout(t, tt.req, ""), 422, tt.code)
			})
		}
		if got := s.moneyAvailable(t, "MNY-RULES"); got != 100 {
			t.Errorf("available after refused checkouts: got %d, want 100", got)
		}
	})

	t.Run("KeyReused", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-reuse", "MNY-REUSE", 1000, 10)
		req := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-REUSE", 1}), "pm_card_visa")
		moneyWantPaid(t, "first", s.moneyCheckout(t, req, "money-key-reuse"))
		other := req
		other.Email = "someone.else@example.com"
		e2eWantProblem(t, "same key, other body", s.moneyCheckout(t, other, "money-key-reuse"), 422, "idempotency_key_reused")
		// Without a key, the cart checks out once: another body finds it
		// closed, without its order (it is not proof of being the buyer).
		req2 := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-REUSE", 1}), "pm_card_visa")
		paid := moneyWantPaid(t, "first without key", s.moneyCheckout(t, req2, ""))
		req2.PaymentMethod = "pm_card_mastercard"
		res := s.moneyCheckout(t, req2, "")
		e2eWantProblem(t, "same cart, other body", res, 409, "cart_closed")
		moneyWantNoOrder(t, "same cart, other body", res, paid.OrderID)
	})

	t.Run("OrderNotFound", func(t *testing.T) {
		t.Parallel()
		for _, id := range []string{"no-such-order", "o" + strings.Repeat("0", 26)} {
			res, _ := s.moneyGetOrder(t, id)
			e2eWantProblem(t, "GET /api/orders/"+id, res, 404, "not_found")
		}
	})
}

func TestE2ECheckoutExpiredCart(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "money-expired", "MNY-EXPIRED", 1000, 10)
	cart := s.moneyCart(t, e2eLine{"MNY-EXPIRED", 1})
	s.Clock.Advance(e2eCartTTL + time.Hour)
	e2eWantProblem(t, "checkout of an expired cart", s.moneyCheckout(t, moneyNewRequest(cart, "pm_card_visa"), ""), 404, "not_found")
	if got := s.moneyAvailable(t, "MNY-EXPIRED"); got != 10 {
		t.Errorf("available: got %d, want 10", got)
	}
}

// TestE2ECheckoutPaidAfterExpiry finishes 3-D Secure after the checkout's
// reservation expired: the stock is reserved again when it is still there,
// and the payment is refunded when it is gone. Stock is never oversold.
func TestE2ECheckoutPaidAfterExpiry(t *testing.T) {
	t.Parallel()
	const ttl = time.Minute
	expired := func(t *testing.T, s e2eShop, sku string) moneyResult {
		t.Helper()
		r := moneyWantAction(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 1}), "pm_card_authenticationRequired"), ""))
		s.moneyWaitQueues(t, 0, 1)
		s.Clock.Advance(ttl + time.Minute)
		s.moneyWaitQueues(t, 0, 0)
		if got := s.moneyAvailable(t, sku); got != 1 {
			t.Fatalf("available after the reservation expired: got %d, want 1", got)
		}
		return r
	}
	start := func(t *testing.T) e2eShop {
		return startMoney(t, func(m *Main) { m.Config.ReservationTTL = ttl })
	}

	t.Run("StockLeft", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		s.mustStockedProduct(t, "money-late", "MNY-LATE", 1000, 1)
		r := expired(t, s, "MNY-LATE")
		url, _ := r.NextAction["url"].(string)
		e2eWantStatus(t, "authenticate", s.moneyFollow(t, url, ""), 200)
		s.moneyWaitOrder(t, r.OrderID, "placed")
		s.moneyWaitQueues(t, 0, 0)
		if got, want := s.moneySettledStock(t, "MNY-LATE"), (e2eStock{"MNY-LATE", 1, 1, 0, 0}); got != want {
			t.Errorf("stock: got %+v, want %+v", got, want)
		}
		if got := s.moneyRefunds(t); got != 0 {
			t.Errorf("refunds: got %d, want 0", got)
		}
	})

	t.Run("StockGone", func(t *testing.T) {
		t.Parallel()
		s := start(t)
		s.mustStockedProduct(t, "money-late-gone", "MNY-LATE-GONE", 1000, 1)
		r := expired(t, s, "MNY-LATE-GONE")
		other := moneyWantPaid(t, "another buyer", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-LATE-GONE", 1}), "pm_card_visa"), ""))
		s.moneyWaitOrder(t, other.OrderID, "placed")
		url, _ := r.NextAction["url"].(string)
		res := s.moneyFollow(t, url, "")
		if res.Status != 200 {
			t.Errorf("authenticate: got %d %s, want 200", res.Status, res.Body)
		}
		if got := s.moneyRefunds(t); got != 1 {
			t.Errorf("refunds: got %d, want 1 (the late payment)", got)
		}
		res, _ = s.moneyGetOrder(t, r.OrderID)
		e2eWantProblem(t, "order of the refunded checkout", res, 404, "not_found")
		// The refund is final: stock returns and the same success is
		// reported again; the checkout is never paid, nothing is placed.
		s.mustSetStock(t, "MNY-LATE-GONE", 2) // the other order's committed unit, and one more
		e2eWantStatus(t, "authenticate again", s.moneyFollow(t, url, ""), 200)
		e2eWantProblem(t, "confirm the refunded checkout", s.do(t, "POST", "/api/checkout/"+r.CheckoutID+"/confirm", nil), 409, "checkout_refunded")
		if got := s.moneyRefunds(t); got != 1 {
			t.Errorf("refunds after the success was reported again: got %d, want 1", got)
		}
		res, _ = s.moneyGetOrder(t, r.OrderID)
		e2eWantProblem(t, "order of the refunded checkout, reported again", res, 404, "not_found")
		s.mustSetStock(t, "MNY-LATE-GONE", 1)
		s.moneyWaitQueues(t, 0, 1) // the other buyer's scheduled expiry
		if got, want := s.moneySettledStock(t, "MNY-LATE-GONE"), (e2eStock{"MNY-LATE-GONE", 1, 1, 0, 0}); got != want {
			t.Errorf("stock: got %+v, want %+v", got, want)
		}
	})
}
