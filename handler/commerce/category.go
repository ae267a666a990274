package commerce

import "context"

// Bounds of a category document.
const (
	MaxCategoryNameLen = 100
	MaxCategoryPos     = 1_000_000
)

// Category is a category's display name and place in the storefront's
// navigation. Its ID is the slug products carry in Product.Category. A
// category without a document still lists when active products have it,
// with a name made from its ID.
type Category struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Position int    `json:"position"`
}

// Validate reports the first problem with c as an invalid_request error.
func (c *Category) Validate() error {
	switch {
	case !ValidSlug(c.ID, MaxCategoryLen):
		return Invalidf(CodeInvalidRequest, "category id must be 1-%d characters of a-z, 0-9 and '-'", MaxCategoryLen)
	case !validText(c.Name, 1, MaxCategoryNameLen) || !validLabel(c.Name):
		return Invalidf(CodeInvalidRequest, "name must be 1-%d characters, not blank, without control or bidirectional-formatting characters", MaxCategoryNameLen)
	case c.Position < 0 || c.Position > MaxCategoryPos:
		return Invalidf(CodeInvalidRequest, "position must be 0-%d", MaxCategoryPos)
	}
	return nil
}

// CategoryStore holds category documents. The catalog stores implement it
// (sqlite, memstore and cosmos CatalogStore), so that deleting a category
// can see its products; storetest.TestCategoryStore holds them to the same
// behaviour.
type CategoryStore interface {
	// CreateCategory stores a new category, or returns KindConflict
	// "conflict" when c.ID has one.
	CreateCategory(ctx context.Context, c *Category) error

	// PutCategory creates or replaces the category c.ID.
	PutCategory(ctx context.Context, c *Category) error

	// ListCategories returns every category document, ordered by position,
	// then ID.
	ListCategories(ctx context.Context) ([]Category, error)

	// DeleteCategory removes a category document. It returns "not_found"
	// when there is none, and KindConflict "conflict" when a product (in
	// any status) has the category; the check and the delete are one
	// conditional write, so a product created meanwhile is never orphaned
	// by this call.
	DeleteCategory(ctx context.Context, id string) error
}
