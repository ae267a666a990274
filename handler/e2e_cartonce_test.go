package main

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
)

// This file holds the E2E tests of a cart's one checkout: its status, the
// 409s of a closed cart, price checks before anything is reserved, and the
// bound on what one client holds.

// moneyCartState is the status part of a cart response.
type moneyCartState struct {
	Status  string `json:"status"`
	OrderID string `json:"orderId"`
}

// moneyCartStatus returns GET /api/carts/{id}'s status and orderId (which
// it never has).
func (s e2eShop) moneyCartStatus(tb testing.TB, id string) moneyCartState {
	tb.Helper()
	res := s.do(tb, "GET", "/api/carts/"+id, nil)
	e2eWantStatus(tb, "GET /api/carts/"+id, res, 200)
	var st moneyCartState
	res.JSON(tb, &st)
	return st
}

func TestE2ECartChecksOutOnce(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)

	t.Run("ConcurrentKeys", func(t *testing.T) {
		// Not parallel: it counts the shop's charges, and runs before the others.
		s.mustStockedProduct(t, "money-once", "MNY-ONCE", 1000, 100)
		id := s.moneyCart(t, e2eLine{"MNY-ONCE", 1})
		if got := s.moneyCartStatus(t, id); got.Status != "open" {
			t.Errorf("new cart: status %q, want open", got.Status)
		}
		before := s.moneyCharges(t)
		const n = 20
		res := make([]*Response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res[i] = s.moneySendCheckout(t, moneyNewRequest(id, "pm_card_visa"), fmt.Sprintf("money-once-%d", i))
			}()
		}
		wg.Wait()
		var paid []moneyResult
		for i, r := range res {
			switch {
			case r == nil:
			case r.Status == 201:
				paid = append(paid, moneyWantPaid(t, fmt.Sprintf("checkout %d", i), r))
			default:
				e2eWantProblem(t, fmt.Sprintf("checkout %d", i), r, 409, "cart_closed")
			}
		}
		if len(paid) != 1 {
			t.Fatalf("paid checkouts of one cart under %d keys: got %d, want 1", n, len(paid))
		}
		if got := s.moneyCharges(t) - before; got != 1 {
			t.Errorf("charges: got %d, want 1", got)
		}
		order := paid[0].OrderID
		s.moneyWaitOrder(t, order, "placed")
		// The cart answers anyone holding its ID: completed, but not which
		// order (the buyer has it from the checkout's answer).
		if got := s.moneyCartStatus(t, id); got != (moneyCartState{"completed", ""}) {
			t.Errorf("cart after paid: got %+v, want completed with no order", got)
		}
		moneyWantNoOrder(t, "GET /api/carts/"+id, s.do(t, "GET", "/api/carts/"+id, nil), order)
		// Every write and every other checkout of the cart is refused.
		for _, w := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/api/carts/" + id + "/items", map[string]any{"sku": "MNY-ONCE", "quantity": 2}},
			{"PUT", "/api/carts/" + id + "/items/MNY-ONCE", map[string]any{"quantity": 2}},
			{"DELETE", "/api/carts/" + id + "/items/MNY-ONCE", nil},
			{"DELETE", "/api/carts/" + id, nil},
		} {
			res := s.do(t, w.method, w.path, w.body)
			e2eWantProblem(t, w.method+" "+w.path, res, 409, "cart_closed")
			moneyWantNoOrder(t, w.method+" "+w.path, res, order)
		}
		res2 := s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), "money-once-later")
		e2eWantProblem(t, "checkout under a new key", res2, 409, "cart_closed")
		moneyWantNoOrder(t, "checkout under a new key", res2, order)
		if got := s.moneyCharges(t) - before; got != 1 {
			t.Errorf("charges after the refused writes: got %d, want 1", got)
		}
		s.moneyWaitAvailable(t, "MNY-ONCE", 99)
	})

	t.Run("DeclinedReopens", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-reopen", "MNY-REOPEN", 1000, 10)
		id := s.moneyCart(t, e2eLine{"MNY-REOPEN", 1})
		e2eWantProblem(t, "declined", s.moneyCheckout(t, moneyNewRequest(id, "pm_card_chargeDeclined"), ""), 402, "payment_declined")
		if got := s.moneyCartStatus(t, id); got.Status != "open" {
			t.Errorf("cart after a decline: status %q, want open", got.Status)
		}
		s.cartCall(t, 200, "PUT", "/api/carts/"+id+"/items/MNY-REOPEN", map[string]int{"quantity": 2})
		// A keyless retry with another card is a new attempt, not a reused key.
		r := moneyWantPaid(t, "keyless retry", s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), ""))
		if r.Subtotal == nil || r.Subtotal.Amount != 2000 {
			t.Errorf("keyless retry: subtotal %v, want 2000 (the changed cart)", r.Subtotal)
		}
	})

	t.Run("CheckingOut", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-closing", "MNY-CLOSING", 1000, 10)
		id := s.moneyCart(t, e2eLine{"MNY-CLOSING", 1})
		moneyWantAction(t, "3-D Secure", s.moneyCheckout(t, moneyNewRequest(id, "pm_card_authenticationRequired"), "money-closing"))
		if got := s.moneyCartStatus(t, id); got.Status != "checking_out" {
			t.Errorf("cart waiting for 3-D Secure: status %q, want checking_out", got.Status)
		}
		e2eWantProblem(t, "PUT item", s.do(t, "PUT", "/api/carts/"+id+"/items/MNY-CLOSING", map[string]int{"quantity": 3}), 409, "cart_closed")
		e2eWantProblem(t, "DELETE cart", s.do(t, "DELETE", "/api/carts/"+id, nil), 409, "cart_closed")
	})

	t.Run("PriceChanged", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-price", "MNY-PRICE", 1000, 10)
		id := s.moneyCart(t, e2eLine{"MNY-PRICE", 2})
		req := moneyNewRequest(id, "pm_card_visa")
		body := map[string]any{"cartId": req.CartID, "email": req.Email, "shippingAddress": req.ShippingAddress, "paymentMethod": req.PaymentMethod,
			"expectedTotal": map[string]any{"amount": 1500, "currency": "USD"}}
		res := s.moneyCheckout(t, body, "money-price-1")
		e2eWantProblem(t, "stale expectedTotal", res, 409, "price_changed")
		var p struct {
			Totals struct{ Total e2eMoney } `json:"totals"`
		}
		res.JSON(t, &p)
		if p.Totals.Total != (e2eMoney{2000, "USD"}) {
			t.Errorf("price_changed totals: got %s, want total 2000 USD", res.Body)
		}
		if got := s.moneyAvailable(t, "MNY-PRICE"); got != 10 {
			t.Errorf("available after price_changed: got %d, want 10 (nothing reserved)", got)
		}
		body["expectedTotal"] = map[string]any{"amount": 2000, "currency": "USD"}
		moneyWantPaid(t, "current expectedTotal", s.moneyCheckout(t, body, "money-price-2"))
	})

	t.Run("UnpayableTotal", func(t *testing.T) {
		t.Parallel()
		s.mustStockedProduct(t, "money-huge", "MNY-HUGE", 1_000_000_000_00, 10)
		id := s.moneyCart(t, e2eLine{"MNY-HUGE", 2})
		e2eWantProblem(t, "total over the maximum", s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), ""), 400, "invalid_request")
		if got := s.moneyAvailable(t, "MNY-HUGE"); got != 10 {
			t.Errorf("available after a refused total: got %d, want 10 (nothing reserved)", got)
		}
		if got := s.moneyCartStatus(t, id); got.Status != "open" {
			t.Errorf("cart after a refused total: status %q, want open", got.Status)
		}
	})

	t.Run("ZeroTotal", func(t *testing.T) {
		t.Parallel()
		res := s.admin(t, "POST", "/api/admin/products", e2eProductInput("money-free", "MNY-FREE", 0))
		if res.Status != 201 {
			t.Skipf("the catalog refuses a 0 price (%d), so no cart totals 0", res.Status)
		}
		s.mustSetStock(t, "MNY-FREE", 10)
		id := s.moneyCart(t, e2eLine{"MNY-FREE", 1})
		e2eWantProblem(t, "a 0 total", s.moneyCheckout(t, moneyNewRequest(id, "pm_card_visa"), ""), 400, "invalid_request")
		if got := s.moneyAvailable(t, "MNY-FREE"); got != 10 {
			t.Errorf("available after a 0 total: got %d, want 10 (nothing reserved)", got)
		}
	})

	t.Run("ETagFollowsPrice", func(t *testing.T) {
		t.Parallel()
		p := s.mustStockedProduct(t, "money-etag", "MNY-ETAG", 1000, 10)
		id := s.moneyCart(t, e2eLine{"MNY-ETAG", 1})
		_, tag := s.cartCall(t, 200, "GET", "/api/carts/"+id, nil)
		p.Variants[0].Price.Amount = 1200
		s.mustReplaceProduct(t, p)
		res := s.do(t, "GET", "/api/carts/"+id, nil, "If-None-Match", tag)
		e2eWantStatus(t, "GET with the ETag from before the repricing", res, 200)
		if res.Header.Get("ETag") == tag {
			t.Errorf("ETag after a repricing: got the old %s", tag)
		}
		// The new ETag is a valid If-Match for a write.
		s.cartCall(t, 200, "PUT", "/api/carts/"+id+"/items/MNY-ETAG", map[string]int{"quantity": 2}, "If-Match", res.Header.Get("ETag"))
	})
}

func TestE2ECheckoutClientBound(t *testing.T) {
	t.Parallel()
	s := startMoney(t, func(m *Main) { m.Config.MaxActionCheckouts = 3 })
	s.mustStockedProduct(t, "money-hoard", "MNY-HOARD", 1000, 10)
	for i := range 3 {
		moneyWantAction(t, fmt.Sprintf("3-D Secure %d", i), s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-HOARD", 2}), "pm_card_authenticationRequired"), ""))
	}
	id := s.moneyCart(t, e2eLine{"MNY-HOARD", 2})
	e2eWantProblem(t, "fourth 3-D Secure of one client", s.moneyCheckout(t, moneyNewRequest(id, "pm_card_authenticationRequired"), "money-hoard-4"), 429, "too_many_checkouts")
	if got := s.moneyAvailable(t, "MNY-HOARD"); got != 4 {
		t.Errorf("available: got %d, want 4 (three holds of 2; the refused one released)", got)
	}
	if got := s.moneyCartStatus(t, id); got.Status != "open" {
		t.Errorf("cart of the refused checkout: status %q, want open", got.Status)
	}
	// A payment that needs no action is not bounded.
	moneyWantPaid(t, "card payment", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-HOARD", 1}), "pm_card_visa"), ""))
}

func TestE2ECancelRefundedElsewhere(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "money-dash", "MNY-DASH", 1000, 5)
	r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-DASH", 2}), "pm_card_visa"), ""))
	s.moneyWaitOrder(t, r.OrderID, "placed")
	tp := s.moneyTestPay(t)
	p, err := tp.PaymentForCheckout(context.Background(), r.CheckoutID)
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.Refund(context.Background(), p.ID, "dashboard-refund"); err != nil {
		t.Fatal(err)
	}
	res := s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/cancel", nil)
	e2eWantStatus(t, "cancel an order refunded at the provider", res, 200)
	s.moneyWaitOrder(t, r.OrderID, "cancelled")
	s.moneyWaitAvailable(t, "MNY-DASH", 5)
	if got := s.moneyRefunds(t); got != 1 {
		t.Errorf("refunds: got %d, want 1", got)
	}
}

// moneyWantChargesSettled checks the money invariant on the relational
// store and the test provider's ledger in db: every successful charge is
// exactly one placed order (refunded only if that order was cancelled) or,
// with no order, one recorded refund of a checkout recorded as refunded. It
// returns the number of successful charges.
func moneyWantChargesSettled(tb testing.TB, db *sql.DB) int {
	tb.Helper()
	rows, err := db.Query(`SELECT p.id, p.checkout_id,
		(SELECT COUNT(*) FROM orders o WHERE o.checkout_id = p.checkout_id),
		(SELECT COUNT(*) FROM orders o WHERE o.checkout_id = p.checkout_id AND o.status = 'cancelled'),
		(SELECT COUNT(*) FROM testpay_refunds r WHERE r.payment_id = p.id),
		COALESCE((SELECT c.status FROM checkouts c WHERE c.id = p.checkout_id), '')
		FROM testpay_payments p WHERE p.status = 'succeeded'`)
	if err != nil {
		tb.Fatalf("read the charges: %v", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var payment, checkoutID, status string
		var orders, cancelled, refunds int
		if err := rows.Scan(&payment, &checkoutID, &orders, &cancelled, &refunds, &status); err != nil {
			tb.Fatal(err)
		}
		n++
		placed := orders == 1 && (refunds == 0 || cancelled == 1)
		refunded := orders == 0 && refunds == 1 && status == "refunded"
		if !placed && !refunded {
			tb.Errorf("charge %s of checkout %s (%s): %d orders (%d cancelled), %d refunds; want one order or one recorded refund",
				payment, checkoutID, status, orders, cancelled, refunds)
		}
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestE2ECartWriteRacesCheckout races a cart write against the cart's
// checkout, many times: either the checkout charges for the cart as it ends
// up, or it charges nothing and the write stands.
func TestE2ECartWriteRacesCheckout(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "money-race", "MNY-RACE", 1000, 1000)
	paid, changed, closed := 0, 0, 0
	var orders []string
	for i := range 30 {
		id := s.moneyCart(t, e2eLine{"MNY-RACE", 1})
		var checkout, write *Response
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			checkout = s.moneySendCheckout(t, moneyNewRequest(id, "pm_card_visa"), fmt.Sprintf("money-race-%d", i))
		}()
		go func() {
			defer wg.Done()
			res, err := s.send("PUT", "/api/carts/"+id+"/items/MNY-RACE", map[string]int{"quantity": 2})
			if err != nil {
				t.Error(err)
			}
			write = res
		}()
		wg.Wait()
		if checkout == nil || write == nil {
			t.FailNow()
		}
		var cart e2eCart
		s.do(t, "GET", "/api/carts/"+id, nil).JSON(t, &cart)
		qty := e2eQuantities(cart)["MNY-RACE"]
		switch {
		case checkout.Status == 201:
			paid++
			r := moneyWantPaid(t, "checkout", checkout)
			orders = append(orders, r.OrderID)
			if r.Subtotal.Amount != int64(qty)*1000 {
				t.Errorf("round %d: charged for subtotal %d, but the cart holds %d units (write %d)", i, r.Subtotal.Amount, qty, write.Status)
			}
			if write.Status == 200 && qty != 2 {
				t.Errorf("round %d: the write succeeded, but the cart holds %d units", i, qty)
			}
		case checkout.Status == 409:
			changed++
			e2eWantProblem(t, "checkout", checkout, 409, "cart_changed")
			if write.Status != 200 || qty != 2 {
				t.Errorf("round %d: checkout cart_changed, but the write got %d and the cart holds %d", i, write.Status, qty)
			}
		default:
			t.Errorf("round %d: checkout got %d %s", i, checkout.Status, checkout.Body)
		}
		if write.Status == 409 {
			closed++
		}
	}
	t.Logf("30 races: %d paid, %d cart_changed; %d writes got cart_closed", paid, changed, closed)
	for _, o := range orders {
		s.moneyWaitOrder(t, o, "placed")
	}
	if got := moneyWantChargesSettled(t, s.db.Read); got != paid {
		t.Errorf("charges: got %d, want %d", got, paid)
	}
}
