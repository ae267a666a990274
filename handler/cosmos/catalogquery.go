package cosmos

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
)

// listWhere returns the WHERE clause (without the cursor) of a listing
// query in one category's partition, its parameters, and the property f
// sorts by ("" for the ID; see productDoc.SortPrice).
func listWhere(f commerce.ProductFilter) (string, []azcosmos.QueryParameter, string, error) {
	// c.category = @category repeats the partition key the query runs in:
	// free on the service, and it keeps the query exact on any peer.
	where := "c.category = @category AND c.type = @type"
	params := []azcosmos.QueryParameter{{Name: "@type", Value: typeProduct}}
	add := func(clause, name string, value any) {
		where += " AND " + clause
		params = append(params, azcosmos.QueryParameter{Name: name, Value: value})
	}
	if f.Status != "" {
		add("c.status = @status", "@status", string(f.Status))
	}
	if f.Query != "" {
		add("CONTAINS(c.search, @q)", "@q", strings.ToLower(f.Query))
	}
	key := ""
	if f.Priced() {
		if !commerce.ValidCurrency(f.Currency) {
			return "", nil, "", commerce.Invalidf(commerce.CodeInvalidRequest, "currency %q is not a currency", f.Currency)
		}
		// A validated ISO 4217 code: three capital letters, safe in a path.
		price := "c.prices." + f.Currency
		where += " AND IS_DEFINED(" + price + ")"
		if f.MinPrice > 0 {
			add(price+" >= @min", "@min", f.MinPrice)
		}
		if f.MaxPrice > 0 {
			add(price+" <= @max", "@max", f.MaxPrice)
		}
		if f.Sort.ByPrice() {
			key = "c.sortPrice." + f.Currency
		}
	}
	if f.Sort == commerce.SortTitle {
		key = "c.sortTitle"
	}
	for i, set := range f.TermSets() {
		var or []string
		for j, t := range set {
			name := fmt.Sprintf("@t%d_%d", i, j)
			or = append(or, "ARRAY_CONTAINS(c.terms, "+name+")")
			params = append(params, azcosmos.QueryParameter{Name: name, Value: t})
		}
		where += " AND (" + strings.Join(or, " OR ") + ")"
	}
	return where, params, key, nil
}

// listCategories returns the categories a listing reads: f's, or every one
// holding products.
func (s *CatalogStore) listCategories(ctx context.Context, f commerce.ProductFilter) ([]string, error) {
	if f.Category != "" {
		return []string{f.Category}, nil
	}
	counts, err := s.counts(ctx)
	if err != nil {
		return nil, err
	}
	var cats []string
	for _, c := range counts {
		if c.Total > 0 {
			cats = append(cats, c.Category)
		}
	}
	return cats, nil
}

// ListProducts returns the products f selects, in f's order: one
// single-partition query per category, keyset-paged on (sort key, ID), the
// pages merged here (see the package doc).
func (s *CatalogStore) ListProducts(ctx context.Context, f commerce.ProductFilter) ([]commerce.Product, error) {
	if f.Limit <= 0 {
		return nil, nil
	}
	where, params, key, err := listWhere(f)
	if err != nil {
		return nil, err
	}
	cats, err := s.listCategories(ctx, f)
	if err != nil {
		return nil, err
	}
	if f.Sort == commerce.SortRelevance && f.Query != "" {
		return s.listRelevance(ctx, f, where, params, cats)
	}
	dir, cmp := "ASC", ">"
	if f.Sort.Descending() {
		dir, cmp = "DESC", "<"
	}
	order := "c.id " + dir
	if key != "" {
		order = key + " " + dir
	}
	if f.After != "" {
		if key == "" {
			where += " AND c.id " + cmp + " @after"
			params = append(params, azcosmos.QueryParameter{Name: "@after", Value: f.After})
		} else {
			where += " AND " + key + " " + cmp + " @after"
			params = append(params, azcosmos.QueryParameter{Name: "@after", Value: sortValue(f.AfterKey, f.After)})
		}
	}
	q := fmt.Sprintf("SELECT TOP %d * FROM c WHERE %s ORDER BY %s", f.Limit, where, order)
	pages := make([][]productDoc, len(cats))
	err = each(len(cats), parallel, func(i int) error {
		var err error
		ps := append([]azcosmos.QueryParameter{{Name: "@category", Value: cats[i]}}, params...)
		pages[i], err = query[productDoc](ctx, s.c, cats[i], q, ps, f.Limit)
		return translate(err, "list products in "+cats[i])
	})
	if err != nil {
		return nil, err
	}
	type hit struct {
		key string
		p   *commerce.Product
	}
	var hits []hit
	for _, page := range pages {
		for i := range page {
			p, err := page[i].product()
			if err != nil {
				return nil, err
			}
			hits = append(hits, hit{f.SortKey(p), p})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return f.Compare(a.key, a.p.ID, b.key, b.p.ID) })
	if len(hits) > f.Limit {
		hits = hits[:f.Limit]
	}
	out := make([]commerce.Product, len(hits))
	for i, h := range hits {
		out[i] = *h.p
	}
	return out, nil
}

// CountMatching returns how many products f selects, up to max: one
// COUNT query per category's partition.
func (s *CatalogStore) CountMatching(ctx context.Context, f commerce.ProductFilter, max int) (int, error) {
	where, params, _, err := listWhere(f)
	if err != nil {
		return 0, err
	}
	cats, err := s.listCategories(ctx, f)
	if err != nil {
		return 0, err
	}
	counts := make([]int, len(cats))
	err = each(len(cats), parallel, func(i int) error {
		ps := append([]azcosmos.QueryParameter{{Name: "@category", Value: cats[i]}}, params...)
		n, err := query[int](ctx, s.c, cats[i], "SELECT VALUE COUNT(1) FROM c WHERE "+where, ps, 0)
		for _, v := range n {
			counts[i] += v
		}
		return translate(err, "count products in "+cats[i])
	})
	if err != nil {
		return 0, err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	return min(total, max), nil
}

// maxFacetScan bounds the products one Facets call reads.
const maxFacetScan = 10_000

// facetDoc is what Facets reads of a product.
type facetDoc struct {
	Category string           `json:"category"`
	Terms    []string         `json:"terms"`
	Prices   map[string]int64 `json:"prices"`
}

// Facets counts req's facets over the products f selects: it reads their
// category, terms and prices (one projection query per category's
// partition, up to maxFacetScan products in all) and counts here, since
// not every Cosmos DB endpoint runs GROUP BY.
func (s *CatalogStore) Facets(ctx context.Context, f commerce.ProductFilter, req commerce.FacetRequest) (*commerce.Facets, error) {
	where, params, _, err := listWhere(f)
	if err != nil {
		return nil, err
	}
	cats, err := s.listCategories(ctx, f)
	if err != nil {
		return nil, err
	}
	docs := make([][]facetDoc, len(cats))
	err = each(len(cats), parallel, func(i int) error {
		var err error
		ps := append([]azcosmos.QueryParameter{{Name: "@category", Value: cats[i]}}, params...)
		docs[i], err = query[facetDoc](ctx, s.c, cats[i], "SELECT c.category, c.terms, c.prices FROM c WHERE "+where, ps, maxFacetScan)
		return translate(err, "facets in "+cats[i])
	})
	if err != nil {
		return nil, err
	}
	c := commerce.NewFacetCounter(req, f.Currency)
	n := 0
	for _, ds := range docs {
		for _, d := range ds {
			if n++; n <= maxFacetScan {
				c.Add(d.Category, d.Terms, d.Prices)
			}
		}
	}
	return c.Facets(), nil
}

// relevanceTiers are the WHERE clauses of a relevance listing's ranks, in
// rank order (commerce.RankTitle, commerce.RankOther): q in the title, and
// q elsewhere only. A product written before titleSearch existed ranks
// with the others until it is written again.
var relevanceTiers = []string{
	"(IS_DEFINED(c.titleSearch) AND CONTAINS(c.titleSearch, @q))",
	"NOT (IS_DEFINED(c.titleSearch) AND CONTAINS(c.titleSearch, @q))",
}

// listRelevance returns the products f selects by relevance: per rank, one
// single-partition query per category in ID order, keyset-paged on (rank,
// ID); the ranks after the cursor's are read until a page is full.
func (s *CatalogStore) listRelevance(ctx context.Context, f commerce.ProductFilter, where string, params []azcosmos.QueryParameter, cats []string) ([]commerce.Product, error) {
	afterRank := commerce.RankTitle
	if f.After != "" {
		n, err := strconv.Atoi(f.AfterKey)
		if err != nil || n < commerce.RankTitle || n > commerce.RankOther {
			return nil, fmt.Errorf("cosmos: list products: relevance cursor %q", f.AfterKey)
		}
		afterRank = n
	}
	var out []commerce.Product
	for rank := afterRank; rank < len(relevanceTiers) && len(out) < f.Limit; rank++ {
		w, ps := where+" AND "+relevanceTiers[rank], params
		if f.After != "" && rank == afterRank {
			w += " AND c.id > @after"
			ps = append(slices.Clip(ps), azcosmos.QueryParameter{Name: "@after", Value: f.After})
		}
		q := fmt.Sprintf("SELECT TOP %d * FROM c WHERE %s ORDER BY c.id ASC", f.Limit, w)
		pages := make([][]productDoc, len(cats))
		err := each(len(cats), parallel, func(i int) error {
			var err error
			cps := append([]azcosmos.QueryParameter{{Name: "@category", Value: cats[i]}}, ps...)
			pages[i], err = query[productDoc](ctx, s.c, cats[i], q, cps, f.Limit)
			return translate(err, "list products in "+cats[i])
		})
		if err != nil {
			return nil, err
		}
		var tier []commerce.Product
		for _, page := range pages {
			for i := range page {
				p, err := page[i].product()
				if err != nil {
					return nil, err
				}
				p.Rank = rank
				tier = append(tier, *p)
			}
		}
		slices.SortFunc(tier, func(a, b commerce.Product) int { return strings.Compare(a.ID, b.ID) })
		out = append(out, tier...)
	}
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}
