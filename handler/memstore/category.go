package memstore

import (
	"cmp"
	"context"
	"slices"

	"shopfn/handler/commerce"
)

var _ commerce.CategoryStore = (*CatalogStore)(nil)

// CreateCategory stores a new category, or returns "conflict".
func (s *CatalogStore) CreateCategory(ctx context.Context, c *commerce.Category) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.categories[c.ID]; ok {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "category %q exists; PUT replaces it", c.ID)
	}
	s.putCategory(c)
	return nil
}

// PutCategory creates or replaces a category.
func (s *CatalogStore) PutCategory(ctx context.Context, c *commerce.Category) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putCategory(c)
	return nil
}

func (s *CatalogStore) putCategory(c *commerce.Category) {
	if s.categories == nil {
		s.categories = map[string]commerce.Category{}
	}
	s.categories[c.ID] = *c
}

// ListCategories returns every category document by position, then ID.
func (s *CatalogStore) ListCategories(ctx context.Context) ([]commerce.Category, error) {
	s.mu.Lock()
	out := make([]commerce.Category, 0, len(s.categories))
	for _, c := range s.categories {
		out = append(out, c)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b commerce.Category) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// DeleteCategory removes a category that no product has.
func (s *CatalogStore) DeleteCategory(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.categories[id]; !ok {
		return commerce.NotFoundf("category %q not found", id)
	}
	for _, sp := range s.products {
		if sp.p.Category == id {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict,
				"category %q still has products (drafts and archived count too); move them to another category or delete them first", id)
		}
	}
	delete(s.categories, id)
	return nil
}
