package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

// OrderStore is the in-memory commerce.OrderStore, on a DB.
type OrderStore struct {
	db *DB
}

var _ commerce.OrderStore = (*OrderStore)(nil)

// NewOrderStore returns an OrderStore on db.
func NewOrderStore(db *DB) *OrderStore { return &OrderStore{db: db} }

// orderRow is a stored order, whether its units were restocked, and when
// its cancellation claimed it.
type orderRow struct {
	o          commerce.Order // Items owned by the row
	restocked  bool
	cancelling time.Time
	shipped    map[string]map[string]int // SKU -> location -> units shipped by Fulfil
	keys       map[string]string         // Idempotency-Key -> request hash
	moveKeys   map[string]string         // a move's Idempotency-Key -> request hash
}

// PlaceOrder stores the order of a paid checkout, created at now, and
// commits its reservation (reserved drops and committed rises by each
// quantity). It reports false, changing nothing, when the order exists,
// and returns "not_found" for an unknown order and KindConflict "not_paid"
// when the checkout is not paid.
func (s *OrderStore) PlaceOrder(ctx context.Context, orderID string, now time.Time) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	id, ok := s.db.byOrder[orderID]
	if !ok {
		return false, commerce.NotFoundf("no checkout for order %s", orderID)
	}
	row := s.db.checkouts[id]
	if row.c.Status != commerce.CheckoutPaid {
		return false, commerce.Errorf(commerce.KindConflict, commerce.CodeNotPaid, "checkout %s of order %s is %s", id, orderID, row.c.Status)
	}
	if _, ok := s.db.orders[orderID]; ok {
		return false, nil
	}
	s.db.orders[orderID] = &orderRow{o: *orderFromCheckout(&row.c, commerce.OrderPlaced, stamp(now))}
	for sku, r := range row.reservations {
		if r.status == held {
			r.status = committed
			s.db.change(sku, r.unitsAt(), func(l *commerce.StockLevel, q int64) { l.Reserved, l.Committed = l.Reserved-q, l.Committed+q })
		}
	}
	return true, nil
}

// orderFromCheckout builds the order checkout c pays for, with its own
// copy of the lines.
func orderFromCheckout(c *commerce.Checkout, status commerce.OrderStatus, created time.Time) *commerce.Order {
	o := &commerce.Order{
		ID: c.OrderID, CheckoutID: c.ID, Status: status, Email: c.Email, Items: slices.Clone(c.Lines),
		Subtotal: c.Subtotal, Shipping: c.Shipping, Tax: c.Tax, Total: c.Total,
		ShippingAddress: c.Address, BillingAddress: c.BillingAddress, PaymentID: c.PaymentID, CreatedAt: created, TokenHash: c.OrderTokenHash,
		Allocations: slices.Clone(c.Allocations), ShippingOptionID: c.ShippingOptionID, TaxLines: slices.Clone(c.TaxLines), TaxIncluded: c.TaxIncluded,
		Discounts: slices.Clone(c.Discounts),
	}
	if len(c.Discounts) > 0 {
		m := c.DiscountTotal
		o.DiscountTotal = &m
	}
	return o
}

// copy returns a copy of the stored order that shares no memory with it.
func (row *orderRow) copy() *commerce.Order {
	o := row.o
	o.Items = slices.Clone(row.o.Items)
	o.Allocations = slices.Clone(row.o.Allocations)
	o.Fulfilments = slices.Clone(row.o.Fulfilments)
	o.Discounts = slices.Clone(row.o.Discounts)
	if row.o.DiscountTotal != nil {
		m := *row.o.DiscountTotal
		o.DiscountTotal = &m
	}
	if row.o.CancelledAt != nil {
		t := *row.o.CancelledAt
		o.CancelledAt = &t
	}
	if row.o.FulfilledAt != nil {
		t := *row.o.FulfilledAt
		o.FulfilledAt = &t
	}
	return &o
}

// Order returns a copy of an order; a paid checkout whose order is not
// stored yet is returned as processing, created when the checkout was last
// updated. It returns "not_found" otherwise.
func (s *OrderStore) Order(ctx context.Context, id string) (*commerce.Order, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	return s.order(id)
}

// order returns a copy of an order with its customer; s.db.mu is held.
func (s *OrderStore) order(id string) (*commerce.Order, error) {
	var o *commerce.Order
	if row, ok := s.db.orders[id]; ok {
		o = row.copy()
	} else if cid, ok := s.db.byOrder[id]; ok {
		if c := &s.db.checkouts[cid].c; c.Status == commerce.CheckoutPaid {
			o = orderFromCheckout(c, commerce.OrderProcessing, c.UpdatedAt)
		}
	}
	if o == nil {
		return nil, commerce.NotFoundf("order %s not found", id)
	}
	o.CustomerID = s.db.owners[id]
	return o, nil
}

// Orders returns copies of the orders f selects, by ID: stored ones, and
// paid checkouts whose order is not stored yet, as processing.
func (s *OrderStore) Orders(ctx context.Context, f commerce.OrderFilter) ([]commerce.Order, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	var out []commerce.Order
	if f.Status == "" || f.Status == commerce.OrderProcessing {
		for oid, cid := range s.db.byOrder {
			c := &s.db.checkouts[cid].c
			if _, stored := s.db.orders[oid]; !stored && oid > f.After && c.Status == commerce.CheckoutPaid {
				out = append(out, *orderFromCheckout(c, commerce.OrderProcessing, c.UpdatedAt))
			}
		}
	}
	if f.Status != commerce.OrderProcessing {
		for id, row := range s.db.orders {
			if id > f.After && (f.Status == "" || row.o.Status == f.Status) {
				out = append(out, *row.copy())
			}
		}
	}
	slices.SortFunc(out, func(a, b commerce.Order) int { return strings.Compare(a.ID, b.ID) })
	return out[:min(len(out), max(f.Limit, 0))], nil
}

// ClaimCancel moves a placed order to cancelling, claimed at now. It
// reports whether the order changed.
func (s *OrderStore) ClaimCancel(ctx context.Context, id string, now time.Time) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.orders[id]
	if !ok || row.o.Status != commerce.OrderPlaced {
		return false, nil
	}
	row.o.Status, row.cancelling = commerce.OrderCancelling, stamp(now)
	return true, nil
}

// CancellingOrders returns the IDs of up to limit orders claimed for
// cancelling before before, the oldest claim first.
func (s *OrderStore) CancellingOrders(ctx context.Context, before time.Time, limit int) ([]string, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	var rows []*orderRow
	for _, row := range s.db.orders {
		if row.o.Status == commerce.OrderCancelling && row.cancelling.Before(before) {
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, func(a, b *orderRow) int { return a.cancelling.Compare(b.cancelling) })
	ids := []string{}
	for _, row := range rows[:min(len(rows), max(limit, 0))] {
		ids = append(ids, row.o.ID)
	}
	return ids, nil
}

// CancelOrder moves a cancelling order to cancelled at now and stores
// cancelled in the outbox. It reports whether the order changed.
func (s *OrderStore) CancelOrder(ctx context.Context, id string, now time.Time, cancelled commerce.Message) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.orders[id]
	if !ok || row.o.Status != commerce.OrderCancelling {
		return false, nil
	}
	at := stamp(now)
	row.o.Status, row.o.CancelledAt = commerce.OrderCancelled, &at
	s.db.returnRedemptions(row.o.CheckoutID)
	s.db.addOutbox([]commerce.Message{cancelled})
	return true, nil
}

// Restock gives a cancelled order's committed units back to sale
// (committed drops), once. An order placed before committed stock existed
// took its units off on hand, so where a SKU has fewer units committed than
// the line, they go back on hand instead, as sqlstore does. It reports
// whether it did.
func (s *OrderStore) Restock(ctx context.Context, orderID string) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.orders[orderID]
	if !ok || row.o.Status != commerce.OrderCancelled || row.restocked {
		return false, nil
	}
	row.restocked = true
	for sku, at := range orderUnits(&row.o) {
		if _, ok := s.db.stock[sku]; !ok && len(at) == 1 && at[commerce.DefaultLocation] > 0 {
			continue // never stocked
		}
		s.db.change(sku, at, func(lv *commerce.StockLevel, q int64) {
			if lv.Committed >= q {
				lv.Committed -= q
			} else {
				lv.OnHand += q
			}
		})
	}
	return true, nil
}

// FulfilOrder ships a placed order at now (on hand and committed both drop
// by each quantity) and moves it to fulfilled, once. It reports whether it
// changed the order, and returns KindConflict "order_cancelling" for an
// order being cancelled and "order_not_placed" for one that is not placed
// or fulfilled (processing, cancelled, unknown).
func (s *OrderStore) FulfilOrder(ctx context.Context, id string, now time.Time) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.orders[id]
	switch {
	case !ok:
		return false, commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is not placed yet", id)
	case row.o.Status == commerce.OrderFulfilled:
		return false, nil
	case row.o.Status == commerce.OrderCancelling:
		return false, commerce.Errorf(commerce.KindConflict, commerce.CodeOrderCancelling, "order %s is being cancelled; it cannot be fulfilled", id)
	case row.o.Status != commerce.OrderPlaced && row.o.Status != commerce.OrderPartiallyFulfilled:
		return false, commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is %s, not placed", id, row.o.Status)
	}
	at := stamp(now)
	row.o.Status, row.o.FulfilledAt = commerce.OrderFulfilled, &at
	for _, f := range remainder(&row.o, row.shipped) {
		for _, l := range f.Lines {
			s.db.ship(l.SKU, f.LocationID, l.Quantity)
		}
		f.ID, f.CreatedAt = commerce.NewFulfilmentID(at), at
		row.o.Fulfilments = append(row.o.Fulfilments, f)
	}
	return true, nil
}

// ship takes q shipped units of sku off on hand and committed at loc. The
// caller holds db.mu.
func (db *DB) ship(sku, loc string, q int) {
	if lv := db.levelAt(sku, loc); lv.Committed >= int64(q) {
		lv.OnHand, lv.Committed = max(lv.OnHand-int64(q), 0), lv.Committed-int64(q)
		db.setLevelAt(loc, lv)
	}
}

// remainder returns what is left to ship of an order, as one fulfilment
// per location in location then SKU order, given what shipped.
func remainder(o *commerce.Order, shipped map[string]map[string]int) []commerce.Fulfilment {
	byLoc := map[string][]commerce.FulfilmentLine{}
	for _, a := range commerce.AllocationsOf(o.Allocations, o.Items) {
		if q := a.Quantity - shipped[a.SKU][a.LocationID]; q > 0 {
			byLoc[a.LocationID] = append(byLoc[a.LocationID], commerce.FulfilmentLine{SKU: a.SKU, Quantity: q})
		}
	}
	var out []commerce.Fulfilment
	for loc, lines := range byLoc {
		slices.SortFunc(lines, func(a, b commerce.FulfilmentLine) int { return strings.Compare(a.SKU, b.SKU) })
		out = append(out, commerce.Fulfilment{LocationID: loc, Lines: lines})
	}
	slices.SortFunc(out, func(a, b commerce.Fulfilment) int { return strings.Compare(a.LocationID, b.LocationID) })
	return out
}

// Fulfil ships f's lines of a placed or partially fulfilled order from
// f.LocationID at now, all or none; see commerce.OrderStore.
func (s *OrderStore) Fulfil(ctx context.Context, id string, f commerce.FulfilmentRequest, now time.Time) (*commerce.Order, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.orders[id]
	if !ok {
		if _, err := s.order(id); err != nil {
			return nil, err
		}
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is not placed yet", id)
	}
	if f.IdempotencyKey != "" {
		if h, ok := row.keys[f.IdempotencyKey]; ok {
			if h != f.RequestHash {
				return nil, commerce.IdempotencyReused()
			}
			return s.order(id)
		}
	}
	if _, ok := s.db.locations[f.LocationID]; !ok {
		return nil, commerce.NotFoundf("location %q not found", f.LocationID)
	}
	if len(f.Lines) == 0 && row.o.Status == commerce.OrderFulfilled {
		return s.order(id) // everything left at the location: nothing is left
	}
	switch row.o.Status {
	case commerce.OrderPlaced, commerce.OrderPartiallyFulfilled:
	case commerce.OrderCancelling:
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeOrderCancelling, "order %s is being cancelled; it cannot be fulfilled", id)
	case commerce.OrderFulfilled:
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeNotAllocated, "order %s is fulfilled: nothing is left to ship", id)
	default:
		return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeOrderNotPlaced, "order %s is %s, not placed", id, row.o.Status)
	}
	units := orderUnits(&row.o)
	if len(f.Lines) == 0 {
		// Everything left at the location: nothing left where units were
		// allocated is done already.
		for _, r := range remainder(&row.o, row.shipped) {
			if r.LocationID == f.LocationID {
				f.Lines = r.Lines
			}
		}
		if len(f.Lines) == 0 {
			if slices.ContainsFunc(commerce.AllocationsOf(row.o.Allocations, row.o.Items), func(a commerce.Allocation) bool { return a.LocationID == f.LocationID }) {
				return s.order(id)
			}
			return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeNotAllocated, "order %s has no units allocated at %s", id, f.LocationID)
		}
	}
	for _, l := range f.Lines {
		if units[l.SKU][f.LocationID]-row.shipped[l.SKU][f.LocationID] < l.Quantity {
			return nil, commerce.NotAllocated(id, l.SKU, f.LocationID, l.Quantity)
		}
	}
	if row.shipped == nil {
		row.shipped = map[string]map[string]int{}
	}
	for _, l := range f.Lines {
		if row.shipped[l.SKU] == nil {
			row.shipped[l.SKU] = map[string]int{}
		}
		row.shipped[l.SKU][f.LocationID] += l.Quantity
		s.db.ship(l.SKU, f.LocationID, l.Quantity)
	}
	at := stamp(now)
	row.o.Fulfilments = append(row.o.Fulfilments, commerce.Fulfilment{
		ID: commerce.NewFulfilmentID(at), LocationID: f.LocationID, Lines: slices.Clone(f.Lines),
		TrackingNumber: f.TrackingNumber, Carrier: f.Carrier, CreatedAt: at,
	})
	row.o.Status = commerce.OrderPartiallyFulfilled
	if len(remainder(&row.o, row.shipped)) == 0 {
		row.o.Status, row.o.FulfilledAt = commerce.OrderFulfilled, &at
	}
	if f.IdempotencyKey != "" {
		if row.keys == nil {
			row.keys = map[string]string{}
		}
		row.keys[f.IdempotencyKey] = f.RequestHash
	}
	return s.order(id)
}
