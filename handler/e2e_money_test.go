package main

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file holds the helpers of the money-path E2E tests (checkout, orders,
// queues, webhooks; all named money*): the checkout and order JSON, the
// checkout requests and the checks of their responses. Reads of the shop's
// state and waits on it are in e2e_moneystate_test.go.

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
	OrderToken string         `json:"orderToken"`
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
	// Allocations are where the items ship from (e2e_locations_test.go).
	Allocations []e2eAllocation `json:"allocations"`
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
	// moneyOrderViewShape is an order read without its access token: no
	// buyer details (e2eCheckShape allows extra keys; moneyGetOrder checks
	// that there are none).
	moneyOrderViewShape = e2eObject{
		"id": "string", "status": "string", "items": moneyOrderShape["items"],
		"subtotal": e2eMoneyShape, "shipping": e2eMoneyShape, "tax": e2eMoneyShape, "total": e2eMoneyShape,
		"createdAt": "time",
	}
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

// moneyWantNoOrder checks that an answer names no order, order least of
// all: a cart ID, or a checkout under another key, is no proof of being the
// buyer.
func moneyWantNoOrder(tb testing.TB, what string, res *Response, order string) {
	tb.Helper()
	var p struct {
		OrderID *string `json:"orderId"`
	}
	json.Unmarshal(res.Body, &p)
	if p.OrderID != nil || strings.Contains(string(res.Body), order) {
		tb.Errorf("%s: got %s, want no orderId and no mention of order %s", what, res.Body, order)
	}
}

// moneyFollow POSTs to a nextAction URL, absolute or relative to the API,
// with query appended to its own (the token).
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
	if q := strings.Trim(u.RawQuery+"&"+query, "&"); q != "" {
		path += "?" + q
	}
	return s.do(tb, "POST", path, nil)
}
