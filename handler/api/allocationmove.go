package api

import (
	"net/http"

	"shopfn/handler/commerce"
)

// allocationMoveInput is the body of
// POST /api/admin/orders/{orderId}/allocations/move.
type allocationMoveInput struct {
	SKU      string `json:"sku"`
	From     string `json:"from"`
	To       string `json:"to"`
	Quantity int    `json:"quantity"`
}

// moveAllocation moves unshipped units of an order's line from one
// location to another and answers the order. A request with an
// Idempotency-Key seen before for the order replays (same body) or is
// refused with 422 "idempotency_key_reused".
func (s *Server) moveAllocation(w http.ResponseWriter, r *http.Request) error {
	var in allocationMoveInput
	id, key, err := orderChange(w, r, &in)
	if err != nil {
		return err
	}
	m := commerce.AllocationMove{SKU: in.SKU, From: in.From, To: in.To, Quantity: in.Quantity}
	if err := m.Validate(); err != nil {
		return err
	}
	m = m.Hash()
	m.IdempotencyKey = key
	if _, err := s.Orders.Order(r.Context(), id); err != nil {
		return err
	}
	o, err := s.Orders.MoveAllocation(r.Context(), id, m, s.cfg.Now().UTC())
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, o)
	return nil
}
