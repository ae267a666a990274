package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
	"shopfn/handler/telemetry"
)

// parseCheckout decodes the body of POST /api/checkout.
func parseCheckout(data []byte) (checkout.Request, error) {
	var req checkout.Request
	err := decodeJSON(data, &req)
	return req, err
}

// checkoutResult is the body of a checkout that is paid, waits for the
// buyer, or is still being decided. The answer to the checkout request
// (and its replays) also carries "orderToken" (withToken); confirm's does
// not, since anyone holding the checkout ID may call it.
type checkoutResult struct {
	CheckoutID string          `json:"checkoutId"`
	OrderID    string          `json:"orderId"`
	Status     string          `json:"status"`
	Total      *commerce.Money `json:"total,omitempty"`
	Subtotal   *commerce.Money `json:"subtotal,omitempty"`
	Shipping   *commerce.Money `json:"shipping,omitempty"`
	Tax        *commerce.Money `json:"tax,omitempty"`
	// ShippingOptionID, TaxLines and TaxIncluded are set when shipping
	// options and tax rates priced the checkout.
	ShippingOptionID string             `json:"shippingOptionId,omitempty"`
	TaxLines         []commerce.TaxLine `json:"taxLines,omitempty"`
	TaxIncluded      bool               `json:"taxIncluded,omitempty"`
	// Discounts and DiscountTotal are what promotions took off (paid).
	Discounts     []commerce.Discount `json:"discounts,omitempty"`
	DiscountTotal *commerce.Money     `json:"discountTotal,omitempty"`
	// PaymentStatus is "not_required" for an order whose promotions
	// brought its total to 0, placed without a payment.
	PaymentStatus string         `json:"paymentStatus,omitempty"`
	NextAction    map[string]any `json:"nextAction,omitempty"`
}

func (s *Server) checkout(w http.ResponseWriter, r *http.Request) error {
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !checkout.ValidKey(key) {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "Idempotency-Key must be 1-255 visible ASCII characters")
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	ctx, req, err := s.customerCheckout(w, r, body)
	if err != nil {
		return err
	}
	out, err := s.Checkout.Checkout(s.withPublicURL(r.WithContext(ctx)), req, key, s.ClientKey(r))
	if err != nil {
		ownerOnly(w, err)
		outcome := checkoutOutcome(nil, err)
		if clientClosed(r, err) {
			outcome = telemetry.OutcomeRejected // answered 499, not a 5xx
		}
		s.cfg.Telemetry.Metrics().Checkout(outcome)
		return err
	}
	c := out.Checkout
	if out.Replay == nil {
		s.cfg.Telemetry.Metrics().Checkout(checkoutOutcome(c, nil))
	}
	// This request began the checkout or repeats it (same key, same body):
	// it is the buyer's, and its answer carries the order's access token.
	token := s.Checkout.OrderToken(c)
	if out.Replay != nil {
		s.writeStored(w, c, withToken(out.Replay, token))
		return nil
	}
	if c.Response != nil { // stored with the change it reports
		s.writeStored(w, c, withToken(c.Response, token))
		return nil
	}
	status, resp := FirstResponse(c)
	switch c.Status {
	case commerce.CheckoutPending, commerce.CheckoutExpired, commerce.CheckoutFailed, commerce.CheckoutRefunded:
		// Not decided yet, or an answer a late settlement can contradict
		// (a payment still processing at expiry may yet be paid): never
		// the response to replay.
		s.writeStored(w, c, withToken(&commerce.StoredResponse{Status: status, Body: resp}, token))
		return nil
	}
	if err := s.Checkout.Remember(r.Context(), c.ID, status, resp); err != nil {
		s.log.Warn("remember checkout response", "checkout", c.ID, "err", err)
	}
	s.writeStored(w, c, withToken(&commerce.StoredResponse{Status: status, Body: resp}, token))
	return nil
}

// withToken returns resp with the order access token added to its body
// when it is a checkout result (paid, requires_action or processing): the
// stored response never holds the token, only the answer sent does.
func withToken(resp *commerce.StoredResponse, token string) *commerce.StoredResponse {
	b := resp.Body
	if token == "" || resp.Status >= 300 || len(b) < 2 || b[len(b)-1] != '}' {
		return resp
	}
	body := make([]byte, 0, len(b)+len(token)+16)
	body = append(body, b[:len(b)-1]...)
	body = append(body, `,"orderToken":"`...)
	body = append(body, token...) // base64url: nothing to escape
	body = append(body, `"}`...)
	return &commerce.StoredResponse{Status: resp.Status, Body: body}
}

// writeStored writes a checkout response, first or replayed.
func (s *Server) writeStored(w http.ResponseWriter, c *commerce.Checkout, resp *commerce.StoredResponse) {
	if resp.Status == http.StatusCreated {
		w.Header().Set("Location", "/api/orders/"+c.OrderID)
	}
	w.Header().Set("Cache-Control", "no-store")
	if resp.Status >= 400 {
		w.Header().Set("Content-Type", "application/problem+json")
		setRetryAfter(w, resp.Status)
		w.WriteHeader(resp.Status)
		w.Write(resp.Body)
		return
	}
	writeBody(w, resp.Status, resp.Body)
}

// FirstResponse renders the response to a checkout request for a checkout
// as it stands; it is stored, and a replay of the request gets it again.
func FirstResponse(c *commerce.Checkout) (int, []byte) { return renderCheckout(c, http.StatusCreated) }

// renderCheckout renders a checkout as it stands; paid answers paidStatus
// (201 for the checkout request, 200 for confirm).
func renderCheckout(c *commerce.Checkout, paidStatus int) (int, []byte) {
	res := checkoutResult{CheckoutID: c.ID, OrderID: c.OrderID, Status: string(c.Status)}
	var status int
	switch c.Status {
	case commerce.CheckoutPaid:
		status = paidStatus
		res.Total, res.Subtotal, res.Shipping, res.Tax = &c.Total, &c.Subtotal, &c.Shipping, &c.Tax
		res.ShippingOptionID, res.TaxLines, res.TaxIncluded = c.ShippingOptionID, c.TaxLines, c.TaxIncluded
		res.Discounts, res.DiscountTotal = discountsOf(c)
		if c.Total.Amount == 0 && c.PaymentID == "" {
			res.PaymentStatus = string(commerce.PaymentNotRequired)
		}
	case commerce.CheckoutRequiresAction:
		status, res.NextAction = http.StatusOK, c.NextAction
	case commerce.CheckoutPending:
		status, res.Status = http.StatusAccepted, "processing"
	case commerce.CheckoutFailed:
		return problemBody(http.StatusServiceUnavailable, &commerce.Error{Code: commerce.CodePaymentUnavailable, Message: "the payment provider could not be asked; nothing is reserved; retry the checkout with the same Idempotency-Key"})
	case commerce.CheckoutRefunded:
		return problemBody(http.StatusConflict, &commerce.Error{Code: commerce.CodeCheckoutRefunded, Message: "the payment succeeded after the reservation expired and the items were gone; it was refunded in full"})
	case commerce.CheckoutDeclined:
		detail := "the payment was declined"
		if code, _ := c.NextAction["declineCode"].(string); code != "" {
			detail += " (" + code + ")"
		}
		return problemBody(http.StatusPaymentRequired, &commerce.Error{Code: commerce.CodePaymentDeclined, Message: detail})
	default:
		return problemBody(http.StatusConflict, &commerce.Error{Code: commerce.CodeCheckoutExpired, Message: "the checkout expired and its reservation was released; check out again"})
	}
	body, _ := json.Marshal(res)
	return status, body
}

func (s *Server) confirmCheckout(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "checkoutId", 'k', "checkout")
	if err != nil {
		return err
	}
	c, err := s.Checkout.Confirm(s.withPublicURL(r), id)
	if err != nil {
		return err
	}
	status, body := renderCheckout(c, http.StatusOK)
	s.writeStored(w, c, &commerce.StoredResponse{Status: status, Body: body})
	return nil
}

// checkoutOutcome names what a checkout request came to, for
// shopfn_checkouts_total. A replayed request is not counted again.
func checkoutOutcome(c *commerce.Checkout, err error) string {
	if err != nil {
		switch code := commerce.ErrorCode(err); code {
		case commerce.CodeInsufficientStock, telemetry.OutcomeCartClosed, telemetry.OutcomePriceChanged:
			return code
		}
		var e *commerce.Error
		if errors.As(err, &e) && statusByKind[e.Kind] < 500 {
			return telemetry.OutcomeRejected
		}
		return telemetry.OutcomeError
	}
	switch c.Status {
	case commerce.CheckoutPaid:
		return telemetry.OutcomePaid
	case commerce.CheckoutRequiresAction:
		return telemetry.OutcomeRequiresAction
	case commerce.CheckoutPending:
		return telemetry.OutcomeProcessing
	case commerce.CheckoutDeclined:
		return telemetry.OutcomeDeclined
	}
	return telemetry.OutcomeError
}
