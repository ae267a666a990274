package storetest

import (
	"sync"
	"testing"

	"shopfn/handler/commerce"
)

// TestCustomerOrders runs the conformance suite of
// commerce.CustomerOrderStore, which st.Orders must implement. newStores
// must return new, empty stores on one database each time it is called.
func TestCustomerOrders(t *testing.T, newStores func(t *testing.T) MoneyStores) {
	ctx := callContext(t)
	const ada, bob = "u_ada", "u_bob"
	orders := func(t *testing.T, st MoneyStores) commerce.CustomerOrderStore {
		t.Helper()
		s, ok := st.Orders.(commerce.CustomerOrderStore)
		if !ok {
			t.Fatalf("%T is not a commerce.CustomerOrderStore", st.Orders)
		}
		return s
	}
	ids := func(os []commerce.Order) []string {
		out := []string{}
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	// setup makes ada's paid orders 1 (placed) and 2 (processing), her
	// unpaid checkout 3, bob's order 4 and a guest's order 5.
	setup := func(t *testing.T) (MoneyStores, commerce.CustomerOrderStore) {
		st := newStores(t)
		stockUp(t, st, "A", 50)
		for _, n := range []struct {
			id, customer string
			pay          bool
		}{{"1", ada, true}, {"2", ada, true}, {"3", ada, false}, {"4", bob, true}, {"5", "", true}} {
			c := newCheckout(n.id, "A", 1)
			c.CustomerID = n.customer
			if n.pay {
				paid(t, st, c)
			} else {
				begin(t, st, c)
			}
			if n.id == "1" {
				place(t, st, c, moneyT0)
			}
		}
		return st, orders(t, st)
	}

	t.Run("History", func(t *testing.T) {
		_, s := setup(t)
		got, err := s.CustomerOrders(ctx, ada, "", 10)
		must(t, err)
		if g := ids(got); len(g) != 2 || g[0] != "ord_2" || g[1] != "ord_1" {
			t.Fatalf("CustomerOrders(ada): got %v, want [ord_2 ord_1] (newest first, paid only)", g)
		}
		if got[0].Status != commerce.OrderProcessing || got[1].Status != commerce.OrderPlaced || got[0].CustomerID != ada || got[1].CustomerID != ada {
			t.Errorf("CustomerOrders(ada): got %+v, want processing then placed, each with customerId", got)
		}
		page, err := s.CustomerOrders(ctx, ada, "", 1)
		must(t, err)
		next, err := s.CustomerOrders(ctx, ada, page[0].ID, 1)
		must(t, err)
		if g := append(ids(page), ids(next)...); len(g) != 2 || g[0] != "ord_2" || g[1] != "ord_1" {
			t.Errorf("paged by 1: got %v, want [ord_2 ord_1]", g)
		}
		for _, tt := range []struct {
			customer string
			want     int
		}{{ada, 2}, {bob, 1}, {"u_nobody", 0}} {
			n, err := s.CountCustomerOrders(ctx, tt.customer)
			must(t, err)
			if n != tt.want {
				t.Errorf("CountCustomerOrders(%s): got %d, want %d", tt.customer, n, tt.want)
			}
		}
		if c, err := s.OrderCustomer(ctx, "ord_5"); err != nil || c != "" {
			t.Errorf("OrderCustomer of a guest's order: got %q %v, want none", c, err)
		}
	})

	t.Run("Claim", func(t *testing.T) {
		st, s := setup(t)
		ok, err := s.ClaimOrder(ctx, "ord_5", ada, moneyT0)
		must(t, err)
		if !ok {
			t.Fatal("ClaimOrder of a guest order: got false, want true")
		}
		if ok, err := s.ClaimOrder(ctx, "ord_5", ada, moneyT0); err != nil || !ok {
			t.Errorf("ClaimOrder again: got %v %v, want true", ok, err)
		}
		if ok, err := s.ClaimOrder(ctx, "ord_5", bob, moneyT0); err != nil || ok {
			t.Errorf("ClaimOrder of ada's order by bob: got %v %v, want false", ok, err)
		}
		if ok, err := s.ClaimOrder(ctx, "ord_4", ada, moneyT0); err != nil || ok {
			t.Errorf("ClaimOrder of bob's order by ada: got %v %v, want false", ok, err)
		}
		_, err = s.ClaimOrder(ctx, "ord_3", ada, moneyT0)
		wantCode(t, err, commerce.CodeNotFound)
		o, err := st.Orders.Order(ctx, "ord_5")
		must(t, err)
		if o.CustomerID != ada {
			t.Errorf("claimed order: customerId %q, want %q", o.CustomerID, ada)
		}
	})

	t.Run("ConcurrentClaimsOneWins", func(t *testing.T) {
		_, s := setup(t)
		won := make([]bool, 8)
		var wg sync.WaitGroup
		for i := range won {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.ClaimOrder(ctx, "ord_5", []string{ada, bob}[i%2], moneyT0)
				won[i] = ok && err == nil
			}()
		}
		wg.Wait()
		c, err := s.OrderCustomer(ctx, "ord_5")
		must(t, err)
		for i, ok := range won {
			if mine := []string{ada, bob}[i%2] == c; ok != mine {
				t.Errorf("claim %d: got %v, want %v (the order is %s's)", i, ok, mine, c)
			}
		}
	})

	t.Run("Redact", func(t *testing.T) {
		st, s := setup(t)
		n, err := s.RedactCustomerOrders(ctx, ada, moneyT0)
		must(t, err)
		if n != 3 { // orders 1 and 2, and the unpaid checkout 3
			t.Errorf("RedactCustomerOrders: got %d, want 3", n)
		}
		for _, id := range []string{"ord_1", "ord_2"} {
			o, err := st.Orders.Order(ctx, id)
			must(t, err)
			a := o.ShippingAddress
			if o.Email != commerce.Redacted || a.Name != commerce.Redacted || a.Line1 != commerce.Redacted || a.City != commerce.Redacted || a.PostalCode != commerce.Redacted {
				t.Errorf("%s after redaction: email %q address %+v, want %q", id, o.Email, a, commerce.Redacted)
			}
			if len(o.Items) != 1 || o.Total.Amount == 0 || o.CustomerID != ada {
				t.Errorf("%s after redaction: items %v total %v customer %q, want them kept", id, o.Items, o.Total, o.CustomerID)
			}
		}
		// The order placed after the redaction is redacted too: it is
		// made from the redacted checkout.
		place(t, st, newCheckout("2", "A", 1), moneyT0)
		if o, err := st.Orders.Order(ctx, "ord_2"); err != nil || o.Email != commerce.Redacted {
			t.Errorf("ord_2 placed after redaction: got %+v %v, want it redacted", o, err)
		}
		for _, id := range []string{"ord_4", "ord_5"} {
			o, err := st.Orders.Order(ctx, id)
			must(t, err)
			if o.Email == commerce.Redacted {
				t.Errorf("%s of another buyer was redacted", id)
			}
		}
		again, err := s.RedactCustomerOrders(ctx, ada, moneyT0)
		must(t, err)
		if again != 0 {
			t.Errorf("RedactCustomerOrders again: got %d, want 0", again)
		}
	})
}
