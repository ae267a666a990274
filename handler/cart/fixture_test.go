package cart_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"shopfn/handler/cart"
	"shopfn/handler/commerce"
	"shopfn/handler/memstore"
	"shopfn/handler/storetest"
)

// t0 is the fixture clock's start.
var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// fixture is a cart.Service on in-memory stores, with a catalog of active
// USD products "A" (2 variants), "B", a EUR product "EUR-1" and a draft
// product "DRAFT-1", each stocked with 10 units.
type fixture struct {
	svc     *cart.Service
	carts   *memstore.CartStore
	catalog *memstore.CatalogStore
	stock   *memstore.InventoryStore
	// checkouts holds the carts' live checkouts, on the stock's DB.
	checkouts *memstore.CheckoutStore
	clock     *storetest.Clock
	// products by SKU, as stored
	products map[string]*commerce.Product
}

// ttl is the fixture's cart lifetime.
const ttl = time.Hour

// newFixture returns a fixture; see its type.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{
		carts: memstore.NewCartStore(), catalog: memstore.NewCatalogStore(),
		clock: storetest.NewClock(t0), products: map[string]*commerce.Product{},
	}
	db := memstore.NewDB(f.clock.Now)
	f.stock, f.checkouts = memstore.NewInventoryStore(db), memstore.NewCheckoutStore(db)
	f.svc = cart.NewService(f.carts, f.checkouts, f.catalog, f.stock, ttl, "USD", f.clock.Now)
	f.product(t, "lamp", commerce.StatusActive, commerce.Money{Amount: 1500, Currency: "USD"}, "A-1", "A-2")
	f.product(t, "mug", commerce.StatusActive, commerce.Money{Amount: 700, Currency: "USD"}, "B")
	f.product(t, "euro", commerce.StatusActive, commerce.Money{Amount: 900, Currency: "EUR"}, "EUR-1")
	f.product(t, "draft", commerce.StatusDraft, commerce.Money{Amount: 100, Currency: "USD"}, "DRAFT-1")
	return f
}

// product stores a product with one variant per SKU, each priced price and
// stocked with 10 units.
func (f *fixture) product(t *testing.T, handle string, status commerce.ProductStatus, price commerce.Money, skus ...string) *commerce.Product {
	t.Helper()
	ctx := context.Background()
	p := &commerce.Product{
		ID: commerce.NewProductID(t0), Handle: handle, Title: "Title " + handle, Category: "home",
		Status: status, CreatedAt: t0, UpdatedAt: t0,
	}
	for _, sku := range skus {
		p.Variants = append(p.Variants, commerce.Variant{SKU: sku, Title: "Variant " + sku, Price: price})
		f.products[sku] = p
		if _, err := f.stock.SetOnHand(ctx, sku, 10); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.catalog.CreateProduct(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// create creates a cart holding lines, given as sku, quantity pairs.
func (f *fixture) create(t *testing.T, lines ...any) *cart.Priced {
	t.Helper()
	var ls []commerce.CartLine
	for i := 0; i < len(lines); i += 2 {
		ls = append(ls, commerce.CartLine{SKU: lines[i].(string), Quantity: lines[i+1].(int)})
	}
	p, err := f.svc.Create(context.Background(), "", ls)
	if err != nil {
		t.Fatalf("Create(%v): %v", ls, err)
	}
	return p
}

// wantCode fails the test unless err is a *commerce.Error with code.
func wantCode(t *testing.T, err error, code string) *commerce.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want code %q", code)
	}
	if got := commerce.ErrorCode(err); got != code {
		t.Fatalf("got code %q (%v), want %q", got, err, code)
	}
	var e *commerce.Error
	errors.As(err, &e)
	return e
}

// lines returns p's priced lines as "sku×quantity" strings.
func lines(p *cart.Priced) []string {
	out := []string{}
	for _, l := range p.Items {
		out = append(out, fmt.Sprintf("%s×%d", l.SKU, l.Quantity))
	}
	return out
}
