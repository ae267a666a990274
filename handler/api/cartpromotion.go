package api

import (
	"net/http"

	"shopfn/handler/commerce"
)

// cartCodeInput is the body of POST /api/carts/{cartId}/promotions.
type cartCodeInput struct {
	Code string `json:"code"`
}

func (s *Server) applyCartCode(w http.ResponseWriter, r *http.Request) error {
	ctx, err := s.cartContext(w, r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in cartCodeInput
	if err := decodeJSON(body, &in); err != nil {
		return err
	}
	if len(in.Code) == 0 {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "code is required")
	}
	c, err := s.Carts.ApplyCode(ctx, r.PathValue("cartId"), in.Code)
	if err != nil {
		return ownerOnly(w, err)
	}
	s.writeCart(w, r, http.StatusOK, c)
	return nil
}

func (s *Server) removeCartCode(w http.ResponseWriter, r *http.Request) error {
	ctx, err := s.cartContext(w, r)
	if err != nil {
		return err
	}
	c, err := s.Carts.RemoveCode(ctx, r.PathValue("cartId"), r.PathValue("code"))
	if err != nil {
		return ownerOnly(w, err)
	}
	s.writeCart(w, r, http.StatusOK, c)
	return nil
}

// discountsOf returns a paid checkout's discounts as its answer shows
// them: none when no promotion applied.
func discountsOf(c *commerce.Checkout) ([]commerce.Discount, *commerce.Money) {
	if c.DiscountTotal.Currency == "" {
		return nil, nil
	}
	t := c.DiscountTotal
	return c.Discounts, &t
}
