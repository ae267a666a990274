package api

import (
	"context"
	"net/http"

	"shopfn/handler/cart"
	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
)

// checkoutInput is the body of POST /api/checkout: the checkout request,
// and for a signed-in customer an address of their book in place of
// shippingAddress.
type checkoutInput struct {
	checkout.Request
	ShippingAddressID *string `json:"shippingAddressId"`
}

// customerCheckout decodes the body of POST /api/checkout and returns the
// context to check out in (a signed-in customer's, when r has a token) and
// the request, completed from the customer's record: email defaults to
// the customer's, and shippingAddressId names an address of their book.
func (s *Server) customerCheckout(w http.ResponseWriter, r *http.Request, body []byte) (context.Context, checkout.Request, error) {
	var in checkoutInput
	if err := decodeJSON(body, &in); err != nil {
		return nil, in.Request, err
	}
	req := in.Request
	if len(r.Header.Values("Authorization")) == 0 || s.Auth == nil {
		if in.ShippingAddressID != nil {
			w.Header().Set("WWW-Authenticate", "Bearer")
			return nil, req, commerce.Errorf(commerce.KindUnauthorized, commerce.CodeUnauthorized, "shippingAddressId names an address of a signed-in customer's book: send their token as Authorization: Bearer <token>")
		}
		return r.Context(), req, nil
	}
	c, err := s.signedIn(w, r)
	if err != nil {
		return nil, req, err
	}
	ctx := cart.WithCustomer(r.Context(), c.ID)
	if req.Email == "" {
		req.Email = c.Email
	}
	if in.ShippingAddressID != nil {
		if req.ShippingAddress != (commerce.Address{}) {
			return nil, req, commerce.Invalidf(commerce.CodeInvalidRequest, "send shippingAddress or shippingAddressId, not both")
		}
		i := addressIndex(c, *in.ShippingAddressID)
		if i < 0 {
			return nil, req, commerce.NotFoundf("address %q not found", clipID(*in.ShippingAddressID))
		}
		req.ShippingAddress = c.Addresses[i].Address
	}
	return ctx, req, nil
}

// addressIndex returns the index of c's address id, or -1.
func addressIndex(c *commerce.Customer, id string) int {
	for i, a := range c.Addresses {
		if a.ID == id {
			return i
		}
	}
	return -1
}

// clipID shortens an ID quoted in an error.
func clipID(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
