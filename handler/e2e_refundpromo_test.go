package main

import (
	"fmt"
	"testing"
)

// TestE2ERefundDiscountFreeShipping: an order with a line discount and
// free shipping, whose flat tax equals the shipping, ships 1 of 3 units;
// cancelling it refunds the 2 unshipped units' share of everything the
// buyer paid, for none of it was shipping: the refund follows the free
// shipping discount the order recorded, not what its totals look like.
func TestE2ERefundDiscountFreeShipping(t *testing.T) {
	t.Parallel()
	s := startMoney(t, func(m *Main) { m.Config.Shipping, m.Config.Tax = 500, 500 })
	const sku = "REF-PROMO"
	s.mustStockedProduct(t, "ref-promo", sku, 1000, 3)
	s.mustCreatePromotion(t, percentOff("SAVE20", 2000))
	s.mustCreatePromotion(t, map[string]any{"code": "SHIPFREE", "action": map[string]any{"type": "free_shipping", "target": "order"}, "stacking": "stack", "priority": 2, "status": "active"})
	cart := s.moneyCart(t, e2eLine{sku, 3})
	e2eWantStatus(t, "apply SAVE20", s.applyCode(t, cart, "SAVE20"), 200)
	e2eWantStatus(t, "apply SHIPFREE", s.applyCode(t, cart, "SHIPFREE"), 200)
	res := s.moneyCheckout(t, moneyNewRequest(cart, "pm_card_visa"), "")
	e2eWantStatus(t, "checkout", res, 201)
	var r struct {
		moneyResult
		DiscountTotal e2eMoney
	}
	res.JSON(t, &r)
	// 3000 - 600 off the line + 500 shipping - 500 off it + 500 tax.
	if r.Total.Amount != 2900 || r.Shipping.Amount != 500 || r.Tax.Amount != 500 || r.DiscountTotal.Amount != 1100 {
		t.Fatalf("checkout: got %s, want total 2900, shipping 500 (taken off), tax 500, discounts 1100", res.Body)
	}
	s.moneyWantPlaced(t, []moneyResult{r.moneyResult})
	id := r.OrderID
	res = s.admin(t, "POST", "/api/admin/orders/"+id+"/fulfilments", map[string]any{"locationId": "default", "lines": []map[string]any{{"sku": sku, "quantity": 1}}})
	e2eWantStatus(t, "ship 1", res, 200)

	res = s.admin(t, "POST", "/api/admin/orders/"+id+"/cancel", nil)
	e2eWantStatus(t, "cancel the partially fulfilled order", res, 200)
	var o e2eRefundedOrder
	res.JSON(t, &o)
	// 2 of 3 equal units' share of 2900, by largest remainder: 1933.
	if len(o.Refunds) != 1 || o.Refunds[0].Amount != (e2eMoney{Amount: 1933, Currency: "USD"}) || o.Refunds[0].Reason != "cancelled_unshipped" {
		t.Fatalf("cancelled order: got refunds %s, want one of 1933 USD", fmt.Sprint(o.Refunds))
	}
}
