package commerce

import "fmt"

// MaxAmount is the largest amount, in minor units, that a price or a total may
// hold. It keeps every sum shopfn computes far from integer overflow.
const MaxAmount = 1_000_000_000_00

// Money is an amount in the currency's minor units (cents for USD) and an
// ISO 4217 currency code. Amounts are integers: shopfn never uses floats for money.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Validate reports whether m is a well-formed price: a non-negative amount up
// to MaxAmount and a three-letter upper-case currency code.
func (m Money) Validate() error {
	if !ValidCurrency(m.Currency) {
		return Invalidf("invalid_request", "currency %q is not an ISO 4217 code", m.Currency)
	}
	if m.Amount < 0 || m.Amount > MaxAmount {
		return Invalidf("invalid_request", "amount must be between 0 and %d minor units", int64(MaxAmount))
	}
	return nil
}

// String formats m for logs, for example "1999 USD".
func (m Money) String() string { return fmt.Sprintf("%d %s", m.Amount, m.Currency) }

// ValidCurrency reports whether c looks like an ISO 4217 code: three
// upper-case ASCII letters.
func ValidCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if c[i] < 'A' || c[i] > 'Z' {
			return false
		}
	}
	return true
}
