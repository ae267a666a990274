package cart_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"shopfn/handler/cart"
	"shopfn/handler/commerce"
)

// owners is an in-memory cart.Owners: the customer's cart, swapped under a
// lock as the customer record's conditional write swaps it.
type owners struct {
	mu    sync.Mutex
	carts map[string]string
}

func (o *owners) CartOf(ctx context.Context, id string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.carts[id], nil
}

func (o *owners) SwapCart(ctx context.Context, id, from, to string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if cur := o.carts[id]; cur != from && cur != to {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "the customer's cart changed")
	}
	o.carts[id] = to
	return nil
}

// signedIn returns a fixture whose service keeps customers' carts, and the
// context of customer "u_ada".
func signedIn(t *testing.T) (*fixture, context.Context) {
	f := newFixture(t)
	f.svc.Owners = &owners{carts: map[string]string{}}
	return f, cart.WithCustomer(context.Background(), "u_ada")
}

// An owned cart is served to its owner only: 401 without a customer, 404
// to another.
func TestOwnedCart(t *testing.T) {
	f, ada := signedIn(t)
	p, err := f.svc.Create(ada, "", []commerce.CartLine{{SKU: "B", Quantity: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if p.CustomerID != "u_ada" {
		t.Fatalf("customerId %q, want u_ada", p.CustomerID)
	}
	_, err = f.svc.Get(context.Background(), p.ID)
	wantCode(t, err, commerce.CodeUnauthorized)
	_, err = f.svc.Add(cart.WithCustomer(context.Background(), "u_bob"), p.ID, "", "B", 1)
	wantCode(t, err, commerce.CodeNotFound)
	_, err = f.svc.Create(ada, "", nil)
	wantCode(t, err, commerce.CodeCartExists)
	mine, err := f.svc.Mine(ada)
	if err != nil || mine.ID != p.ID {
		t.Fatalf("Mine: got %+v %v, want %s", mine, err, p.ID)
	}
}

// A merge cut off after the guest cart closed (a crash) is finished by the
// call repeated, and the lines go in once however often it is repeated.
func TestMergeFinishesOnce(t *testing.T) {
	f, ada := signedIn(t)
	mine, err := f.svc.Create(ada, "", []commerce.CartLine{{SKU: "B", Quantity: 1}})
	if err != nil {
		t.Fatal(err)
	}
	guest := f.create(t, "B", 2, "A-1", 1)
	// The first step of a merge alone: the guest cart closed into mine.
	g, err := f.carts.Cart(context.Background(), guest.ID)
	if err != nil {
		t.Fatal(err)
	}
	g.Status, g.MergedInto, g.CustomerID = commerce.CartMerged, mine.ID, "u_ada"
	if err := f.carts.ReplaceCart(context.Background(), g, g.ETag); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		p, err := f.svc.Attach(ada, guest.ID, cart.MergeLines)
		if err != nil {
			t.Fatalf("Attach %d: %v", i, err)
		}
		if got, want := lines(p), []string{"B×3", "A-1×1"}; p.ID != mine.ID || !slices.Equal(got, want) {
			t.Errorf("Attach %d: got %s %v, want %s %v", i, p.ID, got, mine.ID, want)
		}
	}
}

// A checkout cannot hold a cart a merge closed: its lines are in another
// cart now, and charging for them would sell them twice.
func TestHoldRefusesMergedCart(t *testing.T) {
	f, ada := signedIn(t)
	if _, err := f.svc.Create(ada, "", []commerce.CartLine{{SKU: "B", Quantity: 1}}); err != nil {
		t.Fatal(err)
	}
	guest := f.create(t, "B", 2)
	k := checkoutOf(guest, "1")
	if _, err := f.svc.Attach(ada, guest.ID, cart.MergeLines); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.svc.Hold(context.Background(), guest.ID, k), commerce.CodeCartChanged)
}
