package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"testing"

	"shopfn/handler/commerce"
)

// wantInvalid fails unless err is a client error: a *commerce.Error of
// KindInvalid or KindRule. Anything else would reach a client as a 5xx.
func wantInvalid(t *testing.T, input any, err error) {
	t.Helper()
	var e *commerce.Error
	if !errors.As(err, &e) || (e.Kind != commerce.KindInvalid && e.Kind != commerce.KindRule) {
		t.Fatalf("input %q: got error %#v, want a client error", input, err)
	}
}

const validProduct = `{"handle":"lamp","title":"Lamp","description":"A lamp","category":"home",
"attributes":{"wattage":60,"tags":["a","b"],"dimmable":true},"images":["https://img.example/lamp.jpg"],"status":"active",
"variants":[{"sku":"LAMP-1","title":"Black","options":{"color":"black"},"price":{"amount":1999,"currency":"USD"}}]}`

func FuzzParseProduct(f *testing.F) {
	for _, s := range []string{
		validProduct, `{}`, `null`, `[]`, `{"handle":"x"}`, `{"unknown":1}`,
		`{"handle":"a","title":"t","category":"c","variants":[{"sku":"S","price":{"amount":-1,"currency":"USD"}}]}`,
		`{"handle":"a","title":"t","category":"c","variants":[{"sku":"S","price":{"amount":1,"currency":"usd"}}]}`,
		`{"handle":"a","title":"t","category":"c","attributes":{"x":{"nested":1}},"variants":[{"sku":"S","price":{"amount":1,"currency":"USD"}}]}`,
		`{"handle":"a","title":"t","category":"c","images":["javascript:alert(1)"],"variants":[{"sku":"S","price":{"amount":1,"currency":"USD"}}]}`,
		`{"handle":"a","title":"t","category":"c","variants":[{"sku":"S","price":{"amount":1e300,"currency":"USD"}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseProduct(data)
		if err != nil {
			wantInvalid(t, data, err)
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("parseProduct accepted %q, which does not validate: %v", data, err)
		}
		if _, err := json.Marshal(p); err != nil {
			t.Fatalf("accepted product does not encode: %v", err)
		}
	})
}

func TestParseProduct(t *testing.T) {
	p, err := parseProduct([]byte(validProduct))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != commerce.StatusActive || p.Variants[0].Price != (commerce.Money{Amount: 1999, Currency: "USD"}) {
		t.Errorf("got %+v, want an active lamp at 1999 USD", p)
	}
	defaults, err := parseProduct([]byte(`{"handle":"a","title":"t","category":"c","variants":[{"sku":"S","price":{"amount":1,"currency":"USD"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if defaults.Status != commerce.StatusActive || defaults.Attributes == nil || defaults.Images == nil || defaults.Variants[0].Options == nil {
		t.Errorf("defaults: got %+v, want active with empty attributes, images and options", defaults)
	}
}

func FuzzParseCartBodies(f *testing.F) {
	for _, s := range []string{
		`{"items":[{"sku":"A-1","quantity":2}]}`, `{"items":[]}`, `{"sku":"A","quantity":1}`, `{"quantity":0}`,
		`{"sku":"A","quantity":"1"}`, `{"sku":"A","quantity":1.5}`, `{"sku":"A","quantity":99999999999999999999}`,
		`{"items":[{"sku":null,"quantity":1}]}`, `{"sku":"A","quantity":1} {}`, `{"onHand":5}`, `{"onHand":-1}`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if data == nil {
			data = []byte{}
		}
		if _, lines, err := parseNewCart(data); err != nil {
			wantInvalid(t, data, err)
		} else if len(lines) > maxCreateItems {
			t.Fatalf("parseNewCart accepted %d lines", len(lines))
		}
		if _, err := parseCartLine(data); err != nil {
			wantInvalid(t, data, err)
		}
		if _, err := parseQuantity(data); err != nil {
			wantInvalid(t, data, err)
		}
		if n, th, err := parseStock(data); err != nil {
			wantInvalid(t, data, err)
		} else if n < 0 || n > commerce.MaxOnHand {
			t.Fatalf("parseStock accepted onHand %d", n)
		} else if th != nil && (*th < noThreshold || *th > commerce.MaxOnHand) {
			t.Fatalf("parseStock accepted lowStockThreshold %d", *th)
		}
	})
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, body string
		wantErr    bool
	}{
		{"ok", `{"quantity":3}`, false},
		{"empty", ``, true},
		{"malformed", `{"quantity":`, true},
		{"unknown field", `{"quantity":3,"price":1}`, true},
		{"wrong type", `{"quantity":"3"}`, true},
		{"fraction", `{"quantity":1.5}`, true},
		{"trailing value", `{"quantity":3}{"quantity":4}`, true},
		{"trailing garbage", `{"quantity":3} x`, true},
		{"case-folded field", `{"Quantity":3}`, true},
		{"duplicate key", `{"quantity":3,"quantity":4}`, true},
		{"invalid UTF-8", "{\"quantity\":3,\"x\xff\":1}", true},
		{"invalid UTF-8 in a string", "{\"quantity\":3, \"note\":\"\xc3\"}", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var data []byte
			if tt.body != "" {
				data = []byte(tt.body)
			}
			var v struct {
				Quantity int    `json:"quantity"`
				Note     string `json:"note"`
			}
			err := decodeJSON(data, &v)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("decodeJSON(%q): got error %v, want error %v", tt.body, err, tt.wantErr)
			}
			if err != nil && commerce.ErrorCode(err) != commerce.CodeInvalidRequest {
				t.Errorf("got code %q, want invalid_request", commerce.ErrorCode(err))
			}
		})
	}
}

func FuzzParseListQuery(f *testing.F) {
	for _, s := range []string{
		"", "limit=20", "limit=0", "limit=101", "limit=x", "category=books&q=lamp", "category=Bad%20Cat",
		"cursor=cDA2Z3pzODZ4ZndkMDdycDd0OTBrejFyc3hy", "cursor=!!!", "q=%ff%fe", "limit=1&limit=2",
	} {
		f.Add(s)
	}
	s := NewServer(Deps{}, Config{CursorKey: []byte("fuzz")}, slog.New(slog.DiscardHandler))
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http answers such queries before shopfn sees them
		}
		lq, err := s.parseListQuery(v, false)
		if err != nil {
			wantInvalid(t, raw, err)
			return
		}
		if lq.limit < 1 || lq.limit > maxPageSize {
			t.Fatalf("query %q: accepted limit %d", raw, lq.limit)
		}
		if lq.after != "" && !commerce.IsID(lq.after, 'p') {
			t.Fatalf("query %q: accepted cursor %q", raw, lq.after)
		}
	})
}

// TestParseProductPrice refuses a variant whose price has no amount (it
// would read as free) and a price of 0.
func TestParseProductPrice(t *testing.T) {
	for _, price := range []string{
		`{"currency":"USD"}`,
		`{"amount":null,"currency":"USD"}`,
		`{"amount":0,"currency":"USD"}`,
		`null`,
	} {
		data := `{"handle":"a","title":"t","category":"c","variants":[{"sku":"S","price":` + price + `}]}`
		p, err := parseProduct([]byte(data))
		if commerce.ErrorCode(err) != commerce.CodeInvalidRequest {
			t.Errorf("price %s: got %+v, %v, want invalid_request", price, p, err)
		}
	}
	data := `{"handle":"a","title":"t","category":"c","variants":[{"sku":"S"}]}`
	if _, err := parseProduct([]byte(data)); commerce.ErrorCode(err) != commerce.CodeInvalidRequest {
		t.Errorf("no price: got %v, want invalid_request", err)
	}
}
