package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/testpay"
)

// This file holds the helpers of the money-path E2E tests (checkout, orders,
// queues, webhooks; all named money*) and the tests of the checkout contract.

// moneyWaitLimit bounds every wait for the queues to catch up.
const moneyWaitLimit = 15 * time.Second

// moneyAddress, moneyRequest, moneyResult and moneyOrder are the checkout
// and order JSON as clients see it.
type moneyAddress struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
}

type moneyRequest struct {
	CartID          string       `json:"cartId"`
	Email           string       `json:"email"`
	ShippingAddress moneyAddress `json:"shippingAddress"`
	PaymentMethod   string       `json:"paymentMethod"`
}

type moneyResult struct {
	CheckoutID string         `json:"checkoutId"`
	OrderID    string         `json:"orderId"`
	Status     string         `json:"status"`
	Total      *e2eMoney      `json:"total"`
	Subtotal   *e2eMoney      `json:"subtotal"`
	Shipping   *e2eMoney      `json:"shipping"`
	Tax        *e2eMoney      `json:"tax"`
	NextAction map[string]any `json:"nextAction"`
}

type moneyOrder struct {
	ID              string       `json:"id"`
	CheckoutID      string       `json:"checkoutId"`
	Status          string       `json:"status"`
	Email           string       `json:"email"`
	Items           []e2eItem    `json:"items"`
	Subtotal        e2eMoney     `json:"subtotal"`
	Shipping        e2eMoney     `json:"shipping"`
	Tax             e2eMoney     `json:"tax"`
	Total           e2eMoney     `json:"total"`
	ShippingAddress moneyAddress `json:"shippingAddress"`
	CreatedAt       time.Time    `json:"createdAt"`
}

type moneyOrderPage struct {
	Items      []moneyOrder `json:"items"`
	NextCursor *string      `json:"nextCursor"`
}

var (
	moneyPaidShape = e2eObject{
		"checkoutId": "string", "orderId": "string", "status": "string",
		"total": e2eMoneyShape, "subtotal": e2eMoneyShape, "shipping": e2eMoneyShape, "tax": e2eMoneyShape,
	}
	moneyActionShape = e2eObject{
		"checkoutId": "string", "orderId": "string", "status": "string",
		"nextAction": e2eObject{"type": "string", "url": "string"},
	}
	moneyOrderShape = e2eObject{
		"id": "string", "status": "string", "email": "string",
		"items": e2eArray{e2eObject{
			"sku": "string", "productId": "string", "title": "string", "quantity": "int",
			"unitPrice": e2eMoneyShape, "lineTotal": e2eMoneyShape,
		}},
		"subtotal": e2eMoneyShape, "shipping": e2eMoneyShape, "tax": e2eMoneyShape, "total": e2eMoneyShape,
		"shippingAddress": e2eObject{
			"name": "string", "line1": "string", "line2": "string", "city": "string", "postalCode": "string", "country": "string",
		},
		"createdAt": "time",
	}
	moneyOrderPageShape = e2eObject{"items": e2eArray{moneyOrderShape}, "nextCursor": "string|null"}
)

// startMoney starts the program with no sample catalog, letting change
// adjust the Main first (nil changes nothing).
func startMoney(tb testing.TB, change func(*Main)) e2eShop {
	tb.Helper()
	return e2eShop{MustRunMainWith(tb, false, change)}
}

// moneyNewRequest returns a valid checkout request for a cart.
func moneyNewRequest(cartID, paymentMethod string) moneyRequest {
	return moneyRequest{
		CartID: cartID, Email: "buyer@example.com", PaymentMethod: paymentMethod,
		ShippingAddress: moneyAddress{Name: "Ada Buyer", Line1: "1 Main St", Line2: "Apt 2", City: "Springfield", PostalCode: "12345", Country: "US"},
	}
}

// moneyCart creates a cart holding lines and returns its ID.
func (s e2eShop) moneyCart(tb testing.TB, lines ...e2eLine) string {
	tb.Helper()
	return s.mustNewCart(tb, lines).ID
}

// moneyCheckout sends POST /api/checkout, with an Idempotency-Key unless
// key is empty.
func (s e2eShop) moneyCheckout(tb testing.TB, body any, key string) *Response {
	tb.Helper()
	var h []string
	if key != "" {
		h = []string{"Idempotency-Key", key}
	}
	return s.do(tb, "POST", "/api/checkout", body, h...)
}

// moneySendCheckout is moneyCheckout for goroutines: it reports failures
// with Errorf and returns nil when the request could not be made.
func (s e2eShop) moneySendCheckout(tb testing.TB, body any, key string) *Response {
	tb.Helper()
	var h []string
	if key != "" {
		h = []string{"Idempotency-Key", key}
	}
	res, err := s.send("POST", "/api/checkout", body, h...)
	if err != nil {
		tb.Error(err)
		return nil
	}
	e2eCheckResponse(tb, "POST", "/api/checkout", res)
	return res
}

// moneyWantPaid checks a 201 paid checkout response: its shape, its
// Location, and totals that add up. It returns the result.
func moneyWantPaid(tb testing.TB, what string, res *Response) moneyResult {
	tb.Helper()
	e2eWantStatus(tb, what, res, 201)
	e2eCheckShape(tb, what, res.Body, moneyPaidShape)
	var r moneyResult
	res.JSON(tb, &r)
	if r.Status != "paid" {
		tb.Errorf("%s: status %q, want paid", what, r.Status)
	}
	if loc, want := res.Header.Get("Location"), "/api/orders/"+r.OrderID; loc != want {
		tb.Errorf("%s: Location %q, want %q", what, loc, want)
	}
	moneyCheckSum(tb, what, r)
	return r
}

// moneyCheckSum checks total = subtotal + shipping + tax, in one currency.
func moneyCheckSum(tb testing.TB, what string, r moneyResult) {
	tb.Helper()
	if r.Total == nil || r.Subtotal == nil || r.Shipping == nil || r.Tax == nil {
		tb.Errorf("%s: got totals %v %v %v %v, want all four", what, r.Total, r.Subtotal, r.Shipping, r.Tax)
		return
	}
	want := e2eMoney{r.Subtotal.Amount + r.Shipping.Amount + r.Tax.Amount, r.Subtotal.Currency}
	if *r.Total != want || r.Shipping.Currency != want.Currency || r.Tax.Currency != want.Currency {
		tb.Errorf("%s: total %+v, want subtotal %+v + shipping %+v + tax %+v = %+v", what, *r.Total, *r.Subtotal, *r.Shipping, *r.Tax, want)
	}
}

// moneyWantAction checks a 200 requires_action response and returns it.
func moneyWantAction(tb testing.TB, what string, res *Response) moneyResult {
	tb.Helper()
	e2eWantStatus(tb, what, res, 200)
	e2eCheckShape(tb, what, res.Body, moneyActionShape)
	var r moneyResult
	res.JSON(tb, &r)
	if r.Status != "requires_action" || r.NextAction["type"] != "test_authenticate" {
		tb.Errorf("%s: got status %q nextAction %v, want requires_action with type test_authenticate", what, r.Status, r.NextAction)
	}
	return r
}

// moneyWantSKUs checks that a problem lists exactly the given SKUs.
func moneyWantSKUs(tb testing.TB, what string, res *Response, want ...string) {
	tb.Helper()
	var p struct {
		SKUs []string `json:"skus"`
	}
	json.Unmarshal(res.Body, &p)
	if diff := cmp.Diff(want, p.SKUs); diff != "" {
		tb.Errorf("%s: skus of %s (-want +got):\n%s", what, res.Body, diff)
	}
}

// moneyWantOrderID checks the orderId of a problem.
func moneyWantOrderID(tb testing.TB, what string, res *Response, want string) {
	tb.Helper()
	var p struct {
		OrderID string `json:"orderId"`
	}
	json.Unmarshal(res.Body, &p)
	if p.OrderID != want {
		tb.Errorf("%s: orderId of %s: got %q, want %q", what, res.Body, p.OrderID, want)
	}
}

// moneyFollow POSTs to a nextAction URL, absolute or relative to the API,
// with query appended.
func (s e2eShop) moneyFollow(tb testing.TB, rawURL, query string) *Response {
	tb.Helper()
	u, err := url.Parse(rawURL)
	if err != nil || u.Path == "" {
		tb.Fatalf("nextAction.url %q is not a URL", rawURL)
	}
	if u.IsAbs() && u.Host != strings.TrimPrefix(s.URL, "http://") {
		tb.Errorf("nextAction.url %q points elsewhere than the API %s", rawURL, s.URL)
	}
	path := u.EscapedPath()
	if query != "" {
		path += "?" + query
	}
	return s.do(tb, "POST", path, nil)
}

// moneyWait polls cond until it reports done, failing the test after
// moneyWaitLimit with the last state it described.
func moneyWait(tb testing.TB, what string, cond func() (done bool, state string)) {
	tb.Helper()
	deadline := time.Now().Add(moneyWaitLimit)
	for {
		done, state := cond()
		if done {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: still %s after %v", what, state, moneyWaitLimit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// moneyGetOrder returns GET /api/orders/{id}, checking a 200's shape.
func (s e2eShop) moneyGetOrder(tb testing.TB, id string) (*Response, moneyOrder) {
	tb.Helper()
	res := s.do(tb, "GET", "/api/orders/"+url.PathEscape(id), nil)
	var o moneyOrder
	if res.Status == 200 {
		e2eCheckShape(tb, "order "+id, res.Body, moneyOrderShape)
		res.JSON(tb, &o)
		if o.ID != id {
			tb.Errorf("GET /api/orders/%s: id %q", id, o.ID)
		}
		switch o.Status {
		case "processing", "placed", "fulfilled", "cancelled":
		default:
			tb.Errorf("GET /api/orders/%s: status %q, want processing, placed, fulfilled or cancelled", id, o.Status)
		}
	}
	return res, o
}

// moneyWaitOrder waits until the order has the given status.
func (s e2eShop) moneyWaitOrder(tb testing.TB, id, status string) moneyOrder {
	tb.Helper()
	var o moneyOrder
	moneyWait(tb, "order "+id+" "+status, func() (bool, string) {
		var res *Response
		res, o = s.moneyGetOrder(tb, id)
		return res.Status == 200 && o.Status == status, fmt.Sprintf("%d %s", res.Status, res.Body)
	})
	return o
}

// moneyAvailable returns GET /api/inventory/{sku}'s available count.
func (s e2eShop) moneyAvailable(tb testing.TB, sku string) int64 {
	tb.Helper()
	res := s.do(tb, "GET", "/api/inventory/"+sku, nil)
	e2eWantStatus(tb, "GET /api/inventory/"+sku, res, 200)
	var l e2eStock
	res.JSON(tb, &l)
	return l.Available
}

// moneyWaitAvailable waits until a SKU's available count is want.
func (s e2eShop) moneyWaitAvailable(tb testing.TB, sku string, want int64) {
	tb.Helper()
	moneyWait(tb, sku+" available", func() (bool, string) {
		got := s.moneyAvailable(tb, sku)
		return got == want, fmt.Sprintf("%d, want %d", got, want)
	})
}

// moneySettledStock returns a SKU's stock level from
// GET /api/admin/inventory/{sku}.
func (s e2eShop) moneySettledStock(tb testing.TB, sku string) e2eStock {
	tb.Helper()
	res := s.admin(tb, "GET", "/api/admin/inventory/"+sku, nil)
	e2eWantStatus(tb, "GET /api/admin/inventory/"+sku, res, 200)
	e2eCheckShape(tb, "admin stock level", res.Body, e2eStockShape)
	var l e2eStock
	res.JSON(tb, &l)
	return l
}

// moneyWantStockMatchesOrders asserts the stock invariant of sku: on hand
// is what was stocked less what fulfilled orders shipped, committed is
// what placed orders hold, reserved is what open checkouts hold, and no
// paid order is left processing. Call it once the queues are drained.
func (s e2eShop) moneyWantStockMatchesOrders(tb testing.TB, sku string, stocked, reserved int64) {
	tb.Helper()
	var committed, shipped int64
	for _, o := range s.moneyOrders(tb, "", 100) {
		for _, it := range o.Items {
			if it.SKU != sku {
				continue
			}
			switch o.Status {
			case "placed":
				committed += int64(it.Quantity)
			case "fulfilled":
				shipped += int64(it.Quantity)
			case "processing":
				tb.Errorf("order %s of %s is still processing", o.ID, sku)
			}
		}
	}
	onHand := stocked - shipped
	want := e2eStock{sku, onHand, committed, reserved, max(0, onHand-committed-reserved)}
	if got := s.moneySettledStock(tb, sku); got != want {
		tb.Errorf("stock of %s against the orders: got %+v, want %+v", sku, got, want)
	}
}

// moneyPending returns how many messages of a queue are not completed
// (scheduled ones included).
func (s e2eShop) moneyPending(tb testing.TB, queue string) int {
	tb.Helper()
	var n int
	var err error
	if s.Queue != nil {
		n, err = s.Queue.Pending(context.Background(), queue)
	} else {
		n, err = sbPeer.Pending(queue) // on Service Bus
	}
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// moneyWaitQueues waits until the orders and inventory queues hold exactly
// the given numbers of messages.
func (s e2eShop) moneyWaitQueues(tb testing.TB, orders, inventory int) {
	tb.Helper()
	moneyWait(tb, "queues", func() (bool, string) {
		o, i := s.moneyPending(tb, commerce.QueueOrders), s.moneyPending(tb, commerce.QueueInventory)
		return o == orders && i == inventory, fmt.Sprintf("orders %d inventory %d, want %d and %d", o, i, orders, inventory)
	})
}

// moneyTestPay returns the test payment provider.
func (s e2eShop) moneyTestPay(tb testing.TB) *testpay.Provider {
	tb.Helper()
	tp, ok := s.Payments.(*testpay.Provider)
	if !ok {
		tb.Fatalf("payment provider is %T, want *testpay.Provider", s.Payments)
	}
	return tp
}

// moneyCharges returns the number of succeeded test payments.
func (s e2eShop) moneyCharges(tb testing.TB) int {
	tb.Helper()
	n, err := s.moneyTestPay(tb).Charges(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// moneyRefunds returns the number of test refunds.
func (s e2eShop) moneyRefunds(tb testing.TB) int {
	tb.Helper()
	n, err := s.moneyTestPay(tb).Refunds(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// moneyOrders returns every stored order with the given status filter
// ("" for all), walking the pages of GET /api/admin/orders.
func (s e2eShop) moneyOrders(tb testing.TB, status string, limit int) []moneyOrder {
	tb.Helper()
	var all []moneyOrder
	q := url.Values{"limit": {fmt.Sprint(limit)}}
	if status != "" {
		q.Set("status", status)
	}
	for page := 0; ; page++ {
		if page > 1000 {
			tb.Fatalf("GET /api/admin/orders: more than 1000 pages")
		}
		res := s.admin(tb, "GET", "/api/admin/orders?"+q.Encode(), nil)
		e2eWantStatus(tb, "GET /api/admin/orders?"+q.Encode(), res, 200)
		e2eCheckShape(tb, "order page", res.Body, moneyOrderPageShape)
		var p moneyOrderPage
		res.JSON(tb, &p)
		if len(p.Items) > limit {
			tb.Errorf("GET /api/admin/orders?%s: %d items, want at most %d", q.Encode(), len(p.Items), limit)
		}
		all = append(all, p.Items...)
		if p.NextCursor == nil {
			return all
		}
		q.Set("cursor", *p.NextCursor)
	}
}

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
		}
		if diff := cmp.Diff(want, r); diff != "" {
			t.Errorf("checkout (-want +got):\n%s", diff)
		}
		if pay, err := s.moneyTestPay(t).PaymentForCheckout(context.Background(), r.CheckoutID); err != nil || pay.Amount.Amount != want.Total.Amount {
			t.Errorf("payment of the checkout: got %+v %v, want the total %+v", pay, err, *want.Total)
		}
		o := s.moneyWaitOrder(t, r.OrderID, "placed")
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
		// closed, naming its order.
		req2 := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-REUSE", 1}), "pm_card_visa")
		paid := moneyWantPaid(t, "first without key", s.moneyCheckout(t, req2, ""))
		req2.PaymentMethod = "pm_card_mastercard"
		res := s.moneyCheckout(t, req2, "")
		e2eWantProblem(t, "same cart, other body", res, 409, "cart_closed")
		moneyWantOrderID(t, "same cart, other body", res, paid.OrderID)
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

// TestE2ECheckoutReplay checks that a checkout request sent again gets the
// first response, byte for byte, and is never charged twice. Its subtests
// count charges, so they run one at a time.
func TestE2ECheckoutReplay(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "money-replay", "MNY-REPLAY", 1000, 1000)
	same := func(t *testing.T, what string, first, again *Response) {
		t.Helper()
		if again.Status != first.Status || string(again.Body) != string(first.Body) {
			t.Errorf("%s: got %d %s, want the first response %d %s", what, again.Status, again.Body, first.Status, first.Body)
		}
		if again.Header.Get("Location") != first.Header.Get("Location") {
			t.Errorf("%s: Location %q, want %q", what, again.Header.Get("Location"), first.Header.Get("Location"))
		}
	}
	charged := func(t *testing.T, before, want int) {
		t.Helper()
		if got := s.moneyCharges(t) - before; got != want {
			t.Errorf("charges: got %d new, want %d", got, want)
		}
	}

	for _, tt := range []struct{ name, key, pm string }{
		{"PaidWithKey", "money-replay-paid", "pm_card_visa"},
		{"PaidCartKey", "", "pm_card_visa"},
		{"Declined", "money-replay-declined", "pm_card_chargeDeclined"},
		{"RequiresAction", "money-replay-3ds", "pm_card_authenticationRequired"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := s.moneyCharges(t)
			req := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-REPLAY", 1}), tt.pm)
			first := s.moneyCheckout(t, req, tt.key)
			for i := range 3 {
				same(t, fmt.Sprintf("replay %d", i+1), first, s.moneyCheckout(t, req, tt.key))
			}
			// A cart that checks out cannot be deleted; one declined is
			// open again, and the first response stands once it is gone.
			if tt.pm == "pm_card_chargeDeclined" {
				e2eWantStatus(t, "DELETE cart", s.do(t, "DELETE", "/api/carts/"+req.CartID, nil), 204)
			} else {
				e2eWantProblem(t, "DELETE cart", s.do(t, "DELETE", "/api/carts/"+req.CartID, nil), 409, "cart_closed")
			}
			same(t, "replay after DELETE", first, s.moneyCheckout(t, req, tt.key))
			if tt.pm == "pm_card_visa" {
				r := moneyWantPaid(t, "first", first)
				s.moneyWaitOrder(t, r.OrderID, "placed")
				charged(t, before, 1)
			} else {
				charged(t, before, 0)
			}
		})
	}

	for _, tt := range []struct {
		name, pm string
		status   int
	}{
		{"InFlightPaid", "pm_card_visa", 201},
		{"InFlightDeclined", "pm_card_chargeDeclined", 402},
		{"InFlightRequiresAction", "pm_card_authenticationRequired", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := s.moneyCharges(t)
			req := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-REPLAY", 1}), tt.pm)
			const n = 10
			res := make([]*Response, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					res[i] = s.moneySendCheckout(t, req, "money-"+tt.name)
				}()
			}
			close(start)
			wg.Wait()
			var first *Response
			for i, r := range res {
				switch {
				case r == nil:
				case r.Status == 409:
					e2eWantProblem(t, fmt.Sprintf("request %d", i), r, 409, "checkout_in_progress")
				case first == nil:
					first = r
				default:
					same(t, fmt.Sprintf("request %d", i), first, r)
				}
			}
			if first == nil {
				t.Fatalf("no request of %d got the checkout's answer", n)
			}
			e2eWantStatus(t, "in flight", first, tt.status)
			if tt.status == 201 {
				r := moneyWantPaid(t, "in flight", first)
				s.moneyWaitOrder(t, r.OrderID, "placed")
				charged(t, before, 1)
			} else {
				charged(t, before, 0)
			}
		})
	}
}

// TestE2EOrders covers order reads and the admin order actions. Its
// subtests count orders and refunds, so they run one at a time.
func TestE2EOrders(t *testing.T) {
	t.Parallel()
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "money-orders", "MNY-ORD", 1000, 100)
	checkouts := 0 // each schedules one ReservationExpired
	buy := func(t *testing.T, qty int) moneyResult {
		t.Helper()
		checkouts++
		r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-ORD", qty}), "pm_card_visa"), ""))
		s.moneyWaitOrder(t, r.OrderID, "placed")
		return r
	}
	var ids []string
	for range 5 {
		ids = append(ids, buy(t, 1).OrderID)
	}
	slices.Sort(ids)

	t.Run("List", func(t *testing.T) {
		all := s.moneyOrders(t, "", 2)
		got := make([]string, len(all))
		for i, o := range all {
			got[i] = o.ID
			if o.Status != "placed" {
				t.Errorf("order %s: status %q, want placed", o.ID, o.Status)
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff(ids, got); diff != "" {
			t.Errorf("orders walked 2 a page, each once (-want +got):\n%s", diff)
		}
		if got := len(s.moneyOrders(t, "cancelled", 100)); got != 0 {
			t.Errorf("cancelled orders: got %d, want 0", got)
		}
		for _, q := range []string{"status=bogus", "limit=0", "limit=101", "limit=x", "cursor=!!!", "cursor=abc"} {
			res := s.admin(t, "GET", "/api/admin/orders?"+q, nil)
			e2eWantProblem(t, "GET /api/admin/orders?"+q, res, 400, "invalid_request")
		}
		e2eWantProblem(t, "without the admin key", s.do(t, "GET", "/api/admin/orders", nil), 401, "unauthorized")
	})

	t.Run("Cancel", func(t *testing.T) {
		r := buy(t, 3)
		if got := s.moneyAvailable(t, "MNY-ORD"); got != 92 {
			t.Fatalf("available after 8 units sold: got %d, want 92", got)
		}
		refunds := s.moneyRefunds(t)
		const n = 5
		res := make([]*Response, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				res[i], err = s.send("POST", "/api/admin/orders/"+r.OrderID+"/cancel", nil, "x-functions-key", testAdminKey)
				if err != nil {
					t.Error(err)
				} else {
					e2eCheckResponse(t, "POST", "cancel", res[i])
				}
			}()
		}
		wg.Wait()
		for i, c := range res {
			if c == nil {
				continue
			}
			var o moneyOrder
			if c.Status != 200 || json.Unmarshal(c.Body, &o) != nil || o.Status != "cancelled" || o.ID != r.OrderID {
				t.Errorf("cancel %d: got %d %s, want 200 with order %s cancelled", i, c.Status, c.Body, r.OrderID)
			}
		}
		if got := s.moneyRefunds(t) - refunds; got != 1 {
			t.Errorf("refunds: got %d, want 1", got)
		}
		s.moneyWaitAvailable(t, "MNY-ORD", 95)
		// Once the inventory queue holds only the scheduled expiries, the
		// restock has run as often as it ever will.
		s.moneyWaitQueues(t, 0, checkouts)
		if got, want := s.moneySettledStock(t, "MNY-ORD"), (e2eStock{"MNY-ORD", 100, 5, 0, 95}); got != want {
			t.Errorf("stock after cancelling: got %+v, want %+v (restocked once)", got, want)
		}
		res2 := s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/cancel", nil)
		e2eWantStatus(t, "cancel again", res2, 200)
		if got := s.moneyRefunds(t) - refunds; got != 1 {
			t.Errorf("refunds after cancelling again: got %d, want 1", got)
		}
		if o := s.moneyWaitOrder(t, r.OrderID, "cancelled"); o.Total != (e2eMoney{3000, "USD"}) {
			t.Errorf("cancelled order total %+v, want 3000 USD", o.Total)
		}
		cancelled := s.moneyOrders(t, "cancelled", 100)
		if len(cancelled) != 1 || cancelled[0].ID != r.OrderID {
			t.Errorf("GET /api/admin/orders?status=cancelled: got %+v, want only %s", cancelled, r.OrderID)
		}
		if got := len(s.moneyOrders(t, "placed", 100)); got != 5 {
			t.Errorf("placed orders: got %d, want 5", got)
		}
		for _, id := range []string{"no-such-order", "o" + strings.Repeat("0", 26)} {
			e2eWantProblem(t, "cancel "+id, s.admin(t, "POST", "/api/admin/orders/"+id+"/cancel", nil), 404, "not_found")
		}
	})
}

// TestE2EOrderProcessing holds the orders queue, so that a paid order stays
// processing: readable, listed for staff, not fulfillable, and cancellable
// (placed first, then cancelled and refunded); the late OrderPlaced then
// changes nothing.
func TestE2EOrderProcessing(t *testing.T) {
	t.Parallel()
	hold, release := moneyHoldOrders()
	s := startMoney(t, func(m *Main) { m.Middleware = hold })
	t.Cleanup(release) // before Close, which waits for the messages in hand
	s.mustStockedProduct(t, "money-processing", "MNY-PROC", 1000, 10)
	req := moneyNewRequest(s.moneyCart(t, e2eLine{"MNY-PROC", 2}), "pm_card_visa")
	r := moneyWantPaid(t, "checkout", s.moneyCheckout(t, req, ""))

	res, o := s.moneyGetOrder(t, r.OrderID)
	e2eWantStatus(t, "GET order while processing", res, 200)
	if o.Status != "processing" || o.Total != *r.Total || o.Email != req.Email {
		t.Errorf("order while processing: got %s, want status processing with the checkout's total and email", res.Body)
	}
	if list := s.moneyOrders(t, "processing", 10); len(list) != 1 || list[0].ID != r.OrderID {
		t.Errorf("GET /api/admin/orders?status=processing: got %+v, want only %s", list, r.OrderID)
	}
	if list := s.moneyOrders(t, "", 10); len(list) != 1 || list[0].Status != "processing" {
		t.Errorf("GET /api/admin/orders: got %+v, want %s processing", list, r.OrderID)
	}
	e2eWantProblem(t, "fulfil while processing", s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/fulfil", nil), 409, "order_not_placed")
	e2eWantStatus(t, "cancel while processing", s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/cancel", nil), 200)
	s.moneyWaitOrder(t, r.OrderID, "cancelled")
	if got := s.moneyRefunds(t); got != 1 {
		t.Errorf("refunds: got %d, want 1", got)
	}

	release()
	s.moneyWaitQueues(t, 0, 1) // the checkout's scheduled expiry
	s.moneyWaitOrder(t, r.OrderID, "cancelled")
	s.moneyWaitAvailable(t, "MNY-PROC", 10)
	s.moneyWantStockMatchesOrders(t, "MNY-PROC", 10, 0)
	e2eWantProblem(t, "fulfil a cancelled order", s.admin(t, "POST", "/api/admin/orders/"+r.OrderID+"/fulfil", nil), 409, "order_not_placed")
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

// moneyHoldOrders returns a middleware that holds every orders message until
// release is called, and release.
func moneyHoldOrders() (hold func(Handler) Handler, release func()) {
	held := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(held) }) }
	hold = func(next Handler) Handler {
		return func(ctx context.Context, queue string, msg commerce.Message) error {
			if queue == commerce.QueueOrders {
				<-held
			}
			return next(ctx, queue, msg)
		}
	}
	return hold, release
}
