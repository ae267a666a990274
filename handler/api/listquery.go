package api

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"shopfn/handler/commerce"
)

// Listing limits.
const (
	defaultPageSize = 20
	maxPageSize     = 100
	maxQueryLen     = 200
	// maxFilterNames bounds the attr.<name> and option.<name> filters of
	// one listing, maxFilterValues their values together, so that a
	// listing's query stays small.
	maxFilterNames  = 8
	maxFilterValues = 32
	maxFacets       = 8
	// maxTotal is how far a listing counts: beyond it, total is maxTotal
	// and totalIsEstimate is true.
	maxTotal = 10_000
)

// listQuery is a validated GET /api/products (or /api/admin/products)
// query.
type listQuery struct {
	category, q, sort, currency string
	minPrice, maxPrice          int64
	attrs, options              map[string][]string
	inStock                     bool
	facets                      *commerce.FacetRequest // nil: none asked for
	// admin is set for GET /api/admin/products, which lists status
	// (any when empty) where the storefront listing lists active only.
	admin           bool
	status          commerce.ProductStatus
	limit           int
	after, afterKey string // from the cursor
}

// singleParams are the listing parameters that take one value.
var singleParams = []string{"category", "q", "limit", "cursor", "sort", "currency", "minPrice", "maxPrice", "inStock", "facets", "status"}

// parseListQuery validates the query of GET /api/products. A cursor must
// be one this API returned for the same filters, sort and limit.
// With admin (GET /api/admin/products) it lists any status, or status=.
func (s *Server) parseListQuery(v url.Values, admin bool) (listQuery, error) {
	for _, name := range singleParams {
		if len(v[name]) > 1 {
			return listQuery{}, commerce.Invalidf(commerce.CodeInvalidRequest, "%s is given more than once", name)
		}
	}
	lq := listQuery{category: v.Get("category"), q: v.Get("q"), limit: defaultPageSize,
		sort: v.Get("sort"), currency: v.Get("currency")}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "limit must be an integer from 1 to %d", maxPageSize)
		}
		lq.limit = n
	}
	if lq.category != "" && !commerce.ValidSlug(lq.category, commerce.MaxCategoryLen) {
		return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "category must be 1-%d characters of a-z, 0-9 and '-'", commerce.MaxCategoryLen)
	}
	if !utf8.ValidString(lq.q) || utf8.RuneCountInString(lq.q) > maxQueryLen {
		return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "q must be valid UTF-8 of at most %d characters", maxQueryLen)
	}
	if admin {
		st, err := parseAdminStatus(v.Get("status"))
		if err != nil {
			return lq, err
		}
		lq.admin, lq.status = true, st
	}
	switch {
	case lq.sort == "" && lq.q != "":
		lq.sort = string(commerce.SortRelevance)
	case lq.sort == "":
		lq.sort = string(commerce.SortCreated)
	case lq.sort == string(commerce.SortRelevance) && lq.q == "":
		return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "sort=relevance needs q, the text to rank by")
	}
	if !commerce.ValidSort(commerce.ProductSort(lq.sort)) {
		return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "sort must be created, -created, price, -price, title or relevance")
	}
	if lq.currency == "" {
		lq.currency = s.cfg.Currency
	}
	if !commerce.ValidCurrency(lq.currency) {
		return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "currency must be an ISO 4217 code such as USD")
	}
	for _, p := range []struct {
		name string
		to   *int64
	}{{"minPrice", &lq.minPrice}, {"maxPrice", &lq.maxPrice}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 1 || n > commerce.MaxAmount {
				return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "%s must be an integer amount in minor units from 1 to %d", p.name, commerce.MaxAmount)
			}
			*p.to = n
		}
	}
	if lq.minPrice > 0 && lq.maxPrice > 0 && lq.minPrice > lq.maxPrice {
		return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "minPrice must not exceed maxPrice")
	}
	switch v.Get("inStock") {
	case "", "false":
	case "true":
		lq.inStock = true
	default:
		return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "inStock must be true or false")
	}
	if err := lq.parseFilters(v); err != nil {
		return lq, err
	}
	if err := lq.parseFacets(v.Get("facets")); err != nil {
		return lq, err
	}
	if c := v.Get("cursor"); c != "" {
		id, key, ok := s.cursors.open(c, lq)
		if !ok {
			return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "cursor is not one this API returned for these filters, sort and limit")
		}
		lq.after, lq.afterKey = id, key
	}
	return lq, nil
}

// parseFilters reads the attr.<name> and option.<name> parameters: values
// lower-cased, each name's values deduplicated.
func (lq *listQuery) parseFilters(v url.Values) error {
	names, values := 0, 0
	for param, vs := range v {
		kind, name, ok := strings.Cut(param, ".")
		if !ok || kind != "attr" && kind != "option" {
			continue
		}
		names++
		values += len(vs)
		if names > maxFilterNames || values > maxFilterValues {
			return commerce.Invalidf(commerce.CodeInvalidRequest, "a listing takes at most %d attr.<name> and option.<name> filters with %d values in all", maxFilterNames, maxFilterValues)
		}
		if !utf8.ValidString(name) || len(name) > commerce.MaxAttributeLen {
			return commerce.Invalidf(commerce.CodeInvalidRequest, "%s: a filter name is valid UTF-8 of at most %d bytes", param, commerce.MaxAttributeLen)
		}
		var set []string
		for _, value := range vs {
			if value == "" || !utf8.ValidString(value) || len(value) > commerce.MaxAttributeLen {
				return commerce.Invalidf(commerce.CodeInvalidRequest, "%s: each value is valid UTF-8 of 1 to %d bytes", param, commerce.MaxAttributeLen)
			}
			set = append(set, strings.ToLower(value))
		}
		slices.Sort(set)
		set = slices.Compact(set)
		m := &lq.attrs
		if kind == "option" {
			m = &lq.options
		}
		if *m == nil {
			*m = map[string][]string{}
		}
		(*m)[name] = set
	}
	return nil
}

// parseFacets reads facets=category,attr.<name>,option.<name>,price.
func (lq *listQuery) parseFacets(list string) error {
	if list == "" {
		return nil
	}
	req := commerce.FacetRequest{}
	names := strings.Split(list, ",")
	if len(names) > maxFacets {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "facets takes at most %d names", maxFacets)
	}
	for _, name := range names {
		kind, rest, _ := strings.Cut(name, ".")
		switch {
		case name == "category":
			req.Category = true
		case name == "price":
			req.Price = true
		case (kind == "attr" || kind == "option") && rest != "" && utf8.ValidString(rest) && len(rest) <= commerce.MaxAttributeLen:
			if !slices.Contains(req.Terms, name) {
				req.Terms = append(req.Terms, name)
			}
		default:
			return commerce.Invalidf(commerce.CodeInvalidRequest, "facets are category, price, attr.<name> and option.<name>, comma-separated; not %q", name)
		}
	}
	lq.facets = &req
	return nil
}

// filter returns the store filter of lq for active products (or, in the
// admin listing, lq.status), reading limit products.
func (lq listQuery) filter(limit int) commerce.ProductFilter {
	status := commerce.StatusActive
	if lq.admin {
		status = lq.status
	}
	return commerce.ProductFilter{
		Status: status, Category: lq.category, Query: lq.q, After: lq.after, Limit: limit,
		Sort: commerce.ProductSort(lq.sort), AfterKey: lq.afterKey, Currency: lq.currency,
		MinPrice: lq.minPrice, MaxPrice: lq.maxPrice, Attrs: lq.attrs, Options: lq.options,
	}
}

// signature is lq's filters, sort and limit in one canonical string: what a
// cursor is signed with, and the response cache's key (with the cursor).
func (lq listQuery) signature() string {
	var b strings.Builder
	for _, s := range []string{lq.category, lq.q, lq.sort, lq.currency, strconv.FormatInt(lq.minPrice, 10),
		strconv.FormatInt(lq.maxPrice, 10), strconv.FormatBool(lq.inStock), strconv.FormatBool(lq.admin), string(lq.status), strconv.Itoa(lq.limit)} {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	for _, m := range []map[string][]string{lq.attrs, lq.options} {
		b.WriteByte('|')
		for _, name := range slices.Sorted(maps.Keys(m)) {
			b.WriteString(strconv.Quote(name))
			for _, v := range m[name] {
				b.WriteString(strconv.Quote(v))
			}
			b.WriteByte(';')
		}
	}
	return b.String()
}

func (lq listQuery) cacheKey() string {
	facets := ""
	if f := lq.facets; f != nil {
		facets = fmt.Sprintf("%t %t %q", f.Category, f.Price, f.Terms)
	}
	return "list\x00" + lq.signature() + "\x00" + lq.after + "\x00" + lq.afterKey + "\x00" + facets
}
