package commerce

import (
	"context"
	"time"
)

// OrderStatus is where an order stands.
type OrderStatus string

// The order statuses. An order is processing from the moment its checkout is
// paid until the orders function has stored it.
const (
	OrderProcessing OrderStatus = "processing"
	OrderPlaced     OrderStatus = "placed"
	// OrderCancelling is an order whose cancellation claimed it: its
	// refund is under way, fulfilment refuses it, and a retry of the
	// cancel or the sweep moves it to cancelled.
	OrderCancelling OrderStatus = "cancelling"
	OrderCancelled  OrderStatus = "cancelled"
	// OrderFulfilled is an order that has shipped: its units left on hand.
	OrderFulfilled OrderStatus = "fulfilled"
	// OrderPartiallyFulfilled is an order some of whose units have
	// shipped (see OrderStore.Fulfil); cancelling it cancels the unshipped
	// remainder (RefundStore.CancelRemainder), and it becomes cancelled.
	OrderPartiallyFulfilled OrderStatus = "partially_fulfilled"
)

// Order is a paid checkout, as stored by the orders function.
type Order struct {
	ID              string      `json:"id"`
	CheckoutID      string      `json:"checkoutId"`
	Status          OrderStatus `json:"status"`
	Email           string      `json:"email"`
	Items           []OrderLine `json:"items"`
	Subtotal        Money       `json:"subtotal"`
	Shipping        Money       `json:"shipping"`
	Tax             Money       `json:"tax"`
	Total           Money       `json:"total"`
	ShippingAddress Address     `json:"shippingAddress"`
	// BillingAddress is the buyer's billing address, when they gave one.
	BillingAddress *Address `json:"billingAddress,omitempty"`
	PaymentID      string   `json:"-"`
	// CustomerID is the customer who placed or claimed the order; empty
	// for a guest's.
	CustomerID  string     `json:"customerId,omitempty"`
	CreatedAt   time.Time  `json:"createdAt"`
	CancelledAt *time.Time `json:"cancelledAt,omitempty"`
	FulfilledAt *time.Time `json:"fulfilledAt,omitempty"`
	// Allocations say where each line's units ship from: by SKU and
	// location, summing to each line's quantity. None means every unit
	// at the default location; JSON always lists them.
	Allocations []Allocation `json:"allocations"`
	// Fulfilments are the shipments that left, oldest first.
	Fulfilments []Fulfilment `json:"fulfilments,omitempty"`
	// ShippingOptionID is the shipping option chosen (none for the flat
	// shipping); TaxLines break the tax down by line and shipping when
	// tax rates priced it, and TaxIncluded says the prices contain it.
	ShippingOptionID string    `json:"shippingOptionId,omitempty"`
	TaxLines         []TaxLine `json:"taxLines,omitempty"`
	TaxIncluded      bool      `json:"taxIncluded,omitempty"`
	// Discounts are what promotions took off (Total is net of them) and
	// DiscountTotal their sum; none when no promotion applied.
	Discounts     []Discount `json:"discounts,omitempty"`
	DiscountTotal *Money     `json:"discountTotal,omitempty"`
	// Refunds are the money given back on the order, oldest first: the
	// whole Total when it was cancelled before anything shipped, the
	// unshipped remainder's value (RemainderValue) when it was cancelled
	// partially fulfilled.
	Refunds []Refund `json:"refunds,omitempty"`
	// TokenHash is the hex SHA-256 of the order's access token, which
	// shows the buyer's details to whoever presents it; never rendered.
	TokenHash string `json:"-"`
}

// OrderFilter selects orders for Orders.
type OrderFilter struct {
	Status OrderStatus // empty means any
	After  string      // the cursor: orders with IDs after this one
	Limit  int
}

// OrderStore holds orders in the relational store. Each method is one
// transaction and idempotent, since queue messages arrive at least once.
type OrderStore interface {
	// PlaceOrder stores the order of a paid checkout and commits its
	// reservation (reserved drops and committed rises by each quantity). It
	// reports false, changing nothing, when the order exists. It returns
	// "not_found" for an unknown order and KindConflict "not_paid" when the
	// checkout is not paid.
	PlaceOrder(ctx context.Context, orderID string, now time.Time) (bool, error)

	// Order returns an order; a paid checkout whose order is not stored yet
	// is returned as processing. It returns "not_found" otherwise.
	Order(ctx context.Context, id string) (*Order, error)

	// Orders returns orders by ID: stored ones, and paid checkouts whose
	// order is not stored yet, as processing.
	Orders(ctx context.Context, f OrderFilter) ([]Order, error)

	// ClaimCancel moves a placed order to cancelling, claimed at now, in
	// one conditional statement: of a cancellation and a fulfilment racing
	// for one order, exactly one wins, since FulfilOrder refuses a
	// cancelling order. It reports whether the order changed (false for an
	// order that is not placed).
	ClaimCancel(ctx context.Context, id string, now time.Time) (bool, error)

	// CancelOrder moves a cancelling order (its payment refunded) to
	// cancelled at now and stores cancelled (its OrderCancelled message,
	// which restocks) in the outbox. It reports whether the order changed.
	CancelOrder(ctx context.Context, id string, now time.Time, cancelled Message) (bool, error)

	// CancellingOrders returns the IDs of up to limit orders claimed for
	// cancelling before before and not cancelled yet, the oldest claim
	// first: cancellations cut off between their steps, for the sweep to
	// finish.
	CancellingOrders(ctx context.Context, before time.Time, limit int) ([]string, error)

	// Restock gives a cancelled order's committed units back to sale
	// (committed drops), once. It reports whether it did.
	Restock(ctx context.Context, orderID string) (bool, error)

	// FulfilOrder ships a placed order (on hand and committed both drop by
	// each quantity) and moves it to fulfilled, once. It reports whether it
	// changed the order, and returns KindConflict "order_cancelling" for an
	// order being cancelled and "order_not_placed" for one that is not
	// placed or fulfilled (processing, cancelled, unknown).
	FulfilOrder(ctx context.Context, id string, now time.Time) (bool, error)

	// Fulfil ships f's lines of a placed or partially fulfilled order
	// from f.LocationID at now, in one transaction: each line only from
	// units allocated there and not shipped yet (KindConflict
	// "not_allocated" otherwise, changing nothing); on hand and committed
	// drop there. The order becomes partially_fulfilled, or fulfilled once
	// every unit shipped. A request with f.IdempotencyKey seen before for
	// the order returns the order unchanged when f.RequestHash matches,
	// and KindRule "idempotency_key_reused" otherwise. A cancelling
	// order is KindConflict "order_cancelling"; one not placed
	// "order_not_placed"; an unknown location KindNotFound. A request
	// with no lines (a warehouse's OrderFulfilled message that names a
	// location) ships everything left at f.LocationID; where nothing is
	// left of units allocated there, or the order is fulfilled, it
	// returns the order unchanged, and where nothing was ever allocated,
	// "not_allocated".
	Fulfil(ctx context.Context, orderID string, f FulfilmentRequest, now time.Time) (*Order, error)

	// MoveAllocation moves m.Quantity units of a placed or partially
	// fulfilled order's line m.SKU from location m.From to m.To at now, in
	// one transaction: only units allocated at m.From and not shipped
	// (KindConflict "not_allocated" otherwise); committed drops at m.From
	// and rises at m.To in one conditional statement that keeps m.To's
	// available at or above zero (KindConflict "insufficient_stock"
	// otherwise, also for an inactive m.To or one that does not ship to
	// the order's country). The order's allocations show the move. An
	// unknown location is KindNotFound; a cancelling order
	// "order_cancelling", a fulfilled one "not_allocated", one not placed
	// "order_not_placed". IdempotencyKey and RequestHash work as Fulfil's.
	MoveAllocation(ctx context.Context, orderID string, m AllocationMove, now time.Time) (*Order, error)
}

// StockLevelSetter applies stock counts sent by ERPs and warehouses.
type StockLevelSetter interface {
	// ApplyStockLevel sets a SKU's on-hand count unless the source already
	// sent one for that SKU with a sequence at least as high. It reports
	// whether it applied.
	ApplyStockLevel(ctx context.Context, sku string, onHand int64, source string, sequence int64) (bool, error)
}
