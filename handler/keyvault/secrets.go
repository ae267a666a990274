// Package keyvault reads shopfn's secrets (the admin key, Stripe's secret key
// and webhook signing secret) from Azure Key Vault with azsecrets, and keeps
// them fresh: a secret rotated in the vault is picked up at the next refresh,
// without a restart. Values are held in memory only and never logged.
//
// Tested against the SDK's own fake server transport (azsecrets/fake) with a
// real azsecrets.Client; never against a real vault here.
package keyvault

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
)

// The names of shopfn's secrets in the vault.
const (
	// AdminKey is the key admin requests send in x-functions-key.
	AdminKey = "shopfn-admin-key"
	// CursorKey signs listing cursors, the same on every instance.
	CursorKey = "shopfn-cursor-key"
	// StripeSecretKey is Stripe's API key, "sk_..." or "rk_...".
	StripeSecretKey = "stripe-secret-key"
	// StripeWebhookSecret is the webhook endpoint's signing secret, "whsec_...".
	StripeWebhookSecret = "stripe-webhook-secret"
)

// Getter reads the current version of a secret: *azsecrets.Client.
type Getter interface {
	GetSecret(ctx context.Context, name, version string, options *azsecrets.GetSecretOptions) (azsecrets.GetSecretResponse, error)
}

// Secrets holds the latest values of a fixed set of secrets read from a vault.
// Its methods are safe for concurrent use.
type Secrets struct {
	client Getter
	names  []string
	logger *slog.Logger

	mu     sync.RWMutex
	values map[string]string
}

// New returns Secrets that read names through client. Call Load before use.
func New(client Getter, names []string, logger *slog.Logger) *Secrets {
	return &Secrets{client: client, names: names, logger: logger, values: make(map[string]string, len(names))}
}

// NewClient returns an azsecrets client for the vault at vaultURL
// ("https://<name>.vault.azure.net/") authenticating with cred. Tests pass a
// fake transport in opts.
func NewClient(vaultURL string, cred azcore.TokenCredential, opts *azsecrets.ClientOptions) (*azsecrets.Client, error) {
	c, err := azsecrets.NewClient(vaultURL, cred, opts)
	if err != nil {
		return nil, fmt.Errorf("keyvault: %s: %w", vaultURL, err)
	}
	return c, nil
}

// Load reads every secret. It fails, naming the secrets, when any is missing,
// empty or unreadable: shopfn must not start without its secrets.
func (s *Secrets) Load(ctx context.Context) error {
	var errs []error
	for _, name := range s.names {
		v, err := s.get(ctx, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.set(name, v)
	}
	return errors.Join(errs...)
}

// Refresh reads every secret again. A secret that cannot be read keeps its
// last good value; the failure is logged (name and error, never a value) and
// returned.
func (s *Secrets) Refresh(ctx context.Context) error {
	var errs []error
	for _, name := range s.names {
		v, err := s.get(ctx, name)
		if err != nil {
			s.logger.Warn("keyvault: refresh failed; keeping the last value", "secret", name, "err", err)
			errs = append(errs, err)
			continue
		}
		s.set(name, v)
	}
	return errors.Join(errs...)
}

// Run refreshes the secrets every interval until ctx ends.
func (s *Secrets) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Refresh(ctx)
		}
	}
}

// Value returns the current value of the secret name ("" before Load or
// for a name Secrets does not hold).
func (s *Secrets) Value(name string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.values[name]
}

// Func returns a function that returns the current value of the secret name,
// for consumers that must see a rotated value.
func (s *Secrets) Func(name string) func() string {
	return func() string { return s.Value(name) }
}

func (s *Secrets) set(name, v string) {
	s.mu.Lock()
	s.values[name] = v
	s.mu.Unlock()
}

// get reads the current version of one secret.
func (s *Secrets) get(ctx context.Context, name string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	resp, err := s.client.GetSecret(ctx, name, "", nil)
	var re *azcore.ResponseError
	switch {
	case errors.As(err, &re) && re.StatusCode == http.StatusNotFound:
		return "", fmt.Errorf("keyvault: secret %q not found in the vault: create it (see README, Key Vault)", name)
	case errors.As(err, &re) && (re.StatusCode == http.StatusForbidden || re.StatusCode == http.StatusUnauthorized):
		return "", fmt.Errorf("keyvault: secret %q: the identity may not read it (grant the Key Vault Secrets User role): HTTP %d %s", name, re.StatusCode, re.ErrorCode)
	case err != nil:
		return "", fmt.Errorf("keyvault: secret %q: %w", name, err)
	case resp.Value == nil || *resp.Value == "":
		return "", fmt.Errorf("keyvault: secret %q is empty", name)
	}
	return *resp.Value, nil
}
