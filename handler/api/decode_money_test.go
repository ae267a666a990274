package api

import (
	"encoding/json"
	"net/url"
	"testing"

	"shopfn/handler/commerce"
)

const validCheckout = `{"cartId":"c0123456789abcdefghjkmnpqrs","email":"a@b.co",
"shippingAddress":{"name":"Ada","line1":"1 Main St","line2":"","city":"Springfield","postalCode":"12345","country":"US"},
"paymentMethod":"pm_card_visa"}`

func FuzzParseCheckout(f *testing.F) {
	for _, s := range []string{
		validCheckout, `{}`, `null`, `{"cartId":1}`, `{"email":"x"}`, `{"cartId":"c","extra":true}`,
		`{"cartId":"c","email":"a@b.co","paymentMethod":"card","shippingAddress":{}}`,
		`{"cartId":"c","email":"not an email","paymentMethod":"pm_x","shippingAddress":{"name":"a","line1":"b","city":"c","postalCode":"d","country":"US"}}`,
		`{"cartId":"c","email":"a@b.co","paymentMethod":"pm_x","shippingAddress":{"name":"a","line1":"b","city":"c","postalCode":"d","country":"usa"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := parseCheckout(data)
		if err != nil {
			wantInvalid(t, data, err)
			return
		}
		if err := req.Validate(); err != nil {
			wantInvalid(t, data, err)
			return
		}
		if req.CartID == "" || req.Email == "" || req.ShippingAddress.Country == "" {
			t.Fatalf("Validate accepted %q with a required field empty", data)
		}
	})
}

func TestParseCheckout(t *testing.T) {
	req, err := parseCheckout([]byte(validCheckout))
	if err != nil {
		t.Fatal(err)
	}
	if err := req.Validate(); err != nil {
		t.Fatalf("a valid checkout: got %v", err)
	}
	tests := []struct{ name, field, value, code string }{
		{"NoAt", "email", "ada.example.com", "invalid_email"},
		{"DisplayName", "email", "Ada <a@b.co>", "invalid_email"},
		{"NoDomainDot", "email", "a@b", "invalid_email"},
		{"Country", "country", "United States", "invalid_address"},
		{"EmptyCity", "city", " ", "invalid_address"},
		{"NewlineInLine1", "line1", "1 Main\r\nSt", "invalid_address"},
		{"PaymentMethod", "paymentMethod", "tok_visa", commerce.CodeInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := req
			switch tt.field {
			case "email":
				r.Email = tt.value
			case "country":
				r.ShippingAddress.Country = tt.value
			case "city":
				r.ShippingAddress.City = tt.value
			case "line1":
				r.ShippingAddress.Line1 = tt.value
			case "paymentMethod":
				r.PaymentMethod = tt.value
			}
			if got := commerce.ErrorCode(r.Validate()); got != tt.code {
				t.Errorf("%s = %q: got code %q, want %q", tt.field, tt.value, got, tt.code)
			}
		})
	}
}

func FuzzParseOrderQuery(f *testing.F) {
	for _, s := range []string{"", "status=placed", "status=open", "limit=0", "limit=100", "cursor=!!", "cursor=bzA2Z3pz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := parseOrderQuery(v)
		if err != nil {
			wantInvalid(t, raw, err)
			return
		}
		if q.Limit < 1 || q.Limit > maxPageSize || (q.After != "" && !commerce.IsID(q.After, 'o')) {
			t.Fatalf("query %q: accepted %+v", raw, q)
		}
	})
}

func FuzzParseInvocation(f *testing.F) {
	msg := `{"type":"OrderPlaced","orderId":"o1","checkoutId":"k1"}`
	quoted, _ := json.Marshal(msg)
	for _, s := range []string{
		`{"Data":{"msg":` + msg + `},"Metadata":{"MessageId":"m1","DeliveryCount":2,"Subject":"OrderPlaced"}}`,
		`{"Data":{"msg":` + string(quoted) + `},"Metadata":{"MessageId":"m1","DeliveryCount":"1"}}`,
		`{"Data":{"msg":"eyJ0eXBlIjoiT3JkZXJQbGFjZWQifQ=="},"Metadata":{"Label":"OrderPlaced"}}`,
		`{"Data":{}}`, `{}`, `[]`, `null`, `{"Data":{"msg":null}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := parseInvocation(data); err != nil {
			wantInvalid(t, data, err)
		}
	})
}

func TestParseInvocation(t *testing.T) {
	want := `{"type":"OrderPlaced","orderId":"o1"}`
	quoted, _ := json.Marshal(want)
	tests := []struct{ name, data string }{
		{"Object", `{"Data":{"msg":` + want + `},"Metadata":{"MessageId":"m1","DeliveryCount":2,"Subject":"OrderPlaced"}}`},
		{"JSONString", `{"Data":{"msg":` + string(quoted) + `},"Metadata":{"MessageId":"m1","DeliveryCount":"2","Subject":"OrderPlaced"}}`},
		{"Base64", `{"Data":{"msg":"eyJ0eXBlIjoiT3JkZXJQbGFjZWQiLCJvcmRlcklkIjoibzEifQ=="},"Metadata":{"MessageId":"m1","DeliveryCount":2,"Label":"OrderPlaced"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseInvocation([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if string(m.Body) != want || m.ID != "m1" || m.DeliveryCount != 2 || m.Type != "OrderPlaced" {
				t.Errorf("got body %s, id %q, delivery %d, type %q; want %s, m1, 2, OrderPlaced", m.Body, m.ID, m.DeliveryCount, m.Type, want)
			}
		})
	}
}
