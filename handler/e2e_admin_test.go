package main

import (
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// This file holds the E2E tests of inventory and the admin API.

func TestE2EInventory(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustCreateProduct(t, e2eProductInput("e2e-inv", "E2E-INV-1", 1000))

	for _, onHand := range []int64{7, 0, 250} {
		l := s.mustSetStock(t, "E2E-INV-1", onHand)
		if l.SKU != "E2E-INV-1" || l.OnHand != onHand || l.Available != l.OnHand-l.Reserved {
			t.Errorf("PUT /api/admin/inventory/E2E-INV-1 onHand %d: got %+v, want sku, onHand %d and available = onHand - reserved", onHand, l, onHand)
		}
		res := s.do(t, "GET", "/api/inventory/E2E-INV-1", nil)
		e2eWantStatus(t, "GET /api/inventory/E2E-INV-1", res, 200)
		e2eCheckShape(t, "GET /api/inventory/E2E-INV-1", res.Body, e2eInventoryShape)
		var got struct {
			SKU       string `json:"sku"`
			Available int64  `json:"available"`
		}
		res.JSON(t, &got)
		if got.SKU != "E2E-INV-1" || got.Available != l.OnHand-l.Reserved {
			t.Errorf("GET /api/inventory/E2E-INV-1 after onHand %d: got %+v, want available %d", onHand, got, l.OnHand-l.Reserved)
		}
	}

	for _, sku := range []string{"NO-SUCH-SKU", "bad sku", "x"} {
		res := s.do(t, "GET", "/api/inventory/"+url.PathEscape(sku), nil)
		e2eWantProblem(t, "GET /api/inventory/"+sku, res, 404, "not_found")
	}
	res := s.admin(t, "PUT", "/api/admin/inventory/NO-SUCH-SKU", map[string]int{"onHand": 5})
	e2eWantProblem(t, "PUT /api/admin/inventory/NO-SUCH-SKU", res, 404, "not_found")
	for _, body := range []string{`{"onHand":-1}`, `{}`, `{"onHand":null}`} {
		res := s.admin(t, "PUT", "/api/admin/inventory/E2E-INV-1", body)
		e2eWantProblem(t, "PUT /api/admin/inventory/E2E-INV-1 "+body, res, 400, "invalid_request")
	}
}

func TestE2EAdminAuth(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	p := s.mustCreateProduct(t, e2eProductInput("e2e-auth", "E2E-AUTH-1", 1000))
	changed := p
	changed.Title = "Changed without a key"

	routes := []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/admin/products", e2eProductInput("e2e-auth-new", "E2E-AUTH-2", 1000)},
		{"PUT", "/api/admin/products/" + p.ID, changed},
		{"DELETE", "/api/admin/products/" + p.ID, nil},
		{"PUT", "/api/admin/inventory/E2E-AUTH-1", map[string]int{"onHand": 3}},
	}
	keys := []struct {
		name   string
		query  string
		header []string
	}{
		{"NoKey", "", nil},
		{"WrongHeader", "", []string{"x-functions-key", "wrong"}},
		{"EmptyHeader", "", []string{"x-functions-key", ""}},
		{"KeyPrefix", "", []string{"x-functions-key", testAdminKey[:len(testAdminKey)-1]}},
		{"WrongCode", "?code=wrong", nil},
		{"EmptyCode", "?code=", nil},
	}
	for _, k := range keys {
		for _, r := range routes {
			t.Run(k.name+"/"+r.method+r.path, func(t *testing.T) {
				res := s.do(t, r.method, r.path+k.query, r.body, k.header...)
				e2eWantProblem(t, r.method+" "+r.path+k.query, res, 401, "unauthorized")
			})
		}
	}

	// Nothing changed.
	if res, got := s.getProduct(t, p.ID); res.Status != 200 || got.Title != p.Title {
		t.Errorf("after unauthorized writes, GET product: got %d title %q, want 200 %q", res.Status, got.Title, p.Title)
	}
	if res := s.do(t, "GET", "/api/products/e2e-auth-new", nil); res.Status != 404 {
		t.Errorf("after an unauthorized create, GET /api/products/e2e-auth-new: got %d, want 404", res.Status)
	}

	// The key works in ?code= too.
	res := s.do(t, "POST", "/api/admin/products?code="+url.QueryEscape(testAdminKey), e2eProductInput("e2e-auth-code", "E2E-AUTH-3", 1000))
	e2eWantStatus(t, "POST /api/admin/products?code=<key>", res, 201)
}

func TestE2EAdminProducts(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)

	t.Run("Lifecycle", func(t *testing.T) {
		in := e2eProductInput("e2e-life", "E2E-LIFE-1", 1000)
		res := s.admin(t, "POST", "/api/admin/products", in)
		e2eWantStatus(t, "POST /api/admin/products", res, 201)
		e2eCheckShape(t, "created product", res.Body, e2eProductShape)
		var created e2eProduct
		res.JSON(t, &created)
		loc := res.Header.Get("Location")
		if loc == "" {
			t.Fatal("POST /api/admin/products: no Location header")
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatalf("Location %q: %v", loc, err)
		}
		locRes := s.do(t, "GET", u.RequestURI(), nil)
		e2eWantStatus(t, "GET Location "+loc, locRes, 200)
		var atLoc e2eProduct
		locRes.JSON(t, &atLoc)
		if diff := cmp.Diff(created, atLoc); diff != "" {
			t.Errorf("GET Location differs from the created product (-created +got):\n%s", diff)
		}
		etag1 := locRes.Header.Get("ETag")

		// Replace with the current ETag.
		v2 := created
		v2.Title, v2.Description = "E2E life, second edition", "Now with more life."
		res = s.admin(t, "PUT", "/api/admin/products/"+created.ID, v2, "If-Match", etag1)
		e2eWantStatus(t, "PUT with the current If-Match", res, 200)
		var got e2eProduct
		res.JSON(t, &got)
		if got.ID != created.ID || got.Title != v2.Title || !got.CreatedAt.Equal(created.CreatedAt) {
			t.Errorf("PUT returned id %q title %q createdAt %v; want id %q title %q createdAt unchanged %v",
				got.ID, got.Title, got.CreatedAt, created.ID, v2.Title, created.CreatedAt)
		}
		getRes, _ := s.getProduct(t, created.ID)
		etag2 := getRes.Header.Get("ETag")
		if etag2 == etag1 {
			t.Errorf("ETag %q did not change when the product changed", etag1)
		}

		// A stale ETag is refused and changes nothing.
		v3 := created
		v3.Title = "Lost update"
		res = s.admin(t, "PUT", "/api/admin/products/"+created.ID, v3, "If-Match", etag1)
		e2eWantProblem(t, "PUT with a stale If-Match", res, 412, "precondition_failed")
		if _, now := s.getProduct(t, created.ID); now.Title != v2.Title {
			t.Errorf("after a refused stale PUT, title = %q, want %q", now.Title, v2.Title)
		}

		// No If-Match: last writer wins.
		v4 := created
		v4.Title = "E2E life, third edition"
		s.mustReplaceProduct(t, v4)
		if _, now := s.getProduct(t, created.ID); now.Title != v4.Title {
			t.Errorf("after PUT without If-Match, title = %q, want %q", now.Title, v4.Title)
		}

		res = s.admin(t, "DELETE", "/api/admin/products/"+created.ID, nil)
		if res.Status != 204 || len(res.Body) != 0 {
			t.Errorf("DELETE /api/admin/products/%s: got %d %q, want 204 with no body", created.ID, res.Status, res.Body)
		}
		for _, key := range []string{created.ID, created.Handle} {
			res, _ := s.getProduct(t, key)
			e2eWantProblem(t, "GET after DELETE "+key, res, 404, "not_found")
		}
		res = s.admin(t, "DELETE", "/api/admin/products/"+created.ID, nil)
		e2eWantProblem(t, "DELETE twice", res, 404, "not_found")
		res = s.admin(t, "PUT", "/api/admin/products/"+created.ID, v4)
		e2eWantProblem(t, "PUT after DELETE", res, 404, "not_found")
		// Its handle and SKU are free again.
		s.mustCreateProduct(t, in)
	})

	t.Run("Conflicts", func(t *testing.T) {
		a := s.mustCreateProduct(t, e2eProductInput("e2e-conflict-a", "E2E-CONF-A", 1000))
		b := s.mustCreateProduct(t, e2eProductInput("e2e-conflict-b", "E2E-CONF-B", 1000))
		tests := []struct {
			name   string
			method string
			path   string
			body   e2eProduct
			code   string
		}{
			{"CreateDuplicateHandle", "POST", "/api/admin/products", e2eProductInput("e2e-conflict-a", "E2E-CONF-NEW", 1000), "handle_taken"},
			{"CreateTakenSKU", "POST", "/api/admin/products", e2eProductInput("e2e-conflict-new", "E2E-CONF-A", 1000), "sku_taken"},
			{"ReplaceWithTakenHandle", "PUT", "/api/admin/products/" + b.ID, func() e2eProduct { p := b; p.Handle = a.Handle; return p }(), "handle_taken"},
			{"ReplaceWithTakenSKU", "PUT", "/api/admin/products/" + b.ID, func() e2eProduct {
				p := b
				p.Variants = append(slices.Clone(p.Variants), e2eVariant{SKU: "E2E-CONF-A", Price: e2eMoney{100, "USD"}})
				return p
			}(), "sku_taken"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := s.admin(t, tt.method, tt.path, tt.body)
				e2eWantProblem(t, tt.method+" "+tt.path, res, 409, tt.code)
			})
		}
		for _, p := range []e2eProduct{a, b} {
			if res, got := s.getProduct(t, p.ID); res.Status != 200 || got.Handle != p.Handle || len(got.Variants) != 1 {
				t.Errorf("after refused conflicting writes, GET %s: got %d %+v, want it unchanged", p.Handle, res.Status, got)
			}
		}
		// A product may keep its own handle and SKUs.
		s.mustReplaceProduct(t, a)
	})

	t.Run("UpdatesVisibleAtOnce", func(t *testing.T) {
		p := s.mustCreateProduct(t, e2eProductInput("e2e-cached", "E2E-CACHE-1", 1000))
		q := url.Values{"q": {"e2e-cached"}}
		catQ := url.Values{"category": {"e2e-moved"}}
		// Read everything twice so that it is cached.
		for range 2 {
			s.getProduct(t, p.ID)
			s.getProduct(t, p.Handle)
			s.walk(t, url.Values{}, nil)
			s.walk(t, q, nil)
			s.walk(t, catQ, nil)
			s.categories(t)
		}

		moved := p
		moved.Title, moved.Category = "E2E cached, renamed", "e2e-moved"
		moved.Variants = []e2eVariant{{SKU: "E2E-CACHE-1", Title: "M", Options: map[string]string{"size": "M"}, Price: e2eMoney{1234, "USD"}}}
		s.mustReplaceProduct(t, moved)

		for _, key := range []string{p.ID, p.Handle} {
			if _, got := s.getProduct(t, key); got.Title != moved.Title || got.Variants[0].Price.Amount != 1234 {
				t.Errorf("GET /api/products/%s right after PUT: title %q price %+v, want %q 1234", key, got.Title, got.Variants, moved.Title)
			}
		}
		var inAll *e2eProduct
		for _, it := range s.walk(t, url.Values{}, nil) {
			if it.ID == p.ID {
				inAll = &it
			}
		}
		if inAll == nil || inAll.Title != moved.Title || inAll.Category != "e2e-moved" {
			t.Errorf("listing right after PUT shows %+v, want title %q category e2e-moved", inAll, moved.Title)
		}
		if got := e2eIDs(s.walk(t, catQ, nil)); !slices.Equal(got, []string{p.ID}) {
			t.Errorf("category=e2e-moved right after PUT lists %v, want [%s]", got, p.ID)
		}
		if got := s.walk(t, url.Values{"q": {"renamed"}}, nil); len(got) != 1 || got[0].ID != p.ID {
			t.Errorf("q=renamed right after PUT lists %v, want [%s]", e2eIDs(got), p.ID)
		}
		counts := make(map[string]int)
		for _, c := range s.categories(t) {
			counts[c.ID] = c.ProductCount
		}
		if counts["e2e-moved"] != 1 {
			t.Errorf("categories right after PUT: e2e-moved has %d products, want 1 (counts %v)", counts["e2e-moved"], counts)
		}

		e2eWantStatus(t, "DELETE /api/admin/products/"+p.ID, s.admin(t, "DELETE", "/api/admin/products/"+p.ID, nil), 204)
		if res, _ := s.getProduct(t, p.ID); res.Status != 404 {
			t.Errorf("GET right after DELETE: got %d, want 404", res.Status)
		}
		if got := s.walk(t, catQ, nil); len(got) != 0 {
			t.Errorf("category=e2e-moved right after DELETE lists %v, want none", e2eIDs(got))
		}
	})
}
