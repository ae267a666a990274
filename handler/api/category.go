package api

import (
	"net/http"

	"shopfn/handler/commerce"
)

var errNoCategories = commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "category documents are not available on this server")

// categoryInput is the body of POST and PUT /api/admin/categories/{id}.
type categoryInput struct {
	Name     string `json:"name"`
	Position int    `json:"position"`
}

// parseCategory decodes and validates a category body for the path's id.
func parseCategory(w http.ResponseWriter, r *http.Request) (*commerce.Category, error) {
	body, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	var in categoryInput
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	c := &commerce.Category{ID: r.PathValue("id"), Name: in.Name, Position: in.Position}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// createCategory answers POST /api/admin/categories/{id}: 201, or 409
// when the category has a document.
func (s *Server) createCategory(w http.ResponseWriter, r *http.Request) error {
	if s.Categories == nil {
		return errNoCategories
	}
	c, err := parseCategory(w, r)
	if err != nil {
		return err
	}
	if err := s.Categories.CreateCategory(r.Context(), c); err != nil {
		return err
	}
	s.cache.invalidate()
	s.writeJSON(w, r, http.StatusCreated, c)
	return nil
}

// putCategory answers PUT /api/admin/categories/{id}: creates or replaces.
func (s *Server) putCategory(w http.ResponseWriter, r *http.Request) error {
	if s.Categories == nil {
		return errNoCategories
	}
	c, err := parseCategory(w, r)
	if err != nil {
		return err
	}
	if err := s.Categories.PutCategory(r.Context(), c); err != nil {
		return err
	}
	s.cache.invalidate()
	s.writeJSON(w, r, http.StatusOK, c)
	return nil
}

// deleteCategory answers DELETE /api/admin/categories/{id}: 204, 404, or
// 409 while products (in any status) have the category.
func (s *Server) deleteCategory(w http.ResponseWriter, r *http.Request) error {
	if s.Categories == nil {
		return errNoCategories
	}
	id := r.PathValue("id")
	if !commerce.ValidSlug(id, commerce.MaxCategoryLen) {
		return commerce.NotFoundf("category %q not found", id)
	}
	if err := s.Categories.DeleteCategory(r.Context(), id); err != nil {
		return err
	}
	s.cache.invalidate()
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// categoryItem is one category in GET /api/categories.
type categoryItem struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ProductCount int    `json:"productCount"`
	// Position is the category document's; absent for a category that
	// has none.
	Position *int `json:"position,omitempty"`
}

// categoryItems lists the category documents by position, each with its
// count of active products, then the categories active products have
// that no document names, by ID, with a name made from the ID.
func categoryItems(docs []commerce.Category, counts []commerce.CategoryCount) []categoryItem {
	active := make(map[string]int, len(counts))
	for _, c := range counts {
		active[c.ID] = c.Count
	}
	items := make([]categoryItem, 0, len(docs)+len(counts))
	named := make(map[string]bool, len(docs))
	for _, d := range docs {
		items = append(items, categoryItem{ID: d.ID, Name: d.Name, ProductCount: active[d.ID], Position: &d.Position})
		named[d.ID] = true
	}
	for _, c := range counts {
		if !named[c.ID] {
			items = append(items, categoryItem{ID: c.ID, Name: categoryName(c.ID), ProductCount: c.Count})
		}
	}
	return items
}
