package keyvault_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets/fake"

	"shopfn/handler/keyvault"
)

// vault is an in-memory Key Vault behind the SDK's fake server transport.
type vault struct {
	mu      sync.Mutex
	secrets map[string]string
	down    bool // every read answers 503
}

func (v *vault) put(name, value string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.secrets[name] = value
}

func (v *vault) setDown(down bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.down = down
}

// mustClient returns a real azsecrets.Client talking to v.
func (v *vault) mustClient(t *testing.T) *azsecrets.Client {
	t.Helper()
	srv := &fake.Server{
		GetSecret: func(ctx context.Context, name, version string, _ *azsecrets.GetSecretOptions) (resp azfake.Responder[azsecrets.GetSecretResponse], errResp azfake.ErrorResponder) {
			v.mu.Lock()
			defer v.mu.Unlock()
			value, ok := v.secrets[name]
			switch {
			case v.down:
				errResp.SetResponseError(http.StatusServiceUnavailable, "ServiceUnavailable")
			case !ok:
				errResp.SetResponseError(http.StatusNotFound, "SecretNotFound")
			default:
				resp.SetResponse(http.StatusOK, azsecrets.GetSecretResponse{Secret: azsecrets.Secret{Value: &value}}, nil)
			}
			return
		},
	}
	c, err := keyvault.NewClient("https://shopfn-test.vault.azure.net/", &azfake.TokenCredential{}, &azsecrets.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: fake.NewServerTransport(srv), Retry: noRetry},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// noRetry disables the SDK's retries, which would wait seconds on a 503.
var noRetry = policy.RetryOptions{MaxRetries: -1}

var names = []string{keyvault.AdminKey, keyvault.StripeSecretKey, keyvault.StripeWebhookSecret}

func TestLoadAndRotate(t *testing.T) {
	v := &vault{secrets: map[string]string{
		keyvault.AdminKey: "admin-key-1-0123456789", keyvault.StripeSecretKey: "sk_test_1", keyvault.StripeWebhookSecret: "whsec_1",
	}}
	var logs bytes.Buffer
	s := keyvault.New(v.mustClient(t), names, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	if err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	admin := s.Func(keyvault.AdminKey)
	if got, want := admin(), "admin-key-1-0123456789"; got != want {
		t.Errorf("admin key: got %q, want %q", got, want)
	}
	if got, want := s.Value(keyvault.StripeSecretKey), "sk_test_1"; got != want {
		t.Errorf("stripe key: got %q, want %q", got, want)
	}

	v.put(keyvault.AdminKey, "admin-key-2-0123456789")
	if got, want := admin(), "admin-key-1-0123456789"; got != want {
		t.Errorf("before the refresh: got %q, want %q", got, want)
	}
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := admin(), "admin-key-2-0123456789"; got != want {
		t.Errorf("after the refresh: got %q, want the rotated %q", got, want)
	}
	if strings.Contains(logs.String(), "admin-key") || strings.Contains(logs.String(), "sk_test") {
		t.Errorf("a secret value reached the log: %s", logs.String())
	}
}

func TestLoadMissingSecret(t *testing.T) {
	v := &vault{secrets: map[string]string{keyvault.AdminKey: "admin-key-1-0123456789"}}
	s := keyvault.New(v.mustClient(t), names, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)))
	err := s.Load(context.Background())
	if err == nil {
		t.Fatal("Load with two secrets missing: got nil error")
	}
	for _, want := range []string{`"stripe-secret-key" not found`, `"stripe-webhook-secret" not found`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q: want it to contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "admin-key-1") {
		t.Errorf("error %q shows a secret value", err)
	}
}

func TestRefreshFailureKeepsLastValue(t *testing.T) {
	v := &vault{secrets: map[string]string{
		keyvault.AdminKey: "admin-key-1-0123456789", keyvault.StripeSecretKey: "sk_test_1", keyvault.StripeWebhookSecret: "whsec_1",
	}}
	var logs bytes.Buffer
	s := keyvault.New(v.mustClient(t), names, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	if err := s.Load(ctx); err != nil {
		t.Fatal(err)
	}
	v.setDown(true)
	v.put(keyvault.StripeWebhookSecret, "whsec_2")
	if err := s.Refresh(ctx); err == nil {
		t.Error("Refresh with the vault down: got nil error")
	}
	if got, want := s.Value(keyvault.StripeWebhookSecret), "whsec_1"; got != want {
		t.Errorf("after a failed refresh: got %q, want the last good %q", got, want)
	}
	if !strings.Contains(logs.String(), "refresh failed") || !strings.Contains(logs.String(), keyvault.StripeWebhookSecret) {
		t.Errorf("log %q: want a refresh failure naming the secret", logs.String())
	}
	if strings.Contains(logs.String(), "whsec_") {
		t.Errorf("a secret value reached the log: %s", logs.String())
	}
	v.setDown(false)
	if err := s.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Value(keyvault.StripeWebhookSecret), "whsec_2"; got != want {
		t.Errorf("once the vault is back: got %q, want %q", got, want)
	}
}
