package api

import (
	"context"
	"net/http"

	"shopfn/handler/cart"
	"shopfn/handler/commerce"
)

// cartContext returns the context a cart route serves r in: a request with
// a bearer token is made for its signed-in customer (a refused token is
// 401), one without is a guest's (and every request is, on a server
// without sign-in). Owned carts are served to their owner
// only (cart.WithCustomer).
func (s *Server) cartContext(w http.ResponseWriter, r *http.Request) (context.Context, error) {
	if len(r.Header.Values("Authorization")) == 0 || s.Auth == nil {
		return r.Context(), nil
	}
	c, err := s.signedIn(w, r)
	if err != nil {
		return nil, err
	}
	return cart.WithCustomer(r.Context(), c.ID), nil
}

// ownerOnly adds the Bearer challenge to a cart route's 401: the cart is
// owned, and the request sent no token.
func ownerOnly(w http.ResponseWriter, err error) error {
	if commerce.ErrorKind(err) == commerce.KindUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	return err
}

// getMyCart answers GET /api/me/cart: the customer's open cart.
func (s *Server) getMyCart(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	p, err := s.Carts.Mine(cart.WithCustomer(r.Context(), c.ID))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Location", "/api/carts/"+p.ID)
	s.writeCart(w, r, http.StatusOK, p)
	return nil
}

// attachCart answers POST /api/carts/{cartId}/customer: a guest cart
// attached to the signed-in customer, by mode.
func (s *Server) attachCart(w http.ResponseWriter, r *http.Request) error {
	c, err := s.signedIn(w, r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in struct {
		Mode *string `json:"mode"`
	}
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	if in.Mode == nil {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "mode is required: merge, replace or keep")
	}
	p, err := s.Carts.Attach(cart.WithCustomer(r.Context(), c.ID), r.PathValue("cartId"), *in.Mode)
	if err != nil {
		return err
	}
	s.writeCart(w, r, http.StatusOK, p)
	return nil
}
