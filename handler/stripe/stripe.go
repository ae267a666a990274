// Package stripe is shopfn's Stripe payment provider, on stripe-go: it takes
// payments as confirmed PaymentIntents, refunds them, and verifies and reads
// Stripe's webhook events.
//
// Each Provider has its own client and key (never stripe-go's package-global
// key), so that several can coexist, for example in tests against stripe-mock.
package stripe

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"shopfn/handler/commerce"
)

var _ commerce.PaymentProvider = (*Provider)(nil)

// Config configures a Provider.
type Config struct {
	// SecretKey is the Stripe API key, "sk_live_..." or "sk_test_...".
	SecretKey string
	// WebhookSecret is the signing secret of the webhook endpoint, "whsec_...".
	WebhookSecret string
	// APIBase, when set, replaces https://api.stripe.com, for example with
	// the URL of a stripe-mock server.
	APIBase string
	// ReturnURL is where Stripe sends the buyer back after a payment
	// method that redirects (a bank's page, some wallets). Empty allows
	// only the methods that never redirect.
	ReturnURL string
	// SecretKeyFunc and WebhookSecretFunc, when set, replace SecretKey and
	// WebhookSecret: they are asked on every call, so that a secret rotated
	// in Key Vault is used without a restart.
	SecretKeyFunc, WebhookSecretFunc func() string
}

// Provider takes payments with Stripe. Its methods are safe for concurrent use.
type Provider struct {
	secretKey, webhookSecret func() string
	newAPI                   func(key string) *client.API
	returnURL                string

	mu  sync.Mutex
	key string      // the key api was made with
	api *client.API // nil until the first call
}

// New returns a Provider for cfg. It does not contact Stripe.
func New(cfg Config) *Provider {
	backend := func(t stripe.SupportedBackend) stripe.Backend {
		bc := &stripe.BackendConfig{
			// Errors are returned with their context and logged by the
			// caller; stripe-go's own log would repeat them on stderr.
			LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
		}
		if cfg.APIBase != "" {
			bc.URL = stripe.String(cfg.APIBase)
		}
		return stripe.GetBackendWithConfig(t, bc)
	}
	backends := &stripe.Backends{
		API:     backend(stripe.APIBackend),
		Connect: backend(stripe.ConnectBackend),
		Uploads: backend(stripe.UploadsBackend),
	}
	p := &Provider{
		secretKey: cfg.SecretKeyFunc, webhookSecret: cfg.WebhookSecretFunc, returnURL: cfg.ReturnURL,
		newAPI: func(key string) *client.API { return client.New(key, backends) },
	}
	if p.secretKey == nil {
		p.secretKey = func() string { return cfg.SecretKey }
	}
	if p.webhookSecret == nil {
		p.webhookSecret = func() string { return cfg.WebhookSecret }
	}
	return p
}

// client returns a client with the current secret key, made anew when the
// key changed since the last call.
func (p *Provider) client() (*client.API, error) {
	key := p.secretKey()
	if key == "" {
		return nil, errNoKey
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.api == nil || key != p.key {
		p.api, p.key = p.newAPI(key), key
	}
	return p.api, nil
}

// errNoKey is returned by every call when the Provider has no secret key, a
// configuration mistake rather than an outage.
var errNoKey = errors.New("stripe: no secret key configured")

// unavailable is the error for a call that did not reach Stripe, or that
// Stripe could not serve: the client may retry.
func unavailable() *commerce.Error {
	return commerce.Errorf(commerce.KindUnavailable, commerce.CodePaymentUnavailable, "the payment provider is unavailable; try again")
}

// translate returns the error of a failed call to Stripe for op as shopfn's
// error: KindUnavailable when Stripe was not reached, failed (5xx) or limited
// the rate (429), and when it refused shopfn's key (401, 403); KindConflict "idempotency_mismatch" when an idempotency key
// was reused with other parameters; KindNotFound for a missing object; and,
// for any other refusal, an internal error, since shopfn sent a request
// Stripe considers wrong.
func translate(op string, err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		// The network failed, the context ended, or the answer was not
		// Stripe's JSON (a proxy's error page).
		return fmt.Errorf("stripe: %s: %w: %w", op, unavailable(), err)
	}
	detail := fmt.Sprintf("%s %s (HTTP %d, request %s): %s", se.Type, se.Code, se.HTTPStatusCode, se.RequestID, se.Msg)
	switch {
	case se.HTTPStatusCode >= http.StatusInternalServerError || se.HTTPStatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("stripe: %s: %w: %s", op, unavailable(), detail)
	case se.HTTPStatusCode == http.StatusUnauthorized || se.HTTPStatusCode == http.StatusForbidden:
		// A wrong or revoked key: an outage for buyers, a page for staff
		// (the caller logs the detail).
		return fmt.Errorf("stripe: %s: %w: %s", op, unavailable(), detail)
	case se.Type == stripe.ErrorTypeIdempotency:
		return fmt.Errorf("stripe: %s: %w: %s", op, commerce.Errorf(commerce.KindConflict, commerce.CodeIdempotencyMismatch,
			"the idempotency key was used with other parameters"), detail)
	case se.Code == stripe.ErrorCodeResourceMissing:
		return fmt.Errorf("stripe: %s: %w: %s", op, commerce.NotFoundf("payment not found"), detail)
	}
	return fmt.Errorf("stripe: %s: %s", op, detail)
}
