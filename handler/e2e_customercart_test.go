package main

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ownedCart is a cart as the API answers it, with its owner and merge.
type ownedCart struct {
	e2eCart
	Status     string `json:"status"`
	CustomerID string `json:"customerId"`
	MergedInto string `json:"mergedInto"`
}

// shipTo is a checkout's shipping address.
func shipTo(line1 string) map[string]any {
	a := testAddress(line1, false)
	delete(a, "isDefault")
	return a
}

// cartAs sends a cart request with the customer's token (none when c is
// the zero customerClient) and decodes a 2xx answer.
func cartAs(tb testing.TB, s e2eShop, c customerClient, method, path string, body any) (*Response, ownedCart) {
	tb.Helper()
	var h []string
	if c.token != "" {
		h = []string{"Authorization", "Bearer " + c.token}
	}
	res := s.do(tb, method, path, body, h...)
	var got ownedCart
	if res.Status < 300 && len(res.Body) > 0 {
		res.JSON(tb, &got)
	}
	return res, got
}

func TestE2ECustomerCart(t *testing.T) {
	t.Parallel()
	s := e2eShop{MustRunMain(t, false)}
	s.mustStockedProduct(t, "owned-tee", "OWN-TEE", 2000, 100)
	s.mustStockedProduct(t, "owned-mug", "OWN-MUG", 900, 100)
	ada := devSignIn(t, s.Program, "ada@example.com", "Ada")
	bob := devSignIn(t, s.Program, "bob@example.com", "Bob")
	adaID := ada.me(t).ID
	var guest customerClient

	res := ada.do(t, "GET", "/api/me/cart", nil)
	wantProblem(t, "GET /api/me/cart before any cart", res, 404, "not_found")

	res, mine := cartAs(t, s, ada, "POST", "/api/carts", map[string][]e2eLine{"items": {{"OWN-TEE", 1}}})
	e2eWantStatus(t, "POST /api/carts with a token", res, 201)
	if mine.CustomerID != adaID || mine.Status != "open" {
		t.Fatalf("owned cart: customerId %q status %q, want %q open", mine.CustomerID, mine.Status, adaID)
	}
	path := "/api/carts/" + mine.ID

	res, got := cartAs(t, s, ada, "GET", "/api/me/cart", nil)
	if res.Status != 200 || got.ID != mine.ID || got.CustomerID != adaID {
		t.Errorf("GET /api/me/cart: got %d %+v, want the owned cart %s", res.Status, got, mine.ID)
	}
	wantProblem(t, "a second cart", s.do(t, "POST", "/api/carts", nil, "Authorization", "Bearer "+ada.token), 409, "cart_exists")

	// Only the owner reads and changes it: 401 without a token, 404 with
	// another customer's.
	for _, tt := range []struct {
		method, path string
		body         any
	}{
		{"GET", path, nil},
		{"POST", path + "/items", e2eLine{"OWN-MUG", 1}},
		{"PUT", path + "/items/OWN-TEE", map[string]int{"quantity": 3}},
		{"DELETE", path + "/items/OWN-TEE", nil},
		{"DELETE", path, nil},
		{"POST", "/api/checkout", map[string]any{"cartId": mine.ID, "email": "x@example.com", "paymentMethod": "pm_card_visa", "shippingAddress": shipTo("1 Main St")}},
	} {
		body := tt.body
		if tt.method == "GET" || (tt.method == "DELETE") {
			body = nil
		}
		res := s.do(t, tt.method, tt.path, body)
		wantProblem(t, tt.method+" "+tt.path+" without a token", res, 401, "unauthorized")
		if got := res.Header.Get("WWW-Authenticate"); got != "Bearer" {
			t.Errorf("%s %s without a token: WWW-Authenticate %q, want Bearer", tt.method, tt.path, got)
		}
		res, _ = cartAs(t, s, bob, tt.method, tt.path, body)
		wantProblem(t, tt.method+" "+tt.path+" with another customer's token", res, 404, "not_found")
	}
	res, got = cartAs(t, s, ada, "POST", path+"/items", e2eLine{"OWN-MUG", 2})
	if res.Status != 200 || !cmp.Equal(e2eQuantities(got.e2eCart), map[string]int{"OWN-TEE": 1, "OWN-MUG": 2}) {
		t.Errorf("the owner adds a line: got %d %s", res.Status, res.Body)
	}
	wantProblem(t, "a bad token", s.do(t, "GET", path, nil, "Authorization", "Bearer nonsense"), 401, "unauthorized")

	// A guest cart stays anyone's, token or not, and has no customerId.
	res, g := cartAs(t, s, guest, "POST", "/api/carts", nil)
	e2eWantStatus(t, "POST /api/carts without a token", res, 201)
	if g.CustomerID != "" {
		t.Errorf("guest cart: customerId %q, want none", g.CustomerID)
	}
	if res, _ := cartAs(t, s, bob, "GET", "/api/carts/"+g.ID, nil); res.Status != 200 {
		t.Errorf("a guest cart with a token: got %d, want 200", res.Status)
	}

	// Deleting the open cart frees the place for a new one.
	if res := s.do(t, "DELETE", path, nil, "Authorization", "Bearer "+ada.token); res.Status != 204 {
		t.Fatalf("the owner deletes the cart: got %d %s", res.Status, res.Body)
	}
	wantProblem(t, "GET /api/me/cart after delete", ada.do(t, "GET", "/api/me/cart", nil), 404, "not_found")
	res, _ = cartAs(t, s, ada, "POST", "/api/carts", nil)
	e2eWantStatus(t, "a new cart after delete", res, 201)
}

func TestE2ECustomerCartConcurrentCreate(t *testing.T) {
	t.Parallel()
	s := e2eShop{MustRunMain(t, false)}
	ada := devSignIn(t, s.Program, "ada@example.com", "Ada")
	ada.me(t)
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.send("POST", "/api/carts", nil, "Authorization", "Bearer "+ada.token)
			if err == nil {
				statuses[i] = res.Status
			}
		}()
	}
	wg.Wait()
	created := 0
	for i, st := range statuses {
		switch st {
		case 201:
			created++
		case 409:
		default:
			t.Errorf("create %d: got %d, want 201 or 409", i, st)
		}
	}
	if created != 1 {
		t.Errorf("concurrent creates: %d answered 201, want 1 (statuses %v)", created, statuses)
	}
	res, c := cartAs(t, s, ada, "GET", "/api/me/cart", nil)
	if res.Status != 200 || c.ID == "" {
		t.Errorf("GET /api/me/cart: got %d %s", res.Status, res.Body)
	}
}

func TestE2ECustomerCartAttach(t *testing.T) {
	t.Parallel()
	s := e2eShop{MustRunMain(t, false)}
	s.mustStockedProduct(t, "attach-tee", "ATT-TEE", 2000, 500)
	s.mustStockedProduct(t, "attach-mug", "ATT-MUG", 900, 500)
	var guest customerClient

	// newGuest makes a guest cart holding lines.
	newGuest := func(t *testing.T, lines ...e2eLine) ownedCart {
		t.Helper()
		res, c := cartAs(t, s, guest, "POST", "/api/carts", map[string][]e2eLine{"items": lines})
		e2eWantStatus(t, "guest cart", res, 201)
		return c
	}
	// attach attaches cart id in mode, wanting status.
	attach := func(t *testing.T, c customerClient, id, mode string, status int) ownedCart {
		t.Helper()
		res, got := cartAs(t, s, c, "POST", "/api/carts/"+id+"/customer", map[string]string{"mode": mode})
		if res.Status != status {
			t.Fatalf("attach %s %s: got %d %s, want %d", id, mode, res.Status, res.Body, status)
		}
		return got
	}
	// newCustomer signs a new customer in, with an open cart of lines
	// when there are some.
	newCustomer := func(t *testing.T, email string, lines ...e2eLine) (customerClient, string) {
		t.Helper()
		c := devSignIn(t, s.Program, email, "")
		if len(lines) == 0 {
			return c, ""
		}
		res, mine := cartAs(t, s, c, "POST", "/api/carts", map[string][]e2eLine{"items": lines})
		e2eWantStatus(t, "customer cart", res, 201)
		return c, mine.ID
	}

	t.Run("NoCustomerCart", func(t *testing.T) {
		c, _ := newCustomer(t, "none@example.com")
		g := newGuest(t, e2eLine{"ATT-TEE", 1})
		got := attach(t, c, g.ID, "merge", 200)
		if got.ID != g.ID || got.CustomerID != c.me(t).ID || got.Status != "open" {
			t.Errorf("attach with no customer cart: got %+v, want the guest cart, now owned", got)
		}
		again := attach(t, c, g.ID, "keep", 200)
		if again.ID != g.ID {
			t.Errorf("repeat: got cart %s, want %s", again.ID, g.ID)
		}
		res, mine := cartAs(t, s, c, "GET", "/api/me/cart", nil)
		if res.Status != 200 || mine.ID != g.ID {
			t.Errorf("GET /api/me/cart: got %d %+v, want %s", res.Status, mine, g.ID)
		}
		wantProblem(t, "the attached cart without a token", s.do(t, "GET", "/api/carts/"+g.ID, nil), 401, "unauthorized")
	})

	t.Run("Merge", func(t *testing.T) {
		c, mineID := newCustomer(t, "merge@example.com", e2eLine{"ATT-TEE", 2})
		g := newGuest(t, e2eLine{"ATT-TEE", 3}, e2eLine{"ATT-MUG", 1})
		got := attach(t, c, g.ID, "merge", 200)
		if got.ID != mineID || !cmp.Equal(e2eQuantities(got.e2eCart), map[string]int{"ATT-TEE": 5, "ATT-MUG": 1}) {
			t.Errorf("merge: got %s %v, want %s with the lines summed", got.ID, e2eQuantities(got.e2eCart), mineID)
		}
		res, closed := cartAs(t, s, c, "GET", "/api/carts/"+g.ID, nil)
		if res.Status != 200 || closed.Status != "merged" || closed.MergedInto != mineID {
			t.Errorf("the guest cart after merge: got %d %s, want merged into %s", res.Status, res.Body, mineID)
		}
		again := attach(t, c, g.ID, "merge", 200)
		if again.ID != mineID || !cmp.Equal(e2eQuantities(again.e2eCart), map[string]int{"ATT-TEE": 5, "ATT-MUG": 1}) {
			t.Errorf("merge repeated: got %s %v, want nothing more added", again.ID, e2eQuantities(again.e2eCart))
		}
		wantProblem(t, "a change to the merged cart", s.do(t, "POST", "/api/carts/"+g.ID+"/items", e2eLine{"ATT-MUG", 1}, "Authorization", "Bearer "+c.token), 409, "cart_closed")
	})

	t.Run("MergeBreaksRule", func(t *testing.T) {
		c, mineID := newCustomer(t, "limit@example.com", e2eLine{"ATT-TEE", 60})
		g := newGuest(t, e2eLine{"ATT-TEE", 60})
		res, _ := cartAs(t, s, c, "POST", "/api/carts/"+g.ID+"/customer", map[string]string{"mode": "merge"})
		wantProblem(t, "a merge past the line limit", res, 422, "quantity_limit")
		res, open := cartAs(t, s, guest, "GET", "/api/carts/"+g.ID, nil)
		if res.Status != 200 || open.Status != "open" {
			t.Errorf("the guest cart after a refused merge: got %d %s, want it open", res.Status, res.Body)
		}
		_, mine := cartAs(t, s, c, "GET", "/api/carts/"+mineID, nil)
		if q := e2eQuantities(mine.e2eCart)["ATT-TEE"]; q != 60 {
			t.Errorf("the customer's cart after a refused merge: %d units, want 60", q)
		}
	})

	t.Run("Replace", func(t *testing.T) {
		c, mineID := newCustomer(t, "replace@example.com", e2eLine{"ATT-TEE", 2})
		g := newGuest(t, e2eLine{"ATT-MUG", 4})
		got := attach(t, c, g.ID, "replace", 200)
		if got.ID != g.ID || got.CustomerID == "" || !cmp.Equal(e2eQuantities(got.e2eCart), map[string]int{"ATT-MUG": 4}) {
			t.Errorf("replace: got %+v, want the guest cart, owned", got)
		}
		_, old := cartAs(t, s, c, "GET", "/api/carts/"+mineID, nil)
		if old.Status != "merged" || old.MergedInto != g.ID {
			t.Errorf("the old cart after replace: got %+v, want merged into %s", old, g.ID)
		}
		_, mine := cartAs(t, s, c, "GET", "/api/me/cart", nil)
		if mine.ID != g.ID {
			t.Errorf("GET /api/me/cart after replace: got %s, want %s", mine.ID, g.ID)
		}
		if again := attach(t, c, g.ID, "replace", 200); again.ID != g.ID {
			t.Errorf("replace repeated: got %s, want %s", again.ID, g.ID)
		}
	})

	t.Run("Keep", func(t *testing.T) {
		c, mineID := newCustomer(t, "keep@example.com", e2eLine{"ATT-TEE", 2})
		g := newGuest(t, e2eLine{"ATT-MUG", 4})
		got := attach(t, c, g.ID, "keep", 200)
		if got.ID != mineID || !cmp.Equal(e2eQuantities(got.e2eCart), map[string]int{"ATT-TEE": 2}) {
			t.Errorf("keep: got %s %v, want %s unchanged", got.ID, e2eQuantities(got.e2eCart), mineID)
		}
		_, closed := cartAs(t, s, c, "GET", "/api/carts/"+g.ID, nil)
		if closed.Status != "merged" || closed.MergedInto != mineID {
			t.Errorf("the guest cart after keep: got %+v, want merged into %s", closed, mineID)
		}
		if again := attach(t, c, g.ID, "merge", 200); again.ID != mineID || len(again.Items) != 1 {
			t.Errorf("keep, then merge: got %s %v, want %s unchanged", again.ID, e2eQuantities(again.e2eCart), mineID)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		c, _ := newCustomer(t, "refused@example.com", e2eLine{"ATT-TEE", 1})
		other, otherCart := newCustomer(t, "other@example.com", e2eLine{"ATT-TEE", 1})
		g := newGuest(t, e2eLine{"ATT-MUG", 1})
		res := s.do(t, "POST", "/api/carts/"+g.ID+"/customer", map[string]string{"mode": "merge"})
		wantProblem(t, "attach without a token", res, 401, "unauthorized")
		res, _ = cartAs(t, s, c, "POST", "/api/carts/"+otherCart+"/customer", map[string]string{"mode": "merge"})
		wantProblem(t, "attach another customer's cart", res, 404, "not_found")
		res, _ = cartAs(t, s, c, "POST", "/api/carts/"+g.ID+"/customer", map[string]string{"mode": "steal"})
		wantProblem(t, "an unknown mode", res, 400, "invalid_request")
		// A cart checked out is closed.
		req := map[string]any{"cartId": g.ID, "email": "g@example.com", "paymentMethod": "pm_card_visa", "shippingAddress": shipTo("1 Main St")}
		if res := s.do(t, "POST", "/api/checkout", req); res.Status != 201 {
			t.Fatalf("guest checkout: got %d %s", res.Status, res.Body)
		}
		res, _ = cartAs(t, s, c, "POST", "/api/carts/"+g.ID+"/customer", map[string]string{"mode": "merge"})
		wantProblem(t, "attach a checked-out cart", res, 409, "cart_closed")
		// A cart merged by one customer is another's 404.
		g2 := newGuest(t, e2eLine{"ATT-MUG", 1})
		attach(t, c, g2.ID, "merge", 200)
		res, _ = cartAs(t, s, other, "POST", "/api/carts/"+g2.ID+"/customer", map[string]string{"mode": "merge"})
		wantProblem(t, "attach a cart another customer merged", res, 404, "not_found")
	})

	t.Run("ConcurrentMerges", func(t *testing.T) {
		for round := range 3 {
			c, mineID := newCustomer(t, fmt.Sprintf("race%d@example.com", round), e2eLine{"ATT-TEE", 1})
			g := newGuest(t, e2eLine{"ATT-TEE", 2}, e2eLine{"ATT-MUG", 3})
			const n = 8
			results := make([]*Response, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], _ = s.send("POST", "/api/carts/"+g.ID+"/customer", map[string]string{"mode": "merge"}, "Authorization", "Bearer "+c.token)
				}()
			}
			wg.Wait()
			for i, res := range results {
				if res == nil || res.Status != http.StatusOK {
					t.Errorf("round %d merge %d: got %v, want 200", round, i, res)
					continue
				}
				var got ownedCart
				res.JSON(t, &got)
				if got.ID != mineID {
					t.Errorf("round %d merge %d: answered cart %s, want the surviving %s", round, i, got.ID, mineID)
				}
			}
			_, mine := cartAs(t, s, c, "GET", "/api/me/cart", nil)
			if want := map[string]int{"ATT-TEE": 3, "ATT-MUG": 3}; mine.ID != mineID || !cmp.Equal(e2eQuantities(mine.e2eCart), want) {
				t.Errorf("round %d: surviving cart %s %v, want %s %v", round, mine.ID, e2eQuantities(mine.e2eCart), mineID, want)
			}
			_, closed := cartAs(t, s, c, "GET", "/api/carts/"+g.ID, nil)
			if closed.Status != "merged" || closed.MergedInto != mineID {
				t.Errorf("round %d: guest cart %+v, want merged into %s", round, closed, mineID)
			}
		}
	})
}
