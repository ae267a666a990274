package api

import (
	"net/http"
	"time"
)

// Storefront is what GET /api/config tells a storefront at start: nothing
// secret, all of it set by the operator.
type Storefront struct {
	// DefaultCurrency is the currency of a new, empty cart; Currencies
	// lists it first, then the others the shop charges shipping or tax in.
	DefaultCurrency string
	Currencies      []string
	// Payments names the payment provider: "test" or "stripe".
	Payments string
	// StripePublishableKey is Stripe.js's key (pk_...), when Stripe is the
	// provider and it is set.
	StripePublishableKey string
	// CartTTL is how long a cart lives after its last change.
	CartTTL time.Duration
	// ReservationTTL is how long a checkout holds stock before it is paid.
	ReservationTTL time.Duration
}

// storefrontConfig is the body of GET /api/config.
type storefrontConfig struct {
	DefaultCurrency    string         `json:"defaultCurrency"`
	Currencies         []string       `json:"currencies"`
	Payments           paymentsConfig `json:"payments"`
	CartTTLHours       int            `json:"cartTtlHours"`
	ReservationMinutes int            `json:"reservationMinutes"`
}

// paymentsConfig is the payment part of GET /api/config.
type paymentsConfig struct {
	Provider       string `json:"provider"`
	PublishableKey string `json:"publishableKey,omitempty"`
}

func (s *Server) getConfig(w http.ResponseWriter, r *http.Request) error {
	sf := s.cfg.Storefront
	out := storefrontConfig{
		DefaultCurrency: sf.DefaultCurrency, Currencies: sf.Currencies,
		Payments:     paymentsConfig{Provider: sf.Payments},
		CartTTLHours: int(sf.CartTTL / time.Hour), ReservationMinutes: int(sf.ReservationTTL / time.Minute),
	}
	if out.Currencies == nil {
		out.Currencies = []string{}
	}
	if sf.Payments == "stripe" {
		out.Payments.PublishableKey = sf.StripePublishableKey
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}
