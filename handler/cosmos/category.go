package cosmos

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
)

var _ commerce.CategoryStore = (*CatalogStore)(nil)

// typeCategory marks category documents in the products container: one
// per category, id categoryID, in the category's own partition beside its
// count document, so that a delete can be conditional on that count.
const typeCategory = "category"

// categoryID is the id of the category document in its partition.
const categoryID = "~category"

// categoryDoc is a category as stored.
type categoryDoc struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Type     string `json:"type"`
	Name     string `json:"name"`
	Position int    `json:"position"`
}

func encodeCategory(c *commerce.Category) ([]byte, error) {
	body, err := json.Marshal(categoryDoc{ID: categoryID, Category: c.ID, Type: typeCategory, Name: c.Name, Position: c.Position})
	if err != nil {
		return nil, fmt.Errorf("cosmos: encode category %s: %w", c.ID, err)
	}
	return body, nil
}

// CreateCategory creates a category document, or returns "conflict".
func (s *CatalogStore) CreateCategory(ctx context.Context, c *commerce.Category) error {
	body, err := encodeCategory(c)
	if err != nil {
		return err
	}
	if _, err := s.c.CreateItem(ctx, azcosmos.NewPartitionKeyString(c.ID), body, nil); err != nil {
		if status(err) == http.StatusConflict {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "category %q exists; PUT replaces it", c.ID)
		}
		return translate(err, "category "+c.ID)
	}
	return nil
}

// PutCategory upserts a category document.
func (s *CatalogStore) PutCategory(ctx context.Context, c *commerce.Category) error {
	body, err := encodeCategory(c)
	if err != nil {
		return err
	}
	if _, err := s.c.UpsertItem(ctx, azcosmos.NewPartitionKeyString(c.ID), body, nil); err != nil {
		return translate(err, "category "+c.ID)
	}
	return nil
}

// ListCategories returns every category document, with one cross-partition
// query, sorted here by position, then ID.
func (s *CatalogStore) ListCategories(ctx context.Context) ([]commerce.Category, error) {
	docs, err := query[categoryDoc](ctx, s.c, "", "SELECT * FROM c WHERE c.type = @type",
		[]azcosmos.QueryParameter{{Name: "@type", Value: typeCategory}}, 0)
	if err != nil {
		return nil, translate(err, "list categories")
	}
	out := make([]commerce.Category, len(docs))
	for i, d := range docs {
		out[i] = commerce.Category{ID: d.Category, Name: d.Name, Position: d.Position}
	}
	slices.SortFunc(out, func(a, b commerce.Category) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// DeleteCategory deletes a category document when its count document says
// the category has no products: one transactional batch that rewrites the
// count document unchanged, conditionally on its ETag (or creates it at
// zero), and deletes the category document. A product written into the
// category meanwhile changes that ETag, so the batch fails and the count is
// read again.
func (s *CatalogStore) DeleteCategory(ctx context.Context, id string) error {
	pk := azcosmos.NewPartitionKeyString(id)
	for attempt := 1; ; attempt++ {
		var c countDoc
		err := readItem(ctx, s.c, id, countID, &c)
		if err != nil && !notFound(err) {
			return translate(err, "category count of "+id)
		}
		if err == nil && c.Total > 0 {
			var d categoryDoc
			if err := readItem(ctx, s.c, id, categoryID, &d); notFound(err) {
				return commerce.NotFoundf("category %q not found", id)
			} else if err != nil {
				return translate(err, "category "+id)
			}
			return categoryInUse(id)
		}
		b := s.c.NewTransactionalBatch(pk)
		body, jerr := json.Marshal(countDoc{ID: countID, Category: id, Type: typeCount})
		if jerr != nil {
			return jerr
		}
		if err != nil {
			b.CreateItem(body, nil)
		} else {
			b.ReplaceItem(countID, body, batchIfMatch(c.ETag))
		}
		b.DeleteItem(categoryID, nil)
		resp, err := s.c.ExecuteTransactionalBatch(ctx, b, nil)
		if err != nil {
			return translate(err, "delete category "+id)
		}
		i, code := batchFailure(resp)
		switch {
		case i < 0:
			return nil
		case i == 0 && (code == http.StatusPreconditionFailed || code == http.StatusConflict) && attempt < maxAttempts:
			continue
		case i == 1 && code == http.StatusNotFound:
			return commerce.NotFoundf("category %q not found", id)
		}
		return statusError(code, "delete category "+id, nil)
	}
}

// categoryInUse is the error for deleting a category that products have.
func categoryInUse(id string) error {
	return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict,
		"category %q still has products (drafts and archived count too); move them to another category or delete them first", id)
}
