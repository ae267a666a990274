package commerce

import (
	"context"
	"time"
)

// ProductStatus says whether a product is sold. Only active products are
// listed, shown to buyers, and can be added to carts.
type ProductStatus string

// The product statuses.
const (
	StatusActive   ProductStatus = "active"
	StatusDraft    ProductStatus = "draft"
	StatusArchived ProductStatus = "archived"
)

// Product is a catalog entry: what a storefront shows, and the variants a
// buyer can put in a cart.
type Product struct {
	ID          string         `json:"id"`
	Handle      string         `json:"handle"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Category    string         `json:"category"`
	Attributes  map[string]any `json:"attributes"`
	Images      []string       `json:"images"`
	Status      ProductStatus  `json:"status"`
	Variants    []Variant      `json:"variants"`
	CreatedAt   time.Time      `json:"createdAt"`
	UpdatedAt   time.Time      `json:"updatedAt"`
	// ETag identifies this version of the product; stores set it on every write.
	ETag string `json:"-"`
	// Rank is the product's place in a relevance listing (SortRelevance):
	// RankTitle when the query matches its title, RankOther when it matches
	// only elsewhere. ListProducts sets it under SortRelevance only.
	Rank int `json:"-"`
}

// Variant is one sellable version of a product (a size, a colour), identified
// by its stock-keeping unit.
type Variant struct {
	SKU     string            `json:"sku"`
	Title   string            `json:"title"`
	Options map[string]string `json:"options"`
	Price   Money             `json:"price"`
	// Prices are the variant's prices in other currencies, at most one
	// per currency and none in Price's.
	Prices []Money `json:"prices,omitempty"`
}

// PriceIn returns the variant's price in currency, and false when it has
// none.
func (v *Variant) PriceIn(currency string) (Money, bool) {
	if v.Price.Currency == currency {
		return v.Price, true
	}
	for _, p := range v.Prices {
		if p.Currency == currency {
			return p, true
		}
	}
	return Money{}, false
}

// VariantRef is a variant together with what a cart needs to know about its
// product.
type VariantRef struct {
	ProductID    string
	ProductTitle string
	Status       ProductStatus
	// Variants is how many variants the product has; a cart names the variant
	// only when there is more than one.
	Variants int
	Variant  Variant
}

// ProductFilter selects products for ListProducts.
type ProductFilter struct {
	Status   ProductStatus // empty means any status
	Category string        // empty means any category
	// Query, when not empty, keeps products whose title or description
	// contains it, ignoring case.
	Query string
	After string // keep products whose ID sorts after this one (the cursor)
	Limit int    // at most this many products

	// Sort orders the products; empty means SortCreated. With a sort other
	// than by creation, a cursor is After and AfterKey, the SortKey of the
	// last product of the previous page.
	Sort     ProductSort
	AfterKey string
	// Currency is the currency of MinPrice, MaxPrice and of sorting by
	// price. When any of them is set, only products priced in Currency
	// are kept; a product's price is its lowest variant price.
	Currency string
	MinPrice int64 // 0 means no lower bound (prices are at least 1)
	MaxPrice int64 // 0 means no upper bound
	// Attrs and Options keep products with, for every name, an attribute
	// (a variant option) whose value, lower-cased, is one of the values,
	// which are lower case: OR within a name, AND across names.
	Attrs   map[string][]string
	Options map[string][]string
}

// CategoryCount is a category with the number of active products in it.
type CategoryCount struct {
	ID    string
	Count int
}

// CatalogStore holds products. Implementations: sqlite.CatalogStore (embedded)
// and cosmos.CatalogStore (Cosmos DB); storetest.TestCatalogStore holds them to the
// same behaviour.
type CatalogStore interface {
	// CreateProduct stores a new product, whose ID, CreatedAt and UpdatedAt the
	// caller has set, and sets p.ETag. It returns KindConflict "handle_taken"
	// when another product has p.Handle, and "sku_taken" when another product
	// has one of p's SKUs.
	CreateProduct(ctx context.Context, p *Product) error

	// ReplaceProduct replaces the stored product p.ID with p and sets p.ETag.
	// When ifMatch is not empty and differs from the stored ETag it returns
	// KindPrecondition "precondition_failed". It returns "not_found",
	// "handle_taken" and "sku_taken" as CreateProduct does.
	ReplaceProduct(ctx context.Context, p *Product, ifMatch string) error

	// DeleteProduct removes a product. It returns "not_found" when there is none.
	DeleteProduct(ctx context.Context, id string) error

	// Product returns the product with the given ID, or "not_found".
	Product(ctx context.Context, id string) (*Product, error)

	// ProductByHandle returns the product with the given handle, or "not_found".
	ProductByHandle(ctx context.Context, handle string) (*Product, error)

	// ListProducts returns the products f selects, in f's order (by ID
	// when f.Sort is empty).
	ListProducts(ctx context.Context, f ProductFilter) ([]Product, error)

	// CountMatching returns how many products f selects, ignoring its
	// cursor and limit, counting no further than max: a result of max
	// means "max or more".
	CountMatching(ctx context.Context, f ProductFilter, max int) (int, error)

	// Facets counts req's facets over the products f selects, ignoring
	// its cursor and limit.
	Facets(ctx context.Context, f ProductFilter, req FacetRequest) (*Facets, error)

	// Categories returns every category that has active products, with their
	// count, ordered by category ID.
	Categories(ctx context.Context) ([]CategoryCount, error)

	// Variants returns the variants with the given SKUs, keyed by SKU, whatever
	// their product's status. SKUs that no product has are absent from the map.
	Variants(ctx context.Context, skus []string) (map[string]VariantRef, error)

	// CountProducts returns how many products there are, in any status.
	CountProducts(ctx context.Context) (int, error)
}
