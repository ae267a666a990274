package api

import (
	"net/http"

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
