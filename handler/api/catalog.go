package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"shopfn/handler/commerce"
)

func (s *Server) getProduct(w http.ResponseWriter, r *http.Request) error {
	e, err := s.cache.fill("product\x00"+r.PathValue("idOrHandle"), func() ([]byte, string, error) {
		p, err := s.findProduct(r, r.PathValue("idOrHandle"))
		if err != nil {
			return nil, "", err
		}
		if p.Status != commerce.StatusActive {
			return nil, "", commerce.NotFoundf("product %q not found", r.PathValue("idOrHandle"))
		}
		body, err := json.Marshal(p)
		return body, p.ETag, err
	})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", e.etag)
	if etagMatch(r.Header.Get("If-None-Match"), e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	writeEntry(w, e)
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

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) error {
	const key = "categories"
	if e, ok := s.cache.get(key); ok {
		writeEntry(w, e)
		return nil
	}
	gen := s.cache.generation()
	counts, err := s.Catalog.Categories(r.Context())
	if err != nil {
		return err
	}
	var docs []commerce.Category
	if s.Categories != nil {
		if docs, err = s.Categories.ListCategories(r.Context()); err != nil {
			return err
		}
	}
	body, err := json.Marshal(map[string]any{"items": categoryItems(docs, counts)})
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
