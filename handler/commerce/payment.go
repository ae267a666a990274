package commerce

import "context"

// PaymentStatus is where a payment stands.
type PaymentStatus string

// The payment statuses shopfn acts on.
const (
	PaymentSucceeded      PaymentStatus = "succeeded"
	PaymentRequiresAction PaymentStatus = "requires_action"
	PaymentDeclined       PaymentStatus = "declined"
	// PaymentProcessing is a payment the provider has not decided yet.
	PaymentProcessing PaymentStatus = "processing"
	// PaymentNotRequired is the payment status of an order whose
	// promotions brought its total to 0: placed without a payment.
	PaymentNotRequired PaymentStatus = "not_required"
)

// PaymentRequest asks a provider to charge a buyer once for a checkout.
type PaymentRequest struct {
	// CheckoutID is the provider's idempotency key: charging the same
	// checkout again returns the first payment instead of charging twice.
	CheckoutID    string
	OrderID       string
	Amount        Money
	PaymentMethod string // a payment method ID such as "pm_card_visa"
	Email         string
}

// Validate checks what every provider needs of a request: a checkout ID,
// a positive amount up to MaxAmount and a currency code. It returns
// KindInvalid errors.
func (r PaymentRequest) Validate() error {
	switch {
	case r.CheckoutID == "":
		return Invalidf(CodeInvalidRequest, "a payment needs a checkout ID")
	case r.Amount.Amount <= 0 || r.Amount.Amount > MaxAmount:
		return Invalidf(CodeInvalidRequest, "payment amount %d is not positive or too large", r.Amount.Amount)
	case !ValidCurrency(r.Amount.Currency):
		return Invalidf(CodeInvalidRequest, "currency %q is not an ISO 4217 code", r.Amount.Currency)
	}
	return nil
}

// Payment is a provider's payment (a Stripe PaymentIntent).
type Payment struct {
	ID     string
	Status PaymentStatus
	Amount Money
	// NextAction says what the buyer must do when Status is
	// PaymentRequiresAction, for example {"type":"redirect_to_url","url":...}.
	NextAction map[string]any
	// DeclineCode says why a payment was declined, for example
	// "insufficient_funds".
	DeclineCode string
	// CheckoutID is the checkout the payment is for, from its metadata.
	CheckoutID string
}

// PaymentProvider takes payments. Implementations: testpay.Provider (no
// network, Stripe's test payment methods) and stripe.Provider.
type PaymentProvider interface {
	// Charge creates and confirms a payment for req, idempotently by
	// req.CheckoutID. A declined card is a Payment with Status
	// PaymentDeclined, not an error; errors mean the provider could not be
	// asked (KindUnavailable) or refused the request itself.
	Charge(ctx context.Context, req PaymentRequest) (Payment, error)

	// Payment returns the current state of a payment, or "not_found".
	Payment(ctx context.Context, id string) (Payment, error)

	// Refund refunds a succeeded payment in full, idempotently by key.
	Refund(ctx context.Context, paymentID, key string) error

	// RefundAmount refunds amount of a succeeded payment, idempotently by
	// key: the same key refunds once however often it is sent. Errors are
	// Refund's; KindInvalid "invalid_request" for an amount that is not
	// positive, in another currency or above the payment's.
	RefundAmount(ctx context.Context, paymentID, key string, amount Money) error
}
