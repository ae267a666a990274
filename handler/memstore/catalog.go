package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"shopfn/handler/commerce"
)

// CatalogStore is an in-memory commerce.CatalogStore: products as JSON
// documents, indexed by handle and SKU, each with a version for its ETag.
type CatalogStore struct {
	mu       sync.Mutex
	products map[string]product // by ID
	handles  map[string]string  // handle -> product ID
	skus     map[string]string  // SKU -> product ID
	// categories holds the category documents (category.go), by ID.
	categories map[string]commerce.Category
}

// product is a stored product: its document, version and what it indexes.
type product struct {
	doc     []byte
	version int64
	p       commerce.Product // decoded doc, for filtering; never handed out
}

var _ commerce.CatalogStore = (*CatalogStore)(nil)

// NewCatalogStore returns an empty CatalogStore.
func NewCatalogStore() *CatalogStore {
	return &CatalogStore{products: map[string]product{}, handles: map[string]string{}, skus: map[string]string{}}
}

// CreateProduct stores a new product and sets p.ETag. It returns
// "handle_taken" or "sku_taken" when another product holds p's handle or one
// of its SKUs, and KindConflict "conflict" when a product with p.ID exists.
func (s *CatalogStore) CreateProduct(ctx context.Context, p *commerce.Product) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.products[p.ID]; ok {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeConflict, "product %s exists", p.ID)
	}
	return s.write(p, 1)
}

// ReplaceProduct replaces the stored product p.ID with p and sets p.ETag,
// if ifMatch is empty or still its ETag. It returns "not_found",
// "precondition_failed", "handle_taken" and "sku_taken", changing nothing.
func (s *CatalogStore) ReplaceProduct(ctx context.Context, p *commerce.Product, ifMatch string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.products[p.ID]
	if !ok {
		return commerce.NotFoundf("product %s not found", p.ID)
	}
	if ifMatch != "" && ifMatch != productETag(p.ID, old.version) {
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "product %s has changed", p.ID)
	}
	return s.write(p, old.version+1)
}

// write stores p at version after checking that its handle and SKUs belong
// to no other product, and re-indexes it. The caller holds s.mu.
func (s *CatalogStore) write(p *commerce.Product, version int64) error {
	if id, ok := s.handles[p.Handle]; ok && id != p.ID {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeHandleTaken, "handle %q belongs to another product", p.Handle)
	}
	seen := make(map[string]bool, len(p.Variants))
	for _, v := range p.Variants {
		id, taken := s.skus[v.SKU]
		if taken && id != p.ID || seen[v.SKU] {
			e := commerce.Errorf(commerce.KindConflict, commerce.CodeSKUTaken, "sku %q belongs to another product", v.SKU)
			e.SKUs = []string{v.SKU}
			return e
		}
		seen[v.SKU] = true
	}
	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("memstore: encode product %s: %w", p.ID, err)
	}
	var stored commerce.Product
	if err := json.Unmarshal(doc, &stored); err != nil {
		return fmt.Errorf("memstore: decode product %s: %w", p.ID, err)
	}
	s.unindex(p.ID)
	s.products[p.ID] = product{doc: doc, version: version, p: stored}
	s.handles[p.Handle] = p.ID
	for _, v := range p.Variants {
		s.skus[v.SKU] = p.ID
	}
	p.ETag = productETag(p.ID, version)
	return nil
}

// unindex removes the handle and SKUs of the stored product id from the
// indexes. The caller holds s.mu.
func (s *CatalogStore) unindex(id string) {
	old, ok := s.products[id]
	if !ok {
		return
	}
	delete(s.handles, old.p.Handle)
	for _, v := range old.p.Variants {
		delete(s.skus, v.SKU)
	}
}

// DeleteProduct removes a product, freeing its handle and SKUs. It returns
// "not_found" when there is none.
func (s *CatalogStore) DeleteProduct(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.products[id]; !ok {
		return commerce.NotFoundf("product %s not found", id)
	}
	s.unindex(id)
	delete(s.products, id)
	return nil
}

// Product returns a copy of the product with the given ID, or "not_found".
func (s *CatalogStore) Product(ctx context.Context, id string) (*commerce.Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp, ok := s.products[id]
	if !ok {
		return nil, commerce.NotFoundf("product %s not found", id)
	}
	return sp.decode()
}

// ProductByHandle returns a copy of the product with the given handle, or
// "not_found".
func (s *CatalogStore) ProductByHandle(ctx context.Context, handle string) (*commerce.Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.handles[handle]
	if !ok {
		return nil, commerce.NotFoundf("product %s not found", handle)
	}
	return s.products[id].decode()
}

// ListProducts returns copies of the products f selects, in f's order
// (commerce.ProductFilter.Match and Compare). A negative limit means no
// limit, as SQL's LIMIT -1 does.
func (s *CatalogStore) ListProducts(ctx context.Context, f commerce.ProductFilter) ([]commerce.Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type hit struct {
		key, id string
		rank    int
	}
	var hits []hit
	for id, sp := range s.products {
		if !f.Match(&sp.p) {
			continue
		}
		p := sp.p
		if f.Sort == commerce.SortRelevance {
			p.Rank = commerce.TextRank(&p, f.Query)
		}
		if key := f.SortKey(&p); f.AfterCursor(key, id) {
			hits = append(hits, hit{key, id, p.Rank})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return f.Compare(a.key, a.id, b.key, b.id) })
	if f.Limit >= 0 && len(hits) > f.Limit {
		hits = hits[:f.Limit]
	}
	var out []commerce.Product
	for _, h := range hits {
		p, err := s.products[h.id].decode()
		if err != nil {
			return nil, err
		}
		p.Rank = h.rank
		out = append(out, *p)
	}
	return out, nil
}

// CountMatching returns how many products f selects, up to max.
func (s *CatalogStore) CountMatching(ctx context.Context, f commerce.ProductFilter, max int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, sp := range s.products {
		if n < max && f.Match(&sp.p) {
			n++
		}
	}
	return n, nil
}

// Categories returns every category that has active products, with their
// count, ordered by category ID.
func (s *CatalogStore) Categories(ctx context.Context) ([]commerce.CategoryCount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[string]int{}
	for _, sp := range s.products {
		if sp.p.Status == commerce.StatusActive {
			counts[sp.p.Category]++
		}
	}
	var out []commerce.CategoryCount
	for _, id := range slices.Sorted(maps.Keys(counts)) {
		out = append(out, commerce.CategoryCount{ID: id, Count: counts[id]})
	}
	return out, nil
}

// Variants returns the variants with the given SKUs, keyed by SKU, whatever
// their product's status; unknown SKUs are absent.
func (s *CatalogStore) Variants(ctx context.Context, skus []string) (map[string]commerce.VariantRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]commerce.VariantRef, len(skus))
	for _, sku := range skus {
		id, ok := s.skus[sku]
		if !ok {
			continue
		}
		p, err := s.products[id].decode()
		if err != nil {
			return nil, err
		}
		for _, v := range p.Variants {
			if v.SKU == sku {
				out[sku] = commerce.VariantRef{ProductID: p.ID, ProductTitle: p.Title, Status: p.Status, Variants: len(p.Variants), Variant: v}
			}
		}
	}
	return out, nil
}

// CountProducts returns how many products there are, in any status.
func (s *CatalogStore) CountProducts(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.products), nil
}

// decode returns a fresh copy of the stored product with its ETag.
func (sp product) decode() (*commerce.Product, error) {
	var p commerce.Product
	if err := json.Unmarshal(sp.doc, &p); err != nil {
		return nil, fmt.Errorf("memstore: decode product: %w", err)
	}
	p.ETag = productETag(p.ID, sp.version)
	return &p, nil
}

// productETag is a product's entity tag: its ID and version, so that a
// product deleted and created again never passes If-Match with the old
// product's tag.
func productETag(id string, version int64) string { return fmt.Sprintf(`"%s.%d"`, id, version) }

// Facets counts req's facets over the products f selects.
func (s *CatalogStore) Facets(ctx context.Context, f commerce.ProductFilter, req commerce.FacetRequest) (*commerce.Facets, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := commerce.NewFacetCounter(req, f.Currency)
	for _, sp := range s.products {
		if f.Match(&sp.p) {
			c.Add(sp.p.Category, sp.p.Terms(), sp.p.Prices())
		}
	}
	return c.Facets(), nil
}
