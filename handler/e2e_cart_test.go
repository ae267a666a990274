package main

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// This file holds the E2E tests of the cart lifecycle and expiry.

func TestE2ECartLifecycle(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	teeIn := e2eProductInput("e2e-cart-tee", "E2E-TEE-M", 2500)
	teeIn.Variants = append(teeIn.Variants, e2eVariant{SKU: "E2E-TEE-L", Title: "L", Options: map[string]string{"size": "L"}, Price: e2eMoney{2700, "USD"}})
	tee := s.mustCreateProduct(t, teeIn)
	s.mustSetStock(t, "E2E-TEE-M", 50)
	s.mustSetStock(t, "E2E-TEE-L", 50)
	mug := s.mustStockedProduct(t, "e2e-cart-mug", "E2E-MUG", 1200, 50)
	products := map[string]e2eProduct{"E2E-TEE-M": tee, "E2E-TEE-L": tee, "E2E-MUG": mug}
	prices := map[string]int64{"E2E-TEE-M": 2500, "E2E-TEE-L": 2700, "E2E-MUG": 1200}

	// checkLines checks a cart's lines against want and the catalog.
	checkLines := func(t *testing.T, what string, c e2eCart, want map[string]int) {
		t.Helper()
		if diff := cmp.Diff(want, e2eQuantities(c)); diff != "" {
			t.Errorf("%s: e2eQuantities by SKU (-want +got):\n%s", what, diff)
		}
		for _, it := range c.Items {
			if it.ProductID != products[it.SKU].ID || it.Title == "" || it.UnitPrice != (e2eMoney{prices[it.SKU], "USD"}) {
				t.Errorf("%s: line %+v, want productId %s, a title and unitPrice %d USD from the catalog", what, it, products[it.SKU].ID, prices[it.SKU])
			}
		}
	}

	t.Run("CreateEmpty", func(t *testing.T) {
		for _, body := range []any{nil, `{}`, `{"items":[]}`} {
			res := s.do(t, "POST", "/api/carts", body)
			e2eWantStatus(t, fmt.Sprintf("POST /api/carts %v", body), res, 201)
			c := e2eCheckCart(t, "POST /api/carts", res)
			want := e2eCart{ID: c.ID, Currency: "USD", Items: []e2eItem{}, Subtotal: e2eMoney{0, "USD"}, ExpiresAt: c.ExpiresAt, UpdatedAt: c.UpdatedAt}
			if diff := cmp.Diff(want, c); diff != "" {
				t.Errorf("POST /api/carts %v: (-want +got):\n%s", body, diff)
			}
			if loc := res.Header.Get("Location"); !strings.HasSuffix(loc, "/api/carts/"+c.ID) {
				t.Errorf("Location = %q, want it to end /api/carts/%s", loc, c.ID)
			}
		}
	})

	t.Run("Flow", func(t *testing.T) {
		res := s.do(t, "POST", "/api/carts", map[string][]e2eLine{"items": {{"E2E-TEE-M", 2}, {"E2E-MUG", 1}}})
		e2eWantStatus(t, "POST /api/carts with items", res, 201)
		created := e2eCheckCart(t, "POST /api/carts", res)
		checkLines(t, "created", created, map[string]int{"E2E-TEE-M": 2, "E2E-MUG": 1})
		if created.Subtotal != (e2eMoney{2*2500 + 1200, "USD"}) {
			t.Errorf("created subtotal %+v, want 6200 USD", created.Subtotal)
		}
		path := "/api/carts/" + created.ID

		// Location leads to the cart.
		loc, err := url.Parse(res.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		got, etag := s.cartCall(t, 200, "GET", loc.RequestURI(), nil)
		if diff := cmp.Diff(created, got); diff != "" {
			t.Errorf("GET Location differs from the created cart (-created +got):\n%s", diff)
		}
		if etag != res.Header.Get("ETag") {
			t.Errorf("GET ETag %q, want the created cart's %q", etag, res.Header.Get("ETag"))
		}

		steps := []struct {
			name   string
			method string
			path   string
			body   any
			want   map[string]int
		}{
			{"AddToLine", "POST", path + "/items", e2eLine{"E2E-TEE-M", 3}, map[string]int{"E2E-TEE-M": 5, "E2E-MUG": 1}},
			{"AddNewLine", "POST", path + "/items", e2eLine{"E2E-TEE-L", 1}, map[string]int{"E2E-TEE-M": 5, "E2E-MUG": 1, "E2E-TEE-L": 1}},
			{"SetQuantity", "PUT", path + "/items/E2E-TEE-M", map[string]int{"quantity": 4}, map[string]int{"E2E-TEE-M": 4, "E2E-MUG": 1, "E2E-TEE-L": 1}},
			{"SetQuantityUp", "PUT", path + "/items/E2E-MUG", map[string]int{"quantity": 9}, map[string]int{"E2E-TEE-M": 4, "E2E-MUG": 9, "E2E-TEE-L": 1}},
			{"SetZeroRemoves", "PUT", path + "/items/E2E-MUG", map[string]int{"quantity": 0}, map[string]int{"E2E-TEE-M": 4, "E2E-TEE-L": 1}},
			{"Remove", "DELETE", path + "/items/E2E-TEE-L", nil, map[string]int{"E2E-TEE-M": 4}},
		}
		for _, st := range steps {
			c, tag := s.cartCall(t, 200, st.method, st.path, st.body)
			checkLines(t, st.name, c, st.want)
			if tag == etag {
				t.Errorf("%s: ETag %q did not change", st.name, tag)
			}
			etag = tag
			if diff := cmp.Diff(c, s.mustGetCart(t, created.ID)); diff != "" {
				t.Errorf("%s: GET differs from the write's response (-write +GET):\n%s", st.name, diff)
			}
		}

		res = s.do(t, "DELETE", path, nil)
		if res.Status != 204 || len(res.Body) != 0 {
			t.Errorf("DELETE %s: got %d %q, want 204 with no body", path, res.Status, res.Body)
		}
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{"GET", path, nil},
			{"DELETE", path, nil},
			{"POST", path + "/items", e2eLine{"E2E-MUG", 1}},
			{"PUT", path + "/items/E2E-MUG", map[string]int{"quantity": 1}},
			{"DELETE", path + "/items/E2E-TEE-M", nil},
		} {
			e2eWantProblem(t, r.method+" "+r.path+" after DELETE", s.do(t, r.method, r.path, r.body), 404, "not_found")
		}
	})

	t.Run("Unknown", func(t *testing.T) {
		for _, id := range []string{"c00000000000000000000000000", "nope", "C00000000000000000000000000", strings.Repeat("c", 200)} {
			e2eWantProblem(t, "GET /api/carts/"+id, s.do(t, "GET", "/api/carts/"+id, nil), 404, "not_found")
			e2eWantProblem(t, "POST /api/carts/"+id+"/items", s.do(t, "POST", "/api/carts/"+id+"/items", e2eLine{"E2E-MUG", 1}), 404, "not_found")
		}
	})

	t.Run("PricesFromCatalog", func(t *testing.T) {
		c := s.mustNewCart(t, []e2eLine{{"E2E-MUG", 3}, {"E2E-TEE-L", 2}})
		p := mug
		p.Variants = []e2eVariant{{SKU: "E2E-MUG", Title: "M", Options: map[string]string{"size": "M"}, Price: e2eMoney{1550, "USD"}}}
		s.mustReplaceProduct(t, p)
		prices["E2E-MUG"] = 1550

		got := s.mustGetCart(t, c.ID)
		checkLines(t, "after the price change", got, map[string]int{"E2E-MUG": 3, "E2E-TEE-L": 2})
		if want := (e2eMoney{3*1550 + 2*2700, "USD"}); got.Subtotal != want {
			t.Errorf("subtotal after the price change: %+v, want %+v", got.Subtotal, want)
		}
	})
}

func TestE2ECartExpiry(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustStockedProduct(t, "e2e-expiry", "E2E-EXP", 1000, 100)

	idle := s.mustNewCart(t, []e2eLine{{"E2E-EXP", 1}})
	busy := s.mustNewCart(t, []e2eLine{{"E2E-EXP", 1}})
	if want := idle.UpdatedAt.Add(e2eCartTTL); !idle.ExpiresAt.Equal(want) {
		t.Errorf("new cart expiresAt %v, want %v", idle.ExpiresAt, want)
	}

	s.Clock.Advance(e2eCartTTL - time.Hour) // 71h
	s.mustGetCart(t, idle.ID)               // reading is not a change
	changed, _ := s.cartCall(t, 200, "POST", "/api/carts/"+busy.ID+"/items", e2eLine{"E2E-EXP", 1})
	if !changed.ExpiresAt.After(busy.ExpiresAt) {
		t.Errorf("after a change, expiresAt %v, want later than %v", changed.ExpiresAt, busy.ExpiresAt)
	}

	s.Clock.Advance(2 * time.Hour) // 73h after creation: idle expired
	for _, r := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/carts/" + idle.ID, nil},
		{"POST", "/api/carts/" + idle.ID + "/items", e2eLine{"E2E-EXP", 1}},
		{"PUT", "/api/carts/" + idle.ID + "/items/E2E-EXP", map[string]int{"quantity": 2}},
		{"DELETE", "/api/carts/" + idle.ID + "/items/E2E-EXP", nil},
		{"DELETE", "/api/carts/" + idle.ID, nil},
	} {
		e2eWantProblem(t, r.method+" "+r.path+" 73h after its last change", s.do(t, r.method, r.path, r.body), 404, "not_found")
	}
	if got := s.mustGetCart(t, busy.ID); e2eQuantities(got)["E2E-EXP"] != 2 {
		t.Errorf("cart changed 2h ago: e2eQuantities %v, want E2E-EXP: 2", e2eQuantities(got))
	}

	s.Clock.Advance(e2eCartTTL - 3*time.Hour) // 142h after creation, 71h after the change
	s.mustGetCart(t, busy.ID)
	s.Clock.Advance(2 * time.Hour) // 73h after the change
	e2eWantProblem(t, "GET a cart 73h after its last change", s.do(t, "GET", "/api/carts/"+busy.ID, nil), 404, "not_found")
}
