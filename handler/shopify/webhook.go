// Package shopify takes Shopify's order webhooks in: it verifies their
// signature, reduces each order to the SKUs and quantities stock needs, and
// enqueues it on the inventory queue, where the inventory function applies
// it to the one stock pool that shopfn's own checkouts also sell from
// (commerce.ShopifyStock).
package shopify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"shopfn/handler/commerce"
)

// The headers Shopify sends with every webhook.
const (
	HeaderHmac      = "X-Shopify-Hmac-Sha256"
	HeaderTopic     = "X-Shopify-Topic"
	HeaderWebhookID = "X-Shopify-Webhook-Id"
)

// maxWebhookIDLen bounds X-Shopify-Webhook-Id (a UUID), so that the message
// ID made of it stays within Service Bus's 128 characters.
const maxWebhookIDLen = 100

// actions maps the topics shopfn acts on to their stock action. Every
// other topic is acknowledged and ignored.
var actions = map[string]string{
	"orders/create":    commerce.ShopifyCreate,
	"orders/cancelled": commerce.ShopifyCancel,
	"orders/fulfilled": commerce.ShopifyFulfil,
}

// Receiver verifies Shopify webhooks and enqueues the orders they carry.
type Receiver struct {
	// Secret returns the app's webhook signing secret (read on each
	// webhook, so that a secret rotated in Key Vault applies at once).
	Secret func() string
	// Queue takes the ShopifyOrder messages (the inventory queue).
	Queue commerce.Publisher
	// Published, when set, is called after a message was enqueued (it
	// wakes the embedded queue's dispatcher).
	Published func()
}

// Verify reports whether signature, the X-Shopify-Hmac-Sha256 header, is
// the base64 HMAC-SHA256 of body under secret. The comparison takes the
// same time wherever the signatures differ.
func Verify(secret string, body []byte, signature string) bool {
	if secret == "" {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil {
		return false
	}
	return hmac.Equal(got, Sign(secret, body))
}

// Sign returns the HMAC-SHA256 of body under secret, as Shopify signs a
// webhook (base64-encode it for the header).
func Sign(secret string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

// Receive handles one webhook: body is its raw body, h its headers. It
// returns KindUnauthorized "invalid_signature" when the signature does not
// match, KindInvalid for a signed but malformed order, and the queue's
// error when the order could not be enqueued (Shopify then delivers it
// again). A topic shopfn does not act on is accepted and dropped.
func (r *Receiver) Receive(ctx context.Context, body []byte, h http.Header) error {
	if !Verify(r.Secret(), body, h.Get(HeaderHmac)) {
		return commerce.Errorf(commerce.KindUnauthorized, commerce.CodeInvalidSignature,
			"%s is not the signature of this body under the webhook secret", HeaderHmac)
	}
	action, ok := actions[h.Get(HeaderTopic)]
	if !ok {
		return nil
	}
	id := h.Get(HeaderWebhookID)
	if !validWebhookID(id) {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "%s must be 1-%d characters of letters, digits and '-'", HeaderWebhookID, maxWebhookIDLen)
	}
	e, err := Parse(body, action)
	if err != nil {
		return err
	}
	msgBody, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("shopify: encode order: %w", err)
	}
	// The webhook's ID is the message's: the queue drops a redelivery
	// within its duplicate-detection window, and the store's key on the
	// order and action catches any later one.
	msg := commerce.Message{ID: "shopify-" + id, Type: commerce.MsgShopifyOrder, Body: msgBody}
	if err := r.Queue.Publish(ctx, commerce.QueueInventory, msg); err != nil {
		return fmt.Errorf("shopify: enqueue order: %w", err)
	}
	if r.Published != nil {
		r.Published()
	}
	return nil
}

func validWebhookID(id string) bool {
	if id == "" || len(id) > maxWebhookIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !alnum(c) && c != '-' {
			return false
		}
	}
	return true
}

func alnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
