package email

import (
	"fmt"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// Data is what an email template executes with.
type Data struct {
	Type events.Type
	// Shop names the shop in the email.
	Shop  string
	Order events.Order
	// Fulfillment is set for order.fulfilled.
	Fulfillment *events.Fulfillment
	// Refund is set for order.refunded.
	Refund *events.Refund
	// CancelledAt is set for order.cancelled.
	CancelledAt time.Time
	// UnshippedRefund is set for order.cancelled when a partially
	// fulfilled order was cancelled: what is refunded for the units that
	// had not shipped (zero when the order was not paid). Nil when the
	// whole order was cancelled.
	UnshippedRefund *commerce.Money
}

// FromEvent returns the email data of an order event. It fails for an
// event of another type.
func FromEvent(e events.Event, shop string) (Data, error) {
	d := Data{Type: e.Type, Shop: shop}
	var err error
	switch e.Type {
	case events.OrderPlaced:
		var v events.OrderPlacedData
		err = e.Decode(&v)
		d.Order = v.Order
	case events.OrderFulfilled:
		var v events.OrderFulfilledData
		err = e.Decode(&v)
		d.Order, d.Fulfillment = v.Order, &v.Fulfillment
	case events.OrderCancelled:
		var v events.OrderCancelledData
		err = e.Decode(&v)
		d.Order, d.CancelledAt, d.UnshippedRefund = v.Order, v.CancelledAt, v.UnshippedRefund
	case events.OrderRefunded:
		var v events.OrderRefundedData
		err = e.Decode(&v)
		d.Order, d.Refund = v.Order, &v.Refund
	default:
		return Data{}, fmt.Errorf("email: no email for %q", e.Type)
	}
	if err != nil {
		return Data{}, fmt.Errorf("email: %w", err)
	}
	return d, nil
}

// sample returns data of kind k with every field set, to try templates on.
func sample(k events.Type) Data {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	usd := func(n int64) commerce.Money { return commerce.Money{Amount: n, Currency: "USD"} }
	d := Data{Type: k, Shop: "Shop", Order: events.Order{
		ID: "o0", Status: commerce.OrderPlaced, Email: "buyer@example.com",
		Items:    []commerce.OrderLine{{SKU: "SKU", ProductID: "p0", Title: "Item", Quantity: 1, UnitPrice: usd(100), LineTotal: usd(100)}},
		Subtotal: usd(100), Shipping: usd(0), Tax: usd(0), Total: usd(100),
		ShippingAddress: commerce.Address{Name: "Name", Line1: "Line 1", Line2: "Line 2", City: "City", PostalCode: "1", Country: "US"},
		CreatedAt:       at,
	}}
	switch k {
	case events.OrderFulfilled:
		d.Fulfillment = &events.Fulfillment{TrackingNumber: "T", Carrier: "C", TrackingURL: "https://example.com/t", FulfilledAt: at}
	case events.OrderCancelled:
		d.CancelledAt, d.UnshippedRefund = at, &commerce.Money{Amount: 50, Currency: "USD"}
	case events.OrderRefunded:
		d.Refund = &events.Refund{Amount: usd(100), RefundedAt: at}
	}
	return d
}
