package commerce_test

import (
	"encoding/json"
	"testing"

	"shopfn/handler/commerce"
)

func TestQueueFor(t *testing.T) {
	tests := []struct{ typ, want string }{
		{commerce.MsgOrderPlaced, commerce.QueueOrders},
		{commerce.MsgReservationExpired, commerce.QueueInventory},
		{commerce.MsgOrderCancelled, commerce.QueueInventory},
		{commerce.MsgStockLevelSet, commerce.QueueInventory},
	}
	for _, tt := range tests {
		if got := commerce.QueueFor(tt.typ); got != tt.want {
			t.Errorf("QueueFor(%s): got %q, want %q", tt.typ, got, tt.want)
		}
	}
}

// TestStockLevelSetContract decodes the example body the StockLevelSetEvent
// documentation gives ERPs and warehouses.
func TestStockLevelSetContract(t *testing.T) {
	var e commerce.StockLevelSetEvent
	body := `{"type":"StockLevelSet","sku":"TEE-BLK-M","onHand":42,"source":"erp-eu","sequence":1718}`
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatal(err)
	}
	if e.Type != commerce.MsgStockLevelSet || e.SKU != "TEE-BLK-M" || e.OnHand == nil || *e.OnHand != 42 || e.Source != "erp-eu" || e.Sequence == nil || *e.Sequence != 1718 {
		t.Errorf("got %+v, want the example's fields", e)
	}
}
