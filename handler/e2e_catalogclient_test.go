package main

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
)

// This file holds the helpers of the catalog E2E tests: the catalog's JSON
// as clients see it and the calls that read and write it.

// e2eMoney, e2eVariant and e2eProduct are the catalog's JSON as clients
// see it. e2eProduct is also the body of admin product writes.
type e2eMoney struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

type e2eVariant struct {
	SKU     string            `json:"sku"`
	Title   string            `json:"title"`
	Options map[string]string `json:"options"`
	Price   e2eMoney          `json:"price"`
}

type e2eProduct struct {
	ID          string         `json:"id,omitempty"`
	Handle      string         `json:"handle"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Category    string         `json:"category"`
	Attributes  map[string]any `json:"attributes"`
	Images      []string       `json:"images"`
	Status      string         `json:"status"`
	Variants    []e2eVariant   `json:"variants"`
	CreatedAt   time.Time      `json:"createdAt,omitzero"`
	UpdatedAt   time.Time      `json:"updatedAt,omitzero"`
}

type e2ePage struct {
	Items           []e2eProduct `json:"items"`
	NextCursor      *string      `json:"nextCursor"`
	Total           int          `json:"total"`
	TotalIsEstimate bool         `json:"totalIsEstimate"`
}

type e2eCategory struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ProductCount int    `json:"productCount"`
	Position     *int   `json:"position"`
}

type e2eStock struct {
	SKU       string `json:"sku"`
	OnHand    int64  `json:"onHand"`
	Committed int64  `json:"committed"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
}

// e2eProductInput returns an active product in category "e2e" with one
// USD variant.
func e2eProductInput(handle, sku string, amount int64) e2eProduct {
	return e2eProduct{
		Handle:      handle,
		Title:       "E2E " + handle,
		Description: "A product the end-to-end tests made.",
		Category:    "e2e",
		Attributes:  map[string]any{"material": "cotton", "weightGrams": 250.0},
		Images:      []string{"https://images.example.com/" + handle + ".jpg"},
		Status:      "active",
		Variants: []e2eVariant{
			{SKU: sku, Title: "M", Options: map[string]string{"size": "M"}, Price: e2eMoney{Amount: amount, Currency: "USD"}},
		},
	}
}

// mustCreateProduct creates a product via admin and returns it as created.
func (s e2eShop) mustCreateProduct(tb testing.TB, in e2eProduct) e2eProduct {
	tb.Helper()
	res := s.admin(tb, "POST", "/api/admin/products", in)
	e2eWantStatus(tb, "POST /api/admin/products "+in.Handle, res, 201)
	e2eCheckShape(tb, "created product", res.Body, e2eProductShape)
	var p e2eProduct
	res.JSON(tb, &p)
	return p
}

// mustReplaceProduct replaces a product via admin and returns it.
func (s e2eShop) mustReplaceProduct(tb testing.TB, p e2eProduct) e2eProduct {
	tb.Helper()
	res := s.admin(tb, "PUT", "/api/admin/products/"+p.ID, p)
	e2eWantStatus(tb, "PUT /api/admin/products/"+p.ID, res, 200)
	e2eCheckShape(tb, "replaced product", res.Body, e2eProductShape)
	var out e2eProduct
	res.JSON(tb, &out)
	return out
}

// mustSetStock sets a SKU's on-hand count via admin.
func (s e2eShop) mustSetStock(tb testing.TB, sku string, onHand int64) e2eStock {
	tb.Helper()
	res := s.admin(tb, "PUT", "/api/admin/inventory/"+sku, map[string]int64{"onHand": onHand})
	e2eWantStatus(tb, "PUT /api/admin/inventory/"+sku, res, 200)
	e2eCheckShape(tb, "stock level", res.Body, e2eStockShape)
	var l e2eStock
	res.JSON(tb, &l)
	return l
}

// getProduct returns GET /api/products/{idOrHandle}, checking a 200's shape.
func (s e2eShop) getProduct(tb testing.TB, idOrHandle string, header ...string) (*Response, e2eProduct) {
	tb.Helper()
	res := s.do(tb, "GET", "/api/products/"+url.PathEscape(idOrHandle), nil, header...)
	var p e2eProduct
	if res.Status == 200 {
		e2eCheckShape(tb, "product "+idOrHandle, res.Body, e2eProductShape)
		res.JSON(tb, &p)
	}
	return res, p
}

// page returns one page of GET /api/products.
func (s e2eShop) page(tb testing.TB, q url.Values) e2ePage {
	tb.Helper()
	path := "/api/products?" + q.Encode()
	res := s.do(tb, "GET", path, nil)
	e2eWantStatus(tb, "GET "+path, res, 200)
	e2eCheckShape(tb, "GET "+path, res.Body, e2ePageShape)
	var p e2ePage
	res.JSON(tb, &p)
	if p.Items == nil {
		tb.Errorf("GET %s: items = null, want an array", path)
	}
	return p
}

// walk follows nextCursor through every page of GET /api/products with
// query q and returns the products in order. It reports a product listed
// twice, a page longer than the limit, and any product that is not active.
// between, when not nil, runs after each page but the last.
func (s e2eShop) walk(tb testing.TB, q url.Values, between func()) []e2eProduct {
	tb.Helper()
	limit := 20
	if l := q.Get("limit"); l != "" {
		limit, _ = strconv.Atoi(l)
	}
	seen := make(map[string]bool)
	var all []e2eProduct
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			tb.Fatalf("walk %v: more than 1000 pages", q)
		}
		v := maps.Clone(q)
		if v == nil {
			v = url.Values{}
		}
		if cursor != "" {
			v.Set("cursor", cursor)
		}
		p := s.page(tb, v)
		if len(p.Items) > limit {
			tb.Errorf("walk %v: page %d has %d items, more than limit %d", q, pages, len(p.Items), limit)
		}
		for _, it := range p.Items {
			if seen[it.ID] {
				tb.Errorf("walk %v: product %s (%s) listed twice", q, it.ID, it.Handle)
			}
			seen[it.ID] = true
			if it.Status != "active" {
				tb.Errorf("walk %v: product %s has status %q; only active products may be listed", q, it.Handle, it.Status)
			}
			all = append(all, it)
		}
		if p.NextCursor == nil {
			return all
		}
		if *p.NextCursor == cursor {
			tb.Fatalf("walk %v: nextCursor %q repeats the cursor", q, cursor)
		}
		cursor = *p.NextCursor
		if between != nil {
			between()
		}
	}
}

// categories returns GET /api/categories.
func (s e2eShop) categories(tb testing.TB) []e2eCategory {
	tb.Helper()
	res := s.do(tb, "GET", "/api/categories", nil)
	e2eWantStatus(tb, "GET /api/categories", res, 200)
	e2eCheckShape(tb, "GET /api/categories", res.Body, e2eCategoriesShape)
	var body struct {
		Items []e2eCategory `json:"items"`
	}
	res.JSON(tb, &body)
	return body.Items
}

// e2eIDs returns the IDs of ps, sorted.
func e2eIDs(ps []e2eProduct) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	slices.Sort(out)
	return out
}
