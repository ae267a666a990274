package main

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"shopfn/handler/keyvault"
)

// secretRefresh is how often secrets are read again from Key Vault.
const secretRefresh = 5 * time.Minute

// openSecrets reads the admin key (outside the Functions host), the cursor
// key (when SHOPFN_CURSOR_KEY is not set and instances may share no data
// directory) and, with Stripe payments, Stripe's secrets from the vault at
// cfg.KeyVaultURL with
// the Entra ID identity azidentity finds (managed identity on Azure,
// AZURE_CLIENT_ID for a user-assigned one, developer credentials on a
// laptop). It returns nil when no vault is configured.
func openSecrets(ctx context.Context, cfg Config, logger *slog.Logger) (*keyvault.Secrets, error) {
	if cfg.KeyVaultURL == "" {
		return nil, nil
	}
	var names []string
	if !cfg.UnderHost {
		names = append(names, keyvault.AdminKey)
	}
	if cfg.CursorKey == "" && cfg.sharedCursorKey() {
		names = append(names, keyvault.CursorKey)
	}
	if cfg.Payments == "stripe" {
		names = append(names, keyvault.StripeSecretKey, keyvault.StripeWebhookSecret)
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("SHOPFN_KEYVAULT_URL: no Azure identity: %w", err)
	}
	client, err := keyvault.NewClient(cfg.KeyVaultURL, cred, nil)
	if err != nil {
		return nil, fmt.Errorf("SHOPFN_KEYVAULT_URL: %w", err)
	}
	s := keyvault.New(client, names, logger)
	if err := s.Load(ctx); err != nil {
		return nil, fmt.Errorf("SHOPFN_KEYVAULT_URL %s: %w", cfg.KeyVaultURL, err)
	}
	for _, name := range []string{keyvault.AdminKey, keyvault.CursorKey} {
		if !slices.Contains(names, name) {
			continue
		}
		if err := checkKey(s.Value(name)); err != nil {
			return nil, fmt.Errorf("SHOPFN_KEYVAULT_URL: secret %q %w", name, err)
		}
	}
	return s, nil
}
