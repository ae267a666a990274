package cosmos

import (
	"fmt"
	"strings"
	"time"

	"shopfn/handler/commerce"
)

// The document types in the products container.
const (
	typeProduct = "product"
	typeMoving  = "moving"
	typeKey     = "key"
	typeCount   = "count"
)

// countID is the id of the count document in each category's partition.
const countID = "~count"

// timeFormat is how times are stored: UTC with nine fraction digits, so that
// stored times compare as strings in time order.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

// productDoc is a product as stored: partitioned by category, with its SKUs
// and its lower-cased text copied out for queries.
type productDoc struct {
	ID          string         `json:"id"`
	Category    string         `json:"category"`
	Type        string         `json:"type"`
	Handle      string         `json:"handle"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Attributes  map[string]any `json:"attributes"`
	Images      []string       `json:"images"`
	Status      string         `json:"status"`
	Variants    []variantDoc   `json:"variants"`
	SKUs        []string       `json:"skus"`
	Search      string         `json:"search"`
	// TitleSearch is the lower-cased title: what a relevance listing ranks
	// first when it holds q.
	TitleSearch string `json:"titleSearch"`
	// Prices (lowest variant price per currency) and Terms
	// (commerce.Product.Terms) are what listings filter by. SortPrice (per
	// currency) and SortTitle are what they sort by: the sort key and the
	// ID in one string, so that one ORDER BY property, served by the
	// default range index, orders by key then ID (two would need a
	// composite index per currency).
	Prices    map[string]int64  `json:"prices"`
	Terms     []string          `json:"terms"`
	SortPrice map[string]string `json:"sortPrice"`
	SortTitle string            `json:"sortTitle"`
	CreatedAt string            `json:"createdAt"`
	UpdatedAt string            `json:"updatedAt"`
	// Version rises by one with each write of the product (its move
	// included): the order of its pending events (event.go).
	Version int64 `json:"version,omitempty"`
	// Next is, in a moving document, the product as it will be in its new
	// category.
	Next *productDoc `json:"next,omitempty"`
	ETag string      `json:"_etag,omitempty"`
}

// variantDoc is a variant as stored.
type variantDoc struct {
	SKU      string            `json:"sku"`
	Title    string            `json:"title"`
	Options  map[string]string `json:"options"`
	Amount   int64             `json:"amount"`
	Currency string            `json:"currency"`
	Prices   []priceDoc        `json:"prices,omitempty"`
}

// priceDoc is a variant's price in another currency.
type priceDoc struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// variant returns the variant v stores.
func (v variantDoc) variant() commerce.Variant {
	out := commerce.Variant{SKU: v.SKU, Title: v.Title, Options: v.Options, Price: commerce.Money{Amount: v.Amount, Currency: v.Currency}}
	for _, p := range v.Prices {
		out.Prices = append(out.Prices, commerce.Money(p))
	}
	return out
}

// keyDoc claims a product ID, handle or SKU for one product. It lives alone
// in the logical partition "~" + its id.
type keyDoc struct {
	ID        string `json:"id"`
	PK        string `json:"category"`
	Type      string `json:"type"`
	ProductID string `json:"productId"`
	// Category is where the product is (authoritative in an id key, a hint
	// in the others).
	Category string `json:"productCategory"`
	ETag     string `json:"_etag,omitempty"`
	// TS is when the key was last written, in Unix seconds (the service's _ts).
	TS int64 `json:"_ts,omitempty"`
}

// countDoc holds a category's product counts.
type countDoc struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Type     string `json:"type"`
	Total    int    `json:"total"`
	Active   int    `json:"active"`
	ETag     string `json:"_etag,omitempty"`
}

// The kinds of key.
const (
	keyProduct = "id"
	keyHandle  = "handle"
	keySKU     = "sku"
)

// newKey returns the key of the given kind and value for a product.
func newKey(kind, value, productID, category string) keyDoc {
	id := kind + ":" + value
	return keyDoc{ID: id, PK: "~" + id, Type: typeKey, ProductID: productID, Category: category}
}

// toProductDoc returns p as stored.
func toProductDoc(p *commerce.Product) productDoc {
	d := productDoc{
		ID: p.ID, Category: p.Category, Type: typeProduct, Handle: p.Handle, Title: p.Title,
		Description: p.Description, Attributes: p.Attributes, Images: p.Images, Status: string(p.Status),
		Search: strings.ToLower(p.Title + "\n" + p.Description), TitleSearch: strings.ToLower(p.Title),
		CreatedAt: formatTime(p.CreatedAt), UpdatedAt: formatTime(p.UpdatedAt),
		Variants: make([]variantDoc, len(p.Variants)), SKUs: make([]string, len(p.Variants)),
	}
	for i, v := range p.Variants {
		d.Variants[i] = variantDoc{SKU: v.SKU, Title: v.Title, Options: v.Options, Amount: v.Price.Amount, Currency: v.Price.Currency}
		for _, m := range v.Prices {
			d.Variants[i].Prices = append(d.Variants[i].Prices, priceDoc(m))
		}
		d.SKUs[i] = v.SKU
	}
	d.Prices, d.Terms, d.SortPrice = p.Prices(), p.Terms(), map[string]string{}
	for currency, amount := range d.Prices {
		d.SortPrice[currency] = sortValue(commerce.PriceKey(amount), p.ID)
	}
	d.SortTitle = sortValue(commerce.TitleKey(p.Title), p.ID)
	if d.Terms == nil {
		d.Terms = []string{}
	}
	return d
}

// product returns the product d stores.
func (d *productDoc) product() (*commerce.Product, error) {
	created, err := parseTime(d.CreatedAt)
	if err != nil {
		return nil, fmt.Errorf("cosmos: product %s: %w", d.ID, err)
	}
	updated, err := parseTime(d.UpdatedAt)
	if err != nil {
		return nil, fmt.Errorf("cosmos: product %s: %w", d.ID, err)
	}
	p := &commerce.Product{
		ID: d.ID, Handle: d.Handle, Title: d.Title, Description: d.Description, Category: d.Category,
		Attributes: d.Attributes, Images: d.Images, Status: commerce.ProductStatus(d.Status),
		CreatedAt: created, UpdatedAt: updated, ETag: d.ETag,
		Variants: make([]commerce.Variant, len(d.Variants)),
	}
	for i, v := range d.Variants {
		p.Variants[i] = v.variant()
	}
	return p, nil
}

// keys returns the handle and SKU keys of d's product.
func (d *productDoc) keys() []keyDoc {
	out := []keyDoc{newKey(keyHandle, d.Handle, d.ID, d.Category)}
	for _, sku := range d.SKUs {
		out = append(out, newKey(keySKU, sku, d.ID, d.Category))
	}
	return out
}

// holds reports whether d's product holds the handle or SKU key k names.
func (d *productDoc) holds(k keyDoc) bool {
	kind, value, _ := strings.Cut(k.ID, ":")
	switch kind {
	case keyProduct:
		return value == d.ID
	case keyHandle:
		return value == d.Handle
	case keySKU:
		for _, s := range d.SKUs {
			if s == value {
				return true
			}
		}
	}
	return false
}

// counts returns what d's product adds to its category's counts.
func (d *productDoc) counts() (total, active int) {
	if d.Status == string(commerce.StatusActive) {
		return 1, 1
	}
	return 1, 0
}

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }

// sortValue is a sort key and a product ID as one string that sorts as the
// pair does: the separator sorts below every character a key may hold
// (titles hold no control characters, price keys are digits).
func sortValue(key, id string) string { return key + "\x01" + id }
