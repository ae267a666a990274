package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

// MoveAllocation moves m's unshipped units of an order's line from m.From
// to m.To at now, all or nothing; see commerce.OrderStore.
func (s *OrderStore) MoveAllocation(ctx context.Context, id string, m commerce.AllocationMove, now time.Time) (*commerce.Order, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.orders[id]
	if !ok {
		if _, err := s.order(id); err != nil {
			return nil, err
		}
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is not placed yet", id)
	}
	if m.IdempotencyKey != "" {
		if h, ok := row.moveKeys[m.IdempotencyKey]; ok {
			if h != m.RequestHash {
				return nil, commerce.Errorf(commerce.KindRule, commerce.CodeIdempotencyKeyReused, "this Idempotency-Key was used for another move of this order")
			}
			return s.order(id)
		}
	}
	switch row.o.Status {
	case commerce.OrderPlaced, commerce.OrderPartiallyFulfilled:
	case commerce.OrderCancelling:
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeOrderCancelling, "order %s is being cancelled; its allocations cannot move", id)
	case commerce.OrderFulfilled:
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeNotAllocated, "order %s is fulfilled: nothing is left to move", id)
	default:
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is %s, not placed", id, row.o.Status)
	}
	if _, ok := s.db.locations[m.From]; !ok {
		return nil, commerce.NotFoundf("location %q not found", m.From)
	}
	to, ok := s.db.locations[m.To]
	switch {
	case !ok:
		return nil, commerce.NotFoundf("location %q not found", m.To)
	case to.Status != commerce.LocationActive:
		return nil, commerce.CannotShipFrom(id, m.SKU, m.To, "the location is inactive")
	case !to.Serves(row.o.ShippingAddress.Country):
		return nil, commerce.CannotShipFrom(id, m.SKU, m.To, "the location does not ship to "+row.o.ShippingAddress.Country)
	}
	units := orderUnits(&row.o)
	if units[m.SKU][m.From]-row.shipped[m.SKU][m.From] < m.Quantity {
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeNotAllocated, "order %s has fewer than %d unshipped units of %s allocated at %s", id, m.Quantity, m.SKU, m.From)
	}
	if s.db.levelAt(m.SKU, m.To).Available() < int64(m.Quantity) {
		return nil, commerce.ShortAt(m.SKU, m.To, m.Quantity)
	}
	s.db.change(m.SKU, map[string]int{m.From: m.Quantity}, func(l *commerce.StockLevel, q int64) { l.Committed -= q })
	s.db.change(m.SKU, map[string]int{m.To: m.Quantity}, func(l *commerce.StockLevel, q int64) { l.Committed += q })
	units[m.SKU][m.From] -= m.Quantity
	units[m.SKU][m.To] += m.Quantity
	row.o.Allocations = unitsAllocations(units)
	if m.IdempotencyKey != "" {
		if row.moveKeys == nil {
			row.moveKeys = map[string]string{}
		}
		row.moveKeys[m.IdempotencyKey] = m.RequestHash
	}
	return s.order(id)
}

// unitsAllocations lists where an order's units are as the order stores
// them: by SKU then location, nil when all are at the default location.
func unitsAllocations(units map[string]map[string]int) []commerce.Allocation {
	var out []commerce.Allocation
	other := false
	for sku, at := range units {
		for loc, q := range at {
			if q > 0 {
				out = append(out, commerce.Allocation{SKU: sku, LocationID: loc, Quantity: q})
				other = other || loc != commerce.DefaultLocation
			}
		}
	}
	if !other {
		return nil
	}
	slices.SortFunc(out, func(a, b commerce.Allocation) int {
		if c := strings.Compare(a.SKU, b.SKU); c != 0 {
			return c
		}
		return strings.Compare(a.LocationID, b.LocationID)
	})
	return out
}
