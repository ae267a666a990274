package commerce

import (
	"errors"
	"fmt"
)

// Kind classifies an Error. The api package maps each kind to one HTTP status.
type Kind int

// The kinds of error. Each Error also carries a stable, more specific Code.
const (
	KindInternal     Kind = iota // a bug or an unexpected failure; details go to the log only
	KindInvalid                  // malformed request: bad JSON, unknown field, bad query value
	KindUnauthorized             // missing or wrong credentials
	KindNotFound                 // the resource does not exist (or is not visible)
	KindConflict                 // the request conflicts with the current state
	KindPrecondition             // an If-Match precondition failed
	KindRule                     // well-formed, but a business rule refuses it
	KindUnavailable              // a dependency is down; the client may retry
	KindRateLimited              // the client sent too many requests; it may retry later
)

// Error is the error type shared by all of shopfn. Code is a stable,
// machine-readable string (for example "insufficient_stock") that clients can
// switch on; Message is safe to show to a client.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	// SKUs lists the stock-keeping units an error is about, when it is about some.
	SKUs []string
	// Totals are the current totals ("price_changed"), when they matter.
	Totals *Totals
	// Reason says why a promotion code does not apply ("invalid_promotion").
	Reason string
}

// Error returns the code and message.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf returns an *Error of the given kind and code.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns a KindInvalid error with the given code.
func Invalidf(code, format string, args ...any) *Error {
	return Errorf(KindInvalid, code, format, args...)
}

// NotFoundf returns a KindNotFound error with code "not_found".
func NotFoundf(format string, args ...any) *Error {
	return Errorf(KindNotFound, CodeNotFound, format, args...)
}

// Rulef returns a KindRule error (a refused business rule) with the given code.
func Rulef(code, format string, args ...any) *Error {
	return Errorf(KindRule, code, format, args...)
}

// Stable error codes. Clients depend on these strings; never change one.
const (
	CodeInvalidRequest     = "invalid_request"
	CodeUnauthorized       = "unauthorized"
	CodeNotFound           = "not_found"
	CodeMethodNotAllowed   = "method_not_allowed"
	CodePreconditionFailed = "precondition_failed"
	CodePayloadTooLarge    = "payload_too_large"
	CodeUnsupportedMedia   = "unsupported_media_type"
	CodeInternal           = "internal"
	CodeConflict           = "conflict"
	CodeUnavailable        = "unavailable"
	CodeRateLimited        = "rate_limited"
	CodeHeadersTooLarge    = "headers_too_large"

	CodeUnknownSKU       = "unknown_sku"
	CodeQuantityLimit    = "quantity_limit"
	CodeCartFull         = "cart_full"
	CodeCurrencyMismatch = "currency_mismatch"
	// CodeUnsupportedCurrency: a cart asked for in a currency no product is priced in.
	CodeUnsupportedCurrency = "unsupported_currency"
	// CodeNotPricedInCurrency: a variant with no price in the cart's chosen currency.
	CodeNotPricedInCurrency = "not_priced_in_currency"
	// CodeTooManyPriceLists: a new price list past commerce.MaxPriceLists.
	CodeTooManyPriceLists = "too_many_price_lists"
	CodeInsufficientStock = "insufficient_stock"
	CodeHandleTaken       = "handle_taken"
	CodeSKUTaken          = "sku_taken"
	CodeLockLost          = "lock_lost"

	// CodeInvalidShippingOption: a checkout without a shipping option while
	// some option serves the address, or with one that does not serve its
	// country or the cart's currency (422).
	CodeInvalidShippingOption = "invalid_shipping_option"
	// CodeTooManyShippingOptions: a new shipping option past
	// commerce.MaxShippingOptions (422).
	CodeTooManyShippingOptions = "too_many_shipping_options"

	// CodeCartClosed: the cart is checking out or checked out; it can be
	// neither changed nor checked out again under another key (409).
	CodeCartClosed = "cart_closed"
	// CodeCartChanged: the cart changed while it was being checked out, so
	// nothing was charged; review it and check out again (409).
	CodeCartChanged = "cart_changed"
	// CodePriceChanged: the re-priced total differs from the request's
	// expectedTotal; nothing was reserved (409).
	CodePriceChanged = "price_changed"
	// CodePaymentUnavailable: the payment provider cannot be asked (it is
	// down, or refuses shopfn's credentials); nothing stays reserved (503).
	CodePaymentUnavailable = "payment_unavailable"
	// CodeCheckoutInProgress: the same checkout is being processed by
	// another request (409).
	CodeCheckoutInProgress = "checkout_in_progress"
	// CodeTooManyCheckouts: this client already holds as many open
	// checkouts as one client may (429).
	CodeTooManyCheckouts = "too_many_checkouts"
	// CodeTooManyHeldUnits: the checkout would take this client past the
	// units of one SKU, or in all, that one client may hold in checkouts
	// waiting for 3-D Secure (429).
	CodeTooManyHeldUnits = "too_many_held_units"
	// CodeCheckoutRefunded: the checkout's payment succeeded after its
	// reservation was released and could not be fulfilled, so it is
	// refunded, for good (409).
	CodeCheckoutRefunded = "checkout_refunded"
	// CodeAlreadyRefunded: the payment was refunded already, under another
	// key or outside shopfn (409 from a provider).
	CodeAlreadyRefunded = "already_refunded"
	// CodeNotCancellable: the payment succeeded or was cancelled already,
	// so it cannot be cancelled (providers only).
	CodeNotCancellable = "not_cancellable"
	// CodeDuplicateCheckout: a checkout with this idempotency key exists
	// (stores only; the checkout service answers with a replay).
	CodeDuplicateCheckout = "duplicate_checkout"
	// CodeStockBelowHeld refuses an admin on-hand count below what placed
	// orders and checkouts hold (committed + reserved).
	CodeStockBelowHeld = "stock_below_held"
	// CodeOrderFulfilled refuses to cancel an order that has shipped.
	CodeOrderFulfilled = "order_fulfilled"
	// CodeNotAllocated refuses to ship units of an order from a location
	// they are not allocated to, or that shipped already (409).
	CodeNotAllocated = "not_allocated"
	// CodeTooManyLocations refuses a new location beyond MaxLocations (409).
	CodeTooManyLocations = "too_many_locations"
	// CodeOrderNotPlaced refuses to fulfil an order that is not placed.
	CodeOrderNotPlaced = "order_not_placed"
	// CodeOrderCancelling refuses to fulfil an order whose cancellation
	// has claimed it (its refund is under way) (409).
	CodeOrderCancelling = "order_cancelling"
	// CodeCurrencyUnsupported refuses a checkout in a currency that has no
	// configured shipping or tax.
	CodeCurrencyUnsupported = "currency_unsupported"
	// CodeEmptyCart refuses to check out a cart with no lines (422).
	CodeEmptyCart = "empty_cart"
	// CodeInvalidEmail refuses a checkout whose email is not an address (422).
	CodeInvalidEmail = "invalid_email"
	// CodeInvalidAddress refuses a checkout whose shipping address lacks a
	// field, has one too long, or names no ISO 3166-1 country (422).
	CodeInvalidAddress = "invalid_address"
	// CodeIdempotencyKeyReused: the checkout's Idempotency-Key was used with
	// another request body (422).
	CodeIdempotencyKeyReused = "idempotency_key_reused"
	// CodeRequiresAction: the payment still waits for the buyer (409).
	CodeRequiresAction = "requires_action"
	// CodePaymentDeclined: the payment provider declined the payment (402).
	CodePaymentDeclined = "payment_declined"
	// CodeCheckoutExpired: the checkout expired and its reservation was
	// released; check out again (409).
	CodeCheckoutExpired = "checkout_expired"
	// CodeNotPaid refuses to place the order of a checkout that is not paid
	// (stores only).
	CodeNotPaid = "not_paid"
	// CodeInvalidPaymentMethod: the payment provider does not know the
	// payment method, or cannot charge it (providers only; the checkout
	// records it as the decline code).
	CodeInvalidPaymentMethod = "invalid_payment_method"
	// CodeIdempotencyMismatch: the provider saw this idempotency key with
	// another request (providers only).
	CodeIdempotencyMismatch = "idempotency_mismatch"
	// CodeNotRefundable: the payment has no succeeded charge to refund
	// (providers only).
	CodeNotRefundable = "not_refundable"
	// CodeTooManyAddresses refuses an address beyond a customer's
	// MaxAddresses (409).
	CodeTooManyAddresses = "too_many_addresses"
	// CodeInvalidSignature refuses a webhook whose signature does not verify
	// its payload (400).
	CodeInvalidSignature = "invalid_signature"
	// CodeMessageRejected: a queue refuses a message itself (over its size
	// limit, an ID too long, no ID or type), so publishing it again can
	// never succeed: the relay parks its outbox row (publishers only).
	CodeMessageRejected = "message_rejected"
	// CodeCrossSite refuses a request a browser sent from a page of another
	// site, where only shopfn's own pages or a script may call (403).
	CodeCrossSite = "cross_site_request"
	// CodeCartExists refuses a new cart for a customer who has an open
	// cart already (GET /api/me/cart reads it) (409).
	CodeCartExists = "cart_exists"
	// CodeEmailNotVerified refuses to claim a guest order for a customer
	// whose token does not carry a verified email (403).
	CodeEmailNotVerified = "email_not_verified"
	// CodeInvalidURL: a webhook subscription's URL is not https, or it
	// resolves to a loopback, private, link-local or metadata address.
	CodeInvalidURL = "invalid_url"
	// CodeCursorExpired: the event feed's cursor is older than the oldest
	// event kept (retention purged events after it); the receiver must
	// resync (410).
	CodeCursorExpired = "cursor_expired"
	// CodeCodeTaken refuses a promotion whose code another promotion has,
	// in any case (409).
	CodeCodeTaken = "code_taken"
	// CodeInvalidPromotion refuses a code that does not apply to a cart:
	// unknown, inactive, not started, expired, or rules not met; the
	// problem's reason says which (422).
	CodeInvalidPromotion = "invalid_promotion"
	// CodePromotionExhausted: a promotion's usage limit is reached (409).
	CodePromotionExhausted = "promotion_exhausted"
	// CodePromotionLimitReached: the customer has used a promotion as many
	// times as it allows one customer (409).
	CodePromotionLimitReached = "promotion_limit_reached"
	// CodeTooManyCodes refuses a sixth promotion code on a cart (422).
	CodeTooManyCodes = "too_many_codes"
	// CodeTooManyPromotions refuses a promotion past MaxPromotions (422).
	CodeTooManyPromotions = "too_many_promotions"
)

// ErrorKind returns the kind of err's *Error, or KindInternal when err is not one.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrorCode returns the code of err's *Error, or "internal" when err is not one.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorSKUs returns the SKUs of err's *Error, or nil.
func ErrorSKUs(err error) []string {
	var e *Error
	if errors.As(err, &e) {
		return e.SKUs
	}
	return nil
}

// Rejectedf returns the KindInvalid "message_rejected" error of a queue
// that refuses a message for good.
func Rejectedf(format string, args ...any) *Error {
	return Errorf(KindInvalid, CodeMessageRejected, format, args...)
}

// IsRejected reports whether err is a queue refusing a message for good
// ("message_rejected"), as opposed to a failure that may pass.
func IsRejected(err error) bool { return ErrorCode(err) == CodeMessageRejected }
