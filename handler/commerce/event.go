package commerce

// The message bodies: JSON objects whose "type" is the message's Type
// (also its Service Bus Subject). Consumers accept a body without "type"
// when the message's Type says it.

// OrderPlacedEvent says a checkout was paid: the orders function turns it into
// an order and commits its reserved stock. Queue "orders".
type OrderPlacedEvent struct {
	Type    string `json:"type"`
	OrderID string `json:"orderId"`
}

// ReservationExpiredEvent says a checkout's reservation is due to expire: the
// inventory function releases it unless the checkout was paid. Queue
// "inventory", scheduled for the reservation's end.
type ReservationExpiredEvent struct {
	Type       string `json:"type"`
	CheckoutID string `json:"checkoutId"`
}

// OrderCancelledEvent says staff cancelled an order: the inventory function
// returns its committed stock. Queue "inventory".
type OrderCancelledEvent struct {
	Type    string `json:"type"`
	OrderID string `json:"orderId"`
}

// OrderFulfilledEvent says a warehouse shipped an order: the inventory
// function moves its committed units off hand. Queue "inventory".
// LocationID, optional, names the location that shipped: what is left of
// the order there ships; absent, everything left ships, from where it is
// allocated.
type OrderFulfilledEvent struct {
	Type       string `json:"type"`
	OrderID    string `json:"orderId"`
	LocationID string `json:"locationId,omitempty"`
}

// StockLevelSetEvent is the contract for ERPs and warehouses: a physical on-hand
// count of one SKU, sent to the "inventory" queue (directly to Service Bus,
// with Subject "StockLevelSet" and a unique MessageId). Example body:
//
//	{"type":"StockLevelSet","sku":"TEE-BLK-M","onHand":42,"source":"erp-eu","sequence":1718}
//	{"type":"StockLevelSet","sku":"TEE-BLK-M","locationId":"eu-1","onHand":7,"source":"wms-rtm","sequence":88}
//
// LocationID, optional, names the location counted (absent means the
// default location, the one level of a SKU before locations); an unknown
// location is an error, and the message is dead-lettered after its retries.
// Sequences are kept per SKU, location and source.
//
// Source names the sender and Sequence orders its counts: a count whose
// Sequence is at or below the last one applied for that SKU from the same
// Source changes nothing, so redelivered or reordered messages are harmless. OnHand is
// what is on the shelf; available stock is OnHand less committed and
// reserved. All fields are required; a body without them is dead-lettered.
type StockLevelSetEvent struct {
	Type     string `json:"type"`
	SKU      string `json:"sku"`
	OnHand   *int64 `json:"onHand"`
	Source   string `json:"source"`
	Sequence *int64 `json:"sequence"`
	// LocationID is the location counted; "" means the default location.
	LocationID string `json:"locationId,omitempty"`
}

// QueueFor returns the queue a message type goes to: "orders" for
// OrderPlaced and RefundRequested, "inventory" for every other type.
func QueueFor(msgType string) string {
	if msgType == MsgOrderPlaced || msgType == MsgRefundRequested {
		return QueueOrders
	}
	return QueueInventory
}
