package main

import (
	"context"
	"net/http"

	"shopfn/handler/shopify"
)

// shopifyWebhook returns what takes Shopify's order webhooks in (the route
// POST /api/webhooks/shopify), or nil, turning the route off (404), when
// SHOPFN_SHOPIFY_WEBHOOK_SECRET is not set. published wakes the embedded
// queue's dispatcher.
func (m *Main) shopifyWebhook(published func()) func(context.Context, []byte, http.Header) error {
	secret := m.Config.ShopifyWebhookSecret
	if secret == "" {
		return nil
	}
	r := &shopify.Receiver{Secret: func() string { return secret }, Queue: m.queue, Published: published}
	return r.Receive
}
