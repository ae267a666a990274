package events

import (
	"time"

	"shopfn/handler/commerce"
)

// The data of each event type. Each type decodes strictly: an event whose
// data has a field its type does not declare is invalid, so personal data
// cannot ride along in an inventory or product event. No type carries card
// data (an order's payment ID is not sent either).

// Order is an order as order.* events carry it: personal data (the buyer's
// email and shipping address) included.
type Order struct {
	ID              string               `json:"id"`
	Status          commerce.OrderStatus `json:"status"`
	Email           string               `json:"email"`
	Items           []commerce.OrderLine `json:"items"`
	Subtotal        commerce.Money       `json:"subtotal"`
	Shipping        commerce.Money       `json:"shipping"`
	Tax             commerce.Money       `json:"tax"`
	Total           commerce.Money       `json:"total"`
	ShippingAddress commerce.Address     `json:"shippingAddress"`
	CreatedAt       time.Time            `json:"createdAt"`
}

// OrderFrom returns the event form of o.
func OrderFrom(o commerce.Order) Order {
	return Order{
		ID: o.ID, Status: o.Status, Email: o.Email, Items: o.Items,
		Subtotal: o.Subtotal, Shipping: o.Shipping, Tax: o.Tax, Total: o.Total,
		ShippingAddress: o.ShippingAddress, CreatedAt: o.CreatedAt,
	}
}

// OrderPlacedData is the data of order.placed: the order as stored.
type OrderPlacedData struct {
	Order
}

// Fulfillment is a shipment of an order. TrackingNumber, Carrier and
// TrackingURL are empty when the warehouse gave none.
type Fulfillment struct {
	TrackingNumber string    `json:"trackingNumber,omitempty"`
	Carrier        string    `json:"carrier,omitempty"`
	TrackingURL    string    `json:"trackingUrl,omitempty"`
	FulfilledAt    time.Time `json:"fulfilledAt"`
}

// OrderFulfilledData is the data of order.fulfilled: the order and its
// fulfillment.
type OrderFulfilledData struct {
	Order
	Fulfillment Fulfillment `json:"fulfillment"`
}

// OrderCancelledData is the data of order.cancelled.
type OrderCancelledData struct {
	Order
	CancelledAt time.Time `json:"cancelledAt"`
	// UnshippedRefund is set when a partially fulfilled order was
	// cancelled (its units that had shipped stay with the buyer): what
	// is refunded for the units that had not, zero when the order was not
	// paid; the refund's order.refunded follows once it is made. Absent
	// when the whole order was cancelled, whose refund is its Total.
	UnshippedRefund *commerce.Money `json:"unshippedRefund,omitempty"`
}

// Refund is money given back on an order.
type Refund struct {
	Amount     commerce.Money `json:"amount"`
	RefundedAt time.Time      `json:"refundedAt"`
}

// OrderRefundedData is the data of order.refunded.
type OrderRefundedData struct {
	Order
	Refund Refund `json:"refund"`
}

// InventoryLevelData is the data of inventory.level_changed: a SKU's stock
// after the change. Available is OnHand less Committed and Reserved, never
// below zero.
type InventoryLevelData struct {
	SKU       string `json:"sku"`
	OnHand    int64  `json:"onHand"`
	Committed int64  `json:"committed"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
}

// LevelFrom returns the event form of a stock level.
func LevelFrom(l commerce.StockLevel) InventoryLevelData {
	return InventoryLevelData{SKU: l.SKU, OnHand: l.OnHand, Committed: l.Committed, Reserved: l.Reserved, Available: l.Available()}
}

// LowStockData is the data of inventory.low_stock: a SKU's available stock
// fell to or below its threshold.
type LowStockData struct {
	SKU       string `json:"sku"`
	Available int64  `json:"available"`
	Threshold int64  `json:"threshold"`
}

// Variant is a variant as product events carry it.
type Variant struct {
	SKU     string            `json:"sku"`
	Title   string            `json:"title"`
	Options map[string]string `json:"options,omitempty"`
	Price   commerce.Money    `json:"price"`
}

// ProductData is the data of product.created and product.updated: the
// product after the change. Its free-form attributes are left out (they
// are staff-written JSON of any shape); receivers read them from the API.
type ProductData struct {
	ID          string                 `json:"id"`
	Handle      string                 `json:"handle"`
	Title       string                 `json:"title"`
	Description string                 `json:"description"`
	Category    string                 `json:"category"`
	Images      []string               `json:"images"`
	Status      commerce.ProductStatus `json:"status"`
	Variants    []Variant              `json:"variants"`
	CreatedAt   time.Time              `json:"createdAt"`
	UpdatedAt   time.Time              `json:"updatedAt"`
}

// ProductFrom returns the event form of p.
func ProductFrom(p commerce.Product) ProductData {
	d := ProductData{
		ID: p.ID, Handle: p.Handle, Title: p.Title, Description: p.Description, Category: p.Category,
		Images: p.Images, Status: p.Status, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
		Variants: make([]Variant, len(p.Variants)),
	}
	for i, v := range p.Variants {
		d.Variants[i] = Variant{SKU: v.SKU, Title: v.Title, Options: v.Options, Price: v.Price}
	}
	return d
}

// ProductDeletedData is the data of product.deleted.
type ProductDeletedData struct {
	ID        string    `json:"id"`
	DeletedAt time.Time `json:"deletedAt"`
}

// CustomerData is the data of customer.created.
type CustomerData struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"createdAt"`
}

// CustomerFrom returns the event form of c.
func CustomerFrom(c commerce.Customer) CustomerData {
	return CustomerData{ID: c.ID, Email: c.Email, Name: c.Name, CreatedAt: c.CreatedAt}
}

// PingData is the data of ping: the subscription being tested.
type PingData struct {
	SubscriptionID string `json:"subscriptionId"`
}
