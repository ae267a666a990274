package stripe_test

import (
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"shopfn/handler/commerce"
	shopstripe "shopfn/handler/stripe"
)

const whsec = "whsec_test_secret"

// event returns a Stripe event of the given type and API version whose
// data.object is object.
func event(typ, apiVersion, object string) []byte {
	return []byte(`{"id":"evt_1","object":"event","api_version":"` + apiVersion + `","created":1700000000,
		"livemode":false,"pending_webhooks":1,"type":"` + typ + `","data":{"object":` + object + `}}`)
}

// sign returns the Stripe-Signature header for payload signed with secret at t.
func sign(payload []byte, secret string, t time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: t}).Header
}

func TestParseWebhook(t *testing.T) {
	const failedIntent = `{"id":"pi_123","object":"payment_intent","amount":1999,"currency":"usd",
		"status":"requires_payment_method","metadata":{"checkout_id":"ck_1"},
		"last_payment_error":{"type":"card_error","code":"card_declined","decline_code":"generic_decline"}}`
	const customer = `{"id":"cus_1","object":"customer"}`
	for _, tt := range []struct {
		name    string
		payload []byte
		want    shopstripe.WebhookEvent
	}{
		{"Succeeded", event("payment_intent.succeeded", "2023-10-16", succeededIntent),
			shopstripe.WebhookEvent{ID: "evt_1", Type: "payment_intent.succeeded", Payment: commerce.Payment{
				ID: "pi_123", Status: commerce.PaymentSucceeded, Amount: commerce.Money{Amount: 1999, Currency: "USD"}, CheckoutID: "ck_1"}}},
		{"Failed", event("payment_intent.payment_failed", "2023-10-16", failedIntent),
			shopstripe.WebhookEvent{ID: "evt_1", Type: "payment_intent.payment_failed", Payment: commerce.Payment{
				ID: "pi_123", Status: commerce.PaymentDeclined, Amount: commerce.Money{Amount: 1999, Currency: "USD"},
				CheckoutID: "ck_1", DeclineCode: "generic_decline"}}},
		{"OtherAPIVersion", event("payment_intent.succeeded", "2024-06-20", succeededIntent),
			shopstripe.WebhookEvent{ID: "evt_1", Type: "payment_intent.succeeded", Payment: commerce.Payment{
				ID: "pi_123", Status: commerce.PaymentSucceeded, Amount: commerce.Money{Amount: 1999, Currency: "USD"}, CheckoutID: "ck_1"}}},
		{"OtherType", event("customer.created", "2023-10-16", customer),
			shopstripe.WebhookEvent{ID: "evt_1", Type: "customer.created"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := shopstripe.New(shopstripe.Config{SecretKey: "sk_test_x", WebhookSecret: whsec})
			got, err := p.ParseWebhook(tt.payload, sign(tt.payload, whsec, time.Now()))
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			if got.ID != tt.want.ID || got.Type != tt.want.Type || got.Payment.ID != tt.want.Payment.ID ||
				got.Payment.Status != tt.want.Payment.Status || got.Payment.Amount != tt.want.Payment.Amount ||
				got.Payment.CheckoutID != tt.want.Payment.CheckoutID || got.Payment.DeclineCode != tt.want.Payment.DeclineCode {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseWebhook_InvalidSignature(t *testing.T) {
	payload := event("payment_intent.succeeded", "2023-10-16", succeededIntent)
	now := time.Now()
	for _, tt := range []struct {
		name    string
		payload []byte
		header  string
	}{
		{"WrongSecret", payload, sign(payload, "whsec_other", now)},
		{"Stale", payload, sign(payload, whsec, now.Add(-webhook.DefaultTolerance-time.Minute))},
		{"Tampered", append([]byte(" "), payload...), sign(payload, whsec, now)},
		{"NoHeader", payload, ""},
		{"BadHeader", payload, "v1=abc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := shopstripe.New(shopstripe.Config{SecretKey: "sk_test_x", WebhookSecret: whsec})
			_, err := p.ParseWebhook(tt.payload, tt.header)
			if commerce.ErrorKind(err) != commerce.KindInvalid || commerce.ErrorCode(err) != "invalid_signature" {
				t.Errorf("got error %v, want KindInvalid invalid_signature", err)
			}
		})
	}

	t.Run("NoSecret", func(t *testing.T) {
		p := shopstripe.New(shopstripe.Config{SecretKey: "sk_test_x"})
		_, err := p.ParseWebhook(payload, sign(payload, "", now))
		if err == nil || commerce.ErrorKind(err) != commerce.KindInternal {
			t.Errorf("got error %v, want an internal error", err)
		}
	})
}

// A webhook secret rotated in Key Vault is used at the next event, without
// a new Provider.
func TestParseWebhook_RotatedSecret(t *testing.T) {
	secret := whsec
	p := shopstripe.New(shopstripe.Config{SecretKey: "sk_test_x", WebhookSecretFunc: func() string { return secret }})
	payload := event("payment_intent.succeeded", "2023-10-16", `{"id":"pi_1","object":"payment_intent","status":"succeeded"}`)
	if _, err := p.ParseWebhook(payload, sign(payload, whsec, time.Now())); err != nil {
		t.Fatalf("before rotation: %v", err)
	}
	secret = "whsec_rotated"
	if _, err := p.ParseWebhook(payload, sign(payload, whsec, time.Now())); err == nil {
		t.Error("signed with the old secret after rotation: got nil error, want invalid_signature")
	}
	if _, err := p.ParseWebhook(payload, sign(payload, "whsec_rotated", time.Now())); err != nil {
		t.Errorf("signed with the rotated secret: %v", err)
	}
}
