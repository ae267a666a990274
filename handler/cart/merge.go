package cart

import (
	"context"
	"slices"

	"shopfn/handler/commerce"
)

// The modes of Attach, when the customer has an open cart already.
const (
	// MergeLines adds the guest cart's lines into the customer's cart.
	MergeLines = "merge"
	// ReplaceCart makes the guest cart the customer's and closes the old.
	ReplaceCart = "replace"
	// KeepCart keeps the customer's cart and closes the guest cart.
	KeepCart = "keep"
)

// maxMerged bounds the IDs a cart keeps of the carts merged into it.
const maxMerged = 50

// Attach attaches guest cart id to ctx's signed-in customer at sign-in and
// returns the surviving cart. With no open customer cart, the guest cart
// becomes it; otherwise mode decides (MergeLines, ReplaceCart, KeepCart).
// Closed carts get status "merged" and MergedInto. Every step is a write
// conditional on the document it changes, and a step already done is
// recognised, so that a repeated or concurrent call changes nothing more.
// It returns "not_found" for a cart owned by another customer, 409
// "cart_closed" for a cart that is not open, and the rule errors of Add
// when merged lines break a cart rule (nothing is merged then).
func (s *Service) Attach(ctx context.Context, id, mode string) (*Priced, error) {
	customer := customerOf(ctx)
	if customer == "" {
		return nil, errSignIn(id)
	}
	if s.Owners == nil {
		return nil, commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "customer carts are not configured on this server")
	}
	switch mode {
	case MergeLines, ReplaceCart, KeepCart:
	default:
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "mode must be merge, replace or keep")
	}
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		p, err := s.attach(ctx, customer, id, mode)
		if commerce.ErrorCode(err) == commerce.CodePreconditionFailed || commerce.ErrorCode(err) == commerce.CodeConflict {
			continue // another write came between: decide again on what is stored now
		}
		return p, err
	}
	return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "cart %s is changing too often; retry", id)
}

// attach makes one attempt of Attach. A lost conditional write returns
// "precondition_failed" or "conflict", for Attach to try again.
func (s *Service) attach(ctx context.Context, customer, id, mode string) (*Priced, error) {
	g, err := s.loadFor(ctx, id)
	if err != nil {
		return nil, err
	}
	if g.Status == commerce.CartMerged {
		return s.settleMerged(ctx, customer, g, 0)
	}
	st, _, err := s.status(ctx, g)
	if err != nil {
		return nil, err
	}
	if st != commerce.CartOpen {
		return nil, Closed(id)
	}
	cur, err := s.Owners.CartOf(ctx, customer)
	if err != nil {
		return nil, err
	}
	if cur == g.ID && g.CustomerID == customer {
		return s.price(ctx, g, nil) // attached already
	}
	c, ok, err := s.live(ctx, cur)
	if err != nil {
		return nil, err
	}
	if !ok || c.CustomerID != customer {
		return s.adopt(ctx, customer, g, cur)
	}
	switch mode {
	case MergeLines:
		return s.merge(ctx, customer, g, c)
	case KeepCart:
		// The guest cart closes without its lines, so that nothing
		// finishing a merge later adds them.
		g.Lines = []commerce.CartLine{}
		if err := s.close(ctx, customer, g, c.ID); err != nil {
			return nil, err
		}
		return s.price(ctx, c, nil)
	}
	// Replace: the old cart closes into the guest cart first, so that a
	// crash before the record names the guest cart leaves the customer
	// with no open cart, and the call repeated adopts the guest cart.
	if st, _, err := s.status(ctx, c); err != nil {
		return nil, err
	} else if st != commerce.CartOpen {
		return nil, Closed(c.ID)
	}
	c.Lines = []commerce.CartLine{} // dropped, as keep drops the guest's
	if err := s.close(ctx, customer, c, g.ID); err != nil {
		return nil, err
	}
	return s.adopt(ctx, customer, g, cur)
}

// adopt makes guest cart g the customer's cart: g is marked as the
// customer's, then the record is pointed at it if it still names cur.
func (s *Service) adopt(ctx context.Context, customer string, g *commerce.Cart, cur string) (*Priced, error) {
	if g.CustomerID != customer {
		read := g.ETag
		g.CustomerID = customer
		if err := s.carts.ReplaceCart(ctx, g, read); err != nil {
			return nil, err
		}
	}
	if err := s.Owners.SwapCart(ctx, customer, cur, g.ID); err != nil {
		return nil, err
	}
	return s.price(ctx, g, nil)
}

// merge adds guest cart g's lines into the customer's cart c. The rules
// are checked on a copy first; then g is closed into c (which refuses
// every other write to g, a checkout's included), then c gets g's lines
// once (addMerged). A rule that fails only then opens g again.
func (s *Service) merge(ctx context.Context, customer string, g, c *commerce.Cart) (*Priced, error) {
	if st, _, err := s.status(ctx, c); err != nil {
		return nil, err
	} else if st != commerce.CartOpen {
		return nil, Closed(c.ID)
	}
	trial := *c
	trial.Lines = slices.Clone(c.Lines)
	if _, err := s.apply(ctx, &trial, mergeChanges(g)); err != nil {
		return nil, err
	}
	owner := g.CustomerID
	if err := s.close(ctx, customer, g, c.ID); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		err := s.addMerged(ctx, c, g, true)
		if err == nil {
			return s.price(ctx, c, nil)
		}
		if commerce.ErrorCode(err) != commerce.CodePreconditionFailed || attempt == maxAttempts {
			if commerce.ErrorKind(err) == commerce.KindRule {
				s.reopen(ctx, g, owner)
			}
			return nil, err
		}
		if c, err = s.carts.Cart(ctx, c.ID); err != nil {
			return nil, err
		}
	}
}

// settleMerged answers for a guest cart closed already: the cart it was
// closed into (following depth closes further), once any merge of its
// lines cut off half-way (a crash, or a concurrent call still at it) is
// finished.
func (s *Service) settleMerged(ctx context.Context, customer string, g *commerce.Cart, depth int) (*Priced, error) {
	c, err := s.carts.Cart(ctx, g.MergedInto)
	if commerce.ErrorKind(err) == commerce.KindNotFound || (err == nil && c.CustomerID != customer) || depth == 4 {
		return nil, Closed(g.ID)
	}
	if err != nil {
		return nil, err
	}
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if c.Status == commerce.CartMerged || len(g.Lines) == 0 || slices.Contains(c.Merged, g.ID) {
			break
		}
		err := s.addMerged(ctx, c, g, true)
		if err == nil {
			break
		}
		if commerce.ErrorCode(err) != commerce.CodePreconditionFailed {
			return nil, err
		}
		if c, err = s.carts.Cart(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	if c.Status == commerce.CartMerged {
		return s.settleMerged(ctx, customer, c, depth+1)
	}
	return s.price(ctx, c, nil)
}

// addMerged records in c, with a write conditional on its version, that
// guest cart g was merged into it, adding g's lines when lines is set. A
// cart that records g already is left as it is: the lines go in once.
func (s *Service) addMerged(ctx context.Context, c, g *commerce.Cart, lines bool) error {
	if slices.Contains(c.Merged, g.ID) {
		return nil
	}
	if st, _, err := s.status(ctx, c); err != nil {
		return err
	} else if st != commerce.CartOpen {
		return Closed(c.ID)
	}
	read := c.ETag
	next := *c
	next.Lines = slices.Clone(c.Lines)
	if lines {
		if _, err := s.apply(ctx, &next, mergeChanges(g)); err != nil {
			return err
		}
	}
	next.Merged = append(slices.Clone(c.Merged), g.ID)
	if len(next.Merged) > maxMerged {
		next.Merged = next.Merged[len(next.Merged)-maxMerged:]
	}
	now := s.now().UTC()
	next.UpdatedAt, next.ExpiresAt = now, now.Add(s.ttl)
	if err := s.carts.ReplaceCart(ctx, &next, read); err != nil {
		return err
	}
	*c = next
	return nil
}

// close closes cart g into cart into for customer, with a write
// conditional on g's version: a concurrent change or checkout of g wins or
// loses as a whole.
func (s *Service) close(ctx context.Context, customer string, g *commerce.Cart, into string) error {
	read := g.ETag
	g.Status, g.MergedInto, g.CustomerID = commerce.CartMerged, into, customer
	return s.carts.ReplaceCart(ctx, g, read)
}

// reopen opens guest cart g again, as owner had it, after a merge whose
// lines broke a rule once g was closed. It is best effort: should it fail,
// g stays closed, and the error the caller gets says the merge failed.
func (s *Service) reopen(ctx context.Context, g *commerce.Cart, owner string) {
	read := g.ETag
	g.Status, g.MergedInto, g.CustomerID = commerce.CartOpen, "", owner
	s.carts.ReplaceCart(context.WithoutCancel(ctx), g, read)
}

// mergeChanges returns the changes that add g's lines to another cart.
func mergeChanges(g *commerce.Cart) []change {
	ch := make([]change, len(g.Lines))
	for i, l := range g.Lines {
		ch[i] = change{sku: l.SKU, quantity: l.Quantity, add: true}
	}
	return ch
}
