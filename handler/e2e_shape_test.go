package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// This file holds the JSON shape checker of the E2E tests and its test.

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
	e2eListedShape = e2eObject{
		"id": "string", "handle": "string", "title": "string", "description": "string", "category": "string",
		"attributes": "object", "images": e2eArray{"url"}, "status": "status",
		"variants": e2eArray{e2eObject{
			"sku": "string", "title": "string", "options": "strings", "price": e2eMoneyShape, "available": "int",
		}},
		"createdAt": "time", "updatedAt": "time",
	}
	e2ePageShape = e2eObject{
		"items": e2eArray{e2eListedShape}, "nextCursor": "string|null", "total": "int", "totalIsEstimate": "bool",
	}
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
		case "bool":
			if _, ok := v.(bool); !ok {
				bad("got %s, want true or false", e2eJSONKind(v))
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
		{"CursorNull", `{"items":[],"nextCursor":null,"total":0,"totalIsEstimate":false}`, e2ePageShape, false},
		{"CursorMissing", `{"items":[],"total":0,"totalIsEstimate":false}`, e2ePageShape, true},
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
