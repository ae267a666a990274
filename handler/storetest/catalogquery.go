package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
)

// testCatalogQueries holds a store to the listing's sorts and filters:
// each case's products in order, walked two at a time through the keyset
// cursor, and counted.
func testCatalogQueries(t *testing.T, newStore func(t *testing.T) commerce.CatalogStore) {
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	s := newStore(t)
	ctx := callContext(t)
	type variant struct {
		amount   int64
		currency string
		options  map[string]string
	}
	for i, in := range []struct {
		handle, title, category string
		status                  commerce.ProductStatus
		attrs                   map[string]any
		variants                []variant
	}{
		{"a", "Zeta lamp", "home", commerce.StatusActive, map[string]any{"brand": "Halcyon"},
			[]variant{{3500, "USD", map[string]string{"color": "White"}}, {3000, "USD", map[string]string{"color": "Black"}}}},
		{"b", "alpha mug", "home", commerce.StatusActive, map[string]any{"brand": "Kestrel"},
			[]variant{{1000, "USD", map[string]string{"color": "black"}}}},
		{"c", "Beta chair", "home", commerce.StatusActive, map[string]any{"brand": "HALCYON", "seats": 1.0},
			[]variant{{5000, "USD", map[string]string{"color": "Red"}}}},
		{"d", "Gamma book", "books", commerce.StatusActive, map[string]any{"tags": []any{"Paper", "gift"}},
			[]variant{{1500, "USD", map[string]string{"format": "Hardcover"}}}},
		{"e", "delta pen", "books", commerce.StatusActive, map[string]any{"brand": "Halcyon"},
			[]variant{{1000, "USD", nil}}},
		{"f", "Eps draft", "home", commerce.StatusDraft, map[string]any{"brand": "Halcyon"},
			[]variant{{2000, "USD", nil}}},
		{"g", "Eur thing", "home", commerce.StatusActive, map[string]any{"brand": "Halcyon"},
			[]variant{{500, "EUR", nil}}},
	} {
		p := NewProduct(t0.Add(time.Duration(i)*time.Millisecond), in.handle, in.category)
		p.Title, p.Status, p.Attributes = in.title, in.status, in.attrs
		for j, v := range in.variants {
			p.Variants = append(p.Variants, commerce.Variant{
				SKU: in.handle + "-" + string(rune('0'+j)), Title: "v", Options: v.options,
				Price: commerce.Money{Amount: v.amount, Currency: v.currency},
			})
		}
		must(t, s.CreateProduct(ctx, p))
	}
	active := commerce.ProductFilter{Status: commerce.StatusActive, Currency: "USD"}
	with := func(change func(f *commerce.ProductFilter)) commerce.ProductFilter {
		f := active
		change(&f)
		return f
	}
	for _, tt := range []struct {
		name string
		f    commerce.ProductFilter
		want []string
	}{
		{"created", active, []string{"a", "b", "c", "d", "e", "g"}},
		{"any status", with(func(f *commerce.ProductFilter) { f.Status = "" }), []string{"a", "b", "c", "d", "e", "f", "g"}},
		{"-created", with(func(f *commerce.ProductFilter) { f.Sort = commerce.SortNewest }), []string{"g", "e", "d", "c", "b", "a"}},
		{"price", with(func(f *commerce.ProductFilter) { f.Sort = commerce.SortPrice }), []string{"b", "e", "d", "a", "c"}},
		{"-price", with(func(f *commerce.ProductFilter) { f.Sort = commerce.SortPriceDesc }), []string{"c", "a", "d", "e", "b"}},
		{"price in EUR", with(func(f *commerce.ProductFilter) { f.Sort, f.Currency = commerce.SortPrice, "EUR" }), []string{"g"}},
		{"title", with(func(f *commerce.ProductFilter) { f.Sort = commerce.SortTitle }), []string{"b", "c", "e", "g", "d", "a"}},
		{"price range", with(func(f *commerce.ProductFilter) { f.MinPrice, f.MaxPrice = 1000, 3000 }), []string{"a", "b", "d", "e"}},
		{"min price", with(func(f *commerce.ProductFilter) { f.MinPrice = 3001 }), []string{"c"}},
		{"attr", with(func(f *commerce.ProductFilter) { f.Attrs = map[string][]string{"brand": {"halcyon"}} }), []string{"a", "c", "e", "g"}},
		{"attr or", with(func(f *commerce.ProductFilter) { f.Attrs = map[string][]string{"brand": {"halcyon", "kestrel"}} }), []string{"a", "b", "c", "e", "g"}},
		{"attr number", with(func(f *commerce.ProductFilter) { f.Attrs = map[string][]string{"seats": {"1"}} }), []string{"c"}},
		{"attr list", with(func(f *commerce.ProductFilter) { f.Attrs = map[string][]string{"tags": {"gift"}} }), []string{"d"}},
		{"option or", with(func(f *commerce.ProductFilter) { f.Options = map[string][]string{"color": {"black", "red"}} }), []string{"a", "b", "c"}},
		{"attr and option", with(func(f *commerce.ProductFilter) {
			f.Attrs, f.Options = map[string][]string{"brand": {"halcyon"}}, map[string][]string{"color": {"black"}}
		}), []string{"a"}},
		{"category by price", with(func(f *commerce.ProductFilter) { f.Category, f.Sort = "home", commerce.SortPrice }), []string{"b", "a", "c"}},
		{"filters by -price", with(func(f *commerce.ProductFilter) {
			f.Attrs, f.Sort, f.MaxPrice = map[string][]string{"brand": {"halcyon"}}, commerce.SortPriceDesc, 4000
		}), []string{"a", "e"}},
		{"no match", with(func(f *commerce.ProductFilter) { f.Options = map[string][]string{"color": {"green"}} }), nil},
		// "e" is in the titles of a, c, e and g, and only in the
		// descriptions ("Description of b") of b and d.
		{"relevance", with(func(f *commerce.ProductFilter) { f.Query, f.Sort = "e", commerce.SortRelevance }), []string{"a", "c", "e", "g", "b", "d"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			f := tt.f
			f.Limit = 2
			for pages := 0; pages < 10; pages++ {
				ps, err := s.ListProducts(ctx, f)
				must(t, err)
				for i := range ps {
					got = append(got, ps[i].Handle)
					f.After, f.AfterKey = ps[i].ID, f.SortKey(&ps[i])
				}
				if len(ps) < f.Limit {
					break
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("listing two at a time (-want +got):\n%s", diff)
			}
			n, err := s.CountMatching(ctx, tt.f, 100)
			must(t, err)
			if n != len(tt.want) {
				t.Errorf("CountMatching: got %d, want %d", n, len(tt.want))
			}
			if len(tt.want) > 2 {
				n, err := s.CountMatching(ctx, tt.f, 2)
				must(t, err)
				if n != 2 {
					t.Errorf("CountMatching up to 2: got %d, want 2", n)
				}
			}
		})
	}
	t.Run("facets", func(t *testing.T) {
		req := commerce.FacetRequest{Category: true, Terms: []string{"attr.brand", "option.color", "attr.none"}, Price: true}
		type fc = commerce.FacetCount
		for _, tt := range []struct {
			name string
			f    commerce.ProductFilter
			want *commerce.Facets
		}{
			{"all", active, &commerce.Facets{
				Categories: []fc{{Value: "books", Count: 2}, {Value: "home", Count: 4}},
				Terms: map[string][]fc{
					"attr.brand":   {{Value: "halcyon", Count: 4}, {Value: "kestrel", Count: 1}},
					"option.color": {{Value: "black", Count: 2}, {Value: "red", Count: 1}, {Value: "white", Count: 1}},
					"attr.none":    {},
				},
				MinPrice: 1000, MaxPrice: 5000, Priced: true,
			}},
			{"filtered", with(func(f *commerce.ProductFilter) { f.Attrs = map[string][]string{"brand": {"halcyon"}} }), &commerce.Facets{
				Categories: []fc{{Value: "books", Count: 1}, {Value: "home", Count: 3}},
				Terms: map[string][]fc{
					"attr.brand":   {{Value: "halcyon", Count: 4}},
					"option.color": {{Value: "black", Count: 1}, {Value: "red", Count: 1}, {Value: "white", Count: 1}},
					"attr.none":    {},
				},
				MinPrice: 1000, MaxPrice: 5000, Priced: true,
			}},
			{"none", with(func(f *commerce.ProductFilter) { f.Category = "garden" }), &commerce.Facets{
				Categories: []fc{},
				Terms:      map[string][]fc{"attr.brand": {}, "option.color": {}, "attr.none": {}},
			}},
		} {
			got, err := s.Facets(ctx, tt.f, req)
			must(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s: Facets (-want +got):\n%s", tt.name, diff)
			}
		}
	})
}
