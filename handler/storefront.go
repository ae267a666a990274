package main

import (
	"slices"

	"shopfn/handler/api"
)

// storefront returns what GET /api/config answers for cfg.
func (cfg Config) storefront() api.Storefront {
	sf := api.Storefront{
		DefaultCurrency: cfg.Currency, Currencies: cfg.currencies(), Payments: cfg.Payments,
		CartTTL: cfg.CartTTL, ReservationTTL: cfg.ReservationTTL,
	}
	if cfg.Payments == "stripe" {
		sf.StripePublishableKey = cfg.StripePublishableKey
	}
	return sf
}

// currencies returns the default currency, then every other currency the
// shop charges shipping or tax in, in alphabetical order.
func (cfg Config) currencies() []string {
	var others []string
	for _, m := range []map[string]int64{cfg.ShippingBy, cfg.TaxBy} {
		for c := range m {
			if c != cfg.Currency && !slices.Contains(others, c) {
				others = append(others, c)
			}
		}
	}
	slices.Sort(others)
	return append([]string{cfg.Currency}, others...)
}
