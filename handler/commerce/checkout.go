package commerce

import (
	"context"
	"time"
)

// CheckoutStatus is where a checkout stands.
type CheckoutStatus string

// The checkout statuses. A checkout starts pending with its stock reserved;
// it ends paid (the order follows through the orders queue), declined or
// expired (its reservation released), or refunded (paid after its
// reservation was released and its stock or cart was gone: final, never
// paid afterwards). Failed is a checkout whose provider could not be asked:
// released, and resumed by a retry under the same key.
const (
	CheckoutPending        CheckoutStatus = "pending"
	CheckoutRequiresAction CheckoutStatus = "requires_action"
	CheckoutPaid           CheckoutStatus = "paid"
	CheckoutDeclined       CheckoutStatus = "declined"
	CheckoutExpired        CheckoutStatus = "expired"
	CheckoutFailed         CheckoutStatus = "failed"
	CheckoutRefunded       CheckoutStatus = "refunded"
)

// Address is a postal address: a shipping or billing address.
type Address struct {
	Name       string `json:"name"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"`
	// Region is the ISO 3166-2 subdivision code within Country (such as
	// CA for California), when given; tax rates by subdivision match it.
	Region string `json:"region,omitempty"`
}

// OrderLine is a priced line of a checkout or an order: what the buyer pays
// for, fixed when the checkout began.
type OrderLine struct {
	SKU       string `json:"sku"`
	ProductID string `json:"productId"`
	Title     string `json:"title"`
	Quantity  int    `json:"quantity"`
	UnitPrice Money  `json:"unitPrice"`
	LineTotal Money  `json:"lineTotal"`
	// CompareAtPrice is the variant's own price and PriceListID the list
	// that priced the line below it, when one did.
	CompareAtPrice *Money `json:"compareAtPrice,omitempty"`
	PriceListID    string `json:"priceListId,omitempty"`
	// Adjustments are what promotions took off the line.
	Adjustments []Adjustment `json:"adjustments,omitempty"`
}

// Totals are what a buyer pays: the lines' subtotal, shipping and tax.
type Totals struct {
	Subtotal Money `json:"subtotal"`
	Shipping Money `json:"shipping"`
	Tax      Money `json:"tax"`
	Total    Money `json:"total"`
}

// StoredResponse is the first response a checkout request got; a replay of
// the same request gets it again.
type StoredResponse struct {
	Status int    `json:"status"`
	Body   []byte `json:"body"`
}

// Checkout is one attempt to buy a cart: the re-priced lines, the buyer's
// details, the reservation and the payment.
type Checkout struct {
	ID             string
	IdempotencyKey string
	// RequestHash identifies the request body, so that a key reused with
	// another body is refused.
	RequestHash string
	CartID      string
	// CustomerID is the signed-in customer whose order this is (the owner
	// of the cart, or who checked a guest cart out); empty for a guest.
	CustomerID string
	// Client identifies who asked for the checkout (the client address), to
	// bound how many open checkouts one client holds; empty is unbounded.
	Client  string
	OrderID string
	Email   string
	Address Address
	// BillingAddress is the buyer's billing address, when they gave one.
	BillingAddress *Address
	PaymentMethod  string
	Lines          []OrderLine
	Totals
	// Discounts are what promotions took off (Totals.Total is net of
	// them), DiscountTotal their sum; the relational store reserves a
	// redemption of each discount's promotion with the stock.
	Discounts     []Discount
	DiscountTotal Money
	Status        CheckoutStatus
	PaymentID     string
	NextAction    map[string]any
	// Response is the first response, once there is one.
	Response      *StoredResponse
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ReservedUntil time.Time
	// LeaseUntil is until when the request that began the checkout has it
	// to itself; a replay meanwhile waits or is told it is in progress.
	LeaseUntil time.Time
	// OrderTokenHash is the hex SHA-256 of the order's access token (see
	// checkout.OrderToken); the token itself is never stored.
	OrderTokenHash string
	// Allocations say where each line's units are reserved: by SKU and
	// location, summing to each line's quantity. None means every unit at
	// the default location.
	Allocations []Allocation
	// ShippingOptionID is the shipping option chosen (empty for the flat
	// shipping); TaxLines break the tax down by line and shipping when
	// tax rates priced it, and TaxIncluded says the prices contain it.
	ShippingOptionID string
	TaxLines         []TaxLine
	TaxIncluded      bool
}

// CheckoutStore holds checkouts and their stock reservations in the
// relational store. Each method is one transaction. Implementation:
// sqlstore.CheckoutStore; storetest.TestCheckoutStore holds it to its
// behaviour.
type CheckoutStore interface {
	// BeginCheckout stores c as pending, makes it its cart's one live
	// checkout, reserves every line's quantity, and stores outbox (the
	// reservation's expiry message), all or nothing. It returns KindConflict
	// "insufficient_stock" listing every short SKU, "duplicate_checkout"
	// when c.IdempotencyKey is taken, and "cart_closed" when the cart has a
	// live checkout.
	BeginCheckout(ctx context.Context, c *Checkout, outbox []Message) error

	// Resume moves a failed checkout back to pending, leased until
	// leaseUntil and reserved until reservedUntil, making it its cart's
	// live checkout and reserving its stock again, and stores outbox. It
	// returns the same errors as BeginCheckout, and "checkout_in_progress"
	// when the checkout is not failed.
	Resume(ctx context.Context, id string, leaseUntil, reservedUntil time.Time, outbox []Message) error

	// Abandon deletes a pending checkout that was never charged (no
	// payment, no response), releasing its reservation and its cart. It
	// reports whether it deleted it.
	Abandon(ctx context.Context, id string) (bool, error)

	// CartCheckout returns the live checkout of a cart (pending,
	// requires_action or paid), or "not_found" when the cart is open.
	CartCheckout(ctx context.Context, cartID string) (*Checkout, error)

	// Checkout returns a checkout by ID, or "not_found".
	Checkout(ctx context.Context, id string) (*Checkout, error)

	// CheckoutByKey returns a checkout by idempotency key, or "not_found".
	CheckoutByKey(ctx context.Context, key string) (*Checkout, error)

	// CheckoutByOrder returns the checkout of an order ID, or "not_found".
	CheckoutByOrder(ctx context.Context, orderID string) (*Checkout, error)

	// Lease claims a pending or requires_action checkout for until, unless
	// another claim runs past now. It reports whether the claim was taken.
	Lease(ctx context.Context, id string, now, until time.Time) (bool, error)

	// SetPayment records the payment of a pending or requires_action
	// checkout, and moves it to requires_action when the payment needs the
	// buyer (to pending otherwise). A checkout moving to requires_action
	// is held as hold says: it takes one of hold.Checkouts slots of its
	// Client and adds its units to what that Client holds, per SKU and in
	// all, within hold.Units and hold.TotalUnits, in the same transaction;
	// it returns KindConflict "too_many_checkouts" or "too_many_held_units"
	// (changing nothing) when a bound would be passed. Slots and units are
	// freed when the checkout is paid or released. Its reservation is
	// shortened to hold.Until when that is earlier, with hold.Outbox (its
	// new expiry message) stored only then. It reports whether the
	// checkout changed.
	SetPayment(ctx context.Context, id string, p Payment, hold Hold, resp *StoredResponse) (bool, error)

	// MarkPaid moves a pending, requires_action, expired, failed or
	// declined checkout to paid and stores placed (its OrderPlaced message)
	// in the outbox. A released checkout's stock and cart are claimed again
	// first; when either is gone, MarkPaid records the checkout as refunded
	// with paymentID, in the same transaction, and returns KindConflict
	// "checkout_refunded": the caller must then refund the payment. A
	// refunded checkout stays refunded: MarkPaid returns it again, never
	// paid. It reports whether the checkout changed (false when it was
	// already paid).
	MarkPaid(ctx context.Context, id, paymentID string, placed Message, resp *StoredResponse) (bool, error)

	// Release moves a pending or requires_action checkout to status
	// (declined, expired or failed) and releases its reservation and its
	// cart. It reports whether the checkout changed.
	Release(ctx context.Context, id string, status CheckoutStatus, resp *StoredResponse) (bool, error)

	// SetResponse records the first response of a checkout that has none.
	SetResponse(ctx context.Context, id string, resp *StoredResponse) error
}

// Hold is how a checkout that waits for the buyer (requires_action) holds
// stock. A bound of 0 is unbounded; a checkout with no Client is never
// bounded or counted.
type Hold struct {
	// Checkouts bounds the checkouts one client holds waiting at once.
	Checkouts int
	// Units bounds the units of one SKU, and TotalUnits the units in all,
	// that one client holds across those checkouts.
	Units, TotalUnits int
	// Until, when earlier than the checkout's reservation expiry, replaces
	// it; Outbox is then stored with it (the expiry message for Until).
	Until  time.Time
	Outbox []Message
}

// Outbox is the transactional outbox: messages stored in the same
// transaction as the change they announce, published afterwards by a relay.
type Outbox interface {
	// Unpublished returns up to limit stored messages not yet published,
	// oldest first, each with the queue it is for.
	Unpublished(ctx context.Context, limit int) ([]OutboxEntry, error)

	// MarkPublished records that entries were published.
	MarkPublished(ctx context.Context, ids []int64) error

	// Park sets aside a pending entry that its queue refused for good
	// (IsRejected), parked at at because of reason: Unpublished skips it,
	// Parked lists it. It reports whether the entry was pending.
	Park(ctx context.Context, seq int64, reason string, at time.Time) (bool, error)

	// Parked returns up to limit parked entries of queue, oldest first.
	Parked(ctx context.Context, queue string, limit int) ([]ParkedEntry, error)

	// Unpark makes a parked entry of queue pending again, for the relay to
	// publish, and returns it. It reports false, changing nothing, when
	// queue has no such parked entry.
	Unpark(ctx context.Context, queue string, seq int64) (OutboxEntry, bool, error)
}

// OutboxEntry is a stored message waiting to be published.
type OutboxEntry struct {
	Seq     int64
	Queue   string
	Message Message
}

// ParkedEntry is an outbox entry its queue refused for good, and why.
type ParkedEntry struct {
	OutboxEntry
	Reason string
	// CreatedAt is when the entry was written (zero when the outbox did
	// not record it); ParkedAt when it was parked.
	CreatedAt, ParkedAt time.Time
}
