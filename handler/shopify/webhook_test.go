package shopify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"testing"

	"shopfn/handler/commerce"
)

// shopifySign signs body as Shopify documents it, independently of Sign.
func shopifySign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type recorder struct{ msgs []commerce.Message }

func (r *recorder) Publish(_ context.Context, queue string, msgs ...commerce.Message) error {
	if queue != commerce.QueueInventory {
		panic("published to " + queue)
	}
	r.msgs = append(r.msgs, msgs...)
	return nil
}

func TestReceive(t *testing.T) {
	const secret = "shpss_test"
	order := []byte(`{"id":820982911946154508,"email":"buyer@example.com","line_items":[{"sku":"A","quantity":2},{"sku":null,"quantity":1},{"sku":"A","quantity":1},{"sku":"bad sku!","quantity":1},{"sku":"B","quantity":4}]}`)
	tests := []struct {
		name     string
		body     []byte
		sig      string
		topic    string
		id       string
		wantCode string // "" for success
		want     *commerce.ShopifyOrderEvent
	}{
		{name: "create", body: order, sig: shopifySign(secret, order), topic: "orders/create", id: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
			want: &commerce.ShopifyOrderEvent{Type: "ShopifyOrder", Action: "create", OrderID: "820982911946154508",
				Lines: []commerce.ShopifyLine{{SKU: "A", Quantity: 3}, {SKU: "", Quantity: 2}, {SKU: "B", Quantity: 4}}}},
		{name: "cancelled", body: order, sig: shopifySign(secret, order), topic: "orders/cancelled", id: "w2",
			want: &commerce.ShopifyOrderEvent{Type: "ShopifyOrder", Action: "cancel", OrderID: "820982911946154508"}},
		{name: "fulfilled", body: order, sig: shopifySign(secret, order), topic: "orders/fulfilled", id: "w3",
			want: &commerce.ShopifyOrderEvent{Type: "ShopifyOrder", Action: "fulfil", OrderID: "820982911946154508"}},
		{name: "other topic", body: order, sig: shopifySign(secret, order), topic: "products/update", id: "w4"},
		{name: "wrong secret", body: order, sig: shopifySign("other", order), topic: "orders/create", id: "w5", wantCode: commerce.CodeInvalidSignature},
		{name: "no signature", body: order, topic: "orders/create", id: "w6", wantCode: commerce.CodeInvalidSignature},
		{name: "not base64", body: order, sig: "%%%", topic: "orders/create", id: "w7", wantCode: commerce.CodeInvalidSignature},
		{name: "body changed", body: append([]byte(" "), order...), sig: shopifySign(secret, order), topic: "orders/create", id: "w8", wantCode: commerce.CodeInvalidSignature},
		{name: "no webhook id", body: order, sig: shopifySign(secret, order), topic: "orders/create", wantCode: commerce.CodeInvalidRequest},
		{name: "bad quantity", body: []byte(`{"id":1,"line_items":[{"sku":"A","quantity":0}]}`), topic: "orders/create", id: "w9", wantCode: commerce.CodeInvalidRequest},
		{name: "no id", body: []byte(`{"line_items":[]}`), topic: "orders/create", id: "w10", wantCode: commerce.CodeInvalidRequest},
		{name: "not json", body: []byte(`[`), topic: "orders/create", id: "w11", wantCode: commerce.CodeInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.sig == "" && tt.wantCode == commerce.CodeInvalidRequest {
				tt.sig = shopifySign(secret, tt.body)
			}
			q := &recorder{}
			kicked := 0
			r := &Receiver{Secret: func() string { return secret }, Queue: q, Published: func() { kicked++ }}
			h := http.Header{}
			h.Set(HeaderHmac, tt.sig)
			h.Set(HeaderTopic, tt.topic)
			h.Set(HeaderWebhookID, tt.id)
			err := r.Receive(context.Background(), tt.body, h)
			if got := commerce.ErrorCode(err); tt.wantCode != "" || err != nil {
				if got != tt.wantCode {
					t.Fatalf("got error %v, want code %q", err, tt.wantCode)
				}
				if tt.wantCode == commerce.CodeInvalidSignature && commerce.ErrorKind(err) != commerce.KindUnauthorized {
					t.Errorf("got kind %v, want KindUnauthorized (401)", commerce.ErrorKind(err))
				}
				if len(q.msgs) != 0 {
					t.Errorf("got %d messages published, want none", len(q.msgs))
				}
				return
			}
			if tt.want == nil {
				if len(q.msgs) != 0 {
					t.Errorf("got %d messages for an ignored topic, want none", len(q.msgs))
				}
				return
			}
			if len(q.msgs) != 1 || kicked != 1 {
				t.Fatalf("got %d messages, %d kicks; want 1 and 1", len(q.msgs), kicked)
			}
			m := q.msgs[0]
			if m.ID != "shopify-"+tt.id || m.Type != commerce.MsgShopifyOrder {
				t.Errorf("got message %q of type %q, want shopify-%s of type ShopifyOrder", m.ID, m.Type, tt.id)
			}
			want, _ := json.Marshal(tt.want)
			if string(m.Body) != string(want) {
				t.Errorf("got body %s, want %s", m.Body, want)
			}
		})
	}
}

func TestVerifyNoSecret(t *testing.T) {
	if Verify("", []byte("{}"), shopifySign("", []byte("{}"))) {
		t.Error("Verify with no secret: got true, want false")
	}
}
