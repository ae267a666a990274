package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

var _ commerce.CategoryStore = (*CatalogStore)(nil)

// CreateCategory stores a new category, or returns "conflict".
func (s *CatalogStore) CreateCategory(ctx context.Context, c *commerce.Category) (err error) {
	defer s.Observe.call("sqlite.create category", time.Now(), &err)
	res, err := s.db.Write.ExecContext(ctx, `INSERT INTO categories (id, name, position) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		c.ID, c.Name, c.Position)
	if err != nil {
		return fmt.Errorf("sqlite: create category %s: %w", c.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: create category %s: %w", c.ID, err)
	} else if n == 0 {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "category %q exists; PUT replaces it", c.ID)
	}
	return nil
}

// PutCategory creates or replaces a category.
func (s *CatalogStore) PutCategory(ctx context.Context, c *commerce.Category) (err error) {
	defer s.Observe.call("sqlite.put category", time.Now(), &err)
	_, err = s.db.Write.ExecContext(ctx, `INSERT INTO categories (id, name, position) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position`, c.ID, c.Name, c.Position)
	if err != nil {
		return fmt.Errorf("sqlite: put category %s: %w", c.ID, err)
	}
	return nil
}

// ListCategories returns every category document by position, then ID.
func (s *CatalogStore) ListCategories(ctx context.Context) (_ []commerce.Category, err error) {
	defer s.Observe.call("sqlite.list categories", time.Now(), &err)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, name, position FROM categories ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list categories: %w", err)
	}
	defer rows.Close()
	out := []commerce.Category{}
	for rows.Next() {
		var c commerce.Category
		if err := rows.Scan(&c.ID, &c.Name, &c.Position); err != nil {
			return nil, fmt.Errorf("sqlite: list categories: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list categories: %w", err)
	}
	return out, nil
}

// DeleteCategory removes a category that no product has, in one
// conditional statement.
func (s *CatalogStore) DeleteCategory(ctx context.Context, id string) (err error) {
	defer s.Observe.call("sqlite.delete category", time.Now(), &err)
	res, err := s.db.Write.ExecContext(ctx, `DELETE FROM categories WHERE id = ?
		AND NOT EXISTS (SELECT 1 FROM products WHERE category = ?)`, id, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete category %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: delete category %s: %w", id, err)
	}
	if n == 1 {
		return nil
	}
	// Nothing deleted: say why (the answer only chooses the error).
	var one int
	err = s.db.Read.QueryRowContext(ctx, `SELECT 1 FROM categories WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return commerce.NotFoundf("category %q not found", id)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete category %s: %w", id, err)
	}
	return categoryInUse(id)
}

// categoryInUse is the error for deleting a category that products have.
func categoryInUse(id string) error {
	return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict,
		"category %q still has products (drafts and archived count too); move them to another category or delete them first", id)
}
