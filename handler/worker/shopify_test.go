package worker

import (
	"context"
	"testing"

	"shopfn/handler/commerce"
)

// fakeShopify records the Shopify orders applied.
type fakeShopify struct{ got []commerce.ShopifyOrderEvent }

func (f *fakeShopify) ApplyShopifyOrder(_ context.Context, e commerce.ShopifyOrderEvent) (bool, error) {
	f.got = append(f.got, e)
	return true, nil
}

// TestInventoryShopifyOrder: the inventory function hands a ShopifyOrder
// message to the stock pool, and fails one it cannot apply (so that it is
// dead-lettered in the end).
func TestInventoryShopifyOrder(t *testing.T) {
	body := []byte(`{"type":"ShopifyOrder","action":"create","orderId":"101","lines":[{"sku":"A","quantity":2}]}`)
	s := &fakeShopify{}
	f := &Functions{Shopify: s}
	if err := f.Inventory(context.Background(), commerce.Message{ID: "m1", Type: commerce.MsgShopifyOrder, Body: body}); err != nil {
		t.Fatal(err)
	}
	if len(s.got) != 1 || s.got[0].OrderID != "101" || s.got[0].Action != commerce.ShopifyCreate || len(s.got[0].Lines) != 1 || s.got[0].Lines[0].Quantity != 2 {
		t.Errorf("applied %+v, want the create of order 101 with 2 of A", s.got)
	}
	for _, tt := range []struct {
		name string
		f    *Functions
		body string
	}{
		{"no store", &Functions{}, string(body)},
		{"no order id", f, `{"type":"ShopifyOrder","action":"create"}`},
	} {
		if err := tt.f.Inventory(context.Background(), commerce.Message{ID: "m2", Body: []byte(tt.body)}); err == nil {
			t.Errorf("%s: got no error, want one", tt.name)
		}
	}
}
