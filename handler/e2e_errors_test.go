package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// This file holds the helpers every E2E test shares (requests, the checks
// every response gets, JSON shapes) and the tests of the error contract.

// e2eShop is a program under test with the checks every E2E request gets:
// no 5xx, and every error a problem+json body that leaks nothing internal.
type e2eShop struct{ *Program }

// startE2E starts the program; seed loads the 204-product sample catalog.
func startE2E(tb testing.TB, seed bool) e2eShop {
	tb.Helper()
	return e2eShop{MustRunMain(tb, seed)}
}

// send sends a request and reads the whole response, returning transport
// errors instead of failing the test, so that goroutines can use it. body
// is nil, a []byte or string sent as is (with a known length), an
// io.Reader sent chunked, or any value sent as JSON. header holds pairs of
// names and values; a JSON Content-Type is set when there is a body.
func (s e2eShop) send(method, path string, body any, header ...string) (*Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	case io.Reader:
		rd = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: data}, nil
}

// do is send for the test goroutine: it fails the test on a transport error
// or any 5xx, and checks every error response against the error contract.
func (s e2eShop) do(tb testing.TB, method, path string, body any, header ...string) *Response {
	tb.Helper()
	res, err := s.send(method, path, body, header...)
	if err != nil {
		tb.Fatal(err)
	}
	e2eCheckResponse(tb, method, path, res)
	if res.Status >= 500 {
		tb.FailNow()
	}
	return res
}

// admin is do with the admin key.
func (s e2eShop) admin(tb testing.TB, method, path string, body any, header ...string) *Response {
	tb.Helper()
	return s.do(tb, method, path, body, append([]string{"x-functions-key", testAdminKey}, header...)...)
}

// e2eLeaks are strings no response body may contain: they would reveal the
// store, a stack trace, source files or the server's paths.
var e2eLeaks = []string{"sqlite", "SQL", "goroutine", ".go:", "/work/", "/tmp/"}

// e2eCheckResponse reports (with Errorf, so any goroutine may call it) a 5xx,
// and every way an error response breaks the error contract:
// application/problem+json, {"type","title","status","detail","code"} with
// status equal to the HTTP status, and no internal detail.
func e2eCheckResponse(tb testing.TB, method, path string, res *Response) {
	tb.Helper()
	if res.Status >= 500 {
		tb.Errorf("%s %s: got %d %s; want no 5xx", method, path, res.Status, res.Body)
	}
	if res.Status < 400 {
		return
	}
	ct := res.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/problem+json" {
		tb.Errorf("%s %s: %d Content-Type = %q, want application/problem+json", method, path, res.Status, ct)
	}
	for _, issue := range e2eShapeIssues(res.Body, e2eProblemShape) {
		tb.Errorf("%s %s: %d problem %s: %s", method, path, res.Status, res.Body, issue)
	}
	var p e2eProblem
	if err := json.Unmarshal(res.Body, &p); err == nil && p.Status != res.Status {
		tb.Errorf("%s %s: problem status = %d, want the HTTP status %d", method, path, p.Status, res.Status)
	}
	for _, leak := range e2eLeaks {
		if bytes.Contains(res.Body, []byte(leak)) {
			tb.Errorf("%s %s: %d body %s contains %q; want no internal detail", method, path, res.Status, res.Body, leak)
		}
	}
}

// e2eProblem is a problem+json body.
type e2eProblem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
}

// e2eWantProblem fails unless res is an error with the given status and code.
func e2eWantProblem(tb testing.TB, what string, res *Response, status int, code string) {
	tb.Helper()
	var p e2eProblem
	json.Unmarshal(res.Body, &p)
	if res.Status != status || p.Code != code {
		tb.Errorf("%s: got %d %s, want %d with code %q", what, res.Status, res.Body, status, code)
	}
}

// e2eWantStatus fails the test unless res has the given status.
func e2eWantStatus(tb testing.TB, what string, res *Response, status int) {
	tb.Helper()
	if res.Status != status {
		tb.Fatalf("%s: got %d %s, want %d", what, res.Status, res.Body, status)
	}
}

// JSON shapes. A shape is a kind name (see e2eShapeIssues), an e2eObject
// listing the keys an object must have, or an e2eArray.
type (
	e2eObject map[string]any
	e2eArray  struct{ elem any }
)

var (
	e2eMoneyShape   = e2eObject{"amount": "int", "currency": "currency"}
	e2eProductShape = e2eObject{
		"id": "string", "handle": "string", "title": "string", "description": "string", "category": "string",
		"attributes": "object", "images": e2eArray{"url"}, "status": "status",
		"variants":  e2eArray{e2eObject{"sku": "string", "title": "string", "options": "strings", "price": e2eMoneyShape}},
		"createdAt": "time", "updatedAt": "time",
	}
	e2ePageShape       = e2eObject{"items": e2eArray{e2eProductShape}, "nextCursor": "string|null"}
	e2eCategoriesShape = e2eObject{"items": e2eArray{e2eObject{"id": "string", "name": "string", "productCount": "int"}}}
	e2eInventoryShape  = e2eObject{"sku": "string", "available": "int"}
	e2eStockShape      = e2eObject{"sku": "string", "onHand": "int", "committed": "int", "reserved": "int", "available": "int"}
	e2eCartShape       = e2eObject{
		"id": "string", "currency": "currency",
		"items": e2eArray{e2eObject{
			"sku": "string", "productId": "string", "title": "string", "quantity": "int",
			"unitPrice": e2eMoneyShape, "lineTotal": e2eMoneyShape,
		}},
		"itemCount": "int", "subtotal": e2eMoneyShape, "expiresAt": "time", "updatedAt": "time",
	}
	e2eProblemShape = e2eObject{"type": "string", "title": "string", "status": "int", "detail": "string", "code": "string"}
)

// e2eCheckShape fails the test for every way body differs from shape.
func e2eCheckShape(tb testing.TB, what string, body []byte, shape any) {
	tb.Helper()
	for _, issue := range e2eShapeIssues(body, shape) {
		tb.Errorf("%s: %s", what, issue)
	}
}

// e2eShapeIssues returns how the JSON body differs from shape. Objects may have
// keys the shape does not list.
func e2eShapeIssues(body []byte, shape any) []string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{fmt.Sprintf("not JSON: %v", err)}
	}
	var issues []string
	e2eMatchShape("$", v, shape, &issues)
	return issues
}

func e2eMatchShape(at string, v any, shape any, issues *[]string) {
	bad := func(format string, args ...any) {
		*issues = append(*issues, at+": "+fmt.Sprintf(format, args...))
	}
	switch sh := shape.(type) {
	case e2eObject:
		obj, ok := v.(map[string]any)
		if !ok {
			bad("got %s, want an object", e2eJSONKind(v))
			return
		}
		keys := make([]string, 0, len(sh))
		for k := range sh {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			e, ok := obj[k]
			if !ok {
				bad("missing key %q", k)
				continue
			}
			e2eMatchShape(at+"."+k, e, sh[k], issues)
		}
	case e2eArray:
		arr, ok := v.([]any)
		if !ok {
			bad("got %s, want an array", e2eJSONKind(v))
			return
		}
		for i, e := range arr {
			e2eMatchShape(fmt.Sprintf("%s[%d]", at, i), e, sh.elem, issues)
		}
	case string:
		str, isStr := v.(string)
		switch sh {
		case "string":
			if !isStr {
				bad("got %s, want a string", e2eJSONKind(v))
			}
		case "string|null":
			if v != nil && !isStr {
				bad("got %s, want a string or null", e2eJSONKind(v))
			}
		case "int":
			n, ok := v.(json.Number)
			if _, err := n.Int64(); !ok || err != nil {
				bad("got %s %v, want an integer", e2eJSONKind(v), v)
			}
		case "currency":
			if !isStr || len(str) != 3 || strings.ToUpper(str) != str {
				bad("got %v, want an ISO 4217 code", v)
			}
		case "status":
			if str != "active" && str != "draft" && str != "archived" || !isStr {
				bad("got %v, want active, draft or archived", v)
			}
		case "time":
			if _, err := time.Parse(time.RFC3339Nano, str); !isStr || err != nil {
				bad("got %v, want an RFC 3339 time", v)
			}
		case "url":
			u, err := url.Parse(str)
			if !isStr || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad("got %v, want an http(s) URL", v)
			}
		case "object":
			if _, ok := v.(map[string]any); !ok {
				bad("got %s, want an object", e2eJSONKind(v))
			}
		case "strings":
			obj, ok := v.(map[string]any)
			if !ok {
				bad("got %s, want an object of strings", e2eJSONKind(v))
			}
			for k, e := range obj {
				if _, ok := e.(string); !ok {
					bad("key %q is %s, want a string", k, e2eJSONKind(e))
				}
			}
		default:
			panic("unknown shape kind " + sh)
		}
	default:
		panic(fmt.Sprintf("unknown shape %T", shape))
	}
}

func e2eJSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// e2eChunked hides a reader's length, so that a request body is sent chunked.
type e2eChunked struct{ io.Reader }

func TestE2EErrors(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	p := s.mustCreateProduct(t, e2eProductInput("e2e-errors", "E2E-ERR-1", 1500))
	s.mustSetStock(t, "E2E-ERR-1", 50)
	c := s.mustNewCart(t, nil)
	cartPath := "/api/carts/" + c.ID
	big := `{"sku":"E2E-ERR-1","quantity":1,"pad":"` + strings.Repeat("x", 1<<20) + `"}`

	tests := []struct {
		name         string
		method, path string
		body         any
		header       []string
		admin        bool
		status       int
		code         string
	}{
		// Malformed bodies.
		{"MalformedJSON", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":`, nil, false, 400, "invalid_request"},
		{"NotJSON", "POST", cartPath + "/items", `sku=E2E-ERR-1`, nil, false, 400, "invalid_request"},
		{"UnknownField", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":1,"price":1}`, nil, false, 400, "invalid_request"},
		{"QuantityString", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":"2"}`, nil, false, 400, "invalid_request"},
		{"QuantityFraction", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":1.5}`, nil, false, 400, "invalid_request"},
		{"SKUNumber", "POST", cartPath + "/items", `{"sku":7,"quantity":1}`, nil, false, 400, "invalid_request"},
		{"TrailingGarbage", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":1} x`, nil, false, 400, "invalid_request"},
		{"TwoValues", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":1}{}`, nil, false, 400, "invalid_request"},
		{"BodyArray", "POST", cartPath + "/items", `[{"sku":"E2E-ERR-1","quantity":1}]`, nil, false, 400, "invalid_request"},
		{"SetQuantityString", "PUT", cartPath + "/items/E2E-ERR-1", `{"quantity":"2"}`, nil, false, 400, "invalid_request"},
		{"SetQuantityFraction", "PUT", cartPath + "/items/E2E-ERR-1", `{"quantity":1.5}`, nil, false, 400, "invalid_request"},
		{"SetQuantityUnknownField", "PUT", cartPath + "/items/E2E-ERR-1", `{"quantity":1,"sku":"E2E-ERR-1"}`, nil, false, 400, "invalid_request"},
		{"NewCartMalformed", "POST", "/api/carts", `{"items":[`, nil, false, 400, "invalid_request"},
		{"NewCartUnknownField", "POST", "/api/carts", `{"items":[],"currency":"USD"}`, nil, false, 400, "invalid_request"},
		{"NewCartItemsObject", "POST", "/api/carts", `{"items":{"sku":"E2E-ERR-1","quantity":1}}`, nil, false, 400, "invalid_request"},
		{"NewCartTrailingGarbage", "POST", "/api/carts", `{"items":[]}]`, nil, false, 400, "invalid_request"},
		{"ProductMalformed", "POST", "/api/admin/products", `{"handle":`, nil, true, 400, "invalid_request"},
		{"ProductUnknownField", "POST", "/api/admin/products", `{"handle":"e2e-x","title":"X","category":"e2e","variants":[{"sku":"E2E-X","price":{"amount":1,"currency":"USD"}}],"colour":"red"}`, nil, true, 400, "invalid_request"},
		{"ProductPriceFraction", "POST", "/api/admin/products", `{"handle":"e2e-x","title":"X","category":"e2e","variants":[{"sku":"E2E-X","price":{"amount":1.5,"currency":"USD"}}]}`, nil, true, 400, "invalid_request"},
		{"StockString", "PUT", "/api/admin/inventory/E2E-ERR-1", `{"onHand":"5"}`, nil, true, 400, "invalid_request"},
		{"StockTrailingGarbage", "PUT", "/api/admin/inventory/E2E-ERR-1", `{"onHand":5},`, nil, true, 400, "invalid_request"},

		// Bad query values.
		{"LimitZero", "GET", "/api/products?limit=0", nil, nil, false, 400, "invalid_request"},
		{"LimitTooBig", "GET", "/api/products?limit=101", nil, nil, false, 400, "invalid_request"},
		{"LimitNotNumber", "GET", "/api/products?limit=x", nil, nil, false, 400, "invalid_request"},
		{"CursorNotBase64", "GET", "/api/products?cursor=!!!", nil, nil, false, 400, "invalid_request"},
		{"CursorMadeUp", "GET", "/api/products?cursor=abc", nil, nil, false, 400, "invalid_request"},
		{"CategoryBad", "GET", "/api/products?category=Bad%20Cat", nil, nil, false, 400, "invalid_request"},

		// Unknown paths and resources.
		{"UnknownPath", "GET", "/api/nope", nil, nil, false, 404, "not_found"},
		{"UnknownRoot", "GET", "/nope", nil, nil, false, 404, "not_found"},
		{"UnknownDeepPath", "GET", "/api/products/" + p.ID + "/variants", nil, nil, false, 404, "not_found"},
		{"UnknownAdminPath", "GET", "/api/admin/nope", nil, nil, true, 404, "not_found"},

		// Too large: with a Content-Length, and chunked.
		{"TooLarge", "POST", cartPath + "/items", big, nil, false, 413, "payload_too_large"},
		{"TooLargeChunked", "POST", cartPath + "/items", e2eChunked{strings.NewReader(big)}, nil, false, 413, "payload_too_large"},
		{"TooLargeNewCart", "POST", "/api/carts", big, nil, false, 413, "payload_too_large"},
		{"TooLargeProduct", "POST", "/api/admin/products", big, nil, true, 413, "payload_too_large"},

		// Not JSON.
		{"TextPlain", "POST", cartPath + "/items", `{"sku":"E2E-ERR-1","quantity":1}`, []string{"Content-Type", "text/plain"}, false, 415, "unsupported_media_type"},
		{"XML", "POST", cartPath + "/items", `<item sku="E2E-ERR-1" quantity="1"/>`, []string{"Content-Type", "application/xml"}, false, 415, "unsupported_media_type"},
		{"XMLNewCart", "POST", "/api/carts", `<cart/>`, []string{"Content-Type", "application/xml"}, false, 415, "unsupported_media_type"},
		{"TextPlainSetQuantity", "PUT", cartPath + "/items/E2E-ERR-1", `{"quantity":1}`, []string{"Content-Type", "text/plain"}, false, 415, "unsupported_media_type"},
		{"XMLProduct", "POST", "/api/admin/products", `<product/>`, []string{"Content-Type", "application/xml"}, true, 415, "unsupported_media_type"},
		{"TextPlainStock", "PUT", "/api/admin/inventory/E2E-ERR-1", `{"onHand":5}`, []string{"Content-Type", "text/plain"}, true, 415, "unsupported_media_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			do := s.do
			if tt.admin {
				do = s.admin
			}
			res := do(t, tt.method, tt.path, tt.body, tt.header...)
			e2eWantProblem(t, tt.method+" "+tt.path, res, tt.status, tt.code)
		})
	}

	// JSON with parameters, or a +json type, is JSON.
	for _, ct := range []string{"application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json"} {
		res := s.do(t, "POST", cartPath+"/items", `{"sku":"E2E-ERR-1","quantity":1}`, "Content-Type", ct)
		e2eWantStatus(t, "POST items with Content-Type "+ct, res, 200)
		res = s.do(t, "DELETE", cartPath+"/items/E2E-ERR-1", nil)
		e2eWantStatus(t, "DELETE items", res, 200)
	}

	// None of the refused writes changed the cart.
	got := s.mustGetCart(t, c.ID)
	if len(got.Items) != 0 {
		t.Errorf("after refused writes, cart items = %+v, want none", got.Items)
	}
}

func TestE2EMethodNotAllowed(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	p := s.mustCreateProduct(t, e2eProductInput("e2e-methods", "E2E-METH-1", 1500))
	c := s.mustNewCart(t, nil)

	tests := []struct {
		method, path string
		allow        []string // methods Allow must list
	}{
		{"PATCH", "/api/carts/" + c.ID, []string{"GET", "DELETE"}},
		{"PUT", "/api/carts/" + c.ID, []string{"GET", "DELETE"}},
		{"PUT", "/api/products", []string{"GET"}},
		{"POST", "/api/products", []string{"GET"}},
		{"DELETE", "/api/products/" + p.ID, []string{"GET"}},
		{"POST", "/api/health", []string{"GET"}},
		{"GET", "/api/carts", []string{"POST"}},
		{"GET", "/api/carts/" + c.ID + "/items", []string{"POST"}},
		{"PATCH", "/api/carts/" + c.ID + "/items/E2E-METH-1", []string{"PUT", "DELETE"}},
		{"GET", "/api/admin/products/" + p.ID, []string{"PUT", "DELETE"}},
	}
	for _, tt := range tests {
		t.Run(tt.method+tt.path, func(t *testing.T) {
			res := s.admin(t, tt.method, tt.path, nil)
			e2eWantProblem(t, tt.method+" "+tt.path, res, 405, "method_not_allowed")
			var allow []string
			for _, m := range strings.Split(res.Header.Get("Allow"), ",") {
				if m = strings.TrimSpace(m); m != "" {
					allow = append(allow, m)
				}
			}
			for _, m := range tt.allow {
				if !slices.Contains(allow, m) {
					t.Errorf("%s %s: Allow = %q, want it to list %s", tt.method, tt.path, res.Header.Get("Allow"), m)
				}
			}
			if slices.Contains(allow, tt.method) {
				t.Errorf("%s %s: Allow = %q lists the refused method", tt.method, tt.path, res.Header.Get("Allow"))
			}
		})
	}
}

func TestE2EShapeChecker(t *testing.T) {
	// The shape checker must itself catch what the contract forbids.
	t.Parallel()
	tests := []struct {
		name  string
		body  string
		shape any
		bad   bool
	}{
		{"Money", `{"amount":1999,"currency":"USD"}`, e2eMoneyShape, false},
		{"MoneyFraction", `{"amount":19.99,"currency":"USD"}`, e2eMoneyShape, true},
		{"MoneyStringAmount", `{"amount":"1999","currency":"USD"}`, e2eMoneyShape, true},
		{"MoneyNoCurrency", `{"amount":1999}`, e2eMoneyShape, true},
		{"CursorNull", `{"items":[],"nextCursor":null}`, e2ePageShape, false},
		{"CursorMissing", `{"items":[]}`, e2ePageShape, true},
		{"ProblemStatusString", `{"type":"t","title":"t","status":"400","detail":"d","code":"c"}`, e2eProblemShape, true},
		{"HugeInt", fmt.Sprintf(`{"amount":%d,"currency":"USD"}`, int64(math.MaxInt64)), e2eMoneyShape, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			issues := e2eShapeIssues([]byte(tt.body), tt.shape)
			if got := len(issues) > 0; got != tt.bad {
				t.Errorf("e2eShapeIssues(%s) = %q; want issues: %v", tt.body, issues, tt.bad)
			}
		})
	}
}
