package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

// CheckoutStore is the relational commerce.CheckoutStore and commerce.Outbox.
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

const checkoutColumns = `id, idempotency_key, order_id, status, payment_id, next_action, lease_until,
	response_status, response_body, reserved_until, created_at, updated_at, doc`

// BeginCheckout stores a pending checkout, claims its cart, and reserves its
// stock.
func (s *CheckoutStore) BeginCheckout(ctx context.Context, c *commerce.Checkout, outbox []commerce.Message) error {
	doc, err := encodeCheckout(c)
	if err != nil {
		return err
	}
	return s.db.tx(ctx, "begin checkout", func(tx *sql.Tx) error {
		_, err := s.db.exec(ctx, tx, `INSERT INTO checkouts (`+checkoutColumns+`) VALUES (?, ?, ?, ?, '', 'null', ?, 0, NULL, ?, ?, ?, ?)`,
			c.ID, c.IdempotencyKey, c.OrderID, commerce.CheckoutPending, unix(c.LeaseUntil),
			unix(c.ReservedUntil), unix(c.CreatedAt), unix(c.UpdatedAt), string(doc)) // text columns take strings on every engine
		if s.db.d.IsUnique(err) {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeDuplicateCheckout, "checkout key %q exists", c.IdempotencyKey)
		}
		if err != nil {
			return err
		}
		if err := s.claim(ctx, tx, c.ID, c.CartID); err != nil {
			return err
		}
		if err := s.db.addOrderCustomer(ctx, tx, c); err != nil {
			return err
		}
		// Redemptions first: a code used up refuses the checkout before
		// any stock is touched (promotionredeem.go).
		if err := s.db.reserveRedemptions(ctx, tx, c); err != nil {
			return err
		}
		// Reserve in SKU order, so concurrent checkouts lock rows in one
		// order, at the locations that ship to the address (allocation.go).
		a, err := s.allocate(ctx, tx, c.ID, c.Address.Country, c.Lines, false)
		if err != nil {
			return err
		}
		if c.Allocations = storedAllocations(a); c.Allocations != nil {
			// Allocated away from the default location: the document says where.
			allocated, err := encodeCheckout(c)
			if err != nil {
				return err
			}
			if _, err := s.db.exec(ctx, tx, `UPDATE checkouts SET doc = ? WHERE id = ?`, string(allocated), c.ID); err != nil {
				return err
			}
		}
		if err := s.db.addOutbox(ctx, tx, outbox); err != nil {
			return err
		}
		return s.db.appendStockEvents(ctx, tx, lineSKUs(c.Lines))
	})
}

// claim makes checkoutID its cart's one live checkout, decided by the
// cart's primary key, so that concurrent claims on any engine and any number
// of instances cannot both win.
func (s *CheckoutStore) claim(ctx context.Context, tx *sql.Tx, checkoutID, cartID string) error {
	n, err := s.db.exec(ctx, tx, `INSERT INTO cart_checkouts (cart_id, checkout_id) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM cart_checkouts WHERE cart_id = ?)`,
		cartID, checkoutID, cartID)
	if s.db.d.IsUnique(err) || (err == nil && n == 0) {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeCartClosed, "cart %s is being checked out or was checked out", cartID)
	}
	return err
}

// unclaim frees a checkout's cart, its client slot and the units it
// counted against its client.
func (db *DB) unclaim(ctx context.Context, tx *sql.Tx, checkoutID string, cart bool) error {
	if cart {
		if _, err := db.exec(ctx, tx, `DELETE FROM cart_checkouts WHERE checkout_id = ?`, checkoutID); err != nil {
			return err
		}
	}
	if _, err := db.exec(ctx, tx, `DELETE FROM client_slots WHERE checkout_id = ?`, checkoutID); err != nil {
		return err
	}
	return db.freeUnits(ctx, tx, checkoutID)
}

// CartCheckout returns the live checkout of a cart.
func (s *CheckoutStore) CartCheckout(ctx context.Context, cartID string) (*commerce.Checkout, error) {
	var id string
	err := s.db.readRow(ctx, `SELECT checkout_id FROM cart_checkouts WHERE cart_id = ?`, cartID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, commerce.NotFoundf("cart %s has no live checkout", cartID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read cart checkout: %w", err)
	}
	return s.Checkout(ctx, id)
}

// reserve holds quantity units of sku for a checkout if they are available;
// again, its released reservation row may be there.
func (s *CheckoutStore) reserve(ctx context.Context, tx *sql.Tx, checkoutID, sku string, quantity int, again bool) (bool, error) {
	n, err := s.db.exec(ctx, tx, `UPDATE inventory SET reserved = reserved + ? WHERE sku = ? AND on_hand - committed - reserved >= ?`, quantity, sku, quantity)
	if err != nil || n == 0 {
		return false, err
	}
	if again {
		n, err = s.db.exec(ctx, tx, `UPDATE reservations SET status = 'held' WHERE checkout_id = ? AND sku = ?`, checkoutID, sku)
		if err != nil || n == 1 {
			return n == 1, err
		}
	}
	_, err = s.db.exec(ctx, tx, `INSERT INTO reservations (checkout_id, sku, quantity, status) VALUES (?, ?, ?, 'held')`, checkoutID, sku, quantity)
	return err == nil, err
}

func insufficient(skus []string) error {
	e := commerce.Errorf(commerce.KindConflict, commerce.CodeInsufficientStock, "not enough stock for %s", strings.Join(skus, ", "))
	e.SKUs = skus
	return e
}

// Checkout returns a checkout by ID.
func (s *CheckoutStore) Checkout(ctx context.Context, id string) (*commerce.Checkout, error) {
	return s.one(ctx, "id", id)
}

// CheckoutByKey returns a checkout by idempotency key.
func (s *CheckoutStore) CheckoutByKey(ctx context.Context, key string) (*commerce.Checkout, error) {
	return s.one(ctx, "idempotency_key", key)
}

// CheckoutByOrder returns the checkout of an order.
func (s *CheckoutStore) CheckoutByOrder(ctx context.Context, orderID string) (*commerce.Checkout, error) {
	return s.one(ctx, "order_id", orderID)
}

func (s *CheckoutStore) one(ctx context.Context, column, value string) (*commerce.Checkout, error) {
	row := s.db.readRow(ctx, `SELECT `+checkoutColumns+` FROM checkouts WHERE `+column+` = ?`, value)
	c, err := scanCheckout(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, commerce.NotFoundf("checkout %q not found", value)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read checkout: %w", err)
	}
	return c, nil
}

func scanCheckout(row interface{ Scan(...any) error }) (*commerce.Checkout, error) {
	var c commerce.Checkout
	var next, doc []byte
	var respStatus int
	var respBody []byte
	var lease, reserved, created, updated int64
	if err := row.Scan(&c.ID, &c.IdempotencyKey, &c.OrderID, &c.Status, &c.PaymentID, &next, &lease,
		&respStatus, &respBody, &reserved, &created, &updated, &doc); err != nil {
		return nil, err
	}
	if err := decodeCheckout(doc, &c); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(next, &c.NextAction); err != nil {
		return nil, err
	}
	c.LeaseUntil, c.ReservedUntil, c.CreatedAt, c.UpdatedAt = fromUnix(lease), fromUnix(reserved), fromUnix(created), fromUnix(updated)
	if respStatus != 0 {
		c.Response = &commerce.StoredResponse{Status: respStatus, Body: respBody}
	}
	return &c, nil
}

// Lease claims an open checkout until until, unless a claim holds at now.
func (s *CheckoutStore) Lease(ctx context.Context, id string, now, until time.Time) (bool, error) {
	var n int64
	err := s.db.tx(ctx, "lease checkout", func(tx *sql.Tx) (err error) {
		n, err = s.db.exec(ctx, tx, `UPDATE checkouts SET lease_until = ? WHERE id = ? AND status IN ('pending', 'requires_action') AND lease_until <= ?`,
			unix(until), id, unix(now))
		return err
	})
	return n == 1, err
}

// ReleaseLeases drops every claim on checkouts. Only a store with a single
// process, the embedded one, may call it, when that process starts: the
// claims it finds belonged to a process that is gone.
func (s *CheckoutStore) ReleaseLeases(ctx context.Context) error {
	return s.db.tx(ctx, "release leases", func(tx *sql.Tx) error {
		_, err := s.db.exec(ctx, tx, `UPDATE checkouts SET lease_until = 0 WHERE lease_until <> 0`)
		return err
	})
}

// SetPayment records a pending checkout's payment. A checkout moving to
// requires_action is held within its client's bounds first, and its
// reservation shortened to hold.Until, in the same transaction.
func (s *CheckoutStore) SetPayment(ctx context.Context, id string, p commerce.Payment, hold commerce.Hold, resp *commerce.StoredResponse) (bool, error) {
	next, err := json.Marshal(p.NextAction)
	if err != nil {
		return false, fmt.Errorf("sqlstore: encode next action: %w", err)
	}
	status := commerce.CheckoutPending
	if p.Status == commerce.PaymentRequiresAction {
		status = commerce.CheckoutRequiresAction
	}
	var n int64
	err = s.db.tx(ctx, "set payment", func(tx *sql.Tx) (err error) {
		if status == commerce.CheckoutRequiresAction {
			if err := s.holdForClient(ctx, tx, id, hold); err != nil {
				return err
			}
		}
		n, err = s.db.exec(ctx, tx, `UPDATE checkouts SET payment_id = ?, next_action = ?, status = ? WHERE id = ? AND status IN ('pending', 'requires_action')`,
			p.ID, string(next), status, id)
		if err != nil || n != 1 {
			return err
		}
		if status == commerce.CheckoutRequiresAction && !hold.Until.IsZero() {
			if err := s.shorten(ctx, tx, id, hold); err != nil {
				return err
			}
		}
		return s.setResponse(ctx, tx, id, resp)
	})
	return n == 1, err
}

// shorten moves an open checkout's reservation expiry to hold.Until when
// that is earlier, storing hold.Outbox (the new expiry message) only then.
func (s *CheckoutStore) shorten(ctx context.Context, tx *sql.Tx, id string, hold commerce.Hold) error {
	until := unix(hold.Until)
	n, err := s.db.exec(ctx, tx, `UPDATE checkouts SET reserved_until = ? WHERE id = ? AND status IN ('pending', 'requires_action') AND reserved_until > ?`, until, id, until)
	if err != nil || n == 0 {
		return err
	}
	return s.db.addOutbox(ctx, tx, hold.Outbox)
}

// holdForClient takes, for an open checkout, one of its client's
// hold.Checkouts slots and adds its units to what the client holds, unless
// it did so already. An unknown checkout, or one with no client, is not
// bounded. It is idempotent per checkout: two SetPayment of one checkout
// at once (a retried request racing its first attempt) take turns on the
// checkout's row, read under the dialect's lock hint; should both still
// read that nothing is held (under read committed snapshot a read does not
// wait for a writer), the loser's inserts meet the winner's keys and it
// finds the winner's slot and count, which are its own.
func (s *CheckoutStore) holdForClient(ctx context.Context, tx *sql.Tx, id string, hold commerce.Hold) error {
	var doc []byte
	err := s.db.queryRow(ctx, tx, `SELECT doc FROM checkouts `+s.db.d.LockRows+` WHERE id = ? AND status IN ('pending', 'requires_action')`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var d checkoutDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return err
	}
	if d.Client == "" {
		return nil
	}
	// Statements of their own, after the lock: they see what a transaction
	// that held the lock before committed.
	var slotted, counted int
	err = s.db.queryRow(ctx, tx, `SELECT (SELECT COUNT(*) FROM client_slots WHERE checkout_id = ?), (SELECT COUNT(*) FROM client_held WHERE checkout_id = ?)`, id, id).Scan(&slotted, &counted)
	if err != nil {
		return err
	}
	if afterSlotRead != nil {
		if err := afterSlotRead(ctx, tx, id); err != nil {
			return err
		}
	}
	if hold.Checkouts > 0 && slotted == 0 {
		if err := s.takeSlot(ctx, tx, id, d.Client, hold.Checkouts); err != nil {
			return err
		}
	}
	if counted == 0 {
		return s.countUnits(ctx, tx, id, d, hold)
	}
	return nil
}

// takeSlot takes one of maxHeld slots of client for checkout id. Each slot
// is a primary key, so concurrent checkouts of one client on any number of
// instances never take more than maxHeld; checkout_id is a key too, so one
// checkout holds one slot at most.
func (s *CheckoutStore) takeSlot(ctx context.Context, tx *sql.Tx, id, client string, maxHeld int) error {
	for slot := 0; slot < maxHeld; slot++ {
		n, err := s.db.exec(ctx, tx, `INSERT INTO client_slots (client, slot, checkout_id) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM client_slots WHERE client = ? AND slot = ?)`,
			client, slot, id, client, slot)
		if err != nil && !s.db.d.IsUnique(err) {
			return err
		}
		if err == nil && n == 1 {
			return nil
		}
	}
	// Every insert met a key: the client's slots, or this checkout's own
	// slot, taken by a concurrent SetPayment of it since the read above.
	if held, err := s.holdsSlot(ctx, tx, id); err != nil || held {
		return err
	}
	return commerce.Errorf(commerce.KindConflict, commerce.CodeTooManyCheckouts, "this client has %d checkouts waiting for authentication already; finish or abandon one first", maxHeld)
}

// holdsSlot reports whether a checkout holds one of its client's slots.
func (s *CheckoutStore) holdsSlot(ctx context.Context, tx *sql.Tx, id string) (bool, error) {
	var n int
	err := s.db.queryRow(ctx, tx, `SELECT COUNT(*) FROM client_slots WHERE checkout_id = ?`, id).Scan(&n)
	return n > 0, err
}

// afterSlotRead, when set (by tests only), runs in holdForClient's transaction
// after it found the checkout holding no slot and before it takes one: a
// test writes there what a concurrent transaction committed meanwhile,
// which a read under read committed snapshot does not see.
var afterSlotRead func(ctx context.Context, tx *sql.Tx, checkoutID string) error

// SetResponse records a checkout's first response.
func (s *CheckoutStore) SetResponse(ctx context.Context, id string, resp *commerce.StoredResponse) error {
	return s.db.tx(ctx, "set response", func(tx *sql.Tx) error { return s.setResponse(ctx, tx, id, resp) })
}

func (s *CheckoutStore) setResponse(ctx context.Context, tx *sql.Tx, id string, resp *commerce.StoredResponse) error {
	if resp == nil {
		return nil
	}
	_, err := s.db.exec(ctx, tx, `UPDATE checkouts SET response_status = ?, response_body = ? WHERE id = ? AND response_status = 0`, resp.Status, resp.Body, id)
	return err
}

// OverdueCheckouts returns up to limit open checkouts (pending or awaiting
// the buyer) whose reservation expired before before, oldest first.
func (s *CheckoutStore) OverdueCheckouts(ctx context.Context, before time.Time, limit int) ([]string, error) {
	rows, err := s.db.readRows(ctx, s.db.d.Rebind(s.db.d.Limit(`SELECT id FROM checkouts
		WHERE status IN ('pending', 'requires_action') AND reserved_until < ? ORDER BY reserved_until`)), unix(before), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: overdue checkouts: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlstore: overdue checkouts: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: overdue checkouts: %w", err)
	}
	return ids, nil
}
