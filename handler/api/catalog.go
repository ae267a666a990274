package api

import (
	"encoding/json"
	"net/http"
	"net/url"
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
)

// listQuery is a validated GET /api/products query.
type listQuery struct {
	category, q, after string
	limit              int
}

// parseListQuery validates the query of GET /api/products. A cursor must
// be one this API returned for the same category, q and limit.
func (s *Server) parseListQuery(v url.Values) (listQuery, error) {
	for _, name := range []string{"category", "q", "limit", "cursor"} {
		if len(v[name]) > 1 {
			return listQuery{}, commerce.Invalidf(commerce.CodeInvalidRequest, "%s is given more than once", name)
		}
	}
	lq := listQuery{category: v.Get("category"), q: v.Get("q"), limit: defaultPageSize}
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
	if c := v.Get("cursor"); c != "" {
		after, ok := s.cursors.open(c, lq)
		if !ok {
			return lq, commerce.Invalidf(commerce.CodeInvalidRequest, "cursor is not one this API returned for these category, q and limit values")
		}
		lq.after = after
	}
	return lq, nil
}

func (lq listQuery) cacheKey() string {
	return "list\x00" + lq.category + "\x00" + lq.after + "\x00" + strconv.Itoa(lq.limit) + "\x00" + lq.q
}

type productPage struct {
	Items      []commerce.Product `json:"items"`
	NextCursor *string            `json:"nextCursor"`
}

func (s *Server) listProducts(w http.ResponseWriter, r *http.Request) error {
	lq, err := s.parseListQuery(r.URL.Query())
	if err != nil {
		return err
	}
	key := lq.cacheKey()
	if e, ok := s.cache.get(key); ok {
		writeBody(w, http.StatusOK, e.body)
		return nil
	}
	gen := s.cache.generation()
	ps, err := s.Catalog.ListProducts(r.Context(), commerce.ProductFilter{
		Status: commerce.StatusActive, Category: lq.category, Query: lq.q, After: lq.after, Limit: lq.limit + 1,
	})
	if err != nil {
		return err
	}
	page := productPage{Items: ps}
	if len(ps) > lq.limit {
		page.Items = ps[:lq.limit]
		next := s.cursors.seal(ps[lq.limit-1].ID, lq)
		page.NextCursor = &next
	}
	if page.Items == nil {
		page.Items = []commerce.Product{}
	}
	body, err := json.Marshal(page)
	if err != nil {
		return err
	}
	s.cache.put(key, gen, body, "")
	writeBody(w, http.StatusOK, body)
	return nil
}

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) error {
	key := "product\x00" + r.PathValue("idOrHandle")
	e, ok := s.cache.get(key)
	if !ok {
		gen := s.cache.generation()
		p, err := s.findProduct(r, r.PathValue("idOrHandle"))
		if err != nil {
			return err
		}
		if p.Status != commerce.StatusActive {
			return commerce.NotFoundf("product %q not found", r.PathValue("idOrHandle"))
		}
		body, err := json.Marshal(p)
		if err != nil {
			return err
		}
		e = cacheEntry{body: body, etag: p.ETag}
		s.cache.put(key, gen, body, p.ETag)
	}
	w.Header().Set("ETag", e.etag)
	if etagMatch(r.Header.Get("If-None-Match"), e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	writeBody(w, http.StatusOK, e.body)
	return nil
}

// findProduct looks a product up by ID, then by handle.
func (s *Server) findProduct(r *http.Request, idOrHandle string) (*commerce.Product, error) {
	if commerce.IsID(idOrHandle, 'p') {
		p, err := s.Catalog.Product(r.Context(), idOrHandle)
		if commerce.ErrorCode(err) != commerce.CodeNotFound {
			return p, err
		}
	}
	if !commerce.ValidSlug(idOrHandle, commerce.MaxHandleLen) {
		return nil, commerce.NotFoundf("product %q not found", idOrHandle)
	}
	return s.Catalog.ProductByHandle(r.Context(), idOrHandle)
}

// etagMatch reports whether an If-None-Match header lists etag.
func etagMatch(header, etag string) bool {
	if header == "" || etag == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

type category struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ProductCount int    `json:"productCount"`
}

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) error {
	const key = "categories"
	if e, ok := s.cache.get(key); ok {
		writeBody(w, http.StatusOK, e.body)
		return nil
	}
	gen := s.cache.generation()
	counts, err := s.Catalog.Categories(r.Context())
	if err != nil {
		return err
	}
	items := make([]category, len(counts))
	for i, c := range counts {
		items[i] = category{ID: c.ID, Name: categoryName(c.ID), ProductCount: c.Count}
	}
	body, err := json.Marshal(map[string]any{"items": items})
	if err != nil {
		return err
	}
	s.cache.put(key, gen, body, "")
	writeBody(w, http.StatusOK, body)
	return nil
}

// categoryName turns a category ID such as "home-kitchen" into a display
// name such as "Home Kitchen".
func categoryName(id string) string {
	words := strings.Split(id, "-")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

func (s *Server) getInventory(w http.ResponseWriter, r *http.Request) error {
	sku := r.PathValue("sku")
	if !commerce.ValidSKU(sku) {
		return commerce.NotFoundf("sku %q not found", sku)
	}
	refs, err := s.Catalog.Variants(r.Context(), []string{sku})
	if err != nil {
		return err
	}
	if ref, ok := refs[sku]; !ok || ref.Status != commerce.StatusActive {
		return commerce.NotFoundf("sku %q not found", sku)
	}
	if country := r.URL.Query().Get("country"); country != "" {
		n, err := s.availableIn(r, sku, country)
		if err != nil {
			return err
		}
		s.writeJSON(w, r, http.StatusOK, map[string]any{"sku": sku, "country": country, "available": n})
		return nil
	}
	levels, err := s.Inventory.StockLevels(r.Context(), []string{sku})
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, map[string]any{"sku": sku, "available": levels[sku].Available()})
	return nil
}
