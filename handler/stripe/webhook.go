package stripe

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"shopfn/handler/commerce"
)

// WebhookEvent is a verified event from Stripe's webhook.
type WebhookEvent struct {
	// ID is the event ID ("evt_..."): Stripe may deliver an event more than
	// once, and handlers must be idempotent.
	ID string
	// Type is the event type, for example "payment_intent.succeeded".
	Type string
	// Payment is the PaymentIntent of a "payment_intent.succeeded" or
	// "payment_intent.payment_failed" event, and zero for other types. Its
	// CheckoutID is empty for a PaymentIntent shopfn did not create.
	Payment commerce.Payment
}

// ParseWebhook verifies that payload was sent by Stripe, with the
// Stripe-Signature header signatureHeader, signed with the webhook secret
// less than webhook.DefaultTolerance (5 minutes) ago, and returns the event
// it carries. A missing, wrong or stale signature is a KindInvalid
// "invalid_signature" error.
func (p *Provider) ParseWebhook(payload []byte, signatureHeader string) (WebhookEvent, error) {
	secret := p.webhookSecret()
	if secret == "" {
		// Verifying with an empty secret would accept payloads anyone signed.
		return WebhookEvent{}, errors.New("stripe: parse webhook: no webhook secret configured")
	}
	ev, err := webhook.ConstructEventWithOptions(payload, signatureHeader, secret, webhook.ConstructEventOptions{
		// The webhook endpoint's API version is set in Stripe's dashboard
		// and may differ from the 2023-10-16 that stripe-go v76 is made
		// for. Refusing such events would make Stripe retry them for days
		// and never deliver them; the few fields read here (the event's
		// id and type, and the PaymentIntent's id, status, amount,
		// currency, metadata, last_payment_error and next_action) have the
		// same shape in every version since. The signature is still
		// verified.
		IgnoreAPIVersionMismatch: true,
	})
	switch {
	case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader),
		errors.Is(err, webhook.ErrNoValidSignature), errors.Is(err, webhook.ErrTooOld):
		return WebhookEvent{}, fmt.Errorf("stripe: parse webhook: %w: %w",
			commerce.Invalidf(commerce.CodeInvalidSignature, "the Stripe-Signature header does not verify the payload"), err)
	case err != nil:
		return WebhookEvent{}, fmt.Errorf("stripe: parse webhook: %w: %w",
			commerce.Invalidf(commerce.CodeInvalidRequest, "the webhook payload is not a Stripe event"), err)
	}

	we := WebhookEvent{ID: ev.ID, Type: string(ev.Type)}
	switch ev.Type {
	case stripe.EventTypePaymentIntentSucceeded, stripe.EventTypePaymentIntentPaymentFailed:
		var pi stripe.PaymentIntent
		if ev.Data == nil {
			return WebhookEvent{}, commerce.Invalidf(commerce.CodeInvalidRequest, "event %s has no data", ev.ID)
		}
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
			return WebhookEvent{}, fmt.Errorf("stripe: parse webhook: event %s: %w: %w", ev.ID,
				commerce.Invalidf(commerce.CodeInvalidRequest, "event %s does not hold a PaymentIntent", ev.ID), err)
		}
		we.Payment = payment(&pi)
	}
	return we, nil
}
