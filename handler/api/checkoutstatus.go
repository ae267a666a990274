package api

import (
	"net/http"
	"time"

	"shopfn/handler/commerce"
)

// checkoutStatus is the body of GET /api/checkout/{checkoutId}: where a
// checkout stands, for a page that polls after 3-D Secure or a 503. Anyone
// holding the checkout ID sees its status, totals and next action, as
// confirm's answer shows them; the buyer's details only with the order's
// access token, as for the order (seesBuyer).
type checkoutStatus struct {
	CheckoutID    string         `json:"checkoutId"`
	OrderID       string         `json:"orderId"`
	Status        string         `json:"status"`
	Subtotal      commerce.Money `json:"subtotal"`
	Shipping      commerce.Money `json:"shipping"`
	Tax           commerce.Money `json:"tax"`
	Total         commerce.Money `json:"total"`
	NextAction    map[string]any `json:"nextAction,omitempty"`
	DeclineCode   string         `json:"declineCode,omitempty"`
	CreatedAt     time.Time      `json:"createdAt"`
	UpdatedAt     time.Time      `json:"updatedAt"`
	ReservedUntil *time.Time     `json:"reservedUntil,omitempty"`

	Email           string            `json:"email,omitempty"`
	ShippingAddress *commerce.Address `json:"shippingAddress,omitempty"`
	BillingAddress  *commerce.Address `json:"billingAddress,omitempty"`
}

// checkoutStatusName is the status a client sees: a pending checkout is
// "processing", as the checkout request's 202 answer says.
func checkoutStatusName(s commerce.CheckoutStatus) string {
	if s == commerce.CheckoutPending {
		return "processing"
	}
	return string(s)
}

func (s *Server) getCheckout(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "checkoutId", 'k', "checkout")
	if err != nil {
		return err
	}
	c, err := s.Checkout.Read(r.Context(), id)
	if err != nil {
		if commerce.ErrorCode(err) == commerce.CodeNotFound {
			return commerce.NotFoundf("checkout %q not found", id)
		}
		return err
	}
	out := checkoutStatus{
		CheckoutID: c.ID, OrderID: c.OrderID, Status: checkoutStatusName(c.Status),
		Subtotal: c.Subtotal, Shipping: c.Shipping, Tax: c.Tax, Total: c.Total,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	switch c.Status {
	case commerce.CheckoutRequiresAction:
		out.NextAction = c.NextAction
	case commerce.CheckoutDeclined:
		out.DeclineCode, _ = c.NextAction["declineCode"].(string)
	}
	if c.Status == commerce.CheckoutPending || c.Status == commerce.CheckoutRequiresAction {
		until := c.ReservedUntil
		out.ReservedUntil = &until
	}
	// The order's own rule decides, so that any proof it accepts opens the
	// checkout behind the order too.
	if seesBuyer(r, &commerce.Order{ID: c.OrderID, CheckoutID: c.ID, Email: c.Email, TokenHash: c.OrderTokenHash}) {
		out.Email, out.ShippingAddress, out.BillingAddress = c.Email, &c.Address, c.BillingAddress
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}
