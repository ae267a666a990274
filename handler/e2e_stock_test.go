package main

import (
	"strings"
	"testing"
)

// stockERP sends an ERP's physical count of sku through the inventory queue
// function, as the Functions host would.
func (s e2eShop) stockERP(t *testing.T, sku string, onHand, sequence int64) {
	t.Helper()
	msg := map[string]any{"type": "StockLevelSet", "sku": sku, "onHand": onHand, "source": "erp", "sequence": sequence}
	moneyWantInvoked(t, "POST /inventory StockLevelSet", s.moneyInvoke(t, "inventory", "object", msg, true))
}

// TestE2EStockCommitted: a placed order's units stay on hand, committed,
// until fulfilment ships them, so an ERP's physical count that still holds
// them does not sell them twice, and a cancel gives them back once.
func TestE2EStockCommitted(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "stock-one", "STK-ONE", 1000, 1)
	first := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-ONE", 1}), "pm_card_visa"), ""))
	s.moneyWaitOrder(t, first.OrderID, "placed")
	if got, want := s.moneySettledStock(t, "STK-ONE"), (e2eStock{"STK-ONE", 1, 1, 0, 0}); got != want {
		t.Errorf("stock after the order: got %+v, want %+v", got, want)
	}
	// The warehouse counts the unit, still on its shelf.
	cart := s.moneyCart(t) // an empty cart: the stock check comes at checkout
	s.stockERP(t, "STK-ONE", 1, 1)
	if got := s.moneyAvailable(t, "STK-ONE"); got != 0 {
		t.Fatalf("available after a count of the sold unit: got %d, want 0", got)
	}
	res := s.do(t, "POST", "/api/carts/"+cart+"/items", map[string]any{"sku": "STK-ONE", "quantity": 1})
	e2eWantProblem(t, "add the counted, sold unit", res, 422, "insufficient_stock")

	e2eWantStatus(t, "cancel", s.admin(t, "POST", "/api/admin/orders/"+first.OrderID+"/cancel", nil), 200)
	s.moneyWaitAvailable(t, "STK-ONE", 1)
	s.moneyWaitQueues(t, 0, 1) // the scheduled expiry
	if got, want := s.moneySettledStock(t, "STK-ONE"), (e2eStock{"STK-ONE", 1, 0, 0, 1}); got != want {
		t.Errorf("stock after the cancel: got %+v, want %+v (given back once)", got, want)
	}
	s.moneyWantStockMatchesOrders(t, "STK-ONE", 1, 0)
}

// TestE2EStockBelowHeld: an admin count below what orders and checkouts
// hold is refused and changes nothing; fulfilment ships committed units;
// no stored count is ever negative.
func TestE2EStockBelowHeld(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "stock-held", "STK-HELD", 1000, 5)
	paid := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-HELD", 2}), "pm_card_visa"), ""))
	s.moneyWaitOrder(t, paid.OrderID, "placed")
	moneyWantAction(t, "3-D Secure checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-HELD", 2}), "pm_card_authenticationRequired"), ""))
	if got, want := s.moneySettledStock(t, "STK-HELD"), (e2eStock{"STK-HELD", 5, 2, 2, 1}); got != want {
		t.Fatalf("stock: got %+v, want %+v", got, want)
	}
	res := s.admin(t, "PUT", "/api/admin/inventory/STK-HELD", map[string]any{"onHand": 3})
	e2eWantProblem(t, "on hand below held", res, 409, "stock_below_held")
	moneyWantSKUs(t, "on hand below held", res, "STK-HELD")
	if got, want := s.moneySettledStock(t, "STK-HELD"), (e2eStock{"STK-HELD", 5, 2, 2, 1}); got != want {
		t.Errorf("stock after the refused count: got %+v, want %+v", got, want)
	}
	if got, want := s.mustSetStock(t, "STK-HELD", 4), (e2eStock{"STK-HELD", 4, 2, 2, 0}); got != want {
		t.Errorf("PUT onHand 4: got %+v, want %+v", got, want)
	}

	res = s.admin(t, "POST", "/api/admin/orders/"+paid.OrderID+"/fulfil", nil)
	e2eWantStatus(t, "fulfil", res, 200)
	var o moneyOrder
	res.JSON(t, &o)
	if o.Status != "fulfilled" {
		t.Errorf("fulfil: got %s, want the order fulfilled", res.Body)
	}
	e2eWantStatus(t, "fulfil again", s.admin(t, "POST", "/api/admin/orders/"+paid.OrderID+"/fulfil", nil), 200)
	if got, want := s.moneySettledStock(t, "STK-HELD"), (e2eStock{"STK-HELD", 2, 0, 2, 0}); got != want {
		t.Errorf("stock after fulfilment: got %+v, want %+v (shipped once)", got, want)
	}
	e2eWantProblem(t, "cancel a shipped order", s.admin(t, "POST", "/api/admin/orders/"+paid.OrderID+"/cancel", nil), 409, "order_fulfilled")
	e2eWantProblem(t, "fulfil no order", s.admin(t, "POST", "/api/admin/orders/o"+strings.Repeat("0", 26)+"/fulfil", nil), 404, "not_found")
	e2eWantProblem(t, "fulfil without the key", s.do(t, "POST", "/api/admin/orders/"+paid.OrderID+"/fulfil", nil), 401, "unauthorized")

	// An ERP's count below what is held is applied: it is what is there.
	s.stockERP(t, "STK-HELD", 1, 1)
	if got, want := s.moneySettledStock(t, "STK-HELD"), (e2eStock{"STK-HELD", 1, 0, 2, 0}); got != want {
		t.Errorf("stock after a short physical count: got %+v, want %+v", got, want)
	}
	e2eWantProblem(t, "GET inventory without the key", s.do(t, "GET", "/api/admin/inventory/STK-HELD", nil), 401, "unauthorized")
	if got, want := s.moneySettledStock(t, "NEVER-STOCKED"), (e2eStock{"NEVER-STOCKED", 0, 0, 0, 0}); got != want {
		t.Errorf("GET /api/admin/inventory of a SKU never stocked: got %+v, want %+v", got, want)
	}
}

// TestE2EStockCurrency: flat shipping and tax are never carried into
// another currency: a currency without them is refused before anything is
// reserved, and one configured gets its own amounts.
func TestE2EStockCurrency(t *testing.T) {
	t.Parallel()
	s := startMoney(t, func(m *Main) {
		m.Config.Shipping, m.Config.Tax = 500, 100
		m.Config.ShippingBy, m.Config.TaxBy = map[string]int64{"EUR": 450}, map[string]int64{"EUR": 90}
	})
	for _, p := range []struct{ handle, sku, currency string }{{"stock-jpy", "STK-JPY", "JPY"}, {"stock-eur", "STK-EUR", "EUR"}} {
		in := e2eProductInput(p.handle, p.sku, 1000)
		in.Variants[0].Price.Currency = p.currency
		s.mustCreateProduct(t, in)
		s.mustSetStock(t, p.sku, 5)
	}
	res := s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-JPY", 2}), "pm_card_visa"), "")
	e2eWantProblem(t, "checkout in JPY", res, 422, "currency_unsupported")
	if got := s.moneyAvailable(t, "STK-JPY"); got != 5 {
		t.Errorf("available after the refused checkout: got %d, want 5 (nothing reserved)", got)
	}
	r := moneyWantPaid(t, "checkout in EUR", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-EUR", 2}), "pm_card_visa"), ""))
	if r.Shipping == nil || *r.Shipping != (e2eMoney{450, "EUR"}) || *r.Tax != (e2eMoney{90, "EUR"}) || *r.Total != (e2eMoney{2540, "EUR"}) {
		t.Errorf("EUR totals: got shipping %v tax %v total %v, want 450, 90 and 2540 EUR", r.Shipping, r.Tax, r.Total)
	}
	if got := s.moneyCharges(t); got != 1 {
		t.Errorf("charges: got %d, want 1", got)
	}
}

// TestE2EStockSKUReused deletes a stocked product and creates another with
// the same handle and SKU: the new one has no stock and another ETag.
func TestE2EStockSKUReused(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	old := s.mustStockedProduct(t, "stock-reused", "STK-REUSED", 1000, 7)
	paid := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"STK-REUSED", 2}), "pm_card_visa"), ""))
	s.moneyWaitOrder(t, paid.OrderID, "placed")
	res, _ := s.getProduct(t, "stock-reused")
	oldTag := res.Header.Get("ETag")

	e2eWantStatus(t, "delete", s.admin(t, "DELETE", "/api/admin/products/"+old.ID, nil), 204)
	if got, want := s.moneySettledStock(t, "STK-REUSED"), (e2eStock{"STK-REUSED", 2, 2, 0, 0}); got != want {
		t.Errorf("stock after the delete: got %+v, want %+v (the placed order's units only)", got, want)
	}
	s.mustCreateProduct(t, e2eProductInput("stock-reused", "STK-REUSED", 1500))
	if got := s.moneyAvailable(t, "STK-REUSED"); got != 0 {
		t.Errorf("available of the new product: got %d, want 0", got)
	}
	res, _ = s.getProduct(t, "stock-reused", "If-None-Match", oldTag)
	if res.Status != 200 || res.Header.Get("ETag") == oldTag {
		t.Errorf("GET the new product with the old ETag %s: got %d, ETag %s, want 200 and another ETag", oldTag, res.Status, res.Header.Get("ETag"))
	}
	// The old order still ships from the units it holds.
	e2eWantStatus(t, "fulfil", s.admin(t, "POST", "/api/admin/orders/"+paid.OrderID+"/fulfil", nil), 200)
	if got, want := s.moneySettledStock(t, "STK-REUSED"), (e2eStock{"STK-REUSED", 0, 0, 0, 0}); got != want {
		t.Errorf("stock after shipping the old order: got %+v, want %+v", got, want)
	}
}
