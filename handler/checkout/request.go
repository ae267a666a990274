package checkout

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/mail"
	"strings"

	"shopfn/handler/commerce"
)

// Request is a buyer's request to check a cart out.
type Request struct {
	CartID          string           `json:"cartId"`
	Email           string           `json:"email"`
	ShippingAddress commerce.Address `json:"shippingAddress"`
	// BillingAddress, when set, is the buyer's billing address; the order
	// keeps it. Omitted, it leaves the request's Hash as it was.
	BillingAddress *commerce.Address `json:"billingAddress,omitempty"`
	PaymentMethod  string            `json:"paymentMethod"`
	// ExpectedTotal, when set, is the total the buyer agreed to: a
	// re-priced total that differs is refused with "price_changed".
	ExpectedTotal *commerce.Money `json:"expectedTotal,omitempty"`
	// ShippingOptionID is the shipping option chosen: required when some
	// option ships to the address's country in the cart's currency.
	// Omitted, it leaves the request's Hash as it was.
	ShippingOptionID string `json:"shippingOptionId,omitempty"`
}

// Limits on a checkout request.
const (
	maxEmailLen         = 254
	maxPaymentMethodLen = 255
	maxKeyLen           = 255
)

// Validate checks a request: 422 "invalid_email" and "invalid_address" (of
// the shipping or the billing address), and
// 400 "invalid_request" for a missing cart or payment method.
func (r *Request) Validate() error {
	if r.CartID == "" {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "cartId is required")
	}
	if !strings.HasPrefix(r.PaymentMethod, "pm_") || len(r.PaymentMethod) > maxPaymentMethodLen || !printable(r.PaymentMethod) {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "paymentMethod must be a payment method ID such as pm_card_visa")
	}
	if r.ExpectedTotal != nil {
		if err := r.ExpectedTotal.Validate(); err != nil {
			return commerce.Invalidf(commerce.CodeInvalidRequest, "expectedTotal: %v", err)
		}
	}
	if !validEmail(r.Email) {
		return commerce.Rulef(commerce.CodeInvalidEmail, "email %q is not an email address", clip(r.Email))
	}
	if err := r.ShippingAddress.Validate("shippingAddress."); err != nil {
		return err
	}
	if r.BillingAddress != nil {
		return r.BillingAddress.Validate("billingAddress.")
	}
	return nil
}

// Hash identifies the request's content, so that an idempotency key sent
// again with another body is recognised.
func (r *Request) Hash() string {
	b, _ := json.Marshal(r)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func validEmail(s string) bool {
	if len(s) > maxEmailLen || !printable(s) {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == "" && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".")
}

// printable reports whether s is visible ASCII.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// ValidKey reports whether an Idempotency-Key header is usable.
func ValidKey(k string) bool { return k != "" && len(k) <= maxKeyLen && printable(k) }

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
