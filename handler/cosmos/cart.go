package cosmos

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/data/azcosmos"

	"shopfn/handler/commerce"
)

// CartStore is the Cosmos DB commerce.CartStore: one document per cart,
// alone in its logical partition, replaced conditionally on its ETag.
type CartStore struct {
	c *azcosmos.ContainerClient
}

var _ commerce.CartStore = (*CartStore)(nil)

// NewCartStore returns a CartStore on db's carts container.
func NewCartStore(db *DB) *CartStore { return &CartStore{c: db.carts} }

// cartDoc is a cart as stored.
type cartDoc struct {
	ID       string `json:"id"`
	Currency string `json:"currency"`
	// CurrencySet says the buyer chose the currency.
	CurrencySet bool      `json:"currencySet,omitempty"`
	Lines       []lineDoc `json:"lines"`
	CreatedAt   string    `json:"createdAt"`
	UpdatedAt   string    `json:"updatedAt"`
	ExpiresAt   string    `json:"expiresAt"`
	// Status, CheckoutID and OrderID carry the cart's checkout state.
	Status     string `json:"status,omitempty"`
	CheckoutID string `json:"checkoutId,omitempty"`
	OrderID    string `json:"orderId,omitempty"`
	// CustomerID owns the cart; MergedInto and Merged record merges.
	CustomerID string   `json:"customerId,omitempty"`
	MergedInto string   `json:"mergedInto,omitempty"`
	Merged     []string `json:"merged,omitempty"`
	Codes      []string `json:"codes,omitempty"`
	ETag       string   `json:"_etag,omitempty"`
}

// lineDoc is a cart line as stored.
type lineDoc struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

func toCartDoc(c *commerce.Cart) cartDoc {
	d := cartDoc{ID: c.ID, Currency: c.Currency, CurrencySet: c.CurrencySet, Lines: make([]lineDoc, len(c.Lines)),
		CreatedAt: formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt), ExpiresAt: formatTime(c.ExpiresAt),
		Status: string(c.Status), CheckoutID: c.CheckoutID, OrderID: c.OrderID,
		CustomerID: c.CustomerID, MergedInto: c.MergedInto, Merged: c.Merged, Codes: c.Codes}
	for i, l := range c.Lines {
		d.Lines[i] = lineDoc{SKU: l.SKU, Quantity: l.Quantity}
	}
	return d
}

func (d *cartDoc) cart() (*commerce.Cart, error) {
	c := &commerce.Cart{ID: d.ID, Currency: d.Currency, CurrencySet: d.CurrencySet, Lines: make([]commerce.CartLine, len(d.Lines)), ETag: d.ETag,
		Status: commerce.CartStatus(d.Status), CheckoutID: d.CheckoutID, OrderID: d.OrderID,
		CustomerID: d.CustomerID, MergedInto: d.MergedInto, Merged: d.Merged, Codes: d.Codes}
	var err error
	for _, t := range []struct {
		dst *time.Time
		src string
	}{{&c.CreatedAt, d.CreatedAt}, {&c.UpdatedAt, d.UpdatedAt}, {&c.ExpiresAt, d.ExpiresAt}} {
		if *t.dst, err = parseTime(t.src); err != nil {
			return nil, fmt.Errorf("cosmos: cart %s: %w", d.ID, err)
		}
	}
	for i, l := range d.Lines {
		c.Lines[i] = commerce.CartLine{SKU: l.SKU, Quantity: l.Quantity}
	}
	return c, nil
}

// CreateCart stores a new cart; an existing ID is a conflict.
func (s *CartStore) CreateCart(ctx context.Context, c *commerce.Cart) error {
	body, err := json.Marshal(toCartDoc(c))
	if err != nil {
		return fmt.Errorf("cosmos: encode cart: %w", err)
	}
	etag, err := createItem(ctx, s.c, c.ID, c.ID, body)
	if err != nil {
		return translate(err, "cart "+c.ID)
	}
	c.ETag = string(etag)
	return nil
}

// Cart returns a cart by ID, expired or not (the cart service checks
// expiresAt on every read; the container's time to live removes it later).
func (s *CartStore) Cart(ctx context.Context, id string) (*commerce.Cart, error) {
	if !commerce.IsID(id, 'c') {
		return nil, commerce.NotFoundf("cart %q not found", id)
	}
	var d cartDoc
	if err := readItem(ctx, s.c, id, id, &d); err != nil {
		return nil, translate(err, "cart "+id)
	}
	return d.cart()
}

// ReplaceCart stores c if the stored cart's ETag is still ifMatch.
func (s *CartStore) ReplaceCart(ctx context.Context, c *commerce.Cart, ifMatchETag string) error {
	if ifMatchETag == "" { // matches no version: the cart's existence decides the error
		if _, err := s.Cart(ctx, c.ID); err != nil {
			return err
		}
		return commerce.Errorf(commerce.KindPrecondition, commerce.CodePreconditionFailed, "cart %s has changed", c.ID)
	}
	body, err := json.Marshal(toCartDoc(c))
	if err != nil {
		return fmt.Errorf("cosmos: encode cart: %w", err)
	}
	etag, err := replaceItem(ctx, s.c, c.ID, c.ID, body, ifMatchETag)
	if err != nil {
		return translate(err, "cart "+c.ID)
	}
	c.ETag = string(etag)
	return nil
}

// DeleteCart removes a cart if ifMatchETag is empty or still its ETag.
func (s *CartStore) DeleteCart(ctx context.Context, id, ifMatchETag string) error {
	if !commerce.IsID(id, 'c') {
		return commerce.NotFoundf("cart %q not found", id)
	}
	var o *azcosmos.ItemOptions
	if ifMatchETag != "" {
		o = ifMatch(ifMatchETag)
	}
	_, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(id), id, o)
	return translate(err, "cart "+id)
}

// DeleteExpiredCarts removes the carts that expired at or before now: one
// cross-partition query for their IDs, then a point delete each. On Cosmos
// DB the container's time to live does this too.
func (s *CartStore) DeleteExpiredCarts(ctx context.Context, now time.Time) (int, error) {
	ids, err := query[cartDoc](ctx, s.c, "", "SELECT c.id, c._etag FROM c WHERE c.expiresAt <= @now",
		[]azcosmos.QueryParameter{{Name: "@now", Value: formatTime(now)}}, 0)
	if err != nil {
		return 0, translate(err, "find expired carts")
	}
	n := 0
	for _, d := range ids {
		_, err := s.c.DeleteItem(ctx, azcosmos.NewPartitionKeyString(d.ID), d.ID, ifMatch(d.ETag))
		switch {
		case err == nil:
			n++
		case notFound(err) || status(err) == http.StatusPreconditionFailed:
			// gone already, or written since: no longer ours to delete
		default:
			return n, translate(err, "delete expired cart "+d.ID)
		}
	}
	return n, nil
}
