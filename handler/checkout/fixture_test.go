package checkout_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"shopfn/handler/cart"
	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
	"shopfn/handler/memstore"
	"shopfn/handler/pricing"
	"shopfn/handler/storetest"
)

// t0 is the fixture clock's start.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// reservationTTL is how long the fixture's checkouts hold stock.
const reservationTTL = 15 * time.Minute

// fixture is a checkout.Service on in-memory stores and a fake provider,
// with USD products "A" (price 1000) and "B" (price 2500), 5 units each,
// shipping 500 and tax 100.
type fixture struct {
	svc       *checkout.Service
	carts     *cart.Service
	catalog   *memstore.CatalogStore
	stock     *memstore.InventoryStore
	checkouts *memstore.CheckoutStore
	orders    *memstore.OrderStore
	pay       *fakePay
	clock     *storetest.Clock
	products  map[string]*commerce.Product
	published atomic.Int64 // calls of Config.Published
	// beforeVariants, when set, runs once before the cart rules next look
	// variants up: a write that races the checkout's pricing.
	beforeVariants func()
}

// newFixture returns a fixture; see its type.
func newFixture(t *testing.T) *fixture { t.Helper(); return newFixtureWith(t, nil) }

// newFixtureWith returns a fixture whose checkout configuration configure
// (when not nil) changed.
func newFixtureWith(t *testing.T, configure func(*checkout.Config)) *fixture {
	t.Helper()
	f := &fixture{catalog: memstore.NewCatalogStore(), pay: newFakePay(), clock: storetest.NewClock(t0), products: map[string]*commerce.Product{}}
	db := memstore.NewDB(f.clock.Now)
	f.stock, f.checkouts, f.orders = memstore.NewInventoryStore(db), memstore.NewCheckoutStore(db), memstore.NewOrderStore(db)
	f.carts = cart.NewService(memstore.NewCartStore(), f.checkouts, variants{f}, f.stock, time.Hour, "USD", f.clock.Now)
	cfg := checkout.Config{
		Rules:          pricing.Flat("USD", 500, 100, nil, nil),
		ReservationTTL: reservationTTL,
		Now:            f.clock.Now,
		Published:      func() { f.published.Add(1) },
		Render: func(c *commerce.Checkout) (int, []byte) {
			return 200, []byte(`{"status":"` + string(c.Status) + `"}`)
		},
	}
	if configure != nil {
		configure(&cfg)
	}
	f.svc = checkout.NewService(f.carts, f.checkouts, f.pay, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	for sku, price := range map[string]int64{"A": 1000, "B": 2500} {
		p := &commerce.Product{ID: commerce.NewProductID(t0), Handle: "h-" + sku, Title: "Item " + sku, Category: "home",
			Status: commerce.StatusActive, CreatedAt: t0, UpdatedAt: t0,
			Variants: []commerce.Variant{{SKU: sku, Title: sku, Price: commerce.Money{Amount: price, Currency: "USD"}}}}
		if err := f.catalog.CreateProduct(ctx, p); err != nil {
			t.Fatal(err)
		}
		f.products[sku] = p
		f.setStock(t, sku, 5)
	}
	return f
}

// setStock sets a SKU's on-hand count.
func (f *fixture) setStock(t *testing.T, sku string, n int64) {
	t.Helper()
	if _, err := f.stock.SetOnHand(context.Background(), sku, n); err != nil {
		t.Fatal(err)
	}
}

// cart creates a cart holding lines, given as sku, quantity pairs, and
// returns its ID.
func (f *fixture) cart(t *testing.T, lines ...any) string {
	t.Helper()
	var ls []commerce.CartLine
	for i := 0; i < len(lines); i += 2 {
		ls = append(ls, commerce.CartLine{SKU: lines[i].(string), Quantity: lines[i+1].(int)})
	}
	p, err := f.carts.Create(context.Background(), "", ls)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// request returns a valid checkout request of a cart, paying with pm.
func request(cartID, pm string) checkout.Request {
	return checkout.Request{CartID: cartID, Email: "ada@example.com", PaymentMethod: pm,
		ShippingAddress: commerce.Address{Name: "Ada", Line1: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US"}}
}

// wantStock fails the test unless sku has the given on-hand, committed and
// reserved counts.
func (f *fixture) wantStock(t *testing.T, sku string, onHand, committed, reserved int64) {
	t.Helper()
	got, err := f.stock.StockLevels(context.Background(), []string{sku})
	if err != nil {
		t.Fatal(err)
	}
	if want := (commerce.StockLevel{SKU: sku, OnHand: onHand, Committed: committed, Reserved: reserved}); got[sku] != want {
		t.Errorf("stock of %s: got %+v, want %+v", sku, got[sku], want)
	}
}

// wantStatus fails the test unless checkout id has status, and returns it.
func (f *fixture) wantStatus(t *testing.T, id string, want commerce.CheckoutStatus) *commerce.Checkout {
	t.Helper()
	c, err := f.checkouts.Checkout(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != want {
		t.Errorf("checkout %s: got status %q, want %q", id, c.Status, want)
	}
	return c
}

// outbox returns the unpublished outbox messages of type typ.
func (f *fixture) outbox(t *testing.T, typ string) []commerce.Message {
	t.Helper()
	all, err := f.checkouts.Unpublished(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []commerce.Message
	for _, e := range all {
		if e.Message.Type == typ {
			out = append(out, e.Message)
		}
	}
	return out
}

// wantCode fails the test unless err is a *commerce.Error with code.
func wantCode(t *testing.T, err error, code string) *commerce.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want code %q", code)
	}
	var e *commerce.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("got error %v, want code %q", err, code)
	}
	return e
}

// variants is the fixture's catalog as the cart rules see it, running
// beforeVariants first.
type variants struct{ f *fixture }

// Variants runs and clears f.beforeVariants, then looks the SKUs up.
func (v variants) Variants(ctx context.Context, skus []string) (map[string]commerce.VariantRef, error) {
	if hook := v.f.beforeVariants; hook != nil {
		v.f.beforeVariants = nil
		hook()
	}
	return v.f.catalog.Variants(ctx, skus)
}
