package sqlite

import (
	"encoding/json"
	"fmt"
	"time"

	"shopfn/handler/commerce"
)

// The JSON documents in the products and carts tables. They are shopfn's
// own storage format, not the API's: a change to commerce.Product or
// commerce.Cart (or to how the API renders them) must not change what
// existing installs hold. The field names are those the files already
// contain; testdata holds documents written before these types existed.

// productDoc is a product as stored in products.doc.
type productDoc struct {
	ID          string         `json:"id"`
	Handle      string         `json:"handle"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Category    string         `json:"category"`
	Attributes  map[string]any `json:"attributes"`
	Images      []string       `json:"images"`
	Status      string         `json:"status"`
	Variants    []variantDoc   `json:"variants"`
	CreatedAt   time.Time      `json:"createdAt"`
	UpdatedAt   time.Time      `json:"updatedAt"`
}

// variantDoc is one variant of a productDoc.
type variantDoc struct {
	SKU     string            `json:"sku"`
	Title   string            `json:"title"`
	Options map[string]string `json:"options"`
	Price   moneyDoc          `json:"price"`
	Prices  []moneyDoc        `json:"prices,omitempty"`
}

// moneyDoc is an amount in minor units of a currency.
type moneyDoc struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// cartDoc is a cart as stored in carts.doc.
type cartDoc struct {
	ID          string        `json:"id"`
	Currency    string        `json:"currency"`
	CurrencySet bool          `json:"currencySet,omitempty"`
	Lines       []cartLineDoc `json:"lines"`
	CreatedAt   time.Time     `json:"createdAt"`
	UpdatedAt   time.Time     `json:"updatedAt"`
	ExpiresAt   time.Time     `json:"expiresAt"`
	Status      string        `json:"status,omitempty"`
	CheckoutID  string        `json:"checkoutId,omitempty"`
	OrderID     string        `json:"orderId,omitempty"`
	CustomerID  string        `json:"customerId,omitempty"`
	MergedInto  string        `json:"mergedInto,omitempty"`
	Merged      []string      `json:"merged,omitempty"`
	Codes       []string      `json:"codes,omitempty"`
}

// cartLineDoc is one line of a cartDoc.
type cartLineDoc struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// encodeProduct returns p's document.
func encodeProduct(p *commerce.Product) ([]byte, error) {
	d := productDoc{
		ID: p.ID, Handle: p.Handle, Title: p.Title, Description: p.Description, Category: p.Category,
		Attributes: p.Attributes, Images: p.Images, Status: string(p.Status),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	if p.Variants != nil {
		d.Variants = make([]variantDoc, len(p.Variants))
		for i, v := range p.Variants {
			d.Variants[i] = variantDoc{SKU: v.SKU, Title: v.Title, Options: v.Options, Price: moneyDoc(v.Price)}
			for _, m := range v.Prices {
				d.Variants[i].Prices = append(d.Variants[i].Prices, moneyDoc(m))
			}
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("sqlite: encode product %s: %w", p.ID, err)
	}
	return b, nil
}

// decodeProduct returns the product a document holds, at version.
func decodeProduct(doc []byte, version int64) (*commerce.Product, error) {
	var d productDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("sqlite: decode product: %w", err)
	}
	p := &commerce.Product{
		ID: d.ID, Handle: d.Handle, Title: d.Title, Description: d.Description, Category: d.Category,
		Attributes: d.Attributes, Images: d.Images, Status: commerce.ProductStatus(d.Status),
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, ETag: productETag(d.ID, version),
	}
	if d.Variants != nil {
		p.Variants = make([]commerce.Variant, len(d.Variants))
		for i, v := range d.Variants {
			p.Variants[i] = commerce.Variant{SKU: v.SKU, Title: v.Title, Options: v.Options, Price: commerce.Money(v.Price)}
			for _, m := range v.Prices {
				p.Variants[i].Prices = append(p.Variants[i].Prices, commerce.Money(m))
			}
		}
	}
	return p, nil
}

// encodeCart returns c's document.
func encodeCart(c *commerce.Cart) ([]byte, error) {
	d := cartDoc{
		ID: c.ID, Currency: c.Currency, CurrencySet: c.CurrencySet, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, ExpiresAt: c.ExpiresAt,
		Status: string(c.Status), CheckoutID: c.CheckoutID, OrderID: c.OrderID,
		CustomerID: c.CustomerID, MergedInto: c.MergedInto, Merged: c.Merged, Codes: c.Codes,
	}
	if c.Lines != nil {
		d.Lines = make([]cartLineDoc, len(c.Lines))
		for i, l := range c.Lines {
			d.Lines[i] = cartLineDoc(l)
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("sqlite: encode cart %s: %w", c.ID, err)
	}
	return b, nil
}

// decodeCart returns the cart a document holds, at version.
func decodeCart(doc []byte, version int64) (*commerce.Cart, error) {
	var d cartDoc
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("sqlite: decode cart: %w", err)
	}
	c := &commerce.Cart{
		ID: d.ID, Currency: d.Currency, CurrencySet: d.CurrencySet, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, ExpiresAt: d.ExpiresAt,
		Status: commerce.CartStatus(d.Status), CheckoutID: d.CheckoutID, OrderID: d.OrderID, ETag: etag(version),
		CustomerID: d.CustomerID, MergedInto: d.MergedInto, Merged: d.Merged, Codes: d.Codes,
	}
	if d.Lines != nil {
		c.Lines = make([]commerce.CartLine, len(d.Lines))
		for i, l := range d.Lines {
			c.Lines[i] = commerce.CartLine(l)
		}
	}
	return c, nil
}
