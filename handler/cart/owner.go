package cart

import (
	"context"

	"shopfn/handler/commerce"
)

// Owners keeps which open cart each customer has (customer.Service has
// these methods). The customer's record holds the cart's ID, changed only
// by writes conditional on the record's version: that decides "at most one
// open cart per customer" whatever the concurrency.
type Owners interface {
	// CartOf returns the ID of the cart the customer's record names, or
	// "" when it names none.
	CartOf(ctx context.Context, customerID string) (string, error)
	// SwapCart makes to the customer's cart if the record still names
	// from, and returns KindConflict "conflict" when it names another.
	SwapCart(ctx context.Context, customerID, from, to string) error
}

// customerKey is the context key of the customer a request is made for.
type customerKey struct{}

// WithCustomer returns ctx saying that its request is made by the
// signed-in customer id: owned carts are served only to their owner.
func WithCustomer(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, customerKey{}, id)
}

// CustomerOf returns the signed-in customer of ctx's request, or "".
func CustomerOf(ctx context.Context) string { return customerOf(ctx) }

// customerOf returns the signed-in customer of ctx's request, or "".
func customerOf(ctx context.Context) string {
	id, _ := ctx.Value(customerKey{}).(string)
	return id
}

// errSignIn answers a request without a token for an owned cart.
func errSignIn(id string) error {
	return commerce.Errorf(commerce.KindUnauthorized, commerce.CodeUnauthorized, "cart %s belongs to a customer: send their token as Authorization: Bearer <token>", id)
}

// owned checks that ctx's request may use cart c: anyone holding a guest
// cart's ID, only its owner an owned one. Without a token it is 401, with
// another customer's 404, so that nothing says the cart exists.
func owned(ctx context.Context, c *commerce.Cart) error {
	if c.CustomerID == "" {
		return nil
	}
	switch who := customerOf(ctx); who {
	case c.CustomerID:
		return nil
	case "":
		return errSignIn(c.ID)
	}
	return commerce.NotFoundf("cart %q not found", c.ID)
}

// loadFor reads a cart for ctx's request: load, then owned.
func (s *Service) loadFor(ctx context.Context, id string) (*commerce.Cart, error) {
	c, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := owned(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// live reports whether cart id holds a customer's one open cart: it
// exists, has not expired, and is open or being checked out (a checkout
// that fails opens it again). A completed or merged cart frees the place.
func (s *Service) live(ctx context.Context, id string) (*commerce.Cart, bool, error) {
	if id == "" {
		return nil, false, nil
	}
	c, err := s.load(ctx, id)
	if commerce.ErrorKind(err) == commerce.KindNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	st, _, err := s.status(ctx, c)
	if err != nil {
		return nil, false, err
	}
	return c, st == commerce.CartOpen || st == commerce.CartCheckingOut, nil
}

// errCartExists answers a new cart for a customer who has one.
func errCartExists() error {
	return commerce.Errorf(commerce.KindConflict, commerce.CodeCartExists, "this customer has an open cart already: GET /api/me/cart reads it")
}

// createOwned creates c as customer's cart: the cart document first, then
// the customer's record is pointed at it, conditionally on the cart it
// named before. Of concurrent creates one wins; the others delete their
// document and answer 409 "cart_exists".
func (s *Service) createOwned(ctx context.Context, customer string, c *commerce.Cart) error {
	if s.Owners == nil {
		return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "customer carts are not configured on this server")
	}
	cur, err := s.Owners.CartOf(ctx, customer)
	if err != nil {
		return err
	}
	if _, ok, err := s.live(ctx, cur); err != nil {
		return err
	} else if ok {
		return errCartExists()
	}
	c.CustomerID = customer
	if err := s.carts.CreateCart(ctx, c); err != nil {
		return err
	}
	err = s.Owners.SwapCart(ctx, customer, cur, c.ID)
	if err == nil {
		return nil
	}
	if derr := s.carts.DeleteCart(context.WithoutCancel(ctx), c.ID, c.ETag); derr != nil && commerce.ErrorKind(derr) != commerce.KindNotFound {
		return derr // the cart stays, unnamed by the customer, until it expires
	}
	if commerce.ErrorCode(err) == commerce.CodeConflict {
		return errCartExists()
	}
	return err
}

// Mine returns ctx's customer's open cart, priced: "not_found" when the
// customer has none.
func (s *Service) Mine(ctx context.Context) (*Priced, error) {
	customer := customerOf(ctx)
	if customer == "" || s.Owners == nil {
		return nil, commerce.NotFoundf("no open cart")
	}
	id, err := s.Owners.CartOf(ctx, customer)
	if err != nil {
		return nil, err
	}
	c, ok, err := s.live(ctx, id)
	if err != nil {
		return nil, err
	}
	if !ok || c.CustomerID != customer {
		return nil, commerce.NotFoundf("this customer has no open cart")
	}
	return s.price(ctx, c, nil)
}

// EraseCustomerCart deletes the open cart of customer c, who is being
// erased (a customer.Eraser). A cart a checkout holds stays: its payment
// decides it, and it holds SKUs, not the customer's details. Running it
// again finds nothing more to delete.
func (s *Service) EraseCustomerCart(ctx context.Context, c *commerce.Customer) error {
	if c.CartID == "" {
		return nil
	}
	cart, err := s.carts.Cart(ctx, c.CartID)
	if commerce.ErrorKind(err) == commerce.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if cart.CustomerID != c.ID {
		return nil
	}
	if st, _, err := s.status(ctx, cart); err != nil {
		return err
	} else if st == commerce.CartCheckingOut {
		return nil
	}
	err = s.carts.DeleteCart(ctx, cart.ID, cart.ETag)
	if commerce.ErrorKind(err) == commerce.KindNotFound {
		return nil
	}
	return err
}
