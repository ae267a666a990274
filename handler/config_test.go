package main

import (
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlserver"
)

func TestLoadConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}

	t.Run("Defaults", func(t *testing.T) {
		cfg, err := LoadConfig(env())
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Addr != "localhost:7071" || cfg.DataDir != ".shopfn" || cfg.CartTTL != 72*time.Hour || !cfg.Seed || cfg.UnderHost {
			t.Errorf("got %+v, want localhost:7071, .shopfn, 72h, seed on, standalone", cfg)
		}
		if !cfg.AdminKeyGenerated || len(cfg.AdminKey) < 32 {
			t.Errorf("got admin key %q (generated %v), want a generated key of at least 32 characters", cfg.AdminKey, cfg.AdminKeyGenerated)
		}
		other, _ := LoadConfig(env())
		if other.AdminKey == cfg.AdminKey {
			t.Errorf("two starts generated the same admin key %q", cfg.AdminKey)
		}
	})

	t.Run("Events", func(t *testing.T) {
		for _, tt := range []struct {
			env       []string
			retention time.Duration
			private   bool
			bad       string
		}{
			{nil, 14 * 24 * time.Hour, false, ""},
			{[]string{"SHOPFN_EVENT_RETENTION", "30d"}, 30 * 24 * time.Hour, false, ""},
			{[]string{"SHOPFN_EVENT_RETENTION", "36h"}, 36 * time.Hour, false, ""},
			{[]string{"SHOPFN_EVENT_RETENTION", "10m"}, 0, false, "SHOPFN_EVENT_RETENTION"},
			{[]string{"SHOPFN_EVENT_RETENTION", "two weeks"}, 0, false, "SHOPFN_EVENT_RETENTION"},
			{[]string{"SHOPFN_WEBHOOKS_ALLOW_PRIVATE", "true"}, 14 * 24 * time.Hour, true, ""},
			{[]string{"SHOPFN_WEBHOOKS_ALLOW_PRIVATE", "yes"}, 0, false, "SHOPFN_WEBHOOKS_ALLOW_PRIVATE"},
			{[]string{"SHOPFN_EVENTS_TOPIC", "events"}, 0, false, "SHOPFN_EVENTS_TOPIC: needs SHOPFN_QUEUE=servicebus"},
			{[]string{"SHOPFN_EVENTS_TOPIC", "ev ents", "SHOPFN_QUEUE", "servicebus", "ServiceBusConnection__fullyQualifiedNamespace", "shop.servicebus.windows.net"}, 0, false, "is not a topic name"},
			{[]string{"SHOPFN_WEBHOOKS_ALLOW_PRIVATE", "true", "WEBSITE_SITE_NAME", "shop"}, 0, false, "SHOPFN_WEBHOOKS_ALLOW_PRIVATE: is refused on Azure"},
		} {
			cfg, err := LoadConfig(env(tt.env...))
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad) {
					t.Errorf("LoadConfig(%q): got %v, want an error with %q", tt.env, err, tt.bad)
				}
				continue
			}
			if err != nil || cfg.EventRetention != tt.retention || cfg.WebhooksAllowPrivate != tt.private {
				t.Errorf("LoadConfig(%q): got %v, %v, %v; want %v, %v", tt.env, cfg.EventRetention, cfg.WebhooksAllowPrivate, err, tt.retention, tt.private)
			}
		}
	})

	t.Run("EventsTopic", func(t *testing.T) {
		cfg, err := LoadConfig(env("SHOPFN_EVENTS_TOPIC", "events", "SHOPFN_QUEUE", "servicebus", "ServiceBusConnection__fullyQualifiedNamespace", "shop.servicebus.windows.net"))
		if err != nil || cfg.EventsTopic != "events" {
			t.Errorf("got %q, %v; want the topic events", cfg.EventsTopic, err)
		}
	})

	t.Run("KeyVault", func(t *testing.T) {
		cfg, err := LoadConfig(env("SHOPFN_KEYVAULT_URL", "https://shop.vault.azure.net/", "SHOPFN_PAYMENTS", "stripe"))
		if err != nil {
			t.Fatalf("Stripe secrets from the vault: got %v, want no error", err)
		}
		if cfg.AdminKeyGenerated || cfg.KeyVaultURL != "https://shop.vault.azure.net/" {
			t.Errorf("got admin key generated %v, vault %q; want the key from the vault", cfg.AdminKeyGenerated, cfg.KeyVaultURL)
		}
		if _, err := LoadConfig(env("SHOPFN_KEYVAULT_URL", "shop.vault.azure.net")); err == nil || !strings.Contains(err.Error(), "SHOPFN_KEYVAULT_URL") {
			t.Errorf("a vault URL without https://: got %v, want an error naming SHOPFN_KEYVAULT_URL", err)
		}
	})

	t.Run("SQL", func(t *testing.T) {
		dsn := "sqlserver://shop.database.windows.net?database=shopfn&fedauth=ActiveDirectoryManagedIdentity"
		cfg, err := LoadConfig(env("SHOPFN_SQL", "sqlserver", "SQLSERVER_DSN", dsn))
		if err != nil || cfg.SQL != "sqlserver" || cfg.SQLServerDSN != dsn {
			t.Errorf("got %q %q, %v; want sqlserver with the DSN", cfg.SQL, cfg.SQLServerDSN, err)
		}
		if p := cfg.SQLServerPool; p.MaxConns != 10 || p.StartupTimeout != time.Minute {
			t.Errorf("default pool: got %+v, want 10 connections, a 1m start-up timeout", p)
		}
		for _, tt := range []struct {
			env  []string
			want sqlserver.Pool
		}{
			{[]string{"SQLSERVER_MAX_CONNS", "4", "SQLSERVER_STARTUP_TIMEOUT", "90s"}, sqlserver.Pool{MaxConns: 4, StartupTimeout: 90 * time.Second}},
			{[]string{"SQLSERVER_STARTUP_TIMEOUT", "120"}, sqlserver.Pool{MaxConns: 10, StartupTimeout: 2 * time.Minute}},
		} {
			cfg, err := LoadConfig(env(append([]string{"SHOPFN_SQL", "sqlserver", "SQLSERVER_DSN", dsn}, tt.env...)...))
			if got := cfg.SQLServerPool; err != nil || got.MaxConns != tt.want.MaxConns || got.StartupTimeout != tt.want.StartupTimeout {
				t.Errorf("LoadConfig(%q): got %+v, %v; want %+v", tt.env, cfg.SQLServerPool, err, tt.want)
			}
		}
		for _, tt := range []struct {
			env  []string
			want string
		}{
			{[]string{"SHOPFN_SQL", "sqlserver"}, "SQLSERVER_DSN: must be set"},
			{[]string{"SHOPFN_SQL", "sqlserver", "SQLSERVER_DSN", "server=x;password=p4ssw0rd-xyz"}, "SQLSERVER_DSN: not a go-mssqldb URL"},
			{[]string{"SQLSERVER_DSN", dsn}, "SQLSERVER_DSN: is set but SHOPFN_SQL is sqlite"},
			{[]string{"SHOPFN_SQL", "postgres"}, `SHOPFN_SQL: "postgres" is not`},
			{[]string{"WEBSITE_INSTANCE_ID", "abc"}, "SHOPFN_SQL: the embedded sqlite store is refused on Azure"},
			{[]string{"SQLSERVER_MAX_CONNS", "0"}, "SQLSERVER_MAX_CONNS"},
			{[]string{"SQLSERVER_STARTUP_TIMEOUT", "soon"}, "SQLSERVER_STARTUP_TIMEOUT"},
			{[]string{"SQLSERVER_STARTUP_TIMEOUT", "2h"}, "SQLSERVER_STARTUP_TIMEOUT"},
		} {
			_, err := LoadConfig(env(tt.env...))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig(%q): got %v, want an error containing %q", tt.env, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "p4ssw0rd") {
				t.Errorf("LoadConfig(%q): the error shows the DSN: %v", tt.env, err)
			}
		}
	})

	t.Run("UnderHost", func(t *testing.T) {
		cfg, err := LoadConfig(env("FUNCTIONS_CUSTOMHANDLER_PORT", "34567", "SHOPFN_ADDR", ":9999", "SHOPFN_ADMIN_KEY", "short"))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Addr != "127.0.0.1:34567" || !cfg.UnderHost || cfg.AdminKeyGenerated {
			t.Errorf("got addr %q, underHost %v, generated %v; want 127.0.0.1:34567, true, false", cfg.Addr, cfg.UnderHost, cfg.AdminKeyGenerated)
		}
	})

	t.Run("Settings", func(t *testing.T) {
		cfg, err := LoadConfig(env("SHOPFN_ADDR", "127.0.0.1:8080", "SHOPFN_DATA_DIR", "/var/shopfn", "SHOPFN_ADMIN_KEY", testAdminKey,
			"CART_TTL_HOURS", "1", "SHOPFN_SEED", "false", "SHOPFN_CURRENCY", "EUR"))
		if err != nil {
			t.Fatal(err)
		}
		want := Config{Addr: "127.0.0.1:8080", DataDir: "/var/shopfn", AdminKey: testAdminKey, CartTTL: time.Hour, Currency: "EUR", CatalogCacheTTL: time.Second,
			Payments: "test", ReservationTTL: 15 * time.Minute, MaxActionCheckouts: 3, MaxHeldUnits: 10, MaxHeldUnitsTotal: 30, Allocation: commerce.AllocateFewestShipments, ActionHold: 10 * time.Minute, IPv6Prefix: 64, MaxDeliveries: 10, RetryBackoff: time.Second, Workers: 32, SQL: "sqlite", CORSOrigins: []string{"*"},
			CatalogCacheBytes: 32 << 20, RateLimit: 5, RateBurst: 20, Role: RoleAll, Queue: "embedded",
			LogLevel: "info", Documents: "sqlite", SQLServerPool: sqlserver.Pool{MaxConns: 10, StartupTimeout: time.Minute}, Identity: IdentityConfig{Dev: true}, RequestTimeout: 30 * time.Second,
			EventRetention: 14 * 24 * time.Hour}
		want.Storefront = true // the demo storefront is on off Azure

		cfg.Getenv = nil // a function: not comparable
		if diff := cmp.Diff(want, cfg); diff != "" {
			t.Errorf("config (-want +got):\n%s", diff)
		}
	})

	t.Run("Identity", func(t *testing.T) {
		const issuer = "https://11111111-2222-3333-4444-555555555555.ciamlogin.com/11111111-2222-3333-4444-555555555555/v2.0"
		azure := []string{"WEBSITE_INSTANCE_ID", "1", "SHOPFN_PAYMENTS", "test", "SHOPFN_CURSOR_KEY", testCursorKey, "SHOPFN_DOCUMENTS", "cosmos",
			"COSMOS_ENDPOINT", "https://a.documents.azure.com:443/", "SHOPFN_SQL", "sqlserver",
			"SQLSERVER_DSN", "sqlserver://a.database.windows.net?database=shopfn&fedauth=ActiveDirectoryManagedIdentity",
			"SHOPFN_QUEUE", "servicebus", "ServiceBusConnection__fullyQualifiedNamespace", "a.servicebus.windows.net"}
		aks := []string{"SHOPFN_ROLE", "api", "SHOPFN_QUEUE", "servicebus", "ServiceBusConnection__fullyQualifiedNamespace", "a.servicebus.windows.net"}
		for _, tt := range []struct {
			name string
			env  []string
			want IdentityConfig
		}{
			{"Laptop", nil, IdentityConfig{Dev: true}},
			{"Issuer", []string{"SHOPFN_OIDC_ISSUER", issuer, "SHOPFN_OIDC_AUDIENCE", "api://shop"}, IdentityConfig{Issuer: issuer, Audience: "api://shop"}},
			{"LocalIssuer", []string{"SHOPFN_OIDC_ISSUER", "http://127.0.0.1:5556/dex", "SHOPFN_OIDC_AUDIENCE", "shop"}, IdentityConfig{Issuer: "http://127.0.0.1:5556/dex", Audience: "shop"}},
			{"AzureWithoutIssuer", azure, IdentityConfig{}},
			{"AKSWithoutIssuer", aks, IdentityConfig{}},
		} {
			cfg, err := LoadConfig(env(tt.env...))
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
				continue
			}
			if cfg.Identity != tt.want {
				t.Errorf("%s: got %+v, want %+v", tt.name, cfg.Identity, tt.want)
			}
		}
		for _, tt := range []struct {
			env  []string
			want string
		}{
			{[]string{"SHOPFN_OIDC_ISSUER", issuer}, "SHOPFN_OIDC_AUDIENCE: must be set"},
			{[]string{"SHOPFN_OIDC_AUDIENCE", "api://shop"}, "SHOPFN_OIDC_AUDIENCE: is set but SHOPFN_OIDC_ISSUER is not"},
			{[]string{"SHOPFN_OIDC_ISSUER", "http://login.example.com", "SHOPFN_OIDC_AUDIENCE", "a"}, "SHOPFN_OIDC_ISSUER:"},
			{[]string{"SHOPFN_OIDC_ISSUER", "login.example.com", "SHOPFN_OIDC_AUDIENCE", "a"}, "SHOPFN_OIDC_ISSUER:"},
		} {
			if _, err := LoadConfig(env(tt.env...)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig(%q): got %v, want an error containing %q", tt.env, err, tt.want)
			}
		}
	})

	t.Run("Role", func(t *testing.T) {
		sb := []string{"SHOPFN_QUEUE", "servicebus", "ServiceBusConnection__fullyQualifiedNamespace", "shop.servicebus.windows.net"}
		for _, role := range []Role{RoleAPI, RoleWorker} {
			cfg, err := LoadConfig(env(append([]string{"SHOPFN_ROLE", string(role)}, sb...)...))
			if err != nil || cfg.Role != role {
				t.Errorf("SHOPFN_ROLE=%s with Service Bus: got %q, %v; want %s, no error", role, cfg.Role, err, role)
			}
		}
		dsn := "sqlserver://shop.database.windows.net?database=shopfn&fedauth=ActiveDirectoryManagedIdentity"
		for _, tt := range []struct {
			env  []string
			want string
		}{
			{[]string{"SHOPFN_ROLE", "both"}, `SHOPFN_ROLE: "both" is not all, api or worker`},
			{[]string{"SHOPFN_ROLE", "worker"}, "SHOPFN_ROLE: worker needs SHOPFN_QUEUE=servicebus"},
			{[]string{"SHOPFN_ROLE", "api", "SHOPFN_QUEUE", "embedded"}, "SHOPFN_ROLE: api needs SHOPFN_QUEUE=servicebus"},
			{append([]string{"SHOPFN_ROLE", "api", "FUNCTIONS_CUSTOMHANDLER_PORT", "7072"}, sb...), "SHOPFN_ROLE: is api, but the Functions host decides"},
			{append([]string{"SHOPFN_ROLE", "worker", "SHOPFN_SQL", "sqlserver", "SQLSERVER_DSN", dsn}, sb...), "SHOPFN_PAYMENTS: test keeps its payments in the SQLite file"},
		} {
			_, err := LoadConfig(env(tt.env...))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("LoadConfig(%q): got %v, want an error containing %q", tt.env, err, tt.want)
			}
		}
		cfg, err := LoadConfig(env(append([]string{"SHOPFN_ROLE", "worker", "SHOPFN_SQL", "sqlserver", "SQLSERVER_DSN", dsn,
			"SHOPFN_PAYMENTS", "stripe", "STRIPE_SECRET_KEY", "sk_test_1", "STRIPE_WEBHOOK_SECRET", "whsec_1"}, sb...)...))
		if err != nil {
			t.Fatalf("a worker on SQL Server, Service Bus and Stripe: %v", err)
		}
		if p := cfg.parts(); p.API || !p.Dispatch || !p.RelaySweep || !p.Sweep || p.OwnsData {
			t.Errorf("worker parts = %+v, want dispatcher, relay sweep and sweepers, no API, shared data", p)
		}
	})

	t.Run("Parts", func(t *testing.T) {
		tests := []struct {
			name string
			cfg  Config
			want parts
		}{
			{"Laptop", Config{Seed: true}, parts{API: true, Seed: true, Dispatch: true, RelaySweep: true, Events: true, Sweep: true, OwnsData: true}},
			{"HostEmbedded", Config{UnderHost: true, Queue: "embedded"}, parts{API: true, Dispatch: true, RelaySweep: true, Events: true, Sweep: true, OwnsData: true}},
			// The host triggers the queue functions, but nothing of it reads the
			// event log: its consumers (emails, webhooks) run in the process.
			{"HostServiceBus", Config{UnderHost: true, Queue: "servicebus"}, parts{API: true, Events: true, Sweep: true, OwnsData: true}},
			{"API", Config{Role: RoleAPI, Seed: true, Queue: "servicebus"}, parts{API: true, Seed: true}},
			{"Worker", Config{Role: RoleWorker, Seed: true, Queue: "servicebus"}, parts{Dispatch: true, RelaySweep: true, Events: true, Sweep: true}},
		}
		for _, tt := range tests {
			if got := tt.cfg.parts(); got != tt.want {
				t.Errorf("%s: parts() = %+v, want %+v", tt.name, got, tt.want)
			}
		}
	})

	t.Run("CORS", func(t *testing.T) {
		tests := []struct {
			name string
			env  []string
			want []string
		}{
			{"StandaloneDefault", nil, []string{"*"}},
			{"UnderHostDefault", []string{"FUNCTIONS_CUSTOMHANDLER_PORT", "7072"}, nil},
			{"List", []string{"SHOPFN_CORS_ORIGINS", "https://shop.example/, http://localhost:3000"}, []string{"https://shop.example", "http://localhost:3000"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cfg, err := LoadConfig(env(tt.env...))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, cfg.CORSOrigins); diff != "" {
					t.Errorf("CORSOrigins (-want +got):\n%s", diff)
				}
			})
		}
		if _, err := LoadConfig(env("SHOPFN_CORS_ORIGINS", "shop.example")); err == nil || !strings.Contains(err.Error(), "SHOPFN_CORS_ORIGINS") {
			t.Errorf("an origin without a scheme: got %v, want an error naming SHOPFN_CORS_ORIGINS", err)
		}
	})

	t.Run("ServiceBus", func(t *testing.T) {
		const conn = "Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
		tests := []struct {
			name    string
			env     []string
			wantErr string // a setting the error names; "" for none
		}{
			{"Namespace", []string{"SHOPFN_QUEUE", "servicebus", "ServiceBusConnection__fullyQualifiedNamespace", "shop.servicebus.windows.net"}, ""},
			{"ConnectionString", []string{"SHOPFN_QUEUE", "servicebus", "ServiceBusConnection", conn}, ""},
			{"EmbeddedIgnoresServiceBus", []string{"ServiceBusConnection", conn}, ""},
			{"Neither", []string{"SHOPFN_QUEUE", "servicebus"}, "SHOPFN_QUEUE"},
			{"Both", []string{"SHOPFN_QUEUE", "servicebus", "ServiceBusConnection", conn, "ServiceBusConnection__fullyQualifiedNamespace", "shop.servicebus.windows.net"}, "ServiceBusConnection"},
			{"NamespaceIsAConnectionString", []string{"SHOPFN_QUEUE", "servicebus", "ServiceBusConnection__fullyQualifiedNamespace", conn}, "ServiceBusConnection__fullyQualifiedNamespace"},
			{"ConnectionStringWithoutEndpoint", []string{"SHOPFN_QUEUE", "servicebus", "ServiceBusConnection", "shop.servicebus.windows.net"}, "ServiceBusConnection"},
			{"UnknownQueue", []string{"SHOPFN_QUEUE", "rabbitmq"}, "SHOPFN_QUEUE"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := LoadConfig(env(tt.env...))
				if tt.wantErr == "" && err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr+":")) {
					t.Fatalf("got %v, want an error naming %s", err, tt.wantErr)
				}
			})
		}
	})

	t.Run("RateLimit", func(t *testing.T) {
		tests := []struct {
			name    string
			env     []string
			rate    float64
			burst   int
			proxies []netip.Prefix
		}{
			{"StandaloneDefault", nil, 5, 20, nil},
			{"UnderHostDefault", []string{"FUNCTIONS_CUSTOMHANDLER_PORT", "7072"}, 0, 20, nil},
			{"Off", []string{"SHOPFN_RATE_LIMIT", "0"}, 0, 20, nil},
			{"Set", []string{"SHOPFN_RATE_LIMIT", "0.5", "SHOPFN_RATE_BURST", "3", "SHOPFN_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7,::1"},
				0.5, 3, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("::1/128")}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cfg, err := LoadConfig(env(tt.env...))
				if err != nil {
					t.Fatal(err)
				}
				if cfg.RateLimit != tt.rate || cfg.RateBurst != tt.burst || !slices.Equal(cfg.TrustedProxies, tt.proxies) {
					t.Errorf("got rate %g burst %d proxies %v, want %g %d %v", cfg.RateLimit, cfg.RateBurst, cfg.TrustedProxies, tt.rate, tt.burst, tt.proxies)
				}
			})
		}
		_, err := LoadConfig(env("SHOPFN_RATE_LIMIT", "-1", "SHOPFN_RATE_BURST", "0", "SHOPFN_TRUSTED_PROXIES", "proxy.example"))
		for _, name := range []string{"SHOPFN_RATE_LIMIT", "SHOPFN_RATE_BURST", "SHOPFN_TRUSTED_PROXIES"} {
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("error %v does not name %s", err, name)
			}
		}
	})

	t.Run("Storefront", func(t *testing.T) {
		azure := []string{"WEBSITE_SITE_NAME", "shopfn-prod", "SHOPFN_PAYMENTS", "test", "SHOPFN_CURSOR_KEY", testCursorKey,
			"SHOPFN_DOCUMENTS", "cosmos", "COSMOS_ENDPOINT", "https://a.documents.azure.com:443/",
			"SHOPFN_SQL", "sqlserver", "SQLSERVER_DSN", "sqlserver://db.example?database=shopfn", "SHOPFN_QUEUE", "servicebus",
			"ServiceBusConnection__fullyQualifiedNamespace", "shop.servicebus.windows.net"}
		tests := []struct {
			name string
			env  []string
			want bool
		}{
			{"StandaloneDefault", nil, true},
			{"Off", []string{"SHOPFN_STOREFRONT", "off"}, false},
			{"AzureDefault", azure, false},
			{"OnInAzure", append([]string{"SHOPFN_STOREFRONT", "on"}, azure...), true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				cfg, err := LoadConfig(env(tt.env...))
				if err != nil {
					t.Fatal(err)
				}
				if cfg.Storefront != tt.want {
					t.Errorf("Storefront: got %v, want %v", cfg.Storefront, tt.want)
				}
			})
		}
		if _, err := LoadConfig(env("SHOPFN_STOREFRONT", "yes")); err == nil || !strings.Contains(err.Error(), "SHOPFN_STOREFRONT") {
			t.Errorf("SHOPFN_STOREFRONT=yes: error %v does not name it", err)
		}
	})

	t.Run("RequestTimeout", func(t *testing.T) {
		cfg, err := LoadConfig(env("SHOPFN_REQUEST_TIMEOUT_SECONDS", "5"))
		if err != nil || cfg.RequestTimeout != 5*time.Second {
			t.Errorf("SHOPFN_REQUEST_TIMEOUT_SECONDS=5: got %v, %v; want 5s", cfg.RequestTimeout, err)
		}
		for _, bad := range []string{"0", "601", "1.5", "5s"} {
			_, err := LoadConfig(env("SHOPFN_REQUEST_TIMEOUT_SECONDS", bad))
			if err == nil || !strings.Contains(err.Error(), "SHOPFN_REQUEST_TIMEOUT_SECONDS") {
				t.Errorf("SHOPFN_REQUEST_TIMEOUT_SECONDS=%s: error %v does not name it", bad, err)
			}
		}
	})

	t.Run("Azure", func(t *testing.T) {
		for _, marker := range []string{"WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME"} {
			_, err := LoadConfig(env(marker, "shopfn-prod", "FUNCTIONS_CUSTOMHANDLER_PORT", "7072"))
			for _, name := range []string{"SHOPFN_PAYMENTS", "SHOPFN_DOCUMENTS", "SHOPFN_SQL", "SHOPFN_QUEUE", "SHOPFN_CURSOR_KEY"} {
				if err == nil || !strings.Contains(err.Error(), name) {
					t.Errorf("%s set: error %v does not name %s", marker, err, name)
				}
			}
		}
		cfg, err := LoadConfig(env("WEBSITE_SITE_NAME", "shopfn-prod", "SHOPFN_PAYMENTS", "test", "SHOPFN_CURSOR_KEY", testCursorKey,
			"SHOPFN_DOCUMENTS", "cosmos", "COSMOS_ENDPOINT", "https://acct.documents.azure.com:443/", "SHOPFN_SQL", "sqlserver", "SHOPFN_QUEUE", "servicebus",
			"ServiceBusConnection__fullyQualifiedNamespace", "shop.servicebus.windows.net",
			"SQLSERVER_DSN", "sqlserver://shop.database.windows.net?database=shopfn&fedauth=ActiveDirectoryManagedIdentity"))
		if err != nil || !cfg.OnAzure {
			t.Errorf("every setting explicit on Azure: got %v (on Azure %v), want no error", err, cfg.OnAzure)
		}
		if want := filepath.Join(os.TempDir(), "shopfn"); cfg.DataDir != want {
			t.Errorf("data dir on Azure = %q, want %q (the app folder is read-only there)", cfg.DataDir, want)
		}
		if cfg, err := LoadConfig(env("FUNCTIONS_CUSTOMHANDLER_PORT", "7072")); err != nil || cfg.OnAzure || cfg.Payments != "test" {
			t.Errorf("func start on a laptop: got %v, on Azure %v, payments %q; want test payments and no error", err, cfg.OnAzure, cfg.Payments)
		}
	})

	t.Run("Stripe", func(t *testing.T) {
		cfg, err := LoadConfig(env("SHOPFN_PAYMENTS", "stripe", "STRIPE_SECRET_KEY", "sk_test_123", "STRIPE_WEBHOOK_SECRET", "whsec_abc",
			"STRIPE_API_BASE", "http://127.0.0.1:12111", "SHOPFN_SHIPPING_AMOUNT", "499", "SHOPFN_TAX_AMOUNT", "120", "RESERVATION_TTL_MINUTES", "5",
			"SHOPFN_SHIPPING_AMOUNTS", "EUR:450, JPY:600", "SHOPFN_TAX_INCLUSIVE_CURRENCIES", "EUR, GBP"))
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]bool{"EUR": true, "GBP": true}; !maps.Equal(cfg.TaxInclusive, want) {
			t.Errorf("tax-inclusive currencies: got %v, want %v", cfg.TaxInclusive, want)
		}
		if want := map[string]int64{"EUR": 450, "JPY": 600}; !maps.Equal(cfg.ShippingBy, want) || cfg.TaxBy != nil {
			t.Errorf("per currency: got shipping %v tax %v, want shipping %v and no tax", cfg.ShippingBy, cfg.TaxBy, want)
		}
		if cfg.Payments != "stripe" || cfg.StripeAPIBase != "http://127.0.0.1:12111" || cfg.Shipping != 499 || cfg.Tax != 120 || cfg.ReservationTTL != 5*time.Minute {
			t.Errorf("got %+v, want stripe at 127.0.0.1:12111, shipping 499, tax 120, reservations 5m", cfg)
		}
	})

	t.Run("Storefront", func(t *testing.T) {
		cfg, err := LoadConfig(env("STRIPE_PUBLISHABLE_KEY", "pk_test_123", "STRIPE_RETURN_URL", "https://shop.example/return",
			"SHOPFN_PUBLIC_URL", "https://api.shop.example/"))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.StripePublishableKey != "pk_test_123" || cfg.StripeReturnURL != "https://shop.example/return" || cfg.PublicURL != "https://api.shop.example" {
			t.Errorf("got %q %q %q, want the key, the return URL and the public URL without its trailing slash", cfg.StripePublishableKey, cfg.StripeReturnURL, cfg.PublicURL)
		}
		_, err = LoadConfig(env("STRIPE_PUBLISHABLE_KEY", "sk_test_123", "STRIPE_RETURN_URL", "/return", "SHOPFN_PUBLIC_URL", "api.shop.example"))
		for _, name := range []string{"STRIPE_PUBLISHABLE_KEY", "STRIPE_RETURN_URL", "SHOPFN_PUBLIC_URL"} {
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("bad storefront settings: error %v does not name %s", err, name)
			}
		}
		if err != nil && strings.Contains(err.Error(), "sk_test_123") {
			t.Errorf("error %v shows the secret key put in the wrong setting", err)
		}
	})

	t.Run("Documents", func(t *testing.T) {
		cfg, err := LoadConfig(env("SHOPFN_DOCUMENTS", "cosmos", "COSMOS_ENDPOINT", "http://127.0.0.1:8081", "COSMOS_KEY", "a2V5"))
		if err != nil {
			t.Fatal(err)
		}
		want := CosmosConfig{Endpoint: "http://127.0.0.1:8081", Database: "shopfn", Key: "a2V5"}
		if cfg.Documents != "cosmos" || !reflect.DeepEqual(cfg.Cosmos, want) {
			t.Errorf("got %q %+v, want cosmos %+v", cfg.Documents, cfg.Cosmos, want)
		}
		cfg, err = LoadConfig(env("SHOPFN_DOCUMENTS", "cosmos", "COSMOS_ENDPOINT", "https://acct.documents.azure.com:443/",
			"COSMOS_PREFERRED_REGIONS", "westeurope, North Europe"))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.Cosmos.PreferredRegions, []string{"westeurope", "North Europe"}; !reflect.DeepEqual(got, want) {
			t.Errorf("COSMOS_PREFERRED_REGIONS: got %q, want %q", got, want)
		}
		if _, err := LoadConfig(env("SHOPFN_DOCUMENTS", "cosmos", "COSMOS_ENDPOINT", "https://acct.documents.azure.com:443/", "COSMOS_DATABASE", "shop-2")); err != nil {
			t.Errorf("Entra ID, no key: got %v, want no error", err)
		}
		tests := []struct {
			name string
			env  []string
			want []string // settings the error names
		}{
			{"UnknownStore", []string{"SHOPFN_DOCUMENTS", "mongo"}, []string{"SHOPFN_DOCUMENTS"}},
			{"NoEndpoint", []string{"SHOPFN_DOCUMENTS", "cosmos"}, []string{"COSMOS_ENDPOINT"}},
			{"CosmosSettingsWithSQLite", []string{"COSMOS_ENDPOINT", "https://acct.documents.azure.com/", "COSMOS_KEY", "a2V5"}, []string{"COSMOS_ENDPOINT", "COSMOS_KEY"}},
			{"PlainHTTPElsewhere", []string{"SHOPFN_DOCUMENTS", "cosmos", "COSMOS_ENDPOINT", "http://acct.documents.azure.com/"}, []string{"COSMOS_ENDPOINT"}},
			{"BadKeyAndDatabase", []string{"SHOPFN_DOCUMENTS", "cosmos", "COSMOS_ENDPOINT", "https://a.example/", "COSMOS_KEY", "not base64!", "COSMOS_DATABASE", "Shop DB"}, []string{"COSMOS_KEY", "COSMOS_DATABASE"}},
			{"BadRegions", []string{"SHOPFN_DOCUMENTS", "cosmos", "COSMOS_ENDPOINT", "https://a.example/", "COSMOS_PREFERRED_REGIONS", "westeurope,,north;europe"}, []string{"COSMOS_PREFERRED_REGIONS"}},
			{"RegionsWithSQLite", []string{"COSMOS_PREFERRED_REGIONS", "westeurope"}, []string{"COSMOS_PREFERRED_REGIONS"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := LoadConfig(env(tt.env...))
				for _, name := range tt.want {
					if err == nil || !strings.Contains(err.Error(), name) {
						t.Errorf("got %v, want an error naming %s", err, name)
					}
				}
			})
		}
	})

	t.Run("KeyStrength", func(t *testing.T) {
		weak := "dev-admin-key-0123456789"
		for _, tt := range []struct {
			name string
			env  []string
			bad  string // the setting the error names, "" for none
		}{
			{"WeakAdminKey", []string{"SHOPFN_ADMIN_KEY", weak}, "SHOPFN_ADMIN_KEY"},
			{"WeakCursorKey", []string{"SHOPFN_CURSOR_KEY", weak}, "SHOPFN_CURSOR_KEY"},
			{"StrongKeys", []string{"SHOPFN_ADMIN_KEY", testAdminKey, "SHOPFN_CURSOR_KEY", testCursorKey}, ""},
			{"UnderHostAdminKeyUnused", []string{"FUNCTIONS_CUSTOMHANDLER_PORT", "7072", "SHOPFN_ADMIN_KEY", weak}, ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := LoadConfig(env(tt.env...))
				switch {
				case tt.bad == "" && err != nil:
					t.Errorf("got %v, want no error", err)
				case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad) || !strings.Contains(err.Error(), "openssl rand -base64 32")):
					t.Errorf("got %v, want an error naming %s and how to make a key", err, tt.bad)
				case err != nil && strings.Contains(err.Error(), weak):
					t.Errorf("the error %q shows the key", err)
				}
			})
		}
	})

	// Instances that share no data directory need SHOPFN_CURSOR_KEY (or the
	// vault's); the admin key never stands in for it.
	t.Run("SharedCursorKey", func(t *testing.T) {
		remote := []string{"SHOPFN_DOCUMENTS", "cosmos", "COSMOS_ENDPOINT", "https://acct.documents.azure.com:443/",
			"SHOPFN_SQL", "sqlserver", "SQLSERVER_DSN", "sqlserver://shop.database.windows.net?database=shopfn&fedauth=ActiveDirectoryManagedIdentity",
			"SHOPFN_QUEUE", "servicebus", "ServiceBusConnection__fullyQualifiedNamespace", "shop.servicebus.windows.net",
			"SHOPFN_PAYMENTS", "stripe", "STRIPE_SECRET_KEY", "sk_test_x", "STRIPE_WEBHOOK_SECRET", "whsec_x"}
		azure := []string{"WEBSITE_SITE_NAME", "shopfn-prod"}
		for _, tt := range []struct {
			name string
			env  []string
			want bool // an error naming SHOPFN_CURSOR_KEY
		}{
			{"Embedded", nil, false},
			{"RemoteStores", remote, true},
			{"RemoteStoresAPI", append([]string{"SHOPFN_ROLE", "api"}, remote...), true},
			{"RemoteStoresWorker", append([]string{"SHOPFN_ROLE", "worker"}, remote...), true},
			{"RemoteStoresAdminKey", append([]string{"SHOPFN_ADMIN_KEY", testAdminKey}, remote...), true},
			{"RemoteStoresKey", append([]string{"SHOPFN_CURSOR_KEY", testCursorKey}, remote...), false},
			{"RemoteStoresVault", append([]string{"SHOPFN_KEYVAULT_URL", "https://shop.vault.azure.net/"}, remote...), false},
			{"AzureAdminKey", append(append([]string{"SHOPFN_ADMIN_KEY", testAdminKey}, azure...), remote...), true},
			{"AzureKey", append(append([]string{"SHOPFN_CURSOR_KEY", testCursorKey}, azure...), remote...), false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, err := LoadConfig(env(tt.env...))
				if got := err != nil && strings.Contains(err.Error(), "SHOPFN_CURSOR_KEY"); got != tt.want {
					t.Errorf("got %v, want an error naming SHOPFN_CURSOR_KEY %v", err, tt.want)
				}
				if err != nil && tt.want && !strings.Contains(err.Error(), "openssl rand -base64 32") {
					t.Errorf("got %v, want it to say how to make a key", err)
				}
			})
		}
	})

	t.Run("HeldBounds", func(t *testing.T) {
		cfg, err := LoadConfig(env())
		if err != nil {
			t.Fatal(err)
		}
		if cfg.MaxHeldUnits != 10 || cfg.MaxHeldUnitsTotal != 30 || cfg.ActionHold != 10*time.Minute || cfg.IPv6Prefix != 64 {
			t.Errorf("defaults: got units %d, total %d, hold %v, prefix %d; want 10, 30, 10m, 64", cfg.MaxHeldUnits, cfg.MaxHeldUnitsTotal, cfg.ActionHold, cfg.IPv6Prefix)
		}
		cfg, err = LoadConfig(env("SHOPFN_MAX_HELD_UNITS", "0", "SHOPFN_MAX_HELD_UNITS_TOTAL", "5", "SHOPFN_ACTION_HOLD_MINUTES", "3", "SHOPFN_IPV6_PREFIX", "48"))
		if err != nil || cfg.MaxHeldUnits != 0 || cfg.MaxHeldUnitsTotal != 5 || cfg.ActionHold != 3*time.Minute || cfg.IPv6Prefix != 48 {
			t.Errorf("set: got %+v %v", cfg, err)
		}
		_, err = LoadConfig(env("SHOPFN_MAX_HELD_UNITS", "-1", "SHOPFN_MAX_HELD_UNITS_TOTAL", "x", "SHOPFN_ACTION_HOLD_MINUTES", "0", "SHOPFN_IPV6_PREFIX", "60"))
		for _, name := range []string{"SHOPFN_MAX_HELD_UNITS:", "SHOPFN_MAX_HELD_UNITS_TOTAL", "SHOPFN_ACTION_HOLD_MINUTES", "SHOPFN_IPV6_PREFIX"} {
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("bad held bounds: error %v does not name %s", err, name)
			}
		}
	})

	t.Run("Allocation", func(t *testing.T) {
		for _, tt := range []struct {
			value   string
			want    commerce.AllocationStrategy
			wantErr bool
		}{
			{"", commerce.AllocateFewestShipments, false},
			{"fewest_shipments", commerce.AllocateFewestShipments, false},
			{"priority", commerce.AllocatePriority, false},
			{"most_stock", commerce.AllocateMostStock, false},
			{"nearest", "", true},
		} {
			cfg, err := LoadConfig(env("SHOPFN_ALLOCATION", tt.value))
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "SHOPFN_ALLOCATION") {
					t.Errorf("SHOPFN_ALLOCATION=%q: got error %v, want one naming the setting", tt.value, err)
				}
				continue
			}
			if err != nil || cfg.Allocation != tt.want {
				t.Errorf("SHOPFN_ALLOCATION=%q: got %q, %v, want %q", tt.value, cfg.Allocation, err, tt.want)
			}
		}
	})

	t.Run("EveryBadSettingNamed", func(t *testing.T) {
		_, err := LoadConfig(env("CART_TTL_HOURS", "0", "SHOPFN_SEED", "maybe", "SHOPFN_CURRENCY", "usd",
			"SHOPFN_ADMIN_KEY", "short", "SHOPFN_CATALOG_CACHE_SECONDS", "-1", "SHOPFN_MAX_ACTION_CHECKOUTS", "-1"))
		if err == nil {
			t.Fatal("got no error, want one naming every bad setting")
		}
		for _, name := range []string{"CART_TTL_HOURS", "SHOPFN_SEED", "SHOPFN_CURRENCY", "SHOPFN_ADMIN_KEY", "SHOPFN_CATALOG_CACHE_SECONDS", "SHOPFN_MAX_ACTION_CHECKOUTS"} {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %q does not name %s", err, name)
			}
		}
		_, err = LoadConfig(env("SHOPFN_PAYMENTS", "stripe", "STRIPE_API_BASE", "ftp://x", "RESERVATION_TTL_MINUTES", "0", "SHOPFN_TAX_AMOUNT", "-5",
			"SHOPFN_SHIPPING_AMOUNTS", "EUR=450", "SHOPFN_TAX_AMOUNTS", "eur:1", "SHOPFN_TAX_INCLUSIVE_CURRENCIES", "EUR,eu"))
		for _, name := range []string{"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "RESERVATION_TTL_MINUTES", "SHOPFN_TAX_AMOUNT",
			"SHOPFN_SHIPPING_AMOUNTS", "SHOPFN_TAX_AMOUNTS", "SHOPFN_TAX_INCLUSIVE_CURRENCIES"} {
			if err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("stripe settings: error %v does not name %s", err, name)
			}
		}
		_, err = LoadConfig(env("FUNCTIONS_CUSTOMHANDLER_PORT", "http"))
		if err == nil || !strings.Contains(err.Error(), "FUNCTIONS_CUSTOMHANDLER_PORT") {
			t.Errorf("bad port: got %v, want an error naming FUNCTIONS_CUSTOMHANDLER_PORT", err)
		}
	})
}
