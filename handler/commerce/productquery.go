package commerce

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// ProductSort is an order of a product listing.
type ProductSort string

// The listing orders. Products with the same sort key are in ID order
// (creation order), reversed for the descending sorts.
const (
	SortCreated   ProductSort = "created"  // oldest first (by ID)
	SortNewest    ProductSort = "-created" // newest first
	SortPrice     ProductSort = "price"    // lowest price first
	SortPriceDesc ProductSort = "-price"   // highest price first
	SortTitle     ProductSort = "title"    // by title, ignoring case
	// SortRelevance lists a query's title matches first, then the products
	// it matches only elsewhere (the description): the default with a
	// query, and only with one.
	SortRelevance ProductSort = "relevance"
)

// The relevance ranks of Product.Rank: lower comes first.
const (
	RankTitle = 0 // the query matches the title
	RankOther = 1 // the query matches the description only
)

// TextRank returns p's relevance rank for q as the stores that match the
// text as typed decide it: RankTitle when the title contains q, ignoring
// case, else RankOther.
func TextRank(p *Product, q string) int {
	if strings.Contains(strings.ToLower(p.Title), strings.ToLower(q)) {
		return RankTitle
	}
	return RankOther
}

// ValidSort reports whether s is one of the listing orders.
func ValidSort(s ProductSort) bool {
	switch s {
	case SortCreated, SortNewest, SortPrice, SortPriceDesc, SortTitle, SortRelevance:
		return true
	}
	return false
}

// Descending reports whether s lists the largest key first.
func (s ProductSort) Descending() bool { return strings.HasPrefix(string(s), "-") }

// ByPrice reports whether s orders by price.
func (s ProductSort) ByPrice() bool { return s == SortPrice || s == SortPriceDesc }

// PriceIn returns the lowest price of p's variants in currency.
func (p *Product) PriceIn(currency string) (int64, bool) {
	var lowest int64
	found := false
	for _, v := range p.Variants {
		if v.Price.Currency == currency && (!found || v.Price.Amount < lowest) {
			lowest, found = v.Price.Amount, true
		}
	}
	return lowest, found
}

// Prices returns p's lowest variant price in each currency it has.
func (p *Product) Prices() map[string]int64 {
	out := map[string]int64{}
	for _, v := range p.Variants {
		if a, ok := out[v.Price.Currency]; !ok || v.Price.Amount < a {
			out[v.Price.Currency] = v.Price.Amount
		}
	}
	return out
}

// Terms returns what attribute and option filters match p against, sorted
// and without duplicates: "attr.<name>=<value>" for each scalar attribute
// value (each element of a list of scalars) and "option.<name>=<value>" for
// each variant option, values lower-cased.
func (p *Product) Terms() []string {
	var out []string
	for name, v := range p.Attributes {
		for _, s := range termValues(v) {
			out = append(out, Term("attr", name, s))
		}
	}
	for _, v := range p.Variants {
		for name, value := range v.Options {
			out = append(out, Term("option", name, value))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Term returns the term a filter of the given kind ("attr", "option"),
// name and value matches.
func Term(kind, name, value string) string {
	return kind + "." + name + "=" + strings.ToLower(value)
}

// termValues returns an attribute value's scalars as text.
func termValues(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case bool:
		return []string{strconv.FormatBool(v)}
	case float64:
		return []string{strconv.FormatFloat(v, 'f', -1, 64)}
	case []any:
		var out []string
		for _, e := range v {
			if _, list := e.([]any); !list {
				out = append(out, termValues(e)...)
			}
		}
		return out
	}
	return nil
}

// TitleKey is what sorting by title compares: the title, lower-cased.
func TitleKey(title string) string { return strings.ToLower(title) }

// Priced reports whether f keeps only products priced in f.Currency.
func (f ProductFilter) Priced() bool {
	return f.Sort.ByPrice() || f.MinPrice > 0 || f.MaxPrice > 0
}

// Match reports whether f selects p, ignoring the cursor and the limit.
func (f ProductFilter) Match(p *Product) bool {
	if f.Status != "" && p.Status != f.Status || f.Category != "" && p.Category != f.Category {
		return false
	}
	if f.Query != "" && !strings.Contains(strings.ToLower(p.Title+"\n"+p.Description), strings.ToLower(f.Query)) {
		return false
	}
	if f.Priced() {
		price, ok := p.PriceIn(f.Currency)
		if !ok || f.MinPrice > 0 && price < f.MinPrice || f.MaxPrice > 0 && price > f.MaxPrice {
			return false
		}
	}
	if len(f.Attrs)+len(f.Options) == 0 {
		return true
	}
	terms := p.Terms()
	for _, want := range f.TermSets() {
		if !slices.ContainsFunc(want, func(t string) bool { _, ok := slices.BinarySearch(terms, t); return ok }) {
			return false
		}
	}
	return true
}

// TermSets returns f's attribute and option filters as sets of terms, one
// set per name, in a fixed order: a product matches when it has a term of
// every set.
func (f ProductFilter) TermSets() [][]string {
	var out [][]string
	for _, kind := range []struct {
		name string
		m    map[string][]string
	}{{"attr", f.Attrs}, {"option", f.Options}} {
		for _, name := range slices.Sorted(maps.Keys(kind.m)) {
			var set []string
			for _, v := range kind.m[name] {
				set = append(set, Term(kind.name, name, v))
			}
			out = append(out, set)
		}
	}
	return out
}

// SortKey returns p's key under f's sort: its price in f.Currency as 20
// digits (so that keys compare as the prices do), its TitleKey, its Rank
// as one digit, or "" when sorting by creation.
func (f ProductFilter) SortKey(p *Product) string {
	switch {
	case f.Sort == SortRelevance:
		return strconv.Itoa(p.Rank)
	case f.Sort.ByPrice():
		price, _ := p.PriceIn(f.Currency)
		return PriceKey(price)
	case f.Sort == SortTitle:
		return TitleKey(p.Title)
	}
	return ""
}

// PriceKey is the sort key of a price: 20 digits, zero-padded.
func PriceKey(amount int64) string { return fmt.Sprintf("%020d", amount) }

// Compare orders two products under f's sort: by key, then by ID, reversed
// when the sort is descending.
func (f ProductFilter) Compare(keyA, idA, keyB, idB string) int {
	c := strings.Compare(keyA, keyB)
	if c == 0 {
		c = strings.Compare(idA, idB)
	}
	if f.Sort.Descending() {
		return -c
	}
	return c
}

// AfterCursor reports whether a product with the given key and ID comes
// after f's cursor (always, without one).
func (f ProductFilter) AfterCursor(key, id string) bool {
	return f.After == "" || f.Compare(key, id, f.AfterKey, f.After) > 0
}

// FacetRequest names the facets a listing asks for.
type FacetRequest struct {
	Category bool
	// Terms are attribute and option names as "attr.<name>" and
	// "option.<name>".
	Terms []string
	Price bool // the lowest and highest price in the filter's Currency
}

// FacetCount is one value of a facet and how many products have it.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Facets counts what the products a filter selects have: per category, per
// value of each term name (values lower-cased, as filters take them), and
// their price range. Counts are sorted by value.
type Facets struct {
	Categories []FacetCount
	Terms      map[string][]FacetCount
	// MinPrice and MaxPrice span the prices in the filter's currency;
	// Priced is false when no product selected has one.
	MinPrice, MaxPrice int64
	Priced             bool
}

// FacetCounter accumulates Facets one product at a time, for the stores
// that count in memory.
type FacetCounter struct {
	req      FacetRequest
	currency string
	cats     map[string]int
	terms    map[string]map[string]int
	out      Facets
}

// NewFacetCounter returns a counter of req's facets, prices in currency.
func NewFacetCounter(req FacetRequest, currency string) *FacetCounter {
	c := &FacetCounter{req: req, currency: currency, cats: map[string]int{}, terms: map[string]map[string]int{}}
	for _, name := range req.Terms {
		c.terms[name] = map[string]int{}
	}
	return c
}

// Add counts one product's category, terms and price.
func (c *FacetCounter) Add(category string, terms []string, prices map[string]int64) {
	c.cats[category]++
	for _, t := range terms {
		name, value, _ := strings.Cut(t, "=")
		if m, ok := c.terms[name]; ok {
			m[value]++
		}
	}
	if price, ok := prices[c.currency]; ok {
		if !c.out.Priced || price < c.out.MinPrice {
			c.out.MinPrice = price
		}
		if !c.out.Priced || price > c.out.MaxPrice {
			c.out.MaxPrice = price
		}
		c.out.Priced = true
	}
}

// Facets returns what was counted.
func (c *FacetCounter) Facets() *Facets {
	out := c.out
	if c.req.Category {
		out.Categories = sortedCounts(c.cats)
	}
	out.Terms = map[string][]FacetCount{}
	for name, m := range c.terms {
		out.Terms[name] = sortedCounts(m)
	}
	return &out
}

// sortedCounts returns m's counts sorted by value.
func sortedCounts(m map[string]int) []FacetCount {
	out := []FacetCount{}
	for _, v := range slices.Sorted(maps.Keys(m)) {
		out = append(out, FacetCount{Value: v, Count: m[v]})
	}
	return out
}
