package cosmos

import (
	"context"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// CatalogStore is the Cosmos DB commerce.CatalogStore. The package doc
// describes its documents.
type CatalogStore struct {
	c    *azcosmos.ContainerClient
	locs locations
	// Events, when set, makes product.created, product.updated and
	// product.deleted, which each write stores as a pending event in its
	// transactional batch (event.go).
	Events events.Maker
}

var _ commerce.CatalogStore = (*CatalogStore)(nil)

// NewCatalogStore returns a CatalogStore on db's products container.
func NewCatalogStore(db *DB) *CatalogStore { return &CatalogStore{c: db.products} }

// parallel bounds the point reads and queries one call runs at once.
const parallel = 8

// Product returns a product by ID.
func (s *CatalogStore) Product(ctx context.Context, id string) (*commerce.Product, error) {
	d, err := s.resolve(ctx, keyProduct, id)
	if err != nil {
		return nil, err
	}
	return d.product()
}

// ProductByHandle returns a product by handle.
func (s *CatalogStore) ProductByHandle(ctx context.Context, handle string) (*commerce.Product, error) {
	d, err := s.resolve(ctx, keyHandle, handle)
	if err != nil {
		return nil, err
	}
	return d.product()
}

// resolve returns the product that the key of the given kind and value
// names: at the remembered location when it still holds the key (one point
// read), otherwise through the key.
func (s *CatalogStore) resolve(ctx context.Context, kind, value string) (*productDoc, error) {
	if value == "" || len(value) > 200 || strings.ContainsAny(value, "/\\?#") {
		return nil, commerce.NotFoundf("%s %q not found", kind, value) // no document can have such an id
	}
	k := newKey(kind, value, "", "")
	if loc, ok := s.locs.get(k.ID); ok {
		d, err := s.productAt(ctx, loc.category, loc.id)
		if err == nil && d.holds(k) {
			return d, nil
		}
		if err != nil && commerce.ErrorKind(err) != commerce.KindNotFound {
			return nil, err
		}
		s.locs.drop(k.ID)
	}
	if err := readItem(ctx, s.c, k.PK, k.ID, &k); err != nil {
		return nil, translate(err, kind+" "+value)
	}
	d, err := s.productOf(ctx, k)
	if err != nil {
		return nil, err
	}
	if !d.holds(k) {
		return nil, commerce.NotFoundf("%s %s not found", kind, value)
	}
	s.locs.put(k.ID, location{id: d.ID, category: d.Category})
	return d, nil
}

// productOf returns the product key k names, looking in the category k
// records and, when it is not there (a hint gone stale by a move), in the
// one its id key records.
func (s *CatalogStore) productOf(ctx context.Context, k keyDoc) (*productDoc, error) {
	d, err := s.productAt(ctx, k.Category, k.ProductID)
	if err == nil || commerce.ErrorKind(err) != commerce.KindNotFound || strings.HasPrefix(k.ID, keyProduct+":") {
		return d, err
	}
	idk := newKey(keyProduct, k.ProductID, "", "")
	if err := readItem(ctx, s.c, idk.PK, idk.ID, &idk); err != nil {
		return nil, translate(err, "product "+k.ProductID)
	}
	if idk.Category == k.Category {
		return nil, commerce.NotFoundf("product %s not found", k.ProductID)
	}
	return s.productAt(ctx, idk.Category, k.ProductID)
}

// productAt reads the product id in the given category, finishing its move
// first when it is moving.
func (s *CatalogStore) productAt(ctx context.Context, category, id string) (*productDoc, error) {
	var d productDoc
	if err := readItem(ctx, s.c, category, id, &d); err != nil {
		return nil, translate(err, "product "+id)
	}
	switch d.Type {
	case typeProduct:
		return &d, nil
	case typeMoving:
		if _, err := s.finishMove(ctx, &d); err != nil {
			return nil, err
		}
		return s.productAt(ctx, d.Next.Category, id)
	}
	return nil, commerce.NotFoundf("product %s not found", id)
}

// counts returns every category's count document: one cross-partition
// query with no ORDER BY or aggregate.
func (s *CatalogStore) counts(ctx context.Context) ([]countDoc, error) {
	cs, err := query[countDoc](ctx, s.c, "", "SELECT * FROM c WHERE c.type = @type",
		[]azcosmos.QueryParameter{{Name: "@type", Value: typeCount}}, 0)
	if err != nil {
		return nil, translate(err, "read category counts")
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Category < cs[j].Category })
	return cs, nil
}

// Categories returns the categories that have active products, with their
// counts, from the count documents.
func (s *CatalogStore) Categories(ctx context.Context) ([]commerce.CategoryCount, error) {
	cs, err := s.counts(ctx)
	if err != nil {
		return nil, err
	}
	var out []commerce.CategoryCount
	for _, c := range cs {
		if c.Active > 0 {
			out = append(out, commerce.CategoryCount{ID: c.Category, Count: c.Active})
		}
	}
	return out, nil
}

// CountProducts returns how many products there are, from the count
// documents.
func (s *CatalogStore) CountProducts(ctx context.Context) (int, error) {
	cs, err := s.counts(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		n += c.Total
	}
	return n, nil
}

// Variants returns the variants with the given SKUs: each SKU's key and
// product by point reads (one per SKU once locations are known).
func (s *CatalogStore) Variants(ctx context.Context, skus []string) (map[string]commerce.VariantRef, error) {
	docs := make([]*productDoc, len(skus))
	err := each(len(skus), parallel, func(i int) error {
		d, err := s.resolve(ctx, keySKU, skus[i])
		if commerce.ErrorKind(err) == commerce.KindNotFound {
			return nil
		}
		docs[i] = d
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]commerce.VariantRef, len(skus))
	for i, d := range docs {
		if d == nil {
			continue
		}
		for _, v := range d.Variants {
			if v.SKU == skus[i] {
				out[v.SKU] = commerce.VariantRef{
					ProductID: d.ID, ProductTitle: d.Title, Status: commerce.ProductStatus(d.Status), Variants: len(d.Variants),
					Variant: v.variant(),
				}
			}
		}
	}
	return out, nil
}
