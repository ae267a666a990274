package commerce

import (
	"context"
	"time"
)

// Cart limits. A line holds one SKU.
const (
	MaxCartLines    = 100
	MaxLineQuantity = 99
)

// CartStatus is where a cart stands: open to changes, being checked out,
// or checked out for good.
type CartStatus string

// The cart statuses. The relational store decides them (a cart's one live
// checkout); the cart document keeps a copy, written with ETag-conditional
// writes, so that cart writes see it.
const (
	CartOpen        CartStatus = "open"
	CartCheckingOut CartStatus = "checking_out"
	CartCompleted   CartStatus = "completed"
	// CartMerged is a cart closed at a customer's sign-in: its lines went
	// into (or were dropped for) the cart MergedInto, or it was replaced
	// by it. Final.
	CartMerged CartStatus = "merged"
)

// Cart is a buyer's cart as stored: SKUs and quantities only. Prices are
// never stored in a cart; they are read from the catalog whenever the cart is
// shown or checked out.
type Cart struct {
	ID       string `json:"id"`
	Currency string `json:"currency"`
	// CurrencySet says the buyer chose Currency when creating the cart; a
	// cart without it takes the currency of its first line.
	CurrencySet bool       `json:"currencySet,omitempty"`
	Lines       []CartLine `json:"lines"`
	// CreatedAt and UpdatedAt are when the cart was created and last changed;
	// ExpiresAt is when it stops existing for buyers.
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	// Status is the cart's status; empty means open (carts stored before
	// statuses existed). CheckoutID is the checkout that closed the cart,
	// OrderID its order once it is completed.
	Status     CartStatus `json:"status,omitempty"`
	CheckoutID string     `json:"checkoutId,omitempty"`
	OrderID    string     `json:"orderId,omitempty"`
	// CustomerID is the customer who owns the cart; empty for a guest
	// cart. An owned cart is read and changed only with its owner's token.
	CustomerID string `json:"customerId,omitempty"`
	// MergedInto is the cart a merged cart was closed into.
	MergedInto string `json:"mergedInto,omitempty"`
	// Merged lists the carts whose lines were merged into this one (or
	// dropped for it, mode keep), so that a merge repeated or raced adds
	// them once.
	Merged []string `json:"merged,omitempty"`
	// Codes are the promotion codes the buyer applied, at most
	// MaxCartCodes, as they were typed.
	Codes []string `json:"codes,omitempty"`
	// ETag identifies this version of the cart; stores set it on every write.
	ETag string `json:"-"`
}

// CartLine is a quantity of one SKU in a cart.
type CartLine struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Line returns the index of the line holding sku, or -1.
func (c *Cart) Line(sku string) int {
	for i, l := range c.Lines {
		if l.SKU == sku {
			return i
		}
	}
	return -1
}

// Open reports whether the cart document says the cart is open.
func (c *Cart) Open() bool { return c.Status == "" || c.Status == CartOpen }

// Expired reports whether the cart has expired at now.
func (c *Cart) Expired(now time.Time) bool { return !now.Before(c.ExpiresAt) }

// CartStore holds carts. Implementations: sqlite.CartStore (embedded) and,
// later, cosmos.CartStore; storetest.TestCartStore holds them to the same
// behaviour. Stores return expired carts like any other: expiry is the
// caller's rule, and DeleteExpiredCarts (or a container TTL) cleans up.
type CartStore interface {
	// CreateCart stores a new cart and sets c.ETag. It returns KindConflict
	// when a cart with c.ID exists.
	CreateCart(ctx context.Context, c *Cart) error

	// Cart returns the cart with the given ID, or "not_found".
	Cart(ctx context.Context, id string) (*Cart, error)

	// ReplaceCart stores c over the cart c.ID if that cart's ETag is still
	// ifMatch, and sets c.ETag. It returns KindPrecondition
	// "precondition_failed" when the ETag changed, and "not_found" when the
	// cart is gone.
	ReplaceCart(ctx context.Context, c *Cart, ifMatch string) error

	// DeleteCart removes a cart if ifMatch is empty or still its ETag. It
	// returns "not_found" when there is no such cart and
	// "precondition_failed" when the ETag changed.
	DeleteCart(ctx context.Context, id, ifMatch string) error

	// DeleteExpiredCarts removes the carts that expired at or before now and
	// returns how many it removed.
	DeleteExpiredCarts(ctx context.Context, now time.Time) (int, error)
}
