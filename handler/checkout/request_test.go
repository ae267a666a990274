package checkout

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"shopfn/handler/commerce"
)

func TestMatches(t *testing.T) {
	usd := func(a int64) commerce.Money { return commerce.Money{Amount: a, Currency: "USD"} }
	c := &commerce.Checkout{PaymentID: "pi_1", Totals: commerce.Totals{Total: usd(1999)}}
	for _, tt := range []struct {
		name string
		c    *commerce.Checkout
		p    commerce.Payment
		want bool
	}{
		{"Same", c, commerce.Payment{ID: "pi_1", Amount: usd(1999)}, true},
		{"OtherIntent", c, commerce.Payment{ID: "pi_2", Amount: usd(1999)}, false},
		{"OtherAmount", c, commerce.Payment{ID: "pi_1", Amount: usd(1)}, false},
		{"OtherCurrency", c, commerce.Payment{ID: "pi_1", Amount: commerce.Money{Amount: 1999, Currency: "EUR"}}, false},
		{"NoIntentYet", &commerce.Checkout{Totals: c.Totals}, commerce.Payment{ID: "pi_9", Amount: usd(1999)}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := matches(tt.c, tt.p); got != tt.want {
				t.Errorf("matches: got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestHashWithoutExpectedTotal checks that a request without expectedTotal
// hashes as it did before the field existed, so that stored checkouts still
// replay, and that expectedTotal is part of the hash.
func TestHashWithoutExpectedTotal(t *testing.T) {
	r := Request{CartID: "c1", Email: "a@example.com", PaymentMethod: "pm_card_visa", ShippingAddress: commerce.Address{Name: "A"}}
	old := struct {
		CartID          string           `json:"cartId"`
		Email           string           `json:"email"`
		ShippingAddress commerce.Address `json:"shippingAddress"`
		PaymentMethod   string           `json:"paymentMethod"`
	}{r.CartID, r.Email, r.ShippingAddress, r.PaymentMethod}
	b, _ := json.Marshal(old)
	sum := sha256.Sum256(b)
	if got, want := r.Hash(), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("hash: got %s, want %s (the hash before expectedTotal)", got, want)
	}
	with := r
	with.ExpectedTotal = &commerce.Money{Amount: 1, Currency: "USD"}
	if r.Hash() == with.Hash() {
		t.Errorf("expectedTotal does not change the hash")
	}
}
