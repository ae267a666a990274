package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// This file holds the end-to-end tests of strict input: query strings,
// cursors, JSON bodies, headers, paths and catalog text.

func TestE2EMalformedQuery(t *testing.T) {
	s := startE2E(t, true)
	for _, q := range []string{
		"cursor=%zz", "limit=%zz", "q=blue%zztooth", "category=apparel;limit=2", "limit=2&limit=3", "q=%",
	} {
		e2eWantProblem(t, "GET /api/products?"+q, s.do(t, "GET", "/api/products?"+q, nil), 400, "invalid_request")
	}
	e2eWantProblem(t, "GET /api/categories?x=%zz", s.do(t, "GET", "/api/categories?x=%zz", nil), 400, "invalid_request")
	e2eWantProblem(t, "POST /api/carts?x=%zz", s.do(t, "POST", "/api/carts?x=%zz", nil), 400, "invalid_request")
}

func TestE2ECursorBoundToFilters(t *testing.T) {
	s := startE2E(t, true)
	cat := s.categories(t)[0].ID
	first := s.page(t, url.Values{"category": {cat}, "limit": {"2"}})
	if first.NextCursor == nil {
		t.Fatalf("category %s has one page of 2; want more", cat)
	}
	next := *first.NextCursor
	second := s.page(t, url.Values{"category": {cat}, "limit": {"2"}, "cursor": {next}})
	for _, p := range second.Items {
		if p.Category != cat {
			t.Errorf("page 2 of category %s lists %s of category %s", cat, p.ID, p.Category)
		}
	}
	for _, q := range []url.Values{
		{"cursor": {next}},
		{"cursor": {next}, "limit": {"2"}},
		{"cursor": {next}, "category": {cat}},
		{"cursor": {next}, "category": {cat}, "limit": {"3"}},
		{"cursor": {next}, "category": {cat}, "limit": {"2"}, "q": {"a"}},
		{"cursor": {flipAt(next, len(next)-1)}, "category": {cat}, "limit": {"2"}},
		{"cursor": {flipAt(next, len(next)-5)}, "category": {cat}, "limit": {"2"}},
		{"cursor": {flipAt(next, 3)}, "category": {cat}, "limit": {"2"}},
		{"cursor": {next[:len(next)-4]}, "category": {cat}, "limit": {"2"}},
		{"cursor": {base64ID(first.Items[1].ID)}, "category": {cat}, "limit": {"2"}}, // an unsigned cursor of the old shape
	} {
		path := "/api/products?" + q.Encode()
		e2eWantProblem(t, "GET "+path, s.do(t, "GET", path, nil), 400, "invalid_request")
	}
}

// flipAt changes the character at i of a base64 string to another.
func flipAt(s string, i int) string {
	c := byte('A')
	if s[i] == 'A' {
		c = 'Q'
	}
	return s[:i] + string(c) + s[i+1:]
}

func base64ID(id string) string {
	return strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(fmt.Sprintf("%s", mustBase64(id))), "=")
}

func mustBase64(s string) string {
	b, _ := json.Marshal([]byte(s)) // a JSON []byte is standard base64 in quotes
	return strings.Trim(string(b), `"`)
}

func TestE2EStrictJSON(t *testing.T) {
	s := startE2E(t, true)
	sku := s.page(t, url.Values{"limit": {"1"}}).Items[0].Variants[0].SKU
	c := s.mustNewCart(t, nil)
	for _, tc := range []struct{ what, path, body string }{
		{"field names in another case", "/api/carts", `{"Items":[{"SKU":"` + sku + `","Quantity":1}]}`},
		{"a field name in another case", "/api/carts/" + c.ID + "/items", `{"SKU":"` + sku + `","quantity":1}`},
		{"duplicate keys", "/api/carts/" + c.ID + "/items", `{"sku":"` + sku + `","quantity":1,"quantity":50}`},
		{"nested duplicate keys", "/api/carts", `{"items":[{"sku":"` + sku + `","sku":"x","quantity":1}]}`},
		{"invalid UTF-8", "/api/carts/" + c.ID + "/items", "{\"sku\":\"" + sku + "\xff\",\"quantity\":1}"},
	} {
		e2eWantProblem(t, tc.what, s.do(t, "POST", tc.path, tc.body), 400, "invalid_request")
	}
}

func TestE2EHeadersAndPathsAsProblems(t *testing.T) {
	s := startE2E(t, false)
	res := s.do(t, "GET", "/api/products", nil, "X-Big", strings.Repeat("a", 100<<10))
	e2eWantProblem(t, "100 KiB of headers", res, 431, "headers_too_large")

	for _, path := range []string{"//api/products", "/api/./products", "/api/carts/../products"} {
		res := rawGet(t, s.URL, path)
		if !strings.Contains(res, "application/problem+json") || !strings.Contains(res, `"code":"not_found"`) {
			t.Errorf("GET %s: got\n%s\nwant a 404 problem+json", path, res)
		}
	}
}

// rawGet sends GET path as written (net/http's client would clean it) and
// returns the raw response.
func rawGet(tb testing.TB, base, path string) string {
	tb.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n", path)
	var b strings.Builder
	sc := bufio.NewScanner(conn)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return b.String()
}

func TestE2EProblemDetailBounded(t *testing.T) {
	s := startE2E(t, false)
	long := strings.Repeat("c", 5000)
	for _, path := range []string{"/api/carts/" + long, "/api/orders/" + long, "/api/products/" + long, "/api/inventory/" + long} {
		res := s.do(t, "GET", path, nil)
		var p e2eProblem
		res.JSON(t, &p)
		if n := utf8.RuneCountInString(p.Detail); res.Status != 404 || n > 250 {
			t.Errorf("GET %.40s...: got %d with a %d-character detail, want 404 with at most 250", path, res.Status, n)
		}
	}
}

func TestE2EOrderIDs(t *testing.T) {
	s := startMoney(t, nil)
	s.mustStockedProduct(t, "id-bits", "ID-BITS", 500, 10)
	res := s.moneyCheckout(t, moneyNewRequest(s.moneyCart(t, e2eLine{SKU: "ID-BITS", Quantity: 1}), "pm_card_visa"), "id-bits-1")
	r := moneyWantPaid(t, "checkout", res)
	// "o", 10 characters of time, 26 of 128 random bits.
	if len(r.OrderID) != 37 {
		t.Errorf("order ID %q has %d characters, want 37 (128 random bits after the time)", r.OrderID, len(r.OrderID))
	}
	got, _ := s.moneyGetOrder(t, r.OrderID)
	e2eWantStatus(t, "GET /api/orders/"+r.OrderID, got, 200)
}

func TestE2ECatalogText(t *testing.T) {
	s := startE2E(t, false)
	base := e2eProductInput("text-ok", "TEXT-OK", 100)
	s.mustCreateProduct(t, base)
	for _, tc := range []struct {
		what   string
		change func(*e2eProduct)
	}{
		{"a control character in the title", func(p *e2eProduct) { p.Title = "Lamp\u0007" }},
		{"a bidi override in the title", func(p *e2eProduct) { p.Title = "Lamp \u202egnp.exe" }},
		{"a blank title", func(p *e2eProduct) { p.Title = " \t " }},
		{"a bidi isolate in a variant title", func(p *e2eProduct) { p.Variants[0].Title = "M\u2066" }},
		{"a blank option name", func(p *e2eProduct) { p.Variants[0].Options = map[string]string{" ": "M"} }},
		{"a control character in the description", func(p *e2eProduct) { p.Description = "nice\u0000lamp" }},
		{"a handle shaped like a product ID", func(p *e2eProduct) { p.Handle = "p" + strings.Repeat("0", 26) }},
		{"a currency that is not ISO 4217", func(p *e2eProduct) { p.Variants[0].Price.Currency = "ABC" }},
		{"two currencies in one product", func(p *e2eProduct) {
			p.Variants = append(p.Variants, e2eVariant{SKU: "TEXT-EUR", Title: "L", Options: map[string]string{"size": "L"}, Price: e2eMoney{Amount: 100, Currency: "EUR"}})
		}},
		{"a blank category", func(p *e2eProduct) { p.Category = " " }},
		{"a SKU with a space", func(p *e2eProduct) { p.Variants[0].SKU = "TEXT 2" }},
	} {
		p := e2eProductInput("text-bad", "TEXT-BAD", 100)
		tc.change(&p)
		e2eWantProblem(t, tc.what, s.admin(t, "POST", "/api/admin/products", p), 400, "invalid_request")
	}
	ok := e2eProductInput("text-multi", "TEXT-M", 100)
	ok.Title = "Lampe à poser \u05e9\u05dc\u05d5\u05dd"
	ok.Description = "Line one.\nLine two.\tTabbed."
	s.mustCreateProduct(t, ok)
}

func TestE2ENotFoundNamesTheNoun(t *testing.T) {
	s := startE2E(t, false)
	order := "o" + strings.Repeat("0", 36)
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/api/orders/" + order, "order"},
		{"POST", "/api/admin/orders/" + order + "/cancel", "order"},
		{"GET", "/api/carts/c" + strings.Repeat("0", 26), "cart"},
		{"POST", "/api/checkout/k" + strings.Repeat("0", 26) + "/confirm", "checkout"},
		{"GET", "/api/products/no-such-product", "product"},
		{"GET", "/api/inventory/NO-SUCH-SKU", "sku"},
	} {
		res := s.admin(t, tc.method, tc.path, nil)
		var p e2eProblem
		res.JSON(t, &p)
		if res.Status != 404 || !strings.HasPrefix(p.Detail, tc.want+" ") {
			t.Errorf("%s %s: got %d %q, want 404 about the %s", tc.method, tc.path, res.Status, p.Detail, tc.want)
		}
	}
}
