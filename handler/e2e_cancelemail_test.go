package main

import (
	"strings"
	"testing"

	"shopfn/handler/events"
)

// TestE2ERefundPartialCancelEmail: cancelling an order of 3 units after 1
// shipped sends an order.cancelled email that names what is refunded for
// the 2 that had not shipped, not the order's total, which was never
// refunded.
func TestE2ERefundPartialCancelEmail(t *testing.T) {
	t.Parallel()
	catcher, addr := startMailCatcher(t)
	s := startMoney(t, func(m *Main) {
		m.Config.Shipping, m.Config.Tax = 500, 300
		m.Config.SMTPURL = "smtp://" + addr + "?starttls=none"
		m.Config.EmailFrom = "Tees <orders@shop.example>"
	})
	const sku = "MAIL-PART"
	s.mustStockedProduct(t, "mail-part", sku, 1000, 3)
	r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{sku, 3}), "pm_card_visa"), ""))
	s.moneyWaitOrder(t, r.OrderID, "placed")
	res := s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/fulfilments", map[string]any{"locationId": "default", "lines": []map[string]any{{"sku": sku, "quantity": 1}}})
	e2eWantStatus(t, "ship 1 of 3", res, 200)
	res = s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/cancel", nil)
	e2eWantStatus(t, "cancel the rest", res, 200)
	var o e2eRefundedOrder
	res.JSON(t, &o)
	// 2 of the 3 units' share of 3800 less 500 shipping.
	if len(o.Refunds) != 1 || o.Refunds[0].Amount.Amount != 2200 {
		t.Fatalf("cancelled order's refunds: got %+v, want one of 2200", o.Refunds)
	}
	s.flushEmails(t)

	byID := map[string]events.Type{}
	for _, e := range s.feedAll(t, "0") {
		byID[e.ID] = e.Type
	}
	found := false
	for _, m := range e2eMails(t, catcher) {
		if byID[m.EventID] != events.OrderCancelled {
			continue
		}
		found = true
		// Quoted-printable wraps long lines with a soft break.
		body := strings.ReplaceAll(m.Body, "=\r\n", "")
		if !strings.Contains(body, "Refund for them: 22.00 USD.") || strings.Contains(body, "38.00 USD") {
			t.Errorf("cancelled email: want the refund of 22.00 USD for the unshipped units and not the total of 38.00 USD, got:\n%s", body)
		}
	}
	if !found {
		t.Error("no order.cancelled email was sent")
	}
}
