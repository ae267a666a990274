package customer

import (
	"context"

	"shopfn/handler/commerce"
)

// CartOf returns the ID of the open cart customer id's record names, or
// "" (cart.Owners). The cart may be gone or closed since: the cart rules
// decide whether it still counts.
func (s *Service) CartOf(ctx context.Context, id string) (string, error) {
	c, err := s.Customer(ctx, id)
	if err != nil {
		return "", err
	}
	return c.CartID, nil
}

// SwapCart makes to customer id's open cart if the record still names
// from, with a write conditional on the record's version; it returns
// KindConflict "conflict" when the record names another cart, and nil when
// it names to already.
func (s *Service) SwapCart(ctx context.Context, id, from, to string) error {
	_, err := s.change(ctx, id, func(c *commerce.Customer) error {
		if c.CartID != from && c.CartID != to {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "the customer's cart changed meanwhile")
		}
		c.CartID = to
		return nil
	})
	return err
}
