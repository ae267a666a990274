package main

import "strings"

// setting documents one or more environment variables read together: the
// row of the README's settings table, which TestReadmeReference generates
// from this table (go test ./handler -run TestReadmeReference -update).
// The same test runs LoadConfig and fails when it reads a variable this
// table lacks, or when a default it passes is not the one shown here.
type setting struct {
	// Names are the variables, documented together.
	Names []string
	// Label, when set, is the row's first column instead of the Names (for
	// a family of standard variables that LoadConfig does not read itself).
	Label string
	// Default is the default as the README shows it (Markdown); the
	// parser's default must appear in it as `value`.
	Default string
	// Doc says what the setting does (Markdown).
	Doc string
}

// settings is every setting shopfn reads, in the README's order. A new
// setting gets a row here, in infra/bicep/modules/functionapp.bicep and in
// infra/k8s/base/shopfn.env.
var settings = []setting{
	{Names: []string{"SHOPFN_ADDR"}, Default: "`localhost:7071`",
		Doc: "listen address when standalone"},
	{Names: []string{"SHOPFN_DATA_DIR"}, Default: "`.shopfn` (on Azure `$TMPDIR/shopfn`)",
		Doc: "where the SQLite file lives; untouched when no port is embedded"},
	{Names: []string{"SHOPFN_SQL"}, Default: "`sqlite`",
		Doc: "relational store (checkouts, reservations, orders, inventory, outbox): `sqlite` (the embedded file; refused on Azure, where `WEBSITE_INSTANCE_ID` or `WEBSITE_SITE_NAME` is set) or `sqlserver`"},
	{Names: []string{"SQLSERVER_DSN"}, Default: "",
		Doc: "with `sqlserver`: a go-mssqldb URL, see [Azure SQL](#azure-sql)"},
	{Names: []string{"SQLSERVER_MAX_CONNS"}, Default: "`10`",
		Doc: "connections one instance opens to SQL Server; instances × this must stay within the tier's worker limit, see [Pool sizing](#pool-sizing)"},
	{Names: []string{"SQLSERVER_STARTUP_TIMEOUT"}, Default: "`60s`",
		Doc: "how long a start waits for SQL Server (a failover, a serverless database resuming from auto-pause) before it fails: a duration (`90s`, `2m`) or seconds"},
	{Names: []string{"SHOPFN_KEYVAULT_URL"}, Default: "",
		Doc: "a vault URL: the admin key and Stripe's secrets come from it, see [Key Vault](#key-vault)"},
	{Names: []string{"SHOPFN_ADMIN_KEY"}, Default: "random, printed at start",
		Doc: "admin key when standalone; at least 128 bits of estimated entropy (`openssl rand -base64 32`, see [Security](#security))"},
	{Names: []string{"CART_TTL_HOURS"}, Default: "`72`",
		Doc: "cart lifetime after its last change"},
	{Names: []string{"SHOPFN_SEED"}, Default: "`true`",
		Doc: "load the sample catalog into an empty store"},
	{Names: []string{"SHOPFN_CURRENCY"}, Default: "`USD`",
		Doc: "currency of a new, empty cart"},
	{Names: []string{"SHOPFN_CORS_ORIGINS"}, Default: "`*` standalone, none under the host",
		Doc: "browser origins (comma-separated, or `*`) allowed to call the storefront routes; admin and queue routes never answer CORS. Under the Functions host its own CORS setting applies"},
	{Names: []string{"SHOPFN_PAYMENTS"}, Default: "`test`",
		Doc: "`test` (no network) or `stripe`"},
	{Names: []string{"STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"}, Default: "",
		Doc: "required with `stripe`, unless `SHOPFN_KEYVAULT_URL` is set"},
	{Names: []string{"STRIPE_API_BASE"}, Default: "Stripe's",
		Doc: "another Stripe API address, e.g. `stripe-mock`"},
	{Names: []string{"SHOPFN_SHOPIFY_WEBHOOK_SECRET"}, Default: "none",
		Doc: "the Shopify app's client secret, which signs its webhooks: set, `POST /api/webhooks/shopify` takes order webhooks into the stock (see [Shopify orders](#shopify-orders)); unset, it answers 404"},
	{Names: []string{"SHOPFN_SMTP_URL"}, Default: "none",
		Doc: "the SMTP server order emails go to, `smtp://user:pass@host:587` (STARTTLS) or `smtps://...:465`; unset, no emails (see [Order emails](#order-emails))"},
	{Names: []string{"SHOPFN_EMAIL_FROM"}, Default: "",
		Doc: "required with `SHOPFN_SMTP_URL`: the sender, `Shop <orders@shop.example>`"},
	{Names: []string{"SHOPFN_EMAIL_TEMPLATES"}, Default: "the embedded templates",
		Doc: "a directory whose files replace the email templates of the same name"},
	{Names: []string{"STRIPE_PUBLISHABLE_KEY"}, Default: "none",
		Doc: "Stripe.js's publishable key (`pk_...`), served by `GET /api/config`; public"},
	{Names: []string{"STRIPE_RETURN_URL"}, Default: "none",
		Doc: "the storefront page Stripe sends a buyer back to after a payment method that redirects; without it, only methods that never redirect"},
	{Names: []string{"SHOPFN_PUBLIC_URL"}, Default: "the request's scheme and host",
		Doc: "the API's address as buyers reach it (`https://api.shop.example`), for the links shopfn hands out (the test provider's 3-D Secure page); set it behind a proxy that terminates TLS"},
	{Names: []string{"RESERVATION_TTL_MINUTES"}, Default: "`15`",
		Doc: "how long a checkout holds stock before it is paid"},
	{Names: []string{"SHOPFN_SHIPPING_AMOUNT", "SHOPFN_TAX_AMOUNT"}, Default: "`0`",
		Doc: "flat shipping and tax per order in the default currency, in minor units"},
	{Names: []string{"SHOPFN_SHIPPING_AMOUNTS", "SHOPFN_TAX_AMOUNTS"}, Default: "none",
		Doc: "the same in other currencies, `EUR:450,JPY:600`; a currency with a charge set elsewhere but not for it is refused at checkout"},
	{Names: []string{"SHOPFN_TAX_INCLUSIVE_CURRENCIES"}, Default: "none",
		Doc: "currencies whose prices contain tax (EU style), `EUR,GBP`: tax rates show the tax a price holds instead of adding it; see [Shipping options and tax](#shipping-options-and-tax)"},
	{Names: []string{"SHOPFN_RETRY_BACKOFF_SECONDS"}, Default: "`1`",
		Doc: "first redelivery delay of a failed message, doubling up to 5 minutes; `0` redelivers at once"},
	{Names: []string{"SHOPFN_EVENT_RETENTION"}, Default: "`14d`",
		Doc: "how long the event log keeps events (days `14d` or a duration `336h`, 1h-3650d); an event a consumer has not handled is kept until it has, see [Events and webhooks](#events-and-webhooks)"},
	{Names: []string{"SHOPFN_EVENTS_TOPIC"}, Default: "none",
		Doc: "a Service Bus topic (of the `SHOPFN_QUEUE=servicebus` namespace) every event is also published to, with `type` and `subject` application properties for SQL filters; the Bicep creates `events`"},
	{Names: []string{"SHOPFN_WEBHOOKS_ALLOW_PRIVATE"}, Default: "`false`",
		Doc: "`true` lets webhook subscriptions use plain `http` and loopback or private addresses: local development and tests only, refused on Azure"},
	{Names: []string{"SHOPFN_MAX_ACTION_CHECKOUTS"}, Default: "`3`",
		Doc: "checkouts waiting for 3-D Secure one client may hold; `0` is unbounded (tests that drive load from one address)"},
	{Names: []string{"SHOPFN_MAX_HELD_UNITS"}, Default: "`10`",
		Doc: "units of one SKU one client may hold across its checkouts waiting for 3-D Secure; `0` is unbounded"},
	{Names: []string{"SHOPFN_MAX_HELD_UNITS_TOTAL"}, Default: "`30`",
		Doc: "units in all one client may hold across those checkouts; `0` is unbounded"},
	{Names: []string{"SHOPFN_ALLOCATION"}, Default: "`fewest_shipments`",
		Doc: "how a checkout's lines are allocated to stock locations: `fewest_shipments`, `priority` or `most_stock` (see [Stock locations](#stock-locations))"},
	{Names: []string{"SHOPFN_ACTION_HOLD_MINUTES"}, Default: "`10`",
		Doc: "how long a checkout waiting for 3-D Secure keeps its stock at most, from when it starts waiting (never longer than `RESERVATION_TTL_MINUTES` from the checkout's start)"},
	{Names: []string{"SHOPFN_IPV6_PREFIX"}, Default: "`64`",
		Doc: "`64`, `56` or `48`: the IPv6 block one client is keyed by, for rate limits and every per-client bound (use 56 or 48 where providers hand subscribers such blocks)"},
	{Names: []string{"SHOPFN_MAX_DELIVERY_COUNT"}, Default: "`10`",
		Doc: "deliveries before a message is dead-lettered; with Service Bus, set the queues' `MaxDeliveryCount` to the same"},
	{Names: []string{"SHOPFN_QUEUE"}, Default: "`embedded`",
		Doc: "`embedded` (in the SQLite file) or `servicebus`"},
	{Names: []string{"ServiceBusConnection__fullyQualifiedNamespace"}, Default: "",
		Doc: "Service Bus namespace, reached with Entra ID (azidentity)"},
	{Names: []string{"ServiceBusConnection"}, Default: "",
		Doc: "or a Service Bus connection string (emulator form allowed); exactly one of the two with `servicebus`"},
	{Names: []string{"SHOPFN_QUEUE_CONCURRENCY"}, Default: "`32`",
		Doc: "messages handled at once per queue"},
	{Names: []string{"SHOPFN_REQUEST_TIMEOUT_SECONDS"}, Default: "`30`",
		Doc: "how long an HTTP request may run (1-600) before it is cut and answered 503 `unavailable`; see [Security](#security)"},
	{Names: []string{"SHOPFN_ROLE"}, Default: "`all`",
		Doc: "`all`, `api` or `worker`: which parts run in this process, see [Ways to run](#ways-to-run)"},
	{Names: []string{"SHOPFN_RATE_LIMIT"}, Default: "`5` standalone and on AKS, `0` under the Functions host",
		Doc: "anonymous writes per second per client after a burst; `0` turns limits off (see [Abuse bounds](#abuse-bounds))"},
	{Names: []string{"SHOPFN_RATE_BURST"}, Default: "`20`",
		Doc: "anonymous writes a client may send at once"},
	{Names: []string{"SHOPFN_TRUSTED_PROXIES"}, Default: "none",
		Doc: "comma-separated addresses or CIDR blocks of proxies whose `X-Forwarded-For` names the client"},
	{Names: []string{"SHOPFN_CURSOR_KEY"}, Default: "random, kept in `SHOPFN_DATA_DIR/cursor.key`; required on Azure and with no embedded store",
		Doc: "signs listing cursors; give every instance that serves one catalog the same value, never the admin key (see [Security](#security))"},
	{Names: []string{"SHOPFN_CATALOG_CACHE_MB"}, Default: "`32`",
		Doc: "memory the catalog response cache may take"},
	{Names: []string{"SHOPFN_LOG_LEVEL"}, Default: "`info`",
		Doc: "`debug`, `info`, `warn` or `error`"},
	{Names: []string{"SHOPFN_STOREFRONT"}, Default: "`on` (`off` on Azure)",
		Doc: "`on` serves the demo storefront at `/`; `off` leaves `/` to the API's status answer. The admin console at `/admin/` is always served; see [Admin console and demo storefront](#admin-console-and-demo-storefront)"},
	{Names: []string{"SHOPFN_METRICS_ADDR"}, Default: "none",
		Doc: "also serve `GET /metrics` without a key on this address (pod-internal, for a Prometheus scraper); never set it to a public address"},
	{Label: "`OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`, `..._METRICS_ENDPOINT`), `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_TRACES_SAMPLER`(`_ARG`), `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_EXPORTER`/`OTEL_METRICS_EXPORTER=none`, `OTEL_SDK_DISABLED`", Default: "none",
		Doc: "OpenTelemetry's standard settings; see Telemetry"},
	{Names: []string{"SHOPFN_OIDC_ISSUER"}, Default: "none",
		Doc: "the OpenID Connect issuer customers sign in with (`https://<tenant-id>.ciamlogin.com/<tenant-id>/v2.0` for Entra External ID); without it, the development issuer off Azure, see [Customers](#customers)"},
	{Names: []string{"SHOPFN_OIDC_AUDIENCE"}, Default: "",
		Doc: "required with `SHOPFN_OIDC_ISSUER`: the `aud` customers' tokens carry"},
	{Names: []string{"SHOPFN_DOCUMENTS"}, Default: "`sqlite`",
		Doc: "where the catalog, carts and customers live: `sqlite` (the embedded file) or `cosmos` (Cosmos DB)"},
	{Names: []string{"COSMOS_ENDPOINT"}, Default: "",
		Doc: "required with `cosmos`: `https://ACCOUNT.documents.azure.com:443/` (plain `http://` only on 127.0.0.1/localhost, for a local peer)"},
	{Names: []string{"COSMOS_DATABASE"}, Default: "`shopfn`",
		Doc: "the database holding the `products`, `carts` and `customers` containers"},
	{Names: []string{"COSMOS_KEY"}, Default: "",
		Doc: "an account key, for the emulator or a local peer; without it, Microsoft Entra ID (see [Cosmos DB](#cosmos-db))"},
	{Names: []string{"COSMOS_PREFERRED_REGIONS"}, Default: "none",
		Doc: "the Cosmos DB account's regions, nearest first, comma-separated (`eastus2,westus3` or `East US 2,West US 3`): azcosmos sends a read that one region answers 503 to the next. The Bicep sets it from the account's regions (the app's own first) and `scripts/k8s-env.sh` writes it into the AKS overlays; `infra/check` checks that they agree"},
	{Names: []string{"SHOPFN_CATALOG_CACHE_SECONDS"}, Default: "`1`",
		Doc: "how long catalog responses may be served from memory; writes through this process retire them at once, so the TTL only bounds staleness across instances; `0` disables"},
}

// settingsTable returns the README's settings table (Markdown).
func settingsTable() string {
	var b strings.Builder
	b.WriteString("| variable | default | meaning |\n|---|---|---|\n")
	for _, s := range settings {
		label := s.Label
		if label == "" {
			label = "`" + strings.Join(s.Names, "`, `") + "`"
		}
		def := " " + s.Default + " "
		if s.Default == "" {
			def = " "
		}
		b.WriteString("| " + label + " |" + def + "| " + s.Doc + " |\n")
	}
	return b.String()
}
