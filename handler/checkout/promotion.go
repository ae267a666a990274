package checkout

import (
	"context"
	"slices"

	"shopfn/handler/cart"
	"shopfn/handler/commerce"
)

// discount returns the promotions the priced cart's pipeline applied at
// checkout (free shipping at the shipping it took off) and their total. A
// code on the cart that no longer applies (its rules, dates or status
// changed since it was applied) is 409 "price_changed" with the totals
// without it: nothing is reserved. A promotion limited per customer needs
// a signed-in buyer (401).
func discount(priced *cart.Priced, totals commerce.Totals, customerID string) ([]commerce.Discount, commerce.Money, error) {
	charged := priced.Charged
	if rejected := priced.Rejected(); len(rejected) > 0 {
		e := commerce.Errorf(commerce.KindConflict, commerce.CodePriceChanged, "promotion code %q no longer applies (%s); remove it and check out again; nothing was reserved", rejected[0].Code, rejected[0].Reason)
		e.Totals = &totals
		return nil, charged.DiscountTotal, e
	}
	if id := priced.PerCustomer(); customerID == "" && id != "" {
		return nil, charged.DiscountTotal, commerce.Errorf(commerce.KindUnauthorized, commerce.CodeUnauthorized, "promotion %s is limited per customer: sign in to use it", id)
	}
	return slices.Clone(charged.Discounts), charged.DiscountTotal, nil
}

// free reports whether promotions brought a checkout's total to 0: its
// order is placed without a payment.
func free(totals commerce.Totals, discountTotal commerce.Money) bool {
	return totals.Total.Amount == 0 && discountTotal.Amount > 0
}

// placeFree marks a checkout whose total is 0 paid with no payment (its
// payment status is "not_required"), under the same claim, reservation
// and redemptions as any checkout.
func (s *Service) placeFree(ctx context.Context, c *commerce.Checkout) (*Outcome, error) {
	if err := s.settle(ctx, c, commerce.Payment{Status: commerce.PaymentSucceeded}); err != nil {
		return nil, err
	}
	c, err := s.checkouts.Checkout(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return &Outcome{Checkout: c}, nil
}
