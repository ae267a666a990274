package commerce

import (
	"context"
	"time"
)

// MsgShopifyOrder, on the inventory queue, carries a Shopify order webhook
// that the stock pool must follow: what Shopify sold, cancelled or shipped
// (ShopifyOrderEvent). The Shopify webhook route publishes it.
const MsgShopifyOrder = "ShopifyOrder"

// The Shopify order actions a ShopifyOrderEvent carries.
const (
	// ShopifyCreate commits the order's units (orders/create).
	ShopifyCreate = "create"
	// ShopifyCancel gives the units the order committed back to sale
	// (orders/cancelled).
	ShopifyCancel = "cancel"
	// ShopifyFulfil ships the units the order committed: on hand and
	// committed both drop (orders/fulfilled).
	ShopifyFulfil = "fulfil"
)

// ShopifyOrderEvent is one Shopify order webhook reduced to what stock
// needs. Example body:
//
//	{"type":"ShopifyOrder","action":"create","orderId":"820982911946154508","lines":[{"sku":"TEE-BLK-M","quantity":2}]}
//
// Lines holds each SKU once, with the order's quantity of it; a line
// without a SKU is listed with SKU "". Cancel and fulfil need no lines:
// they act on what create recorded.
type ShopifyOrderEvent struct {
	Type    string        `json:"type"`
	Action  string        `json:"action"`
	OrderID string        `json:"orderId"`
	Lines   []ShopifyLine `json:"lines,omitempty"`
}

// ShopifyLine is the quantity of one SKU in a Shopify order.
type ShopifyLine struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// ShopifyLineResult is what a Shopify order's create did to one SKU:
// Committed units were taken from what shopfn had available, Shortfall
// units Shopify sold that shopfn no longer had (never taken, never
// oversold), and Unknown says shopfn has never stocked the SKU.
type ShopifyLineResult struct {
	SKU       string `json:"sku"`
	Ordered   int64  `json:"ordered"`
	Committed int64  `json:"committed"`
	Shortfall int64  `json:"shortfall"`
	Unknown   bool   `json:"unknown,omitempty"`
}

// ShopifyStock applies Shopify orders to the stock pool shopfn's own
// checkouts sell from. sqlstore.InventoryStore implements it.
type ShopifyStock interface {
	// ApplyShopifyOrder applies one action to a Shopify order, at most
	// once per order and action however often it is called: it reports
	// whether this call applied it. A cancel or fulfil of an order whose
	// create never came is recorded, and a create arriving after it
	// commits nothing.
	ApplyShopifyOrder(ctx context.Context, e ShopifyOrderEvent) (bool, error)
}

// ShopifyOrder is a Shopify order as the stock pool recorded it: its
// state (committed, cancelled or fulfilled) and what its create did to
// each SKU (none when a cancel or fulfil came before the create).
type ShopifyOrder struct {
	ID        string              `json:"id"`
	Status    string              `json:"status"`
	CreatedAt time.Time           `json:"createdAt"`
	UpdatedAt time.Time           `json:"updatedAt"`
	Lines     []ShopifyLineResult `json:"lines"`
}

// ShopifyOrderFilter selects recorded Shopify orders, newest first: of one
// Status when set, only those with a line short or unknown when
// Shortfall, after the position Before (an order's creation and ID: the
// last one of the previous page), at most Limit.
type ShopifyOrderFilter struct {
	Status    string
	Shortfall bool
	Before    *ShopifyOrderCursor
	Limit     int
}

// ShopifyOrderCursor is the position of an order in the newest-first
// listing.
type ShopifyOrderCursor struct {
	CreatedAt int64 // Unix nanoseconds, as stored
	ID        string
}

// ShopifyOrders lists the recorded Shopify orders, so that a merchant sees
// the ones whose stock shopfn could not commit. sqlstore.InventoryStore
// implements it.
type ShopifyOrders interface {
	// ShopifyOrders returns the orders f selects, newest first, with the
	// cursor of each (to pass as the next page's Before).
	ShopifyOrders(ctx context.Context, f ShopifyOrderFilter) ([]ShopifyOrder, []ShopifyOrderCursor, error)
}
