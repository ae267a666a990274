package checkout

import (
	"context"
	"slices"

	"shopfn/handler/cart"
	"shopfn/handler/commerce"
)

// discount takes the priced cart's promotions off totals (computed from
// its lines before discounts): its line discounts, and the shipping when a
// free shipping promotion applies. It returns the discounts with their
// amounts. A code on the cart that no longer applies (its rules, dates or
// status changed since it was applied) is 409 "price_changed" with the
// totals without it: nothing is reserved. A promotion limited per customer
// needs a signed-in buyer (401).
func discount(priced *cart.Priced, totals *commerce.Totals, customerID string) ([]commerce.Discount, commerce.Money, error) {
	discounts := slices.Clone(priced.Discounts)
	total := commerce.Money{Amount: 0, Currency: totals.Total.Currency}
	for i := range discounts {
		if discounts[i].PromotionID == priced.FreeShipping() {
			discounts[i].Amount = totals.Shipping
		}
		total.Amount += discounts[i].Amount.Amount
	}
	totals.Total.Amount -= total.Amount
	if rejected := priced.Rejected(); len(rejected) > 0 {
		e := commerce.Errorf(commerce.KindConflict, commerce.CodePriceChanged, "promotion code %q no longer applies (%s); remove it and check out again; nothing was reserved", rejected[0].Code, rejected[0].Reason)
		t := *totals
		e.Totals = &t
		return nil, total, e
	}
	if id := priced.PerCustomer(); customerID == "" && id != "" {
		return nil, total, commerce.Errorf(commerce.KindUnauthorized, commerce.CodeUnauthorized, "promotion %s is limited per customer: sign in to use it", id)
	}
	return discounts, total, nil
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
