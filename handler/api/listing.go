package api

import (
	"encoding/json"
	"net/http"

	"shopfn/handler/commerce"
)

// maxInStockReads bounds the store reads of one inStock listing page: when
// that many pages of matches hold too few products in stock, the page is
// answered short, with a cursor to go on from.
const maxInStockReads = 5

// listedVariant is a variant in a listing, with what is available of it,
// so that a product grid needs no call per SKU.
type listedVariant struct {
	commerce.Variant
	Available int64 `json:"available"`
}

// listedProduct is a product in a listing.
type listedProduct struct {
	commerce.Product
	Variants []listedVariant `json:"variants"`
}

// productPage is a page of a listing. Total counts the products the filters
// select (all pages), exactly up to maxTotal; beyond it, or with inStock
// (counted without the stock filter), TotalIsEstimate is true.
type productPage struct {
	Items           []listedProduct `json:"items"`
	NextCursor      *string         `json:"nextCursor"`
	Total           int             `json:"total"`
	TotalIsEstimate bool            `json:"totalIsEstimate"`
	// Facets, when asked for, maps "category", "attr.<name>" and
	// "option.<name>" to value counts and "price" to a price range.
	Facets map[string]any `json:"facets,omitempty"`
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.RawQuery
	m, ok := s.listMemo.get(raw)
	if !ok {
		lq, err := s.parseListQuery(r.URL.Query(), false)
		if err != nil {
			return err
		}
		m = &listMemoEntry{lq: lq, key: lq.cacheKey()}
		s.listMemo.put(raw, m)
	}
	return s.serveListing(w, r, m.lq, m.key)
}

// serveListing answers a listing, whose response cache key is key: from
// the response cache when it can.
func (s *Server) serveListing(w http.ResponseWriter, r *http.Request, lq listQuery, key string) error {
	e, err := s.cache.fill(key, func() ([]byte, string, error) {
		// The request deadline, around the store reads only (the route's
		// ownDeadline): a listing from the cache needs no timer.
		r, cancel := s.withDeadline(r)
		defer cancel()
		page, err := s.readListing(r, lq)
		if err != nil {
			return nil, "", s.timedOut(r, err)
		}
		body, err := json.Marshal(page)
		return body, "", err
	})
	if err != nil {
		return err
	}
	writeEntry(w, e)
	return nil
}

// readListing reads a page of lq, its variants' availability (one stock
// read for the page), and its total.
func (s *Server) readListing(r *http.Request, lq listQuery) (*productPage, error) {
	ctx := r.Context()
	f := lq.filter(lq.limit + 1)
	page := &productPage{Items: []listedProduct{}}
	for reads := 0; ; reads++ {
		ps, err := s.Catalog.ListProducts(ctx, f)
		if err != nil {
			return nil, err
		}
		levels, err := s.stockOf(r, ps)
		if err != nil {
			return nil, err
		}
		for i := range ps {
			p := listed(&ps[i], levels)
			if lq.inStock && !p.inStock() {
				continue
			}
			if len(page.Items) == lq.limit {
				// One more matches: the page is full and has a next one.
				last := &page.Items[lq.limit-1].Product
				next := s.cursors.seal(last.ID, f.SortKey(last), lq)
				page.NextCursor = &next
				break
			}
			page.Items = append(page.Items, p)
		}
		if page.NextCursor != nil || len(ps) < f.Limit {
			break
		}
		last := &ps[len(ps)-1]
		f.After, f.AfterKey = last.ID, f.SortKey(last)
		if reads+1 == maxInStockReads {
			// Too few in stock so far: answer what there is, and a
			// cursor after the last product read.
			next := s.cursors.seal(f.After, f.AfterKey, lq)
			page.NextCursor = &next
			break
		}
	}
	n, err := s.Catalog.CountMatching(ctx, lq.filter(0), maxTotal+1)
	if err != nil {
		return nil, err
	}
	page.Total, page.TotalIsEstimate = min(n, maxTotal), n > maxTotal || lq.inStock
	if lq.facets != nil {
		fs, err := s.Catalog.Facets(ctx, lq.filter(0), *lq.facets)
		if err != nil {
			return nil, err
		}
		page.Facets = facetsView(fs, *lq.facets)
	}
	return page, nil
}

// priceRange is the price facet: null bounds when no product selected is
// priced in the listing's currency.
type priceRange struct {
	Min *int64 `json:"min"`
	Max *int64 `json:"max"`
}

// facetsView returns the facets req asked for, as the listing answers them.
func facetsView(fs *commerce.Facets, req commerce.FacetRequest) map[string]any {
	out := map[string]any{}
	if req.Category {
		out["category"] = fs.Categories
	}
	for _, name := range req.Terms {
		counts := fs.Terms[name]
		if counts == nil {
			counts = []commerce.FacetCount{}
		}
		out[name] = counts
	}
	if req.Price {
		var r priceRange
		if fs.Priced {
			r.Min, r.Max = &fs.MinPrice, &fs.MaxPrice
		}
		out["price"] = r
	}
	return out
}

// stockOf returns the stock levels of every SKU of ps: one read.
func (s *Server) stockOf(r *http.Request, ps []commerce.Product) (map[string]commerce.StockLevel, error) {
	var skus []string
	for _, p := range ps {
		for _, v := range p.Variants {
			skus = append(skus, v.SKU)
		}
	}
	if len(skus) == 0 {
		return nil, nil
	}
	return s.Inventory.StockLevels(r.Context(), skus)
}

// listed returns p with its variants' availability.
func listed(p *commerce.Product, levels map[string]commerce.StockLevel) listedProduct {
	lp := listedProduct{Product: *p, Variants: make([]listedVariant, len(p.Variants))}
	for i, v := range p.Variants {
		lp.Variants[i] = listedVariant{Variant: v, Available: levels[v.SKU].Available()}
	}
	return lp
}

// inStock reports whether some variant of p is available.
func (p listedProduct) inStock() bool {
	for _, v := range p.Variants {
		if v.Available > 0 {
			return true
		}
	}
	return false
}
