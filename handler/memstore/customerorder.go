package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

var _ commerce.CustomerOrderStore = (*OrderStore)(nil)

// CustomerOrders returns copies of a customer's orders, newest first.
func (s *OrderStore) CustomerOrders(ctx context.Context, customerID, before string, limit int) ([]commerce.Order, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	var ids []string
	for id, c := range s.db.owners {
		if c == customerID && (before == "" || id < before) {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(b, a) })
	out := []commerce.Order{}
	for _, id := range ids {
		if len(out) == limit {
			break
		}
		if o, err := s.order(id); err == nil {
			out = append(out, *o)
		}
	}
	return out, nil
}

// CountCustomerOrders counts a customer's orders.
func (s *OrderStore) CountCustomerOrders(ctx context.Context, customerID string) (int, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	n := 0
	for id, c := range s.db.owners {
		if _, err := s.order(id); c == customerID && err == nil {
			n++
		}
	}
	return n, nil
}

// OrderCustomer returns the customer of an order, or "".
func (s *OrderStore) OrderCustomer(ctx context.Context, orderID string) (string, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	return s.db.owners[orderID], nil
}

// ClaimOrder makes a guest order the customer's unless it has a customer.
func (s *OrderStore) ClaimOrder(ctx context.Context, orderID, customerID string, now time.Time) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if _, err := s.order(orderID); err != nil {
		return false, err
	}
	if _, ok := s.db.owners[orderID]; !ok {
		s.db.owners[orderID] = customerID
	}
	return s.db.owners[orderID] == customerID, nil
}

// RedactCustomerOrders redacts a customer's checkouts and orders.
func (s *OrderStore) RedactCustomerOrders(ctx context.Context, customerID string, now time.Time) (int, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	redacted := commerce.Address{Name: commerce.Redacted, Line1: commerce.Redacted, Line2: commerce.Redacted,
		City: commerce.Redacted, PostalCode: commerce.Redacted, Country: commerce.Redacted}
	n, all := 0, 0
	for id, c := range s.db.owners {
		if c != customerID {
			continue
		}
		all++
		changed := false
		if cid, ok := s.db.byOrder[id]; ok {
			if k := &s.db.checkouts[cid].c; k.Email != commerce.Redacted {
				k.Email, k.Address, changed = commerce.Redacted, redacted, true
			}
		}
		if row, ok := s.db.orders[id]; ok && row.o.Email != commerce.Redacted {
			row.o.Email, row.o.ShippingAddress, changed = commerce.Redacted, redacted, true
		}
		if changed {
			n++
		}
	}
	if _, ok := s.db.erasures[customerID]; !ok {
		s.db.erasures[customerID] = all
	}
	return n, nil
}
