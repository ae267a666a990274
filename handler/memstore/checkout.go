package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

// CheckoutStore is the in-memory commerce.CheckoutStore and
// commerce.Outbox, on a DB.
type CheckoutStore struct {
	db *DB
	// Allocation chooses the locations a checkout's lines are reserved
	// at; "" is fewest_shipments.
	Allocation commerce.AllocationStrategy
}

var (
	_ commerce.CheckoutStore = (*CheckoutStore)(nil)
	_ commerce.Outbox        = (*CheckoutStore)(nil)
)

// NewCheckoutStore returns a CheckoutStore on db.
func NewCheckoutStore(db *DB) *CheckoutStore { return &CheckoutStore{db: db} }

// checkoutRow is a stored checkout: the checkout with its next action kept
// as JSON, as a column keeps it, and its reservation per SKU.
type checkoutRow struct {
	c            commerce.Checkout // NextAction nil; Response, Lines owned by the row
	next         []byte
	reservations map[string]*reservation
}

// reservation is what a checkout holds of one SKU.
type reservation struct {
	quantity int
	status   reservationStatus
	at       map[string]int // units per location; nil: all at the default location
}

// reservationStatus is where a reservation stands.
type reservationStatus int

// The reservation statuses: held (counted in reserved), released (given
// back), committed (turned into committed stock by its order).
const (
	held reservationStatus = iota
	released
	committed
)

// BeginCheckout stores c as pending, makes it its cart's one live
// checkout, reserves every line's quantity and stores outbox, all or
// nothing. It returns KindConflict "duplicate_checkout" when
// c.IdempotencyKey (or c.ID or c.OrderID) is taken, "cart_closed" when the
// cart has a live checkout, and "insufficient_stock" listing every short
// SKU in SKU order.
func (s *CheckoutStore) BeginCheckout(ctx context.Context, c *commerce.Checkout, outbox []commerce.Message) error {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	_, idTaken := s.db.checkouts[c.ID]
	_, keyTaken := s.db.byKey[c.IdempotencyKey]
	_, orderTaken := s.db.byOrder[c.OrderID]
	if idTaken || keyTaken || orderTaken {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeDuplicateCheckout, "checkout key %q exists", c.IdempotencyKey)
	}
	if err := s.db.checkClaim(c.CartID); err != nil {
		return err
	}
	promos := redemptionIDs(c)
	if err := s.db.checkRedemptions(promos, c.CustomerID); err != nil {
		return err
	}
	want := map[string]int{}
	for _, l := range c.Lines {
		want[l.SKU] += l.Quantity
	}
	plan, err := s.db.plan(c.Address.Country, want, s.Allocation)
	if err != nil {
		return err
	}
	c.Allocations = allocations(plan)
	row := &checkoutRow{c: *c, next: []byte("null"), reservations: map[string]*reservation{}}
	row.c.Status, row.c.PaymentID, row.c.NextAction, row.c.Response = commerce.CheckoutPending, "", nil, nil
	row.c.Lines = slices.Clone(c.Lines)
	row.c.LeaseUntil, row.c.ReservedUntil = stamp(c.LeaseUntil), stamp(c.ReservedUntil)
	row.c.CreatedAt, row.c.UpdatedAt = stamp(c.CreatedAt), stamp(c.UpdatedAt)
	row.c.Allocations = slices.Clone(c.Allocations)
	for sku, q := range want {
		r := &reservation{quantity: q, status: held, at: plan[sku]}
		row.reservations[sku] = r
		s.db.change(sku, r.unitsAt(), func(l *commerce.StockLevel, q int64) { l.Reserved += q })
	}
	s.db.checkouts[c.ID] = row
	s.db.byKey[c.IdempotencyKey] = c.ID
	s.db.byOrder[c.OrderID] = c.ID
	if c.CustomerID != "" {
		s.db.owners[c.OrderID] = c.CustomerID
	}
	s.db.carts[c.CartID] = c.ID
	s.db.holdRedemptions(c.ID, promos, c.CustomerID, "")
	s.db.addOutbox(outbox)
	return nil
}

// checkAvailable returns "insufficient_stock" listing, in SKU order, every
// SKU of want (SKU -> quantity) with fewer units available. The caller
// holds db.mu.
func (db *DB) checkAvailable(want map[string]int) error {
	var short []string
	for sku, q := range want {
		if l, ok := db.stock[sku]; !ok || l.OnHand-l.Committed-l.Reserved < int64(q) {
			short = append(short, sku)
		}
	}
	if len(short) == 0 {
		return nil
	}
	slices.Sort(short)
	e := commerce.Errorf(commerce.KindConflict, commerce.CodeInsufficientStock, "not enough stock for %s", strings.Join(short, ", "))
	e.SKUs = short
	return e
}

// addReserved adds n (which may be negative) to a stocked SKU's reserved
// count. The caller holds db.mu.
func (db *DB) addReserved(sku string, n int64) {
	l := db.level(sku)
	l.Reserved += n
	db.stock[sku] = l
}

// Checkout returns a copy of a checkout by ID, or "not_found".
func (s *CheckoutStore) Checkout(ctx context.Context, id string) (*commerce.Checkout, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	return s.db.checkout(id)
}

// CheckoutByKey returns a copy of a checkout by idempotency key, or
// "not_found".
func (s *CheckoutStore) CheckoutByKey(ctx context.Context, key string) (*commerce.Checkout, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	id, ok := s.db.byKey[key]
	if !ok {
		return nil, commerce.NotFoundf("checkout %q not found", key)
	}
	return s.db.checkout(id)
}

// CheckoutByOrder returns a copy of the checkout of an order ID, or
// "not_found".
func (s *CheckoutStore) CheckoutByOrder(ctx context.Context, orderID string) (*commerce.Checkout, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	id, ok := s.db.byOrder[orderID]
	if !ok {
		return nil, commerce.NotFoundf("checkout %q not found", orderID)
	}
	return s.db.checkout(id)
}

// checkout returns a copy of checkout id, or "not_found". The caller holds
// db.mu.
func (db *DB) checkout(id string) (*commerce.Checkout, error) {
	row, ok := db.checkouts[id]
	if !ok {
		return nil, commerce.NotFoundf("checkout %q not found", id)
	}
	c := row.c
	c.Lines = slices.Clone(row.c.Lines)
	c.Allocations = slices.Clone(row.c.Allocations)
	if err := json.Unmarshal(row.next, &c.NextAction); err != nil {
		return nil, fmt.Errorf("memstore: decode next action of %s: %w", id, err)
	}
	if r := row.c.Response; r != nil {
		c.Response = &commerce.StoredResponse{Status: r.Status, Body: slices.Clone(r.Body)}
	}
	return &c, nil
}

// open reports whether a checkout is pending or awaiting the buyer.
func (row *checkoutRow) open() bool {
	return row.c.Status == commerce.CheckoutPending || row.c.Status == commerce.CheckoutRequiresAction
}

// Lease claims a pending or requires_action checkout until until, unless
// another claim runs past now. It reports whether the claim was taken.
func (s *CheckoutStore) Lease(ctx context.Context, id string, now, until time.Time) (bool, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.checkouts[id]
	if !ok || !row.open() || row.c.LeaseUntil.After(now) {
		return false, nil
	}
	row.c.LeaseUntil = stamp(until)
	return true, nil
}

// SetPayment records the payment of a pending or requires_action checkout
// and moves it to requires_action when the payment needs the buyer (to
// pending otherwise), with resp as its first response if it has none. A
// checkout moving to requires_action takes one of its Client's
// hold.Checkouts slots and counts its units against its Client within
// hold.Units and hold.TotalUnits first (0: unbounded; an empty Client is
// unbounded too), returning KindConflict "too_many_checkouts" or
// "too_many_held_units", changing nothing, when a bound would be passed;
// its reservation then ends at hold.Until when that is earlier, with
// hold.Outbox stored. It reports whether the checkout changed.
func (s *CheckoutStore) SetPayment(ctx context.Context, id string, p commerce.Payment, hold commerce.Hold, resp *commerce.StoredResponse) (bool, error) {
	next, err := json.Marshal(p.NextAction)
	if err != nil {
		return false, fmt.Errorf("memstore: encode next action: %w", err)
	}
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	row, ok := s.db.checkouts[id]
	if !ok || !row.open() {
		return false, nil
	}
	status := commerce.CheckoutPending
	if p.Status == commerce.PaymentRequiresAction {
		status = commerce.CheckoutRequiresAction
		if err := s.db.countUnits(row, hold); err != nil {
			return false, err
		}
		if err := s.db.takeSlot(row, hold.Checkouts); err != nil {
			s.db.uncount(row)
			return false, err
		}
		if until := stamp(hold.Until); !until.IsZero() && until.Before(row.c.ReservedUntil) {
			row.c.ReservedUntil = until
			s.db.addOutbox(hold.Outbox)
		}
	}
	row.c.Status, row.c.PaymentID, row.next = status, p.ID, next
	row.setResponse(resp)
	return true, nil
}

// SetResponse records the first response of a checkout that has none; it
// does nothing otherwise, or for an unknown checkout.
func (s *CheckoutStore) SetResponse(ctx context.Context, id string, resp *commerce.StoredResponse) error {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	if row, ok := s.db.checkouts[id]; ok {
		row.setResponse(resp)
	}
	return nil
}

// setResponse stores a copy of resp as the first response, unless resp is
// nil or there is one. The caller holds db.mu.
func (row *checkoutRow) setResponse(resp *commerce.StoredResponse) {
	if resp != nil && row.c.Response == nil {
		row.c.Response = &commerce.StoredResponse{Status: resp.Status, Body: slices.Clone(resp.Body)}
	}
}

// OverdueCheckouts returns the IDs of up to limit open checkouts (pending
// or awaiting the buyer) whose reservation ended before before, the
// longest overdue first.
func (s *CheckoutStore) OverdueCheckouts(ctx context.Context, before time.Time, limit int) ([]string, error) {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	var rows []*checkoutRow
	for _, row := range s.db.checkouts {
		if row.open() && row.c.ReservedUntil.Before(before) {
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, func(a, b *checkoutRow) int {
		if c := a.c.ReservedUntil.Compare(b.c.ReservedUntil); c != 0 {
			return c
		}
		return strings.Compare(a.c.ID, b.c.ID)
	})
	var ids []string
	for _, row := range rows[:min(len(rows), max(limit, 0))] {
		ids = append(ids, row.c.ID)
	}
	return ids, nil
}
