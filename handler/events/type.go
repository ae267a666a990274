package events

import (
	"reflect"
	"slices"
	"strings"
)

// Type is an event type, such as "order.placed". It is the CloudEvent's
// "type" attribute and what a webhook subscription lists.
type Type string

// The event types.
const (
	OrderPlaced           Type = "order.placed"
	OrderFulfilled        Type = "order.fulfilled"
	OrderCancelled        Type = "order.cancelled"
	OrderRefunded         Type = "order.refunded"
	InventoryLevelChanged Type = "inventory.level_changed"
	InventoryLowStock     Type = "inventory.low_stock"
	ProductCreated        Type = "product.created"
	ProductUpdated        Type = "product.updated"
	ProductDeleted        Type = "product.deleted"
	CustomerCreated       Type = "customer.created"
	// Ping is sent to one subscription on request, to test its endpoint;
	// it is never stored in the feed.
	Ping Type = "ping"
)

// spec is what the envelope's rules say about one type: the subject prefix
// its events carry, the one Go type its data decodes into, and whether that
// data may hold personal data (an email, a name, an address).
type spec struct {
	prefix   string
	data     reflect.Type
	personal bool
}

// specs lists every type. Only order.* and customer.* are personal: the
// data types of every other event have no field that can hold personal data,
// which data_test.go checks by walking them.
var specs = map[Type]spec{
	OrderPlaced:           {"orders/", reflect.TypeFor[OrderPlacedData](), true},
	OrderFulfilled:        {"orders/", reflect.TypeFor[OrderFulfilledData](), true},
	OrderCancelled:        {"orders/", reflect.TypeFor[OrderCancelledData](), true},
	OrderRefunded:         {"orders/", reflect.TypeFor[OrderRefundedData](), true},
	InventoryLevelChanged: {"inventory/", reflect.TypeFor[InventoryLevelData](), false},
	InventoryLowStock:     {"inventory/", reflect.TypeFor[LowStockData](), false},
	ProductCreated:        {"products/", reflect.TypeFor[ProductData](), false},
	ProductUpdated:        {"products/", reflect.TypeFor[ProductData](), false},
	ProductDeleted:        {"products/", reflect.TypeFor[ProductDeletedData](), false},
	CustomerCreated:       {"customers/", reflect.TypeFor[CustomerData](), true},
	Ping:                  {"subscriptions/", reflect.TypeFor[PingData](), false},
}

// Types returns every event type, sorted.
func Types() []Type {
	ts := make([]Type, 0, len(specs))
	for t := range specs {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return ts
}

// Valid reports whether t is a known event type.
func (t Type) Valid() bool {
	_, ok := specs[t]
	return ok
}

// Personal reports whether events of type t may carry personal data: true
// for order.* and customer.*, false for every other type. Sinks that must
// not hold personal data (a public analytics topic, a log) take only the
// types for which it is false.
func (t Type) Personal() bool { return specs[t].personal }

// SubjectPrefix returns the prefix of the subjects of events of type t,
// such as "orders/" for order.placed, or "" for an unknown type. Every event
// about one thing (one order, one SKU, one product) has the same subject, so
// its sequence orders them all.
func (t Type) SubjectPrefix() string { return specs[t].prefix }

// DataType returns the Go type the data of an event of type t decodes
// into, or nil for an unknown type.
func (t Type) DataType() reflect.Type { return specs[t].data }

// Subscribable reports whether a webhook subscription may list t: every
// known type except ping, which is only ever sent on request.
func (t Type) Subscribable() bool { return t.Valid() && t != Ping }

// Subject returns the subject of an event of type t about the thing whose
// ID (an order ID, a SKU, a product ID) is id, such as "orders/o123".
func Subject(t Type, id string) string { return t.SubjectPrefix() + id }

// subjectID returns the ID part of subject for type t, and whether subject
// has t's prefix and a non-empty ID with no slash or control character.
func subjectID(t Type, subject string) (string, bool) {
	p := t.SubjectPrefix()
	if p == "" || !strings.HasPrefix(subject, p) {
		return "", false
	}
	id := subject[len(p):]
	if id == "" || len(id) > 200 || strings.ContainsFunc(id, func(r rune) bool { return r == '/' || r < 0x20 || r == 0x7f }) {
		return "", false
	}
	return id, true
}
