package cart

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
	"shopfn/handler/pricing"
)

// ApplyCode adds a promotion code to a cart and returns the cart priced
// with it. A code already on the cart (in any case) changes nothing. It
// returns 422 "too_many_codes" past commerce.MaxCartCodes, 422
// "invalid_promotion" with the reason when the code does not apply to the
// cart as it stands, 409 "promotion_exhausted" when its usage limit is
// reached as far as this instance knows (checkout decides for good), 401
// when it has a per-customer limit and the cart has no customer, and the
// errors of reading and writing a cart.
func (s *Service) ApplyCode(ctx context.Context, id, code string) (*Priced, error) {
	if !commerce.ValidCode(code) {
		return nil, invalidPromotion(code, pricing.ReasonUnknown)
	}
	return s.changeCodes(ctx, id, func(c *commerce.Cart) (bool, error) {
		if hasCode(c.Codes, code) {
			return false, nil
		}
		if len(c.Codes) >= commerce.MaxCartCodes {
			return false, commerce.Rulef(commerce.CodeTooManyCodes, "a cart holds at most %d promotion codes; remove one first", commerce.MaxCartCodes)
		}
		c.Codes = append(c.Codes, code)
		return true, nil
	}, func(c *commerce.Cart, p *Priced) error { return s.checkCode(ctx, c, p, code) })
}

// RemoveCode removes a promotion code (in any case) from a cart. It
// returns "not_found" when the cart does not hold the code.
func (s *Service) RemoveCode(ctx context.Context, id, code string) (*Priced, error) {
	return s.changeCodes(ctx, id, func(c *commerce.Cart) (bool, error) {
		i := slices.IndexFunc(c.Codes, func(x string) bool { return strings.EqualFold(x, code) })
		if i < 0 {
			return false, commerce.NotFoundf("cart %s holds no code %q", id, code)
		}
		c.Codes = slices.Delete(c.Codes, i, i+1)
		return true, nil
	}, nil)
}

// changeCodes changes an open cart's codes with change, prices it, lets
// check refuse the result, and stores it with optimistic concurrency
// (retrying a lost race on the fresh cart).
func (s *Service) changeCodes(ctx context.Context, id string, change func(*commerce.Cart) (bool, error), check func(*commerce.Cart, *Priced) error) (*Priced, error) {
	mu := &s.locks[maphash.String(s.seed, id)%uint64(len(s.locks))]
	mu.Lock()
	defer mu.Unlock()
	for attempt := 1; ; attempt++ {
		c, err := s.loadFor(ctx, id)
		if err != nil {
			return nil, err
		}
		if st, _, err := s.status(ctx, c); err != nil {
			return nil, err
		} else if st != commerce.CartOpen {
			return nil, Closed(id)
		}
		c.Status, c.CheckoutID, c.OrderID = "", "", ""
		read := c.ETag
		changed, err := change(c)
		if err != nil {
			return nil, err
		}
		p, err := s.price(ctx, c, nil)
		if err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(c, p); err != nil {
				return nil, err
			}
		}
		if !changed {
			return p, nil
		}
		now := s.now().UTC()
		c.UpdatedAt, c.ExpiresAt = now, now.Add(s.ttl)
		err = s.carts.ReplaceCart(ctx, c, read)
		switch {
		case err == nil:
			p.Version, p.UpdatedAt, p.ExpiresAt = c.ETag, c.UpdatedAt, c.ExpiresAt
			p.ETag = etag(c.ETag, p)
			return p, nil
		case commerce.ErrorKind(err) != commerce.KindPrecondition:
			return nil, err
		case attempt == maxAttempts:
			return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "cart %s is changing too often; retry", id)
		}
	}
}

// checkCode refuses code on cart c priced as p: when pricing rejected it,
// when its usage limit is spent, or when it has a per-customer limit and
// the cart no customer.
func (s *Service) checkCode(ctx context.Context, c *commerce.Cart, p *Priced, code string) error {
	for _, r := range p.rejected {
		if strings.EqualFold(r.Code, code) {
			return invalidPromotion(code, r.Reason)
		}
	}
	promo, err := s.promotion(ctx, code)
	if err != nil || promo == nil {
		return err
	}
	if promo.UsageLimit != nil && promo.Used+promo.Reserved >= *promo.UsageLimit {
		return commerce.Errorf(commerce.KindConflict, commerce.CodePromotionExhausted, "promotion %s has been used as often as it may be", code)
	}
	if promo.PerCustomerLimit != nil && cartCustomer(c) == "" && customerOf(ctx) == "" {
		return commerce.Errorf(commerce.KindUnauthorized, commerce.CodeUnauthorized, "promotion %s is limited per customer: sign in to use it", code)
	}
	return nil
}

// promotion returns the active promotion with code, or nil.
func (s *Service) promotion(ctx context.Context, code string) (*commerce.Promotion, error) {
	if s.pricing.Promotions == nil {
		return nil, nil
	}
	all, err := s.pricing.Promotions(ctx)
	if err != nil {
		return nil, fmt.Errorf("cart: promotions: %w", err)
	}
	for i := range all {
		if strings.EqualFold(all[i].Code, code) {
			return &all[i], nil
		}
	}
	return nil, nil
}

// invalidPromotion is the 422 of a code that does not apply, and why.
func invalidPromotion(code, reason string) error {
	e := commerce.Rulef(commerce.CodeInvalidPromotion, "promotion code %q does not apply to this cart (%s)", code, reason)
	e.Reason = reason
	return e
}

// hasCode reports whether codes holds code, ignoring case.
func hasCode(codes []string, code string) bool {
	return slices.ContainsFunc(codes, func(c string) bool { return strings.EqualFold(c, code) })
}

// setDiscounts sets p's discounts from a pricing result: those on lines
// (a free shipping discount is shown at 0 until checkout knows the
// shipping).
func (p *Priced) setDiscounts(r *pricing.Result) {
	if r.Discounts != nil {
		p.Discounts = r.Discounts
	}
	p.DiscountTotal, p.rejected = r.DiscountTotal, r.Rejected
}

// Rejected returns the cart's codes that did not apply when it was priced.
func (p *Priced) Rejected() []pricing.Rejection { return p.rejected }

// discountKey appends what the buyer sees of p's promotions to an ETag's
// input, so that a discount that changes changes the ETag.
func discountKey(b []byte, p *Priced) []byte {
	for _, c := range p.Codes {
		b = append(append(b, "|#"...), c...)
	}
	for _, d := range p.Discounts {
		b = strconv.AppendInt(append(append(append(b, "|%"...), d.PromotionID...), ':'), d.Amount.Amount, 10)
	}
	return b
}

// FreeShipping returns the ID of the free shipping promotion among the
// cart's discounts, or "".
func (p *Priced) FreeShipping() string { return p.promos.free }

// PerCustomer returns the ID of a promotion among the cart's discounts
// that is limited per customer, or "".
func (p *Priced) PerCustomer() string { return p.promos.perCustomer }

// promoKinds are the promotions among a cart's discounts that checkout
// treats apart.
type promoKinds struct {
	free, perCustomer string
}

// kinds returns the free shipping and per-customer promotions among
// discounts.
func kinds(promos []commerce.Promotion, discounts []commerce.Discount) promoKinds {
	var k promoKinds
	for _, d := range discounts {
		for i := range promos {
			if promos[i].ID != d.PromotionID {
				continue
			}
			if promos[i].Action.Type == commerce.ActionFreeShipping {
				k.free = d.PromotionID
			}
			if promos[i].PerCustomerLimit != nil {
				k.perCustomer = d.PromotionID
			}
		}
	}
	return k
}
