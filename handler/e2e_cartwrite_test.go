package main

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// This file holds the E2E tests of concurrent cart writes (If-Match,
// concurrent writers).

func TestE2ECartIfMatch(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustStockedProduct(t, "e2e-ifmatch-a", "E2E-IFM-A", 1000, 100)
	s.mustStockedProduct(t, "e2e-ifmatch-b", "E2E-IFM-B", 500, 100)
	c := s.mustNewCart(t, []e2eLine{{"E2E-IFM-A", 1}})
	path := "/api/carts/" + c.ID
	_, etag0 := s.cartCall(t, 200, "GET", path, nil)

	after1, etag1 := s.cartCall(t, 200, "POST", path+"/items", e2eLine{"E2E-IFM-B", 2}, "If-Match", etag0)
	if etag1 == etag0 {
		t.Fatalf("ETag %q did not change on a write", etag0)
	}

	stale := []struct {
		method, path string
		body         any
	}{
		{"POST", path + "/items", e2eLine{"E2E-IFM-A", 1}},
		{"PUT", path + "/items/E2E-IFM-A", map[string]int{"quantity": 5}},
		{"DELETE", path + "/items/E2E-IFM-B", nil},
		{"DELETE", path, nil},
	}
	for _, r := range stale {
		for _, tag := range []string{etag0, `"no-such-etag"`} {
			res := s.do(t, r.method, r.path, r.body, "If-Match", tag)
			e2eWantProblem(t, r.method+" "+r.path+" If-Match: "+tag, res, 412, "precondition_failed")
		}
	}
	got, tag := s.cartCall(t, 200, "GET", path, nil)
	if diff := cmp.Diff(after1, got); diff != "" || tag != etag1 {
		t.Errorf("refused stale writes changed the cart: ETag %q, want %q; (-want +got):\n%s", tag, etag1, diff)
	}

	after2, etag2 := s.cartCall(t, 200, "PUT", path+"/items/E2E-IFM-A", map[string]int{"quantity": 5}, "If-Match", etag1)
	if e2eQuantities(after2)["E2E-IFM-A"] != 5 {
		t.Errorf("PUT with the current If-Match: e2eQuantities %v, want E2E-IFM-A: 5", e2eQuantities(after2))
	}
	_, etag3 := s.cartCall(t, 200, "DELETE", path+"/items/E2E-IFM-B", nil, "If-Match", etag2)
	e2eWantProblem(t, "DELETE cart with a stale If-Match", s.do(t, "DELETE", path, nil, "If-Match", etag2), 412, "precondition_failed")
	res := s.do(t, "DELETE", path, nil, "If-Match", etag3)
	e2eWantStatus(t, "DELETE cart with the current If-Match", res, 204)
	e2eWantProblem(t, "GET after DELETE", s.do(t, "GET", path, nil), 404, "not_found")
}

func TestE2ECartConcurrentWriters(t *testing.T) {
	t.Parallel()
	s := startE2E(t, false)
	s.mustStockedProduct(t, "e2e-conc", "E2E-CONC", 300, 500)
	const distinct = 20
	for i := range distinct {
		s.mustStockedProduct(t, fmt.Sprintf("e2e-conc-%d", i), fmt.Sprintf("E2E-CONC-%d", i), 100, 10)
	}

	// hammer runs n concurrent POSTs of line(i) to path, each of which must
	// answer 200.
	hammer := func(t *testing.T, path string, n int, line func(i int) e2eLine) {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				res, err := s.send("POST", path, line(i))
				if err != nil {
					t.Error(err)
					return
				}
				e2eCheckResponse(t, "POST", path, res)
				if res.Status != 200 {
					t.Errorf("concurrent POST %s %+v: got %d %s, want 200", path, line(i), res.Status, res.Body)
				}
			})
		}
		wg.Wait()
	}

	t.Run("SameSKU", func(t *testing.T) {
		c := s.mustNewCart(t, nil)
		hammer(t, "/api/carts/"+c.ID+"/items", 40, func(int) e2eLine { return e2eLine{"E2E-CONC", 1} })
		got := s.mustGetCart(t, c.ID)
		if diff := cmp.Diff(map[string]int{"E2E-CONC": 40}, e2eQuantities(got)); diff != "" {
			t.Errorf("after 40 concurrent adds of 1 (-want +got):\n%s", diff)
		}
	})

	t.Run("DistinctSKUs", func(t *testing.T) {
		c := s.mustNewCart(t, []e2eLine{{"E2E-CONC", 1}})
		hammer(t, "/api/carts/"+c.ID+"/items", distinct, func(i int) e2eLine { return e2eLine{fmt.Sprintf("E2E-CONC-%d", i), 2} })
		want := map[string]int{"E2E-CONC": 1}
		for i := range distinct {
			want[fmt.Sprintf("E2E-CONC-%d", i)] = 2
		}
		if diff := cmp.Diff(want, e2eQuantities(s.mustGetCart(t, c.ID))); diff != "" {
			t.Errorf("after %d concurrent adds of distinct SKUs (-want +got):\n%s", distinct, diff)
		}
	})

	t.Run("ManyCarts", func(t *testing.T) {
		// Concurrent writers to different carts do not disturb each other.
		carts := make([]e2eCart, 8)
		for i := range carts {
			carts[i] = s.mustNewCart(t, nil)
		}
		var wg sync.WaitGroup
		for _, c := range carts {
			wg.Go(func() { hammer(t, "/api/carts/"+c.ID+"/items", 5, func(int) e2eLine { return e2eLine{"E2E-CONC", 1} }) })
		}
		wg.Wait()
		for _, c := range carts {
			if got := e2eQuantities(s.mustGetCart(t, c.ID)); got["E2E-CONC"] != 5 {
				t.Errorf("cart %s: e2eQuantities %v, want E2E-CONC: 5", c.ID, got)
			}
		}
	})
}
