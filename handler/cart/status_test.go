package cart

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"shopfn/handler/commerce"
)

// memCarts is an in-memory commerce.CartStore with versions for ETags.
type memCarts struct {
	mu    sync.Mutex
	carts map[string]commerce.Cart
	vers  map[string]int
	// beforeReplace, when set, runs before each ReplaceCart: a concurrent writer.
	beforeReplace func()
}

func newMemCarts() *memCarts {
	return &memCarts{carts: map[string]commerce.Cart{}, vers: map[string]int{}}
}

func (m *memCarts) CreateCart(_ context.Context, c *commerce.Cart) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.vers[c.ID] = 1
	c.ETag = `"1"`
	m.carts[c.ID] = *c
	return nil
}

func (m *memCarts) Cart(_ context.Context, id string) (*commerce.Cart, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.carts[id]
	if !ok {
		return nil, commerce.NotFoundf("cart %s not found", id)
	}
	c.Lines = append([]commerce.CartLine(nil), c.Lines...)
	c.ETag = fmt.Sprintf(`"%d"`, m.vers[id])
	return &c, nil
}

func (m *memCarts) ReplaceCart(_ context.Context, c *commerce.Cart, ifMatch string) error {
	if f := m.beforeReplace; f != nil {
		m.beforeReplace = nil
		f()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if fmt.Sprintf(`"%d"`, m.vers[c.ID]) != ifMatch {
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "changed")
	}
	m.vers[c.ID]++
	c.ETag = fmt.Sprintf(`"%d"`, m.vers[c.ID])
	m.carts[c.ID] = *c
	return nil
}

func (m *memCarts) DeleteCart(context.Context, string, string) error { return nil }

func (m *memCarts) DeleteExpiredCarts(context.Context, time.Time) (int, error) { return 0, nil }

// holder is a Checkouts that says which checkout holds each cart.
type holder map[string]*commerce.Checkout

func (h holder) CartCheckout(_ context.Context, cartID string) (*commerce.Checkout, error) {
	if k, ok := h[cartID]; ok {
		return k, nil
	}
	return nil, commerce.NotFoundf("no checkout")
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newTestCart stores a cart holding lines (sku, quantity pairs) and returns it.
func newTestCart(t *testing.T, m *memCarts, lines ...any) *commerce.Cart {
	t.Helper()
	c := &commerce.Cart{ID: commerce.NewCartID(), Currency: "USD", CreatedAt: t0, UpdatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	for i := 0; i < len(lines); i += 2 {
		c.Lines = append(c.Lines, commerce.CartLine{SKU: lines[i].(string), Quantity: lines[i+1].(int)})
	}
	if err := m.CreateCart(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return c
}

// checkoutOf returns a checkout of the given lines (sku, quantity pairs).
func checkoutOf(id string, lines ...any) *commerce.Checkout {
	k := &commerce.Checkout{ID: id, OrderID: "o_" + id, Status: commerce.CheckoutPending}
	for i := 0; i < len(lines); i += 2 {
		k.Lines = append(k.Lines, commerce.OrderLine{SKU: lines[i].(string), Quantity: lines[i+1].(int), UnitPrice: commerce.Money{Amount: 100, Currency: "USD"}})
	}
	return k
}

func TestHold(t *testing.T) {
	ctx := context.Background()
	t.Run("SameLines", func(t *testing.T) {
		m := newMemCarts()
		s := NewService(m, nil, nil, nil, time.Hour, "USD", func() time.Time { return t0 })
		c := newTestCart(t, m, "A", 1, "B", 2)
		k := checkoutOf("k1", "B", 2, "A", 1)
		if err := s.Hold(ctx, c.ID, k); err != nil {
			t.Fatalf("Hold: %v", err)
		}
		got, _ := m.Cart(ctx, c.ID)
		if got.Status != commerce.CartCheckingOut || got.CheckoutID != "k1" {
			t.Errorf("cart: got status %q checkout %q, want checking_out k1", got.Status, got.CheckoutID)
		}
		if err := s.Hold(ctx, c.ID, k); err != nil {
			t.Errorf("Hold again: got %v, want nil", err)
		}
	})
	t.Run("ChangedLines", func(t *testing.T) {
		m := newMemCarts()
		s := NewService(m, nil, nil, nil, time.Hour, "USD", func() time.Time { return t0 })
		c := newTestCart(t, m, "A", 2)
		err := s.Hold(ctx, c.ID, checkoutOf("k1", "A", 1))
		if got := commerce.ErrorCode(err); got != commerce.CodeCartChanged {
			t.Errorf("Hold of other lines: got %v, want cart_changed", err)
		}
	})
	t.Run("WriteRaces", func(t *testing.T) {
		// A write lands between Hold's read and its conditional write:
		// Hold reads again and refuses the changed cart.
		m := newMemCarts()
		s := NewService(m, nil, nil, nil, time.Hour, "USD", func() time.Time { return t0 })
		c := newTestCart(t, m, "A", 1)
		m.beforeReplace = func() {
			w, _ := m.Cart(ctx, c.ID)
			w.Lines[0].Quantity = 3
			if err := m.ReplaceCart(ctx, w, w.ETag); err != nil {
				t.Error(err)
			}
		}
		err := s.Hold(ctx, c.ID, checkoutOf("k1", "A", 1))
		if got := commerce.ErrorCode(err); got != commerce.CodeCartChanged {
			t.Errorf("Hold after a racing write: got %v, want cart_changed", err)
		}
	})
}

func TestStatus(t *testing.T) {
	ctx := context.Background()
	paid := checkoutOf("kp")
	paid.Status = commerce.CheckoutPaid
	for _, tt := range []struct {
		name      string
		doc       commerce.CartStatus
		held      *commerce.Checkout
		want      commerce.CartStatus
		wantOrder string
	}{
		{"NewCart", "", nil, commerce.CartOpen, ""},
		{"Open", commerce.CartOpen, checkoutOf("k"), commerce.CartOpen, ""}, // the document decides while open
		{"CheckingOut", commerce.CartCheckingOut, checkoutOf("k"), commerce.CartCheckingOut, ""},
		{"ReleasedBeforeReopen", commerce.CartCheckingOut, nil, commerce.CartOpen, ""},
		{"PaidBeforeCompleted", commerce.CartCheckingOut, paid, commerce.CartCompleted, "o_kp"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemCarts()
			h := holder{}
			s := NewService(m, h, nil, nil, time.Hour, "USD", func() time.Time { return t0 })
			c := newTestCart(t, m)
			c.Status = tt.doc
			if tt.held != nil {
				h[c.ID] = tt.held
			}
			got, order, err := s.status(ctx, c)
			if err != nil || got != tt.want || order != tt.wantOrder {
				t.Errorf("status: got %q %q %v, want %q %q", got, order, err, tt.want, tt.wantOrder)
			}
		})
	}
}

func TestSettle(t *testing.T) {
	ctx := context.Background()
	m := newMemCarts()
	s := NewService(m, nil, nil, nil, time.Hour, "USD", func() time.Time { return t0 })
	c := newTestCart(t, m, "A", 1)
	k := checkoutOf("k1", "A", 1)
	if err := s.Hold(ctx, c.ID, k); err != nil {
		t.Fatal(err)
	}
	other := checkoutOf("k0")
	other.Status = commerce.CheckoutExpired
	if err := s.Settle(ctx, c.ID, other); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Cart(ctx, c.ID); got.Status != commerce.CartCheckingOut {
		t.Errorf("after another checkout settled: status %q, want checking_out", got.Status)
	}
	k.Status = commerce.CheckoutPaid
	if err := s.Settle(ctx, c.ID, k); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Cart(ctx, c.ID); got.Status != commerce.CartCompleted || got.OrderID != "o_k1" {
		t.Errorf("after paid: got %q %q, want completed o_k1", got.Status, got.OrderID)
	}
}

func TestETagVersion(t *testing.T) {
	p := &Priced{Currency: "USD", Status: commerce.CartOpen, Items: []commerce.OrderLine{{SKU: "A", Quantity: 1, UnitPrice: commerce.Money{Amount: 100, Currency: "USD"}}}}
	tag := etag(`"7"`, p)
	if got := version(tag); got != `"7"` {
		t.Errorf("version(%s): got %s, want \"7\"", tag, got)
	}
	if got := version(`"7"`); got != `"7"` {
		t.Errorf("version of a document ETag: got %s", got)
	}
	p.Items[0].UnitPrice.Amount = 120
	if again := etag(`"7"`, p); again == tag {
		t.Errorf("ETag after a repricing: got the same %s", tag)
	}
	p.Items[0].UnitPrice.Amount = 100
	p.Status = commerce.CartCheckingOut
	if again := etag(`"7"`, p); again == tag {
		t.Errorf("ETag after a status change: got the same %s", tag)
	}
}
