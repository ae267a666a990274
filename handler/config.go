package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"shopfn/handler/api"
	"shopfn/handler/commerce"
	"shopfn/handler/email"
	"shopfn/handler/sqlserver"
	"shopfn/handler/telemetry"
)

// defaultWorkers is SHOPFN_QUEUE_CONCURRENCY's default: enough for the
// orders function to place paid orders as fast as 32 concurrent buyers pay
// for them on the embedded store, whose one writer both share (at 8, placing
// fell behind paying by a third).
const defaultWorkers = 32

// Config is shopfn's configuration, read from environment variables (the
// Functions app-settings convention).
type Config struct {
	// Addr is the listen address. Under the Functions host it is
	// 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT.
	Addr string
	// UnderHost says the Functions host runs this process and checks
	// function keys itself.
	UnderHost bool
	// DataDir holds the embedded SQLite file.
	DataDir string
	// AdminKey authorizes admin requests in standalone mode.
	AdminKey string
	// AdminKeyGenerated says AdminKey was made up at start and must be shown.
	AdminKeyGenerated bool
	// CartTTL is how long a cart lives after its last change.
	CartTTL time.Duration
	// Seed loads the sample catalog into an empty store.
	Seed bool
	// Currency is the currency of a new, empty cart.
	Currency string
	// CatalogCacheTTL bounds how long catalog reads are served from memory.
	CatalogCacheTTL time.Duration
	// CatalogCacheBytes bounds the memory catalog responses take.
	CatalogCacheBytes int64

	// Payments names the payment provider: "test" or "stripe".
	Payments string
	// StripeSecretKey, StripeWebhookSecret and StripeAPIBase configure Stripe.
	StripeSecretKey     string
	StripeWebhookSecret string
	StripeAPIBase       string
	// ShopifyWebhookSecret signs Shopify's webhooks
	// (SHOPFN_SHOPIFY_WEBHOOK_SECRET); empty turns POST
	// /api/webhooks/shopify off (404).
	ShopifyWebhookSecret string
	// SMTPURL, EmailFrom and EmailTemplates configure order emails
	// (SHOPFN_SMTP_URL, SHOPFN_EMAIL_FROM, SHOPFN_EMAIL_TEMPLATES); no
	// SMTPURL sends none.
	SMTPURL, EmailFrom, EmailTemplates string
	// StripePublishableKey is the key a storefront's Stripe.js uses
	// (pk_...), served by GET /api/config; it is public.
	StripePublishableKey string
	// StripeReturnURL is where Stripe sends a buyer back after a payment
	// method that redirects; empty allows only methods that never do.
	StripeReturnURL string
	// PublicURL is the API's address as buyers reach it (SHOPFN_PUBLIC_URL),
	// for the links shopfn hands out; empty means the request's own host.
	PublicURL string
	// ReservationTTL is how long a checkout holds stock before it is paid.
	ReservationTTL time.Duration
	// MaxActionCheckouts bounds the checkouts waiting for 3-D Secure
	// (requires_action) that one client holds at once; 0 is unbounded.
	MaxActionCheckouts int
	// MaxHeldUnits and MaxHeldUnitsTotal bound the units one client holds
	// in those checkouts, of one SKU and in all; 0 is unbounded.
	MaxHeldUnits, MaxHeldUnitsTotal int
	// Allocation chooses the stock locations a checkout's lines are
	// reserved at (SHOPFN_ALLOCATION).
	Allocation commerce.AllocationStrategy
	// ActionHold is how long a checkout waiting for 3-D Secure keeps its
	// reservation at most (counted from when it starts waiting); 0 keeps
	// ReservationTTL.
	ActionHold time.Duration
	// IPv6Prefix is the prefix length (64, 56 or 48) by which IPv6 clients
	// are keyed for rate limits and per-client bounds.
	IPv6Prefix int
	// Shipping and Tax are flat amounts added to every order in the default
	// currency (Currency), in minor units; ShippingBy and TaxBy hold them
	// for other currencies.
	Shipping, Tax     int64
	ShippingBy, TaxBy map[string]int64
	// TaxInclusive lists the currencies whose prices contain tax (EU
	// style: tax rates show the tax a price holds); in the others tax
	// rates add tax on top.
	TaxInclusive map[string]bool
	// MaxDeliveries is how often the embedded queue delivers a message
	// before it dead-letters it.
	MaxDeliveries int
	// RetryBackoff is how long a message whose function failed waits before
	// its second delivery; each later one waits twice as long (worker.Backoff).
	RetryBackoff time.Duration
	// Workers bounds the messages handled at once per queue
	// (defaultWorkers).
	Workers int
	// SQL names the relational store: "sqlite" (the embedded file) or
	// "sqlserver" (Azure SQL / SQL Server at SQLServerDSN).
	SQL          string
	SQLServerDSN string
	// SQLServerPool sizes the SQL Server pool (SQLSERVER_MAX_CONNS) and
	// bounds the wait for the database at start-up
	// (SQLSERVER_STARTUP_TIMEOUT).
	SQLServerPool sqlserver.Pool
	// KeyVaultURL, when set, is the vault the admin key and Stripe's secrets
	// are read from (and refreshed), instead of the settings.
	KeyVaultURL string
	// CORSOrigins are the browser origins allowed to call the storefront
	// routes ("*": any).
	CORSOrigins []string

	// LogLevel is SHOPFN_LOG_LEVEL: debug, info (default), warn or error.
	LogLevel string
	// MetricsAddr, when set, serves GET /metrics without a key on this
	// address (pod-internal, for AKS's managed Prometheus).
	MetricsAddr string
	// Getenv reads the OTEL_* settings (telemetry.Config.Getenv).
	Getenv func(string) string
	// RateLimit is how many anonymous writes per second one client may send
	// after a burst of RateBurst; zero turns rate limits off.
	RateLimit float64
	RateBurst int
	// TrustedProxies are the proxies whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// CursorKey signs listing cursors; instances serving one catalog share
	// it. Empty means the vault's, or the one kept in DataDir (cursorkey.go).
	CursorKey string
	// RequestTimeout bounds every HTTP request (api.Config.RequestTimeout)
	// and how long shutting down waits for the requests in flight; zero
	// means api.DefaultRequestTimeout.
	RequestTimeout time.Duration
	// EventRetention is how long the event log keeps an event every
	// consumer has handled (SHOPFN_EVENT_RETENTION, days "14d" or a Go
	// duration).
	EventRetention time.Duration
	// EventsTopic, when set (SHOPFN_EVENTS_TOPIC), is the Service Bus
	// topic every event is also published to; it needs SHOPFN_QUEUE=servicebus.
	EventsTopic string
	// WebhooksAllowPrivate lets webhook subscriptions reach plain http and
	// private addresses (SHOPFN_WEBHOOKS_ALLOW_PRIVATE): local development
	// and tests only; refused on Azure.
	WebhooksAllowPrivate bool
	// OnAzure says App Service or Functions on Azure runs this process
	// (WEBSITE_INSTANCE_ID or WEBSITE_SITE_NAME is set).
	OnAzure bool
	// Role says which parts run in this process (SHOPFN_ROLE, role.go).
	Role Role

	// Queue names the queues' backend: "embedded" or "servicebus".
	Queue string
	// ServiceBusNamespace (Entra ID) or ServiceBusConnection (a connection
	// string) reaches Service Bus; exactly one is set with Queue "servicebus".
	ServiceBusNamespace, ServiceBusConnection string
	// Documents names the catalog and cart store: "sqlite" or "cosmos";
	// Cosmos reaches Cosmos DB.
	Documents string
	Cosmos    CosmosConfig
	// Identity says who signs customers in (SHOPFN_OIDC_*, identity.go).
	Identity IdentityConfig
	// Storefront serves the demo storefront at / (SHOPFN_STOREFRONT=on);
	// off by default on Azure, on elsewhere. The admin console at /admin/
	// is always served.
	Storefront bool
}

// Rate limit defaults, standalone (and on AKS). Under the Functions host
// limits are off by default: put Front Door or API Management in front.
const (
	defaultRateLimit = 5
	defaultRateBurst = 20
)

// LoadConfig reads the configuration through getenv (os.Getenv outside
// tests). Its error names every bad setting.
func LoadConfig(getenv func(string) string) (Config, error) { return loadConfig(getenv, nil) }

// loadConfig is LoadConfig; read, when not nil, is told every setting it
// reads and the default it gives it, which TestReadmeReference holds to the
// settings table (settings.go).
func loadConfig(getenv func(string) string, read func(name, def string)) (Config, error) {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, args...)...))
	}
	get := func(name, def string) string {
		if read != nil {
			read(name, def)
		}
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	intSetting := func(name string, def, lo, hi int) int {
		s := get(name, strconv.Itoa(def))
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			bad(name, "%q is not an integer from %d to %d", s, lo, hi)
			return def
		}
		return n
	}

	cfg := Config{
		Addr:     get("SHOPFN_ADDR", "localhost:7071"),
		DataDir:  get("SHOPFN_DATA_DIR", ".shopfn"),
		AdminKey: get("SHOPFN_ADMIN_KEY", ""),
		Currency: get("SHOPFN_CURRENCY", "USD"),
	}
	if port := get("FUNCTIONS_CUSTOMHANDLER_PORT", ""); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			bad("FUNCTIONS_CUSTOMHANDLER_PORT", "%q is not a TCP port", port)
		}
		cfg.Addr, cfg.UnderHost = "127.0.0.1:"+port, true
	}
	cfg.CartTTL = time.Duration(intSetting("CART_TTL_HOURS", 72, 1, 24*365)) * time.Hour
	cfg.CatalogCacheTTL = time.Duration(intSetting("SHOPFN_CATALOG_CACHE_SECONDS", 1, 0, 3600)) * time.Second
	cfg.CatalogCacheBytes = int64(intSetting("SHOPFN_CATALOG_CACHE_MB", 32, 1, 4096)) << 20
	cfg.ReservationTTL = time.Duration(intSetting("RESERVATION_TTL_MINUTES", 15, 1, 24*60)) * time.Minute
	cfg.Shipping = int64(intSetting("SHOPFN_SHIPPING_AMOUNT", 0, 0, commerce.MaxAmount))
	cfg.Tax = int64(intSetting("SHOPFN_TAX_AMOUNT", 0, 0, commerce.MaxAmount))
	perCurrency := func(name string) map[string]int64 {
		v := get(name, "")
		if v == "" {
			return nil
		}
		m := map[string]int64{}
		for _, pair := range strings.Split(v, ",") {
			cur, amount, _ := strings.Cut(strings.TrimSpace(pair), ":")
			n, err := strconv.ParseInt(amount, 10, 64)
			if !commerce.ValidCurrency(cur) || err != nil || n < 0 || n > commerce.MaxAmount {
				bad(name, "%q is not a list of CUR:amount such as EUR:450,JPY:600", v)
				return nil
			}
			m[cur] = n
		}
		return m
	}
	cfg.ShippingBy = perCurrency("SHOPFN_SHIPPING_AMOUNTS")
	cfg.TaxBy = perCurrency("SHOPFN_TAX_AMOUNTS")
	if v := get("SHOPFN_TAX_INCLUSIVE_CURRENCIES", ""); v != "" {
		cfg.TaxInclusive = map[string]bool{}
		for _, cur := range strings.Split(v, ",") {
			if cur = strings.TrimSpace(cur); !commerce.ValidCurrency(cur) {
				bad("SHOPFN_TAX_INCLUSIVE_CURRENCIES", "%q is not a list of ISO 4217 codes such as EUR,GBP", v)
				break
			}
			cfg.TaxInclusive[cur] = true
		}
	}
	cfg.MaxDeliveries = intSetting("SHOPFN_MAX_DELIVERY_COUNT", 10, 1, 100)
	cfg.MaxActionCheckouts = intSetting("SHOPFN_MAX_ACTION_CHECKOUTS", 3, 0, 1000)
	cfg.MaxHeldUnits = intSetting("SHOPFN_MAX_HELD_UNITS", 10, 0, 1_000_000)
	cfg.MaxHeldUnitsTotal = intSetting("SHOPFN_MAX_HELD_UNITS_TOTAL", 30, 0, 1_000_000)
	cfg.ActionHold = time.Duration(intSetting("SHOPFN_ACTION_HOLD_MINUTES", 10, 1, 24*60)) * time.Minute
	if cfg.Allocation = commerce.AllocationStrategy(get("SHOPFN_ALLOCATION", string(commerce.AllocateFewestShipments))); !commerce.ValidAllocationStrategy(cfg.Allocation) {
		bad("SHOPFN_ALLOCATION", "%q is not fewest_shipments, priority or most_stock", cfg.Allocation)
	}
	switch cfg.IPv6Prefix = intSetting("SHOPFN_IPV6_PREFIX", 64, 48, 64); cfg.IPv6Prefix {
	case 64, 56, 48:
	default:
		bad("SHOPFN_IPV6_PREFIX", "must be 64, 56 or 48")
	}
	cfg.RetryBackoff = time.Duration(intSetting("SHOPFN_RETRY_BACKOFF_SECONDS", 1, 0, 60)) * time.Second
	cfg.Workers = intSetting("SHOPFN_QUEUE_CONCURRENCY", defaultWorkers, 1, 256)
	cfg.RequestTimeout = time.Duration(intSetting("SHOPFN_REQUEST_TIMEOUT_SECONDS", int(api.DefaultRequestTimeout/time.Second), 1, 600)) * time.Second
	var err error
	cors := "*" // standalone: a storefront in development calls from another port
	if cfg.UnderHost {
		cors = "" // the Functions host applies its own CORS settings
	}
	for _, o := range strings.Split(get("SHOPFN_CORS_ORIGINS", cors), ",") {
		o = strings.TrimSpace(o)
		switch {
		case o == "":
		case o == "*" || strings.HasPrefix(o, "http://") || strings.HasPrefix(o, "https://"):
			cfg.CORSOrigins = append(cfg.CORSOrigins, strings.TrimSuffix(o, "/"))
		default:
			bad("SHOPFN_CORS_ORIGINS", "%q is not * or an origin such as https://shop.example", o)
		}
	}
	cfg.LogLevel, cfg.MetricsAddr, cfg.Getenv = get("SHOPFN_LOG_LEVEL", "info"), get("SHOPFN_METRICS_ADDR", ""), getenv
	if _, err := telemetry.ParseLevel(cfg.LogLevel); err != nil {
		bad("SHOPFN_LOG_LEVEL", "%q is not debug, info, warn or error", cfg.LogLevel)
	}
	rate := defaultRateLimit
	if cfg.UnderHost {
		rate = 0
	}
	rs := get("SHOPFN_RATE_LIMIT", strconv.Itoa(rate))
	if cfg.RateLimit, err = strconv.ParseFloat(rs, 64); err != nil || cfg.RateLimit < 0 || cfg.RateLimit > 1e6 || cfg.RateLimit != cfg.RateLimit {
		bad("SHOPFN_RATE_LIMIT", "%q is not a number of requests per second from 0 (off) to 1000000", rs)
		cfg.RateLimit = 0
	}
	cfg.RateBurst = intSetting("SHOPFN_RATE_BURST", defaultRateBurst, 1, 1_000_000)
	for _, p := range strings.Split(get("SHOPFN_TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			if a, err := netip.ParseAddr(p); err == nil {
				p = netip.PrefixFrom(a, a.BitLen()).String()
			}
		}
		pre, err := netip.ParsePrefix(p)
		if err != nil {
			bad("SHOPFN_TRUSTED_PROXIES", "%q is not an IP address or CIDR block", p)
			continue
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, pre.Masked())
	}
	cfg.CursorKey = get("SHOPFN_CURSOR_KEY", "")
	cfg.OnAzure = get("WEBSITE_INSTANCE_ID", "") != "" || get("WEBSITE_SITE_NAME", "") != ""
	if cfg.OnAzure {
		// The app's folder is read-only there (Flex mounts the package);
		// only test payments keep a file, per instance, in the data dir.
		cfg.DataDir = get("SHOPFN_DATA_DIR", filepath.Join(os.TempDir(), "shopfn"))
		if get("SHOPFN_PAYMENTS", "") == "" {
			bad("SHOPFN_PAYMENTS", "must be set on Azure: stripe, or test to take test payments knowingly")
		}
		for _, st := range []struct{ name, embedded string }{
			{"SHOPFN_DOCUMENTS", "sqlite"}, {"SHOPFN_SQL", "sqlite"}, {"SHOPFN_QUEUE", "embedded"},
		} {
			if get(st.name, st.embedded) == st.embedded {
				bad(st.name, "the embedded %s store is refused on Azure, whose instance storage is not durable; set %s to an Azure service", st.embedded, st.name)
			}
		}
	}
	cfg.EventRetention = 14 * 24 * time.Hour
	if v := get("SHOPFN_EVENT_RETENTION", ""); v != "" {
		d, err := parseRetention(v)
		if err != nil {
			bad("SHOPFN_EVENT_RETENTION", "%q is not a number of days such as 14d, or a duration such as 336h, from 1h to 3650d", v)
		}
		cfg.EventRetention = d
	}
	switch v := get("SHOPFN_WEBHOOKS_ALLOW_PRIVATE", "false"); v {
	case "true":
		cfg.WebhooksAllowPrivate = true
		if cfg.OnAzure {
			bad("SHOPFN_WEBHOOKS_ALLOW_PRIVATE", "is refused on Azure: webhooks there may reach only public https endpoints")
		}
	case "false":
	default:
		bad("SHOPFN_WEBHOOKS_ALLOW_PRIVATE", "%q is not true or false", v)
	}
	cfg.SQL = get("SHOPFN_SQL", "sqlite")
	cfg.SQLServerDSN = get("SQLSERVER_DSN", "")
	switch cfg.SQL {
	case "sqlite":
		// Refused on Azure with the other embedded stores, above.
		if cfg.SQLServerDSN != "" {
			bad("SQLSERVER_DSN", "is set but SHOPFN_SQL is sqlite: set SHOPFN_SQL=sqlserver to use it, or unset it")
		}
	case "sqlserver":
		if cfg.SQLServerDSN == "" {
			bad("SQLSERVER_DSN", "must be set to a go-mssqldb URL (sqlserver://host?database=shopfn&fedauth=ActiveDirectoryManagedIdentity) when SHOPFN_SQL=sqlserver")
		} else if _, err := sqlserver.Driver(cfg.SQLServerDSN); err != nil {
			bad("SQLSERVER_DSN", "%v", err) // never the value: it may hold a password
		}
	default:
		bad("SHOPFN_SQL", "%q is not sqlite or sqlserver", cfg.SQL)
	}
	cfg.SQLServerPool.MaxConns = intSetting("SQLSERVER_MAX_CONNS", sqlserver.DefaultMaxConns, 1, 1000)
	cfg.SQLServerPool.StartupTimeout = sqlserver.DefaultStartupTimeout
	if v := get("SQLSERVER_STARTUP_TIMEOUT", ""); v != "" {
		d, err := time.ParseDuration(v)
		if n, nerr := strconv.Atoi(v); nerr == nil {
			d, err = time.Duration(n)*time.Second, nil
		}
		if err != nil || d < time.Second || d > 30*time.Minute {
			bad("SQLSERVER_STARTUP_TIMEOUT", "%q is not a duration from 1s to 30m, such as 60s or 2m", v)
		} else {
			cfg.SQLServerPool.StartupTimeout = d
		}
	}
	cfg.KeyVaultURL = get("SHOPFN_KEYVAULT_URL", "")
	if cfg.KeyVaultURL != "" && !strings.HasPrefix(cfg.KeyVaultURL, "https://") {
		bad("SHOPFN_KEYVAULT_URL", "%q is not a vault URL such as https://<name>.vault.azure.net/", cfg.KeyVaultURL)
	}
	fromVault := cfg.KeyVaultURL != ""
	cfg.Payments = get("SHOPFN_PAYMENTS", "test")
	cfg.StripeSecretKey = get("STRIPE_SECRET_KEY", "")
	cfg.StripeWebhookSecret = get("STRIPE_WEBHOOK_SECRET", "")
	cfg.StripeAPIBase = get("STRIPE_API_BASE", "")
	cfg.StripePublishableKey = get("STRIPE_PUBLISHABLE_KEY", "")
	if k := cfg.StripePublishableKey; k != "" && !strings.HasPrefix(k, "pk_") {
		bad("STRIPE_PUBLISHABLE_KEY", "is not a Stripe publishable key (pk_...); never put the secret key here")
	}
	cfg.StripeReturnURL = get("STRIPE_RETURN_URL", "")
	if u := cfg.StripeReturnURL; u != "" && !absoluteURL(u) {
		bad("STRIPE_RETURN_URL", "%q is not an absolute http(s) URL such as https://shop.example/checkout/return", u)
	}
	cfg.PublicURL = strings.TrimSuffix(get("SHOPFN_PUBLIC_URL", ""), "/")
	if u := cfg.PublicURL; u != "" && !absoluteURL(u) {
		bad("SHOPFN_PUBLIC_URL", "%q is not an absolute http(s) URL such as https://api.shop.example", u)
	}
	switch cfg.Payments {
	case "test":
	case "stripe":
		// With a vault, the secrets come from it (keyvault.StripeSecretKey,
		// keyvault.StripeWebhookSecret) and are checked when read.
		if !fromVault && !strings.HasPrefix(cfg.StripeSecretKey, "sk_") && !strings.HasPrefix(cfg.StripeSecretKey, "rk_") {
			bad("STRIPE_SECRET_KEY", "must be set to a Stripe secret key (sk_...) when SHOPFN_PAYMENTS=stripe")
		}
		if !fromVault && !strings.HasPrefix(cfg.StripeWebhookSecret, "whsec_") {
			bad("STRIPE_WEBHOOK_SECRET", "must be set to the webhook signing secret (whsec_...) when SHOPFN_PAYMENTS=stripe")
		}
		if cfg.StripeAPIBase != "" && !strings.HasPrefix(cfg.StripeAPIBase, "http://") && !strings.HasPrefix(cfg.StripeAPIBase, "https://") {
			bad("STRIPE_API_BASE", "%q is not an http(s) URL", cfg.StripeAPIBase)
		}
	default:
		bad("SHOPFN_PAYMENTS", "%q is not test or stripe", cfg.Payments)
	}
	cfg.ShopifyWebhookSecret = get("SHOPFN_SHOPIFY_WEBHOOK_SECRET", "")
	if strings.HasPrefix(cfg.ShopifyWebhookSecret, "@Microsoft.KeyVault(") {
		bad("SHOPFN_SHOPIFY_WEBHOOK_SECRET", "is a Key Vault reference the platform could not resolve: set the vault's secret shopify-webhook-secret")
	}
	cfg.SMTPURL = get("SHOPFN_SMTP_URL", "")
	cfg.EmailFrom = get("SHOPFN_EMAIL_FROM", "")
	cfg.EmailTemplates = get("SHOPFN_EMAIL_TEMPLATES", "")
	if cfg.SMTPURL != "" {
		if _, err := email.ParseConfig(cfg.SMTPURL, cfg.EmailFrom); err != nil {
			errs = append(errs, err) // it names the setting, never the password
		}
	}
	cfg.Queue = get("SHOPFN_QUEUE", "embedded")
	cfg.ServiceBusNamespace = get("ServiceBusConnection__fullyQualifiedNamespace", "")
	cfg.ServiceBusConnection = get("ServiceBusConnection", "")
	switch cfg.Queue {
	case "embedded":
	case "servicebus":
		ns, conn := cfg.ServiceBusNamespace, cfg.ServiceBusConnection
		switch {
		case ns == "" && conn == "":
			bad("SHOPFN_QUEUE", "servicebus needs ServiceBusConnection__fullyQualifiedNamespace (a namespace such as shop.servicebus.windows.net, reached with Entra ID) or ServiceBusConnection (a connection string)")
		case ns != "" && conn != "":
			bad("ServiceBusConnection", "set it or ServiceBusConnection__fullyQualifiedNamespace, not both")
		case ns != "" && (strings.Contains(ns, ";") || !strings.Contains(ns, ".")):
			bad("ServiceBusConnection__fullyQualifiedNamespace", "must be a namespace host such as shop.servicebus.windows.net, not a connection string")
		case conn != "" && !strings.Contains(strings.ToLower(conn), "endpoint=sb://"):
			bad("ServiceBusConnection", "must be a connection string with Endpoint=sb://...")
		}
	default:
		bad("SHOPFN_QUEUE", "%q is not embedded or servicebus", cfg.Queue)
	}
	storefront := "on"
	if cfg.OnAzure {
		storefront = "off" // a demo, not a shop: turned on knowingly
	}
	switch v := get("SHOPFN_STOREFRONT", storefront); v {
	case "on", "off":
		cfg.Storefront = v == "on"
	default:
		bad("SHOPFN_STOREFRONT", "%q is not on or off", v)
	}
	cfg.EventsTopic = get("SHOPFN_EVENTS_TOPIC", "")
	if cfg.EventsTopic != "" {
		if cfg.Queue != "servicebus" {
			bad("SHOPFN_EVENTS_TOPIC", "needs SHOPFN_QUEUE=servicebus: events are published to a topic of that namespace")
		}
		if !commerce.ValidSlug(strings.ToLower(cfg.EventsTopic), 260) {
			bad("SHOPFN_EVENTS_TOPIC", "%q is not a topic name (letters, digits and '-')", cfg.EventsTopic)
		}
	}
	loadDocuments(&cfg, get, bad)
	loadRole(&cfg, get, bad)
	loadIdentity(&cfg, get, bad)
	seed := get("SHOPFN_SEED", "true")
	if cfg.Seed, err = strconv.ParseBool(seed); err != nil {
		bad("SHOPFN_SEED", "%q is not true or false", seed)
	}
	if !commerce.ValidCurrency(cfg.Currency) {
		bad("SHOPFN_CURRENCY", "%q is not an ISO 4217 code such as USD", cfg.Currency)
	}
	if cfg.AdminKey != "" && !cfg.UnderHost { // under the host it is not used
		if err := checkKey(cfg.AdminKey); err != nil {
			bad("SHOPFN_ADMIN_KEY", "%v", err)
		}
	}
	if cfg.AdminKey == "" && !cfg.UnderHost && !fromVault {
		cfg.AdminKey, cfg.AdminKeyGenerated = newAdminKey(), true
	}
	switch {
	case cfg.CursorKey != "":
		if err := checkKey(cfg.CursorKey); err != nil {
			bad("SHOPFN_CURSOR_KEY", "%v", err)
		}
	case cfg.sharedCursorKey() && !fromVault:
		bad("SHOPFN_CURSOR_KEY", "must be set on Azure and wherever no embedded store keeps a data directory (Cosmos DB, Azure SQL and Service Bus), to the same secret on every instance, so that listing cursors page across instances (or set SHOPFN_KEYVAULT_URL to read the vault's shopfn-cursor-key); never reuse the admin key; %s", makeKeyHint)
	}
	if len(errs) > 0 {
		return cfg, fmt.Errorf("invalid configuration:\n%w", errors.Join(errs...))
	}
	return cfg, nil
}

// absoluteURL reports whether s is an absolute http(s) URL with a host.
func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// newAdminKey returns a random admin key for a run with none set: 256 bits
// in hex, which always passes checkKey (estimated at about 240 bits; drawn
// again in the unheard-of case it does not).
func newAdminKey() string {
	for {
		b := make([]byte, 32)
		rand.Read(b)
		if key := hex.EncodeToString(b); checkKey(key) == nil {
			return key
		}
	}
}

// parseRetention reads an event retention: whole days ("14d") or a Go
// duration ("336h"), from an hour to ten years.
func parseRetention(v string) (time.Duration, error) {
	var d time.Duration
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 3650 {
			return 0, fmt.Errorf("bad retention %q", v)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			return 0, err
		}
	}
	if d < time.Hour || d > 3650*24*time.Hour {
		return 0, fmt.Errorf("retention %q out of range", v)
	}
	return d, nil
}
