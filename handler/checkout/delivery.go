package checkout

import (
	"context"
	"fmt"

	"shopfn/handler/pricing"
)

// delivery returns what req adds to its cart's pricing: the flat charges,
// the shipping options and tax rates as they stand now (read from memory,
// never a query per line), and the address and option it ships with.
func (s *Service) delivery(ctx context.Context, req Request) (*pricing.Delivery, error) {
	d := &pricing.Delivery{Flat: s.cfg.Rules, TaxInclusive: s.cfg.TaxInclusive,
		Country: req.ShippingAddress.Country, Region: req.ShippingAddress.Region, ShippingOptionID: req.ShippingOptionID}
	if s.cfg.Charges != nil {
		charges, err := s.cfg.Charges(ctx)
		if err != nil {
			return nil, fmt.Errorf("checkout: shipping options and tax rates: %w", err)
		}
		d.Charges = charges
	}
	return d, nil
}
