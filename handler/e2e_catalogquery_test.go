package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

// This file holds the E2E tests of the listing's sorts, filters, totals
// and availability, over the sample catalog.

// e2ePrice returns p's lowest variant price in USD.
func e2ePrice(p e2eProduct) int64 {
	var low int64
	for i, v := range p.Variants {
		if i == 0 || v.Price.Amount < low {
			low = v.Price.Amount
		}
	}
	return low
}

// e2eHandles returns the handles of ps, in order.
func e2eHandles(ps []e2eProduct) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Handle
	}
	return out
}

// e2eAttrIs reports whether p's attribute name equals value (or a list
// attribute holds it), ignoring case.
func e2eAttrIs(p e2eProduct, name, value string) bool {
	match := func(v any) bool { return strings.EqualFold(fmt.Sprint(v), value) }
	switch v := p.Attributes[name].(type) {
	case nil:
		return false
	case []any:
		return slices.ContainsFunc(v, match)
	default:
		return match(v)
	}
}

// e2eOptionIs reports whether a variant of p has option name = value,
// ignoring case.
func e2eOptionIs(p e2eProduct, name, value string) bool {
	return slices.ContainsFunc(p.Variants, func(v e2eVariant) bool { return strings.EqualFold(v.Options[name], value) })
}

func TestE2ECatalogSortAndFilter(t *testing.T) {
	t.Parallel()
	s := startE2E(t, true)
	all := s.walk(t, url.Values{"limit": {"100"}}, nil)

	t.Run("Sorts", func(t *testing.T) {
		byPrice := slices.Clone(all)
		slices.SortStableFunc(byPrice, func(a, b e2eProduct) int { return cmp.Compare(e2ePrice(a), e2ePrice(b)) })
		byPriceDesc := slices.Clone(all)
		slices.Reverse(byPriceDesc)
		slices.SortStableFunc(byPriceDesc, func(a, b e2eProduct) int { return cmp.Compare(e2ePrice(b), e2ePrice(a)) })
		byTitle := slices.Clone(all)
		slices.SortStableFunc(byTitle, func(a, b e2eProduct) int { return strings.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title)) })
		newest := slices.Clone(all)
		slices.Reverse(newest)
		for _, tt := range []struct {
			sort string
			want []e2eProduct
		}{{"price", byPrice}, {"-price", byPriceDesc}, {"title", byTitle}, {"-created", newest}, {"created", all}} {
			got := s.walk(t, url.Values{"sort": {tt.sort}, "limit": {"7"}}, nil)
			if diff := gocmp.Diff(e2eHandles(tt.want), e2eHandles(got)); diff != "" {
				t.Errorf("sort=%s walked 7 at a time (-want +got):\n%s", tt.sort, diff)
			}
		}
	})

	t.Run("Filters", func(t *testing.T) {
		for _, tt := range []struct {
			query string
			keep  func(p e2eProduct) bool
		}{
			{"attr.brand=halcyon", func(p e2eProduct) bool { return e2eAttrIs(p, "brand", "halcyon") }},
			{"attr.brand=Halcyon&attr.brand=KESTREL", func(p e2eProduct) bool {
				return e2eAttrIs(p, "brand", "halcyon") || e2eAttrIs(p, "brand", "kestrel")
			}},
			{"option.color=black", func(p e2eProduct) bool { return e2eOptionIs(p, "color", "black") }},
			{"attr.brand=Halcyon&option.color=Black", func(p e2eProduct) bool {
				return e2eAttrIs(p, "brand", "halcyon") && e2eOptionIs(p, "color", "black")
			}},
			{"attr.sizes=XL", func(p e2eProduct) bool { return e2eAttrIs(p, "sizes", "xl") }},
			{"attr.pages=481", func(p e2eProduct) bool { return e2eAttrIs(p, "pages", "481") }},
			{"minPrice=2000&maxPrice=5000", func(p e2eProduct) bool { return e2ePrice(p) >= 2000 && e2ePrice(p) <= 5000 }},
			{"minPrice=2000&maxPrice=5000&currency=USD&category=books", func(p e2eProduct) bool {
				return e2ePrice(p) >= 2000 && e2ePrice(p) <= 5000 && p.Category == "books"
			}},
			{"minPrice=1&currency=EUR", func(p e2eProduct) bool { return false }},
		} {
			var want []e2eProduct
			for _, p := range all {
				if tt.keep(p) {
					want = append(want, p)
				}
			}
			q, _ := url.ParseQuery(tt.query + "&limit=5")
			got := s.walk(t, q, nil)
			if diff := gocmp.Diff(e2eHandles(want), e2eHandles(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.query, diff)
			}
			if p := s.page(t, q); p.Total != len(want) || p.TotalIsEstimate {
				t.Errorf("%s: total %d (estimate %v), want %d exactly", tt.query, p.Total, p.TotalIsEstimate, len(want))
			}
			if len(want) == 0 && !strings.Contains(tt.query, "EUR") {
				t.Errorf("%s selects nothing in the sample catalog: the case tests nothing", tt.query)
			}
		}
		// Sort and two filters together.
		q := url.Values{"sort": {"-price"}, "option.color": {"black", "white"}, "maxPrice": {"20000"}, "limit": {"3"}}
		var want []e2eProduct
		for _, p := range all {
			if (e2eOptionIs(p, "color", "black") || e2eOptionIs(p, "color", "white")) && e2ePrice(p) <= 20000 {
				want = append(want, p)
			}
		}
		slices.Reverse(want)
		slices.SortStableFunc(want, func(a, b e2eProduct) int { return cmp.Compare(e2ePrice(b), e2ePrice(a)) })
		if diff := gocmp.Diff(e2eHandles(want), e2eHandles(s.walk(t, q, nil))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", q.Encode(), diff)
		}
	})

	t.Run("Facets", func(t *testing.T) {
		q := url.Values{"option.color": {"black"}, "facets": {"category,attr.brand,option.color,price,attr.nothing"}, "limit": {"1"}}
		res := s.do(t, "GET", "/api/products?"+q.Encode(), nil)
		e2eWantStatus(t, "GET /api/products?"+q.Encode(), res, 200)
		var body struct {
			Facets map[string]json.RawMessage `json:"facets"`
		}
		res.JSON(t, &body)
		type count struct {
			Value string `json:"value"`
			Count int    `json:"count"`
		}
		wantCounts := map[string]map[string]int{"category": {}, "attr.brand": {}, "option.color": {}, "attr.nothing": {}}
		var low, high int64
		n := 0
		for _, p := range all {
			if !e2eOptionIs(p, "color", "black") {
				continue
			}
			wantCounts["category"][p.Category]++
			if b, ok := p.Attributes["brand"].(string); ok {
				wantCounts["attr.brand"][strings.ToLower(b)]++
			}
			colors := map[string]bool{}
			for _, v := range p.Variants {
				if c, ok := v.Options["color"]; ok {
					colors[strings.ToLower(c)] = true
				}
			}
			for c := range colors {
				wantCounts["option.color"][c]++
			}
			if price := e2ePrice(p); n == 0 || price < low {
				low = price
			}
			if price := e2ePrice(p); n == 0 || price > high {
				high = price
			}
			n++
		}
		for name, want := range wantCounts {
			var counts []count
			if err := json.Unmarshal(body.Facets[name], &counts); err != nil {
				t.Fatalf("facet %s: %v in %s", name, err, res.Body)
			}
			got := map[string]int{}
			for i, c := range counts {
				got[c.Value] = c.Count
				if i > 0 && counts[i-1].Value >= c.Value {
					t.Errorf("facet %s is not sorted by value: %v", name, counts)
				}
			}
			if diff := gocmp.Diff(want, got); diff != "" {
				t.Errorf("facet %s (-want +got):\n%s", name, diff)
			}
		}
		var price struct{ Min, Max int64 }
		json.Unmarshal(body.Facets["price"], &price)
		if price.Min != low || price.Max != high || n < 2 {
			t.Errorf("price facet %+v, want %d to %d over %d products", price, low, high, n)
		}
		for _, bad := range []string{"colour", "attr.", "category,category,a,b,c,d,e,f,g", "price,"} {
			res := s.do(t, "GET", "/api/products?"+url.Values{"facets": {bad}}.Encode(), nil)
			e2eWantProblem(t, "facets="+bad, res, 400, "invalid_request")
		}
	})

	t.Run("Words", func(t *testing.T) {
		if testCosmos != "" {
			t.Skip("on Cosmos DB, q matches the text as typed (see the README's Cosmos DB section)")
		}
		var want []e2eProduct
		for _, p := range all {
			if strings.Contains(strings.ToLower(p.Title), "speaker") {
				want = append(want, p)
			}
		}
		got := s.walk(t, url.Values{"q": {"Speakers"}, "limit": {"5"}}, nil)
		for _, p := range want {
			if !slices.ContainsFunc(got, func(g e2eProduct) bool { return g.ID == p.ID }) {
				t.Errorf("q=Speakers does not find %q", p.Title)
			}
		}
		if len(want) == 0 {
			t.Fatal("no speaker in the sample catalog")
		}
	})

	t.Run("Total", func(t *testing.T) {
		p := s.page(t, url.Values{"limit": {"1"}})
		if p.Total != len(all) || p.TotalIsEstimate {
			t.Errorf("total %d (estimate %v), want %d exactly", p.Total, p.TotalIsEstimate, len(all))
		}
	})

	t.Run("CursorBelongsToItsFilters", func(t *testing.T) {
		q := url.Values{"sort": {"price"}, "attr.brand": {"halcyon"}, "limit": {"1"}}
		p := s.page(t, q)
		if p.NextCursor == nil {
			t.Fatal("no cursor after the first page")
		}
		for _, other := range []url.Values{
			{"sort": {"-price"}, "attr.brand": {"halcyon"}, "limit": {"1"}},
			{"sort": {"price"}, "attr.brand": {"kestrel"}, "limit": {"1"}},
			{"sort": {"price"}, "attr.brand": {"halcyon"}, "option.color": {"black"}, "limit": {"1"}},
			{"sort": {"price"}, "attr.brand": {"halcyon"}, "limit": {"1"}, "minPrice": {"1"}},
			{"sort": {"price"}, "attr.brand": {"halcyon"}, "limit": {"1"}, "inStock": {"true"}},
		} {
			other.Set("cursor", *p.NextCursor)
			res := s.do(t, "GET", "/api/products?"+other.Encode(), nil)
			e2eWantProblem(t, "cursor with other filters "+other.Encode(), res, 400, "invalid_request")
		}
	})

	t.Run("BadQuery", func(t *testing.T) {
		many := url.Values{}
		for i := 0; i < 9; i++ {
			many.Set(fmt.Sprintf("attr.a%d", i), "x")
		}
		manyValues := url.Values{"option.color": make([]string, 33)}
		for i := range manyValues["option.color"] {
			manyValues["option.color"][i] = fmt.Sprint("c", i)
		}
		for _, q := range []string{
			"sort=cheapest", "sort=price&sort=title", "sort=PRICE",
			"minPrice=0", "minPrice=-1", "minPrice=1.5", "maxPrice=x", "minPrice=500&maxPrice=400",
			"currency=usd", "currency=US", "inStock=yes", "attr.brand=", many.Encode(), manyValues.Encode(),
		} {
			res := s.do(t, "GET", "/api/products?"+q, nil)
			e2eWantProblem(t, "GET /api/products?"+q, res, 400, "invalid_request")
		}
	})
}
