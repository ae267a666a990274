package main

import (
	"strings"
	"testing"
	"time"
)

// This file holds the helpers of the cart E2E tests: the cart's JSON as
// clients see it, its checks and the calls that read and write it.

// e2eCartTTL is the cart lifetime the harness configures.
const e2eCartTTL = 72 * time.Hour

// e2eCart and e2eItem are a cart's JSON as clients see it.
type e2eCart struct {
	ID        string    `json:"id"`
	Currency  string    `json:"currency"`
	Items     []e2eItem `json:"items"`
	ItemCount int       `json:"itemCount"`
	Subtotal  e2eMoney  `json:"subtotal"`
	ExpiresAt time.Time `json:"expiresAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

type e2eItem struct {
	SKU       string   `json:"sku"`
	ProductID string   `json:"productId"`
	Title     string   `json:"title"`
	Quantity  int      `json:"quantity"`
	UnitPrice e2eMoney `json:"unitPrice"`
	LineTotal e2eMoney `json:"lineTotal"`
}

// e2eLine is a line of a cart request.
type e2eLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// e2eCheckCart checks a 200 or 201 cart response: its shape, an ETag, and
// totals that add up. It returns the cart.
func e2eCheckCart(tb testing.TB, what string, res *Response) e2eCart {
	tb.Helper()
	e2eCheckShape(tb, what, res.Body, e2eCartShape)
	if res.Header.Get("ETag") == "" {
		tb.Errorf("%s: no ETag header", what)
	}
	var c e2eCart
	res.JSON(tb, &c)
	e2eCheckTotals(tb, what, c)
	return c
}

// e2eCheckTotals checks that lineTotal = unitPrice × quantity, subtotal =
// Σ lineTotal, itemCount = Σ quantity, all in the cart's currency, and that
// the cart expires e2eCartTTL after its last change.
func e2eCheckTotals(tb testing.TB, what string, c e2eCart) {
	tb.Helper()
	var sum int64
	var count int
	for _, it := range c.Items {
		if want := (e2eMoney{it.UnitPrice.Amount * int64(it.Quantity), c.Currency}); it.LineTotal != want {
			tb.Errorf("%s: line %s: lineTotal %+v, want unitPrice %+v × %d = %+v", what, it.SKU, it.LineTotal, it.UnitPrice, it.Quantity, want)
		}
		if it.UnitPrice.Currency != c.Currency {
			tb.Errorf("%s: line %s priced in %s, cart in %s", what, it.SKU, it.UnitPrice.Currency, c.Currency)
		}
		sum += it.LineTotal.Amount
		count += it.Quantity
	}
	if want := (e2eMoney{sum, c.Currency}); c.Subtotal != want {
		tb.Errorf("%s: subtotal %+v, want the sum of line totals %+v", what, c.Subtotal, want)
	}
	if c.ItemCount != count {
		tb.Errorf("%s: itemCount %d, want the sum of e2eQuantities %d", what, c.ItemCount, count)
	}
	if want := c.UpdatedAt.Add(e2eCartTTL); !c.ExpiresAt.Equal(want) {
		tb.Errorf("%s: expiresAt %v, want updatedAt + %v = %v", what, c.ExpiresAt, e2eCartTTL, want)
	}
}

// e2eQuantities returns a cart's quantities by SKU.
func e2eQuantities(c e2eCart) map[string]int {
	out := make(map[string]int, len(c.Items))
	for _, it := range c.Items {
		out[it.SKU] = it.Quantity
	}
	return out
}

// mustNewCart creates a cart holding lines (no body when lines is nil).
func (s e2eShop) mustNewCart(tb testing.TB, lines []e2eLine) e2eCart {
	tb.Helper()
	var body any
	if lines != nil {
		body = map[string][]e2eLine{"items": lines}
	}
	res := s.do(tb, "POST", "/api/carts", body)
	e2eWantStatus(tb, "POST /api/carts", res, 201)
	c := e2eCheckCart(tb, "POST /api/carts", res)
	if loc := res.Header.Get("Location"); !strings.HasSuffix(loc, "/api/carts/"+c.ID) {
		tb.Errorf("POST /api/carts: Location %q, want it to end /api/carts/%s", loc, c.ID)
	}
	return c
}

// mustGetCart returns GET /api/carts/{id}, which must be 200.
func (s e2eShop) mustGetCart(tb testing.TB, id string) e2eCart {
	tb.Helper()
	c, _ := s.cartCall(tb, 200, "GET", "/api/carts/"+id, nil)
	return c
}

// cartCall sends a cart request that must answer want (200 or 201) and
// returns the cart and its ETag.
func (s e2eShop) cartCall(tb testing.TB, want int, method, path string, body any, header ...string) (e2eCart, string) {
	tb.Helper()
	res := s.do(tb, method, path, body, header...)
	e2eWantStatus(tb, method+" "+path, res, want)
	return e2eCheckCart(tb, method+" "+path, res), res.Header.Get("ETag")
}

// mustStockedProduct creates an active product with one USD variant and
// sets its stock.
func (s e2eShop) mustStockedProduct(tb testing.TB, handle, sku string, amount, stock int64) e2eProduct {
	tb.Helper()
	p := s.mustCreateProduct(tb, e2eProductInput(handle, sku, amount))
	s.mustSetStock(tb, sku, stock)
	return p
}
