package main

import (
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
)

// This file holds the E2E tests of availability in listings and of
// GET /api/inventory?sku=.

// e2eListed is a listed product with its variants' availability.
type e2eListed struct {
	ID       string `json:"id"`
	Handle   string `json:"handle"`
	Variants []struct {
		SKU       string `json:"sku"`
		Available int64  `json:"available"`
	} `json:"variants"`
}

func TestE2ECatalogAvailability(t *testing.T) {
	t.Parallel()
	s := startE2E(t, true)
	listing := func(q url.Values) ([]e2eListed, e2ePage) {
		t.Helper()
		var items []e2eListed
		var page e2ePage
		for {
			res := s.do(t, "GET", "/api/products?"+q.Encode(), nil)
			e2eWantStatus(t, "GET /api/products?"+q.Encode(), res, 200)
			e2eCheckShape(t, "GET /api/products", res.Body, e2ePageShape)
			var body struct {
				Items []e2eListed `json:"items"`
			}
			res.JSON(t, &body)
			res.JSON(t, &page)
			items = append(items, body.Items...)
			if page.NextCursor == nil {
				return items, page
			}
			q.Set("cursor", *page.NextCursor)
		}
	}
	items, _ := listing(url.Values{"category": {"electronics"}, "limit": {"100"}})
	if len(items) < 3 {
		t.Fatalf("%d electronics, want several", len(items))
	}
	// Every variant's availability is what /api/inventory answers.
	for _, p := range items[:3] {
		for _, v := range p.Variants {
			res := s.do(t, "GET", "/api/inventory/"+v.SKU, nil)
			var inv struct {
				Available int64 `json:"available"`
			}
			json.Unmarshal(res.Body, &inv)
			if inv.Available != v.Available || v.Available <= 0 {
				t.Errorf("%s: listed available %d, /api/inventory says %d (want equal and above 0)", v.SKU, v.Available, inv.Available)
			}
		}
	}
	// Sold out: every variant of the first product, and one variant of the
	// second.
	out, partly := items[0], items[1]
	for _, p := range items[1:] {
		if len(p.Variants) > 1 {
			partly = p
			break
		}
	}
	for _, v := range out.Variants {
		s.mustSetStock(t, v.SKU, 0)
	}
	s.mustSetStock(t, partly.Variants[0].SKU, 0)
	s.Clock.Advance(time.Hour) // past the catalog cache's lifetime

	got, page := listing(url.Values{"category": {"electronics"}, "limit": {"2"}, "inStock": {"true"}})
	var handles []string
	for _, p := range got {
		handles = append(handles, p.Handle)
		if p.ID == partly.ID && p.Variants[0].Available != 0 {
			t.Errorf("%s: listed available %d after stock was set to 0", p.Variants[0].SKU, p.Variants[0].Available)
		}
	}
	if slices.Contains(handles, out.Handle) {
		t.Errorf("inStock=true lists %s, whose every variant is sold out", out.Handle)
	}
	if !slices.Contains(handles, partly.Handle) || len(got) != len(items)-1 {
		t.Errorf("inStock=true lists %d products, want %d (all but %s, %s included)", len(got), len(items)-1, out.Handle, partly.Handle)
	}
	if !page.TotalIsEstimate || page.Total != len(items) {
		t.Errorf("inStock=true: total %d (estimate %v), want %d counted without stock, as an estimate", page.Total, page.TotalIsEstimate, len(items))
	}
}

func TestE2EInventoryMany(t *testing.T) {
	t.Parallel()
	s := startE2E(t, true)
	all := s.walk(t, url.Values{"limit": {"100"}}, nil)
	var skus []string
	for _, p := range all {
		for _, v := range p.Variants {
			skus = append(skus, v.SKU)
		}
	}
	s.mustSetStock(t, skus[1], 0)
	draft := e2eProductInput("e2e-draft-many", "E2E-DRAFT-MANY", 1000)
	draft.Status = "draft"
	s.mustCreateProduct(t, draft)

	q := url.Values{"sku": {skus[0], skus[1], skus[0], "NO-SUCH-SKU", "E2E-DRAFT-MANY", skus[2]}}
	res := s.do(t, "GET", "/api/inventory?"+q.Encode(), nil)
	e2eWantStatus(t, "GET /api/inventory?"+q.Encode(), res, 200)
	var body struct {
		Items []struct {
			SKU       string `json:"sku"`
			Available int64  `json:"available"`
		} `json:"items"`
	}
	res.JSON(t, &body)
	got := map[string]int64{}
	for _, it := range body.Items {
		got[it.SKU] = it.Available
	}
	want := map[string]int64{}
	for _, sku := range skus[:3] {
		var one struct {
			Available int64 `json:"available"`
		}
		s.do(t, "GET", "/api/inventory/"+sku, nil).JSON(t, &one)
		want[sku] = one.Available
	}
	if diff := gocmp.Diff(want, got); diff != "" || len(body.Items) != 3 || want[skus[1]] != 0 {
		t.Errorf("GET /api/inventory?%s: (-one at a time +many):\n%s\n%s", q.Encode(), diff, res.Body)
	}

	many := url.Values{"sku": skus[:101]}
	for _, q := range []string{"", "sku=", many.Encode(), "sku=A%20B", "skus=A"} {
		res := s.do(t, "GET", "/api/inventory?"+q, nil)
		e2eWantProblem(t, "GET /api/inventory?"+q, res, 400, "invalid_request")
	}
	res = s.do(t, "GET", "/api/inventory?"+url.Values{"sku": skus[:100]}.Encode(), nil)
	e2eWantStatus(t, "GET /api/inventory with 100 SKUs", res, 200)
}
