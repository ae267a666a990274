package main

import (
	"strings"
	"testing"
)

// TestLoadConfigShopifyAndEmail reads the Shopify webhook secret and the
// order email settings, and refuses what cannot work.
func TestLoadConfigShopifyAndEmail(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // a setting the error names; "" for none
		check   func(t *testing.T, cfg Config)
	}{
		{name: "none", check: func(t *testing.T, cfg Config) {
			if cfg.ShopifyWebhookSecret != "" || cfg.SMTPURL != "" {
				t.Errorf("got Shopify secret %q, SMTP %q; want both off by default", cfg.ShopifyWebhookSecret, cfg.SMTPURL)
			}
		}},
		{name: "shopify", env: map[string]string{"SHOPFN_SHOPIFY_WEBHOOK_SECRET": "shpss_1"}, check: func(t *testing.T, cfg Config) {
			if cfg.ShopifyWebhookSecret != "shpss_1" {
				t.Errorf("got Shopify secret %q, want shpss_1", cfg.ShopifyWebhookSecret)
			}
		}},
		{name: "unresolved vault reference", env: map[string]string{
			"SHOPFN_SHOPIFY_WEBHOOK_SECRET": "@Microsoft.KeyVault(VaultName=kv;SecretName=shopify-webhook-secret)"},
			wantErr: "SHOPFN_SHOPIFY_WEBHOOK_SECRET"},
		{name: "email", env: map[string]string{
			"SHOPFN_SMTP_URL": "smtp://u:p@smtp.azurecomm.net:587", "SHOPFN_EMAIL_FROM": "Shop <orders@shop.example>",
			"SHOPFN_EMAIL_TEMPLATES": "/etc/shopfn/email"}, check: func(t *testing.T, cfg Config) {
			if cfg.SMTPURL == "" || cfg.EmailFrom != "Shop <orders@shop.example>" || cfg.EmailTemplates != "/etc/shopfn/email" {
				t.Errorf("got SMTP %q, from %q, templates %q; want them as set", cfg.SMTPURL, cfg.EmailFrom, cfg.EmailTemplates)
			}
		}},
		{name: "email without from", env: map[string]string{"SHOPFN_SMTP_URL": "smtp://localhost:1025?starttls=none"}, wantErr: "SHOPFN_EMAIL_FROM"},
		{name: "bad smtp scheme", env: map[string]string{"SHOPFN_SMTP_URL": "http://u:secret@mail", "SHOPFN_EMAIL_FROM": "a@b.example"}, wantErr: "SHOPFN_SMTP_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := LoadConfig(func(k string) string { return tt.env[k] })
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				tt.check(t, cfg)
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an error naming %s", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret") && strings.Contains(tt.env["SHOPFN_SMTP_URL"], "secret") {
				t.Errorf("got %v: the error shows the SMTP password", err)
			}
		})
	}
}
