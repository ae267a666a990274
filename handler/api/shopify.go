package api

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
)

// shopifyWebhook takes a Shopify order webhook: it verifies the signature
// over the raw body, enqueues the order on the inventory queue and answers
// 200 at once; the inventory function applies it to the stock. Shopify
// delivers again whatever is not answered 2xx within 5 seconds.
func (s *Server) shopifyWebhook(w http.ResponseWriter, r *http.Request) error {
	if s.ShopifyWebhook == nil {
		return commerce.NotFoundf("Shopify webhooks are not taken (SHOPFN_SHOPIFY_WEBHOOK_SECRET is not set)")
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	if err := s.ShopifyWebhook(r.Context(), body, r.Header); err != nil {
		return err
	}
	writeBody(w, http.StatusOK, []byte(`{"received":true}`))
	return nil
}

// shopifyOrderPage is a page of GET /api/admin/shopify/orders.
type shopifyOrderPage struct {
	Items      []commerce.ShopifyOrder `json:"items"`
	NextCursor *string                 `json:"nextCursor"`
}

// maxShopifyOrderPage is the most orders one page lists.
const maxShopifyOrderPage = 500

// parseShopifyOrderQuery reads GET /api/admin/shopify/orders's status,
// shortfall, limit and cursor.
func parseShopifyOrderQuery(v url.Values) (commerce.ShopifyOrderFilter, error) {
	f := commerce.ShopifyOrderFilter{Limit: 50}
	switch st := v.Get("status"); st {
	case "", "committed", "cancelled", "fulfilled":
		f.Status = st
	default:
		return f, commerce.Invalidf(commerce.CodeInvalidRequest, "status must be committed, cancelled or fulfilled")
	}
	switch v.Get("shortfall") {
	case "", "false":
	case "true":
		f.Shortfall = true
	default:
		return f, commerce.Invalidf(commerce.CodeInvalidRequest, "shortfall must be true or false")
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxShopifyOrderPage {
			return f, commerce.Invalidf(commerce.CodeInvalidRequest, "limit must be an integer from 1 to %d", maxShopifyOrderPage)
		}
		f.Limit = n
	}
	if c := v.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.Strict().DecodeString(c)
		at, id, found := strings.Cut(string(b), ":")
		n, perr := strconv.ParseInt(at, 10, 64)
		if err != nil || !found || perr != nil || id == "" || len(id) > 64 {
			return f, commerce.Invalidf(commerce.CodeInvalidRequest, "cursor must be a nextCursor this listing returned")
		}
		f.Before = &commerce.ShopifyOrderCursor{CreatedAt: n, ID: id}
	}
	return f, nil
}

// listShopifyOrders is GET /api/admin/shopify/orders: the Shopify orders
// the stock pool recorded, newest first, with what each create committed
// and what it could not (shortfall, unknown SKUs).
func (s *Server) listShopifyOrders(w http.ResponseWriter, r *http.Request) error {
	if s.ShopifyOrders == nil {
		return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "Shopify orders are not available")
	}
	f, err := parseShopifyOrderQuery(r.URL.Query())
	if err != nil {
		return err
	}
	limit := f.Limit
	f.Limit++
	orders, pos, err := s.ShopifyOrders.ShopifyOrders(r.Context(), f)
	if err != nil {
		return err
	}
	page := shopifyOrderPage{Items: orders}
	if len(orders) > limit {
		page.Items = orders[:limit]
		last := pos[limit-1]
		next := base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(last.CreatedAt, 10) + ":" + last.ID))
		page.NextCursor = &next
	}
	if page.Items == nil {
		page.Items = []commerce.ShopifyOrder{}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, page)
	return nil
}
