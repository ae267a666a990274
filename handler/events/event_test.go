package events

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

var now = time.Date(2025, 1, 2, 3, 4, 5, 678e6, time.FixedZone("CET", 3600))

func sampleOrder() Order {
	usd := func(n int64) commerce.Money { return commerce.Money{Amount: n, Currency: "USD"} }
	return Order{
		ID: "o123", Status: commerce.OrderPlaced, Email: "buyer@example.com",
		Items:    []commerce.OrderLine{{SKU: "TEE-M", ProductID: "p1", Title: "Tee", Quantity: 2, UnitPrice: usd(1000), LineTotal: usd(2000)}},
		Subtotal: usd(2000), Shipping: usd(500), Tax: usd(0), Total: usd(2500),
		ShippingAddress: commerce.Address{Name: "Ann", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"},
		CreatedAt:       now.UTC(),
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		typ     Type
		id      string
		source  string
		data    any
		subject string // "" when New must fail
	}{
		{"order placed", OrderPlaced, "o123", DefaultSource, OrderPlacedData{sampleOrder()}, "orders/o123"},
		{"order fulfilled", OrderFulfilled, "o123", DefaultSource, OrderFulfilledData{Order: sampleOrder(), Fulfillment: Fulfillment{TrackingNumber: "1Z9", FulfilledAt: now}}, "orders/o123"},
		{"order cancelled", OrderCancelled, "o123", DefaultSource, OrderCancelledData{Order: sampleOrder(), CancelledAt: now}, "orders/o123"},
		{"order refunded", OrderRefunded, "o123", "https://shop.example.com", OrderRefundedData{Order: sampleOrder(), Refund: Refund{RefundedAt: now}}, "orders/o123"},
		{"level", InventoryLevelChanged, "TEE-M", DefaultSource, InventoryLevelData{SKU: "TEE-M", OnHand: 5}, "inventory/TEE-M"},
		{"low stock", InventoryLowStock, "TEE-M", DefaultSource, LowStockData{SKU: "TEE-M", Available: 1, Threshold: 3}, "inventory/TEE-M"},
		{"product created", ProductCreated, "p1", DefaultSource, ProductData{ID: "p1"}, "products/p1"},
		{"product updated", ProductUpdated, "p1", DefaultSource, ProductData{ID: "p1"}, "products/p1"},
		{"product deleted", ProductDeleted, "p1", DefaultSource, ProductDeletedData{ID: "p1", DeletedAt: now}, "products/p1"},
		{"customer", CustomerCreated, "u1", DefaultSource, CustomerData{ID: "u1", Email: "a@example.com"}, "customers/u1"},
		{"ping", Ping, "s1", DefaultSource, PingData{SubscriptionID: "s1"}, "subscriptions/s1"},

		{"unknown type", Type("order.shipped"), "o1", DefaultSource, OrderPlacedData{}, ""},
		{"data of another type", InventoryLevelChanged, "TEE-M", DefaultSource, OrderPlacedData{sampleOrder()}, ""},
		{"data as a map", InventoryLevelChanged, "TEE-M", DefaultSource, map[string]any{"sku": "TEE-M", "email": "a@example.com"}, ""},
		{"data as a pointer", ProductCreated, "p1", DefaultSource, &ProductData{ID: "p1"}, ""},
		{"nil data", Ping, "s1", DefaultSource, nil, ""},
		{"empty id", OrderPlaced, "", DefaultSource, OrderPlacedData{}, ""},
		{"id with a slash", OrderPlaced, "o1/x", DefaultSource, OrderPlacedData{}, ""},
		{"id with a newline", OrderPlaced, "o1\n", DefaultSource, OrderPlacedData{}, ""},
		{"empty source", OrderPlaced, "o1", "", OrderPlacedData{}, ""},
		{"source with a space", OrderPlaced, "o1", "/shop fn", OrderPlacedData{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(tt.typ, tt.source, tt.id, now, tt.data)
			if tt.subject == "" {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("New: got %v, want ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if e.Subject != tt.subject || e.Type != tt.typ || e.Source != tt.source || e.SpecVersion != "1.0" || e.DataContentType != "application/json" {
				t.Errorf("got %+v, want subject %q type %q", e, tt.subject, tt.typ)
			}
			if !e.Time.Equal(now) || e.Time.Location() != time.UTC {
				t.Errorf("time: got %v, want %v in UTC", e.Time, now)
			}
			if e.Sequence != 0 {
				t.Errorf("sequence: got %d, want 0 (unassigned)", e.Sequence)
			}
			if err := e.Validate(); !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate before a sequence is assigned: got %v, want ErrInvalid", err)
			}
			e.Sequence = 1
			if err := e.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestNewIDs(t *testing.T) {
	a, b := NewID(now), NewID(now.Add(time.Millisecond))
	if !strings.HasPrefix(a, "evt_") || len(a) != 30 {
		t.Fatalf("NewID: got %q, want evt_ and 26 characters", a)
	}
	if a >= b {
		t.Errorf("IDs do not sort by time: %q >= %q", a, b)
	}
	if NewID(now) == NewID(now) {
		t.Errorf("two IDs at the same time are equal")
	}
}

func TestMarshal(t *testing.T) {
	e, err := New(InventoryLevelChanged, DefaultSource, "TEE-M", now, InventoryLevelData{SKU: "TEE-M", OnHand: 5, Available: 5})
	if err != nil {
		t.Fatal(err)
	}
	e.ID = "evt_1"
	e.Sequence = 42
	b, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"specversion":"1.0","id":"evt_1","type":"inventory.level_changed","source":"/shopfn",` +
		`"subject":"inventory/TEE-M","time":"2025-01-02T02:04:05.678Z","datacontenttype":"application/json",` +
		`"data":{"sku":"TEE-M","onHand":5,"committed":0,"reserved":0,"available":5},"sequence":"0000000000000000042"}`
	if string(b) != want {
		t.Errorf("Marshal:\n got %s\nwant %s", b, want)
	}
	back, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if back.ID != e.ID || back.Sequence != 42 || !back.Time.Equal(e.Time) || string(back.Data) != string(e.Data) {
		t.Errorf("Parse: got %+v, want %+v", back, e)
	}
	var d InventoryLevelData
	if err := back.Decode(&d); err != nil || d.OnHand != 5 {
		t.Errorf("Decode: got %+v, %v; want onHand 5", d, err)
	}
	var wrong ProductData
	if err := back.Decode(&wrong); !errors.Is(err, ErrInvalid) {
		t.Errorf("Decode into another type: got %v, want ErrInvalid", err)
	}
	e.Sequence = 0
	if _, err := e.Marshal(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Marshal without a sequence: got %v, want ErrInvalid", err)
	}
}

func TestParse(t *testing.T) {
	valid := map[string]any{
		"specversion": "1.0", "id": "evt_1", "type": "inventory.low_stock", "source": "/shopfn",
		"subject": "inventory/TEE-M", "time": "2025-01-02T02:04:05Z", "datacontenttype": "application/json",
		"data": map[string]any{"sku": "TEE-M", "available": 1, "threshold": 3}, "sequence": "7",
	}
	tests := []struct {
		name  string
		key   string
		value any // nil deletes the key
		ok    bool
	}{
		{"valid", "", nil, true},
		{"padded sequence", "sequence", "0000000000000000007", true},
		{"numeric sequence", "sequence", 7, false},
		{"zero sequence", "sequence", "0", false},
		{"negative sequence", "sequence", "-1", false},
		{"sequence too long", "sequence", "00000000000000000007", false},
		{"sequence not digits", "sequence", "7a", false},
		{"no sequence", "sequence", nil, false},
		{"spec 0.3", "specversion", "0.3", false},
		{"no id", "id", nil, false},
		{"unknown type", "type", "inventory.gone", false},
		{"subject of another kind", "subject", "orders/TEE-M", false},
		{"no subject", "subject", nil, false},
		{"no time", "time", nil, false},
		{"bad time", "time", "yesterday", false},
		{"xml", "datacontenttype", "application/xml", false},
		{"no data", "data", nil, false},
		{"data not an object", "data", []int{1}, false},
		{"personal data in an inventory event", "data", map[string]any{"sku": "TEE-M", "available": 1, "threshold": 3, "email": "a@example.com"}, false},
		{"unknown attribute", "traceparent", "00-abc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]any{}
			for k, v := range valid {
				m[k] = v
			}
			if tt.key != "" {
				if tt.value == nil {
					delete(m, tt.key)
				} else {
					m[tt.key] = tt.value
				}
			}
			b, _ := json.Marshal(m)
			_, err := Parse(b)
			if tt.ok && err != nil {
				t.Errorf("Parse(%s): %v", b, err)
			}
			if !tt.ok && !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%s): got %v, want ErrInvalid", b, err)
			}
		})
	}
}

func TestSequenceOrdersAsStrings(t *testing.T) {
	seqs := []Sequence{1, 2, 9, 10, 99, 100, 1<<62 + 5}
	for i := 1; i < len(seqs); i++ {
		a, _ := json.Marshal(seqs[i-1])
		b, _ := json.Marshal(seqs[i])
		if string(a) >= string(b) {
			t.Errorf("%s >= %s as strings, want below", a, b)
		}
	}
	if _, err := json.Marshal(Sequence(-1)); err == nil {
		t.Errorf("Marshal(-1): got no error")
	}
}

func TestTypes(t *testing.T) {
	want := []Type{CustomerCreated, InventoryLevelChanged, InventoryLowStock, OrderCancelled, OrderFulfilled,
		OrderPlaced, OrderRefunded, Ping, ProductCreated, ProductDeleted, ProductUpdated}
	got := Types()
	if len(got) != len(want) {
		t.Fatalf("Types: got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Types[%d]: got %q, want %q", i, got[i], want[i])
		}
	}
	for _, tt := range []struct {
		t                      Type
		personal, subscribable bool
	}{
		{OrderPlaced, true, true}, {CustomerCreated, true, true}, {InventoryLowStock, false, true},
		{ProductDeleted, false, true}, {Ping, false, false}, {"nope", false, false},
	} {
		if tt.t.Personal() != tt.personal || tt.t.Subscribable() != tt.subscribable {
			t.Errorf("%q: got personal %v subscribable %v, want %v %v", tt.t, tt.t.Personal(), tt.t.Subscribable(), tt.personal, tt.subscribable)
		}
	}
}
