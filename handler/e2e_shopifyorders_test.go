package main

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// e2eShopifyOrderPage is a page of GET /api/admin/shopify/orders.
type e2eShopifyOrderPage struct {
	Items []struct {
		ID     string                `json:"id"`
		Status string                `json:"status"`
		Lines  []e2eShopifyOrderLine `json:"lines"`
	} `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

// e2eShopifyOrderLine is what a Shopify order's create did to one SKU.
type e2eShopifyOrderLine struct {
	SKU       string `json:"sku"`
	Ordered   int64  `json:"ordered"`
	Committed int64  `json:"committed"`
	Shortfall int64  `json:"shortfall"`
	Unknown   bool   `json:"unknown"`
}

// shopifyOrders reads one page of GET /api/admin/shopify/orders.
func (s e2eShop) shopifyOrders(tb testing.TB, q url.Values) e2eShopifyOrderPage {
	tb.Helper()
	res := s.admin(tb, "GET", "/api/admin/shopify/orders?"+q.Encode(), nil)
	e2eWantStatus(tb, "GET /api/admin/shopify/orders?"+q.Encode(), res, 200)
	var p e2eShopifyOrderPage
	res.JSON(tb, &p)
	return p
}

// TestE2EShopifyShortfall: the Shopify orders whose create could not
// commit every unit (shopfn had fewer, or never stocked the SKU) are
// listed for the merchant with what each line committed and lacked; the
// listing pages newest first and filters by state.
func TestE2EShopifyShortfall(t *testing.T) {
	t.Parallel()
	s := startMoney(t, func(m *Main) { m.Config.ShopifyWebhookSecret = e2eShopifySecret })
	s.mustStockedProduct(t, "shortfall-a", "SHF-A", 1000, 5)
	s.mustStockedProduct(t, "shortfall-b", "SHF-B", 1000, 1)
	short := []byte(`{"id":9001,"line_items":[{"sku":"SHF-A","quantity":2},{"sku":"SHF-B","quantity":3},{"sku":"SHF-NEVER","quantity":1}]}`)
	whole := []byte(`{"id":9002,"line_items":[{"sku":"SHF-A","quantity":1}]}`)
	s.shopifyDeliver(t, e2eShopifySecret, "orders/create", "short-create", short)
	s.moneyWaitQueues(t, 0, 0)
	s.shopifyDeliver(t, e2eShopifySecret, "orders/create", "whole-create", whole)
	s.moneyWaitQueues(t, 0, 0)

	got := s.shopifyOrders(t, url.Values{"shortfall": {"true"}})
	if len(got.Items) != 1 || got.Items[0].ID != "9001" || got.Items[0].Status != "committed" || got.NextCursor != nil {
		t.Fatalf("shortfall=true: got %+v, want only order 9001, committed, one page", got)
	}
	wantLines := []e2eShopifyOrderLine{
		{SKU: "SHF-A", Ordered: 2, Committed: 2},
		{SKU: "SHF-B", Ordered: 3, Committed: 1, Shortfall: 2},
		{SKU: "SHF-NEVER", Ordered: 1, Shortfall: 1, Unknown: true},
	}
	if diff := cmp.Diff(wantLines, got.Items[0].Lines); diff != "" {
		t.Errorf("order 9001's lines (-want +got):\n%s", diff)
	}

	first := s.shopifyOrders(t, url.Values{"limit": {"1"}})
	if len(first.Items) != 1 || first.Items[0].ID != "9002" || first.NextCursor == nil {
		t.Fatalf("limit=1: got %+v, want order 9002 (the newest) and a next cursor", first)
	}
	second := s.shopifyOrders(t, url.Values{"limit": {"1"}, "cursor": {*first.NextCursor}})
	if len(second.Items) != 1 || second.Items[0].ID != "9001" || second.NextCursor != nil {
		t.Errorf("the page after: got %+v, want order 9001 and no next cursor", second)
	}

	s.shopifyDeliver(t, e2eShopifySecret, "orders/cancelled", "short-cancel", short)
	s.moneyWaitQueues(t, 0, 0)
	if got := s.shopifyOrders(t, url.Values{"status": {"cancelled"}, "shortfall": {"true"}}); len(got.Items) != 1 || got.Items[0].ID != "9001" {
		t.Errorf("status=cancelled&shortfall=true: got %+v, want order 9001", got)
	}
	if got := s.shopifyOrders(t, url.Values{"status": {"committed"}, "shortfall": {"true"}}); len(got.Items) != 0 {
		t.Errorf("status=committed&shortfall=true after the cancel: got %+v, want none", got)
	}

	for _, q := range []string{"status=shipped", "shortfall=yes", "limit=0", "limit=501", "cursor=%21", "cursor=eA"} {
		e2eWantProblem(t, "GET /api/admin/shopify/orders?"+q, s.admin(t, "GET", "/api/admin/shopify/orders?"+q, nil), 400, "invalid_request")
	}
	e2eWantStatus(t, "without the admin key", s.do(t, "GET", "/api/admin/shopify/orders", nil), 401)
}
