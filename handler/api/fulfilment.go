package api

import (
	"log/slog"
	"net/http"

	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
)

// fulfilmentInput is the body of POST /api/admin/orders/{orderId}/fulfilments.
type fulfilmentInput struct {
	LocationID     string                    `json:"locationId"`
	Lines          []commerce.FulfilmentLine `json:"lines"`
	TrackingNumber string                    `json:"trackingNumber"`
	Carrier        string                    `json:"carrier"`
}

// fulfil ships part of an order from one location and answers the order.
// A request with an Idempotency-Key seen before for the order replays
// (same body) or is refused with 422 "idempotency_key_reused".
func (s *Server) fulfil(w http.ResponseWriter, r *http.Request) error {
	var in fulfilmentInput
	id, key, err := orderChange(w, r, &in)
	if err != nil {
		return err
	}
	f := commerce.FulfilmentRequest{LocationID: in.LocationID, Lines: in.Lines, TrackingNumber: in.TrackingNumber, Carrier: in.Carrier}
	if err := f.Validate(); err != nil {
		return err
	}
	f = f.Hash()
	f.IdempotencyKey = key
	before, err := s.Orders.Order(r.Context(), id)
	if err != nil {
		return err
	}
	o, err := s.Orders.Fulfil(r.Context(), id, f, s.cfg.Now().UTC())
	if err != nil {
		return err
	}
	if o.Status == commerce.OrderFulfilled && before.Status != commerce.OrderFulfilled {
		checkout.Event(r.Context(), s.log, checkout.EventFulfilled, o.Total, slog.Int("lines", len(o.Items)))
	}
	s.writeJSON(w, r, http.StatusOK, o)
	return nil
}

// orderChange reads the order ID, the optional Idempotency-Key and the
// JSON body (into in) of an admin request that changes an order's
// shipments or allocations.
func orderChange(w http.ResponseWriter, r *http.Request, in any) (id, key string, err error) {
	if id, err = pathID(r, "orderId", 'o', "order"); err != nil {
		return "", "", err
	}
	key = r.Header.Get("Idempotency-Key")
	if key != "" && !checkout.ValidKey(key) {
		return "", "", commerce.Invalidf(commerce.CodeInvalidRequest, "Idempotency-Key must be 1-255 visible ASCII characters")
	}
	body, err := readBody(w, r)
	if err != nil {
		return "", "", err
	}
	return id, key, decodeJSON(body, in)
}
