package api

import (
	"net/http"

	"shopfn/handler/cart"
	"shopfn/handler/commerce"
)

// maxCreateItems bounds the items of POST /api/carts before any rule runs;
// the cart_full rule then applies as usual.
const maxCreateItems = 1000

// cartLineInput is one line in a cart body.
type cartLineInput struct {
	SKU      *string `json:"sku"`
	Quantity *int    `json:"quantity"`
}

func (in cartLineInput) line() (commerce.CartLine, error) {
	if in.SKU == nil || in.Quantity == nil {
		return commerce.CartLine{}, commerce.Invalidf(commerce.CodeInvalidRequest, "sku and quantity are required")
	}
	return commerce.CartLine{SKU: *in.SKU, Quantity: *in.Quantity}, nil
}

// parseNewCart decodes the optional body of POST /api/carts: the cart's
// currency (empty: its first line's) and its lines.
func parseNewCart(data []byte) (string, []commerce.CartLine, error) {
	if data == nil {
		return "", nil, nil
	}
	var in struct {
		Currency *string         `json:"currency"`
		Items    []cartLineInput `json:"items"`
	}
	if err := decodeJSON(data, &in); err != nil {
		return "", nil, err
	}
	if len(in.Items) > maxCreateItems {
		return "", nil, commerce.Rulef(commerce.CodeCartFull, "a cart holds at most %d lines", commerce.MaxCartLines)
	}
	currency := ""
	if in.Currency != nil {
		if currency = *in.Currency; !commerce.ValidCurrency(currency) {
			return "", nil, commerce.Invalidf(commerce.CodeInvalidRequest, "currency %q is not an ISO 4217 code", currency)
		}
	}
	lines := make([]commerce.CartLine, len(in.Items))
	for i, it := range in.Items {
		l, err := it.line()
		if err != nil {
			return "", nil, err
		}
		lines[i] = l
	}
	return currency, lines, nil
}

// parseCartLine decodes the body of POST /api/carts/{cartId}/items.
func parseCartLine(data []byte) (commerce.CartLine, error) {
	var in cartLineInput
	if err := decodeJSON(data, &in); err != nil {
		return commerce.CartLine{}, err
	}
	return in.line()
}

// parseQuantity decodes the body of PUT /api/carts/{cartId}/items/{sku}.
func parseQuantity(data []byte) (int, error) {
	var in struct {
		Quantity *int `json:"quantity"`
	}
	if err := decodeJSON(data, &in); err != nil {
		return 0, err
	}
	if in.Quantity == nil {
		return 0, commerce.Invalidf(commerce.CodeInvalidRequest, "quantity is required")
	}
	return *in.Quantity, nil
}

func (s *Server) writeCart(w http.ResponseWriter, r *http.Request, status int, c *cart.Priced) {
	w.Header().Set("ETag", c.ETag)
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, status, c)
}

func (s *Server) createCart(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	currency, lines, err := parseNewCart(body)
	if err != nil {
		return err
	}
	ctx, err := s.cartContext(w, r)
	if err != nil {
		return err
	}
	c, err := s.Carts.Create(ctx, currency, lines)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/carts/"+c.ID)
	s.writeCart(w, r, http.StatusCreated, c)
	return nil
}

func (s *Server) getCart(w http.ResponseWriter, r *http.Request) error {
	ctx, err := s.cartContext(w, r)
	if err != nil {
		return err
	}
	c, err := s.Carts.Get(ctx, r.PathValue("cartId"))
	if err != nil {
		return ownerOnly(w, err)
	}
	if etagMatch(r.Header.Get("If-None-Match"), c.ETag) {
		w.Header().Set("ETag", c.ETag)
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	s.writeCart(w, r, http.StatusOK, c)
	return nil
}

func (s *Server) deleteCart(w http.ResponseWriter, r *http.Request) error {
	ctx, err := s.cartContext(w, r)
	if err != nil {
		return err
	}
	if err := s.Carts.Delete(ctx, r.PathValue("cartId"), ifMatch(r)); err != nil {
		return ownerOnly(w, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) addCartItem(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	l, err := parseCartLine(body)
	if err != nil {
		return err
	}
	ctx, err := s.cartContext(w, r)
	if err != nil {
		return err
	}
	c, err := s.Carts.Add(ctx, r.PathValue("cartId"), ifMatch(r), l.SKU, l.Quantity)
	if err != nil {
		return ownerOnly(w, err)
	}
	s.writeCart(w, r, http.StatusOK, c)
	return nil
}

func (s *Server) setCartItem(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	q, err := parseQuantity(body)
	if err != nil {
		return err
	}
	ctx, err := s.cartContext(w, r)
	if err != nil {
		return err
	}
	c, err := s.Carts.SetQuantity(ctx, r.PathValue("cartId"), ifMatch(r), r.PathValue("sku"), q)
	if err != nil {
		return ownerOnly(w, err)
	}
	s.writeCart(w, r, http.StatusOK, c)
	return nil
}

func (s *Server) removeCartItem(w http.ResponseWriter, r *http.Request) error {
	ctx, err := s.cartContext(w, r)
	if err != nil {
		return err
	}
	c, err := s.Carts.Remove(ctx, r.PathValue("cartId"), ifMatch(r), r.PathValue("sku"))
	if err != nil {
		return ownerOnly(w, err)
	}
	s.writeCart(w, r, http.StatusOK, c)
	return nil
}
