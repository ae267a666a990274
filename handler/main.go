// Command handler is shopfn: a headless commerce backend that serves the
// storefront API over HTTP, standalone (go run ./handler) or as an Azure
// Functions custom handler.
package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"shopfn/handler/api"
	"shopfn/handler/cache"
	"shopfn/handler/cart"
	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
	"shopfn/handler/cosmos"
	"shopfn/handler/customer"
	"shopfn/handler/events"
	"shopfn/handler/keyvault"
	"shopfn/handler/pricing"
	"shopfn/handler/sqlite"
	"shopfn/handler/sqlstore"
	"shopfn/handler/telemetry"
	"shopfn/handler/web"
	"shopfn/handler/webhook"
	"shopfn/handler/worker"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg, err := LoadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "shopfn:", err)
		os.Exit(2)
	}
	if len(os.Args) > 1 && os.Args[1] == "migrate" {
		if err := migrate(ctx, cfg, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "shopfn migrate:", err)
			os.Exit(1)
		}
		return
	}
	// JSON under the Functions host, on AKS and in any pipe; text on a terminal.
	fi, _ := os.Stderr.Stat()
	asJSON := cfg.UnderHost || fi == nil || fi.Mode()&os.ModeCharDevice == 0
	logger, err := telemetry.NewLogger(os.Stderr, telemetry.LogConfig{Level: cfg.LogLevel, JSON: asJSON})
	if err != nil {
		fmt.Fprintln(os.Stderr, "shopfn:", err)
		os.Exit(2)
	}
	m := &Main{Config: cfg, Stdout: os.Stdout, Logger: logger}
	if !cfg.UnderHost { // the host records requests itself
		access := telemetry.NewWriter(os.Stderr, 200*time.Millisecond)
		defer access.Close()
		if m.AccessLog, err = telemetry.NewAccessLog(access, telemetry.LogConfig{Level: cfg.LogLevel, JSON: asJSON}); err != nil {
			fmt.Fprintln(os.Stderr, "shopfn:", err)
			os.Exit(2)
		}
	}
	if err := m.Run(ctx); err != nil {
		logger.Error("start failed", "err", err)
		m.Close()
		os.Exit(1)
	}
	<-ctx.Done()
	if err := m.Close(); err != nil {
		logger.Error("shut down with errors", "err", err)
		os.Exit(1)
	}
}

// Main is the running program: its stores and its HTTP server.
type Main struct {
	Config Config
	Stdout io.Writer
	Logger *slog.Logger
	// AccessLog, when set, gets a line per HTTP request.
	AccessLog *telemetry.AccessLog
	// Telemetry configures traces and metrics; tests add in-memory
	// exporters. Its Getenv defaults to Config.Getenv.
	Telemetry telemetry.Config
	// Now is the clock; nil means time.Now. Tests set it to move time.
	Now func() time.Time

	parts     parts
	db        *sqlite.DB // the embedded file, nil when no port uses it
	sqlDB     *sql.DB    // SQL Server, when SHOPFN_SQL=sqlserver
	rel       *sqlstore.DB
	lock      *sqlite.DirLock
	tel       *telemetry.Telemetry
	metrics   *http.Server // SHOPFN_METRICS_ADDR
	metricsLn net.Listener
	listener  net.Listener
	server    *http.Server
	served    chan error
	cancel    context.CancelFunc
	workers   sync.WaitGroup
	deps      []dependency // what the readiness probe checks
	started   atomic.Bool  // what the start-up probe reports

	// Middleware, when set, wraps the queue functions as the dispatcher
	// calls them; tests use it to deliver messages twice or out of order.
	Middleware func(Handler) Handler
	// HostMiddleware, when set, wraps them as the Functions host calls
	// them (POST /orders, /inventory); tests use it to fail them.
	HostMiddleware func(Handler) Handler

	// CosmosPolicies run on every HTTP request to Cosmos DB; benchmarks
	// count requests with one.
	CosmosPolicies []policy.Policy
	// WriterHold, when set, adds up how long each caller holds the
	// embedded SQLite writer; benchmarks print it.
	WriterHold *sqlite.WriterHold

	// Queue is the embedded queue (nil with Service Bus); Payments the
	// payment provider.
	Queue    *sqlite.Queue
	Payments commerce.PaymentProvider
	// API is the HTTP server's handler state.
	API *api.Server
	// Sweeper releases reservations whose expiry message never came; it
	// runs every minute, and tests may call its Sweep.
	Sweeper *worker.Sweeper
	// Notifier sends order emails (openNotifier); nil when
	// SHOPFN_SMTP_URL is not set.
	Notifier events.Consumer
	// Events delivers the event log to its consumers (webhooks, email),
	// each at least once, in order, from its own position; tests may
	// call its Flush.
	Events *events.Dispatcher
	// Webhooks keeps subscriptions and sends their deliveries.
	Webhooks *webhook.Service
	// WebhookOptions and WebhookBackoff, when set (tests), change the
	// webhook client's options and the retry schedule.
	WebhookOptions func(*webhook.Options)
	WebhookBackoff *webhook.Backoff
	// WebhookResolver, when set (tests), resolves webhook hosts.
	WebhookResolver webhook.Resolver

	queue      queue                       // the queues in use
	closeQueue func(context.Context) error // closes Service Bus, if open

	// stopRequests cancels the contexts of the HTTP requests in flight.
	stopRequests context.CancelFunc
}

// Handler runs a queue function on a message.
type Handler = func(ctx context.Context, queue string, m commerce.Message) error

// Run opens the stores, loads the sample catalog into an empty store, and
// starts what the role runs (role.go). It returns once the listener is open.
func (m *Main) Run(ctx context.Context) error {
	if m.Now == nil {
		m.Now = time.Now
	}
	cfg := m.Config
	m.parts = cfg.parts()
	p := m.parts
	if cfg.usesSQLite() {
		if err := m.openEmbedded(ctx, p.OwnsData); err != nil {
			return err
		}
		m.depend("sqlite", func(ctx context.Context) error {
			if err := m.db.Check(); err != nil {
				return err
			}
			return m.db.Read.PingContext(ctx)
		})
	}
	var err error
	tcfg := m.Telemetry
	if tcfg.Getenv == nil {
		tcfg.Getenv = cfg.Getenv
	}
	if m.tel, err = telemetry.New(ctx, tcfg); err != nil {
		return err
	}
	metrics := m.tel.Metrics()
	if m.rel, err = m.openRelational(ctx); err != nil {
		return err
	}
	rel := m.rel
	rel.Observe = metrics.StoreCall
	var observer cosmos.Observer
	if metrics != nil {
		observer = metrics
	}
	eventLog := sqlstore.NewEventStore(rel)
	docRelay := &docRelay{db: rel, log: eventLog, lg: m.Logger}
	docs, err := openDocuments(ctx, cfg, m.db, m.CosmosPolicies, observer, docRelay)
	if err != nil {
		return err
	}
	if docs.Check != nil {
		m.depend("cosmos", docs.Check)
	}
	catalog := cache.NewCatalog(docs.Catalog, cfg.CatalogCacheTTL, m.Now)
	catalog.Metrics = metrics
	carts := docs.Carts
	inventory, err := sqlstore.NewInventoryStore(ctx, rel)
	if err != nil {
		return err
	}
	checkouts := sqlstore.NewCheckoutStore(rel)
	checkouts.Allocation = cfg.Allocation
	carter := cart.NewService(carts, checkouts, catalog, inventory, cfg.CartTTL, cfg.Currency, m.Now)
	priceLists := cache.NewPriceLists(docs.PriceLists, cfg.CatalogCacheTTL, m.Now)
	promotions := cache.NewPromotions(sqlstore.NewPromotionStore(rel), cfg.CatalogCacheTTL, m.Now)
	carter.UsePricing(cart.Pricing{Sells: cache.NewCurrencies(catalog).Sells, Lists: priceLists.Lists, Groups: customerGroups(docs.Customers), Promotions: promotions.All})
	charges := cache.NewCharges(docs.ShippingOptions, docs.TaxRates, cfg.CatalogCacheTTL, m.Now)

	// The money path: checkouts and orders in the relational store, the
	// embedded queue, the relay that publishes the outbox to it, and the
	// dispatcher that feeds its messages to the queue functions.
	if cfg.SQL != "sqlserver" && p.OwnsData {
		// This process alone uses the embedded store: the claims it finds
		// were left by a process that is gone. On a shared database (Azure
		// SQL, or one SQLite file shared by an api and a worker) they may
		// be another process's, so they only expire by time.
		if err := checkouts.ReleaseLeases(ctx); err != nil {
			return err
		}
		if err := eventLog.ReleaseLeases(ctx); err != nil {
			return err
		}
		if err := sqlstore.NewWebhookStore(rel).ReleaseLeases(ctx); err != nil {
			return err
		}
	}
	backlog := func(ctx context.Context) (telemetry.OutboxState, error) {
		b, err := checkouts.Backlog(ctx)
		return telemetry.OutboxState(b), err
	}
	if err := metrics.ObserveOutbox(backlog, m.Now); err != nil {
		return err
	}
	orders := sqlstore.NewOrderStore(rel)
	if m.Notifier, err = m.openNotifier(rel); err != nil {
		return err
	}
	if err := m.openQueue(ctx, p.OwnsData); err != nil {
		return err
	}
	secrets, err := openSecrets(ctx, cfg, m.Logger)
	if err != nil {
		return err
	}
	apiCfg := api.Config{
		AdminKey: cfg.AdminKey, TrustHost: cfg.UnderHost, CacheTTL: cfg.CatalogCacheTTL, CacheBytes: cfg.CatalogCacheBytes, Now: m.Now,
		CORSOrigins: cfg.CORSOrigins,
		RateLimit:   cfg.RateLimit, RateBurst: cfg.RateBurst, TrustedProxies: cfg.TrustedProxies, IPv6Prefix: cfg.IPv6Prefix,
		Telemetry: m.tel, AccessLog: m.AccessLog, RequestTimeout: cfg.RequestTimeout, Currency: cfg.Currency,
		Storefront: cfg.storefront(), PublicURL: cfg.PublicURL,
	}
	if secrets != nil { // read on every use, so that a rotated key applies at once
		apiCfg.AdminKeyFunc = secrets.Func(keyvault.AdminKey)
	}
	pay, err := m.openPayments(secrets)
	if err != nil {
		return err
	}
	m.Payments = pay.provider
	tp := pay.test
	relayEvery := time.Duration(0) // kicked after each commit only
	if p.RelaySweep {
		relayEvery = time.Second
	}
	relay := worker.NewRelay(checkouts, m.queue, relayEvery, m.Logger)
	cursorKey, err := m.cursorKey(secrets)
	if err != nil {
		return err
	}
	checkoutSvc := checkout.NewService(carter, checkouts, m.Payments, checkout.Config{
		Rules:          pricing.Flat(cfg.Currency, cfg.Shipping, cfg.Tax, cfg.ShippingBy, cfg.TaxBy),
		ReservationTTL: cfg.ReservationTTL, Now: m.Now, Published: relay.Kick, Render: api.FirstResponse,
		MaxHeld: cfg.MaxActionCheckouts, MaxHeldUnits: cfg.MaxHeldUnits, MaxHeldUnitsTotal: cfg.MaxHeldUnitsTotal, ActionHold: cfg.ActionHold,
		Publishing: m.tel.Publishing, Metrics: metrics, TokenKey: orderTokenKey(cursorKey),
		Charges: charges.Charges, TaxInclusive: cfg.TaxInclusive,
	}, m.Logger)
	functions := &worker.Functions{OrderStore: orders, Stock: inventory, Shopify: inventory, Checkouts: checkoutSvc, Now: m.Now, Metrics: metrics,
		Refunds: refundExecutor{checkoutSvc, orders}}
	// Every delivery, from the dispatcher or the Functions host, runs in a
	// span that continues its message's trace, and is counted.
	traced := m.tel.Consume(functions.Handle, cfg.MaxDeliveries)
	var handle Handler = traced
	if m.Middleware != nil {
		handle = m.Middleware(handle)
	}
	hostHandle := traced
	if m.HostMiddleware != nil {
		hostHandle = m.HostMiddleware(hostHandle)
	}
	dispatcher := worker.NewDispatcher(m.queue, handle, cfg.Workers, 100*time.Millisecond, cfg.RetryBackoff, m.Logger)
	// The embedded queue's lock; Service Bus's (PT1M in the Bicep) is longer.
	dispatcher.Lock = commerce.QueueOptions{}.WithDefaults().LockDuration
	relay.Published = dispatcher.Kick
	m.Sweeper = &worker.Sweeper{Checkouts: checkouts, Expirer: checkoutSvc, Orders: orders,
		FinishCancel: func(ctx context.Context, id string) error { _, err := checkoutSvc.Cancel(ctx, orders, id); return err },
		Now:          m.Now, Grace: time.Minute, Log: m.Logger}

	apiCfg.CursorKey = cursorKey
	// The listener opens first: the development issuer's URL is its own.
	if err := m.listen(); err != nil {
		return err
	}
	// The sample catalog's images are served here: its URLs need the
	// address the listener took.
	if err := m.seed(ctx, catalog, inventory); err != nil {
		m.listener.Close()
		return err
	}
	verifier, devIssuer, err := m.openIdentity()
	if err != nil {
		m.listener.Close()
		return err
	}
	customers := customer.NewService(docs.Customers, m.Now)
	carter.Owners = customers
	// Erasure deletes the open cart and redacts the orders before the
	// customer's record goes.
	customers.Erasers = []customer.Eraser{carter.EraseCustomerCart, func(ctx context.Context, c *commerce.Customer) error {
		_, err := orders.RedactCustomerOrders(ctx, c.ID, m.Now().UTC())
		return err
	}}
	m.Events = m.openEvents(eventLog)
	// Register the event log's consumers here, before Run starts them:
	// m.Events.Register(name, consumer).
	if m.Notifier != nil {
		m.Events.Register("email", m.Notifier)
	}
	if m.Webhooks, err = m.openWebhooks(rel, cursorKey); err != nil {
		m.listener.Close()
		return err
	}
	// Before any change is served: a consumer new to the log starts here.
	if err := m.Events.Init(ctx); err != nil {
		m.listener.Close()
		return err
	}

	srv := api.NewServer(api.Deps{
		Events: eventLog, Webhooks: m.Webhooks,
		Catalog: catalog, Inventory: inventory, Carts: carter, Checkout: checkoutSvc, Orders: orders,
		Customers: customers, Auth: verifier, DevIssuer: devIssuer, PriceLists: priceLists, Promotions: promotions, Categories: docs.Categories,
		DeadLetters: m.queue.DeadLetters, Functions: hostHandle, HostRetry: m.hostRetry(), Charges: charges,
		Redrive: func(ctx context.Context, queue, id string) (commerce.Message, error) {
			msg, err := worker.Redrive(ctx, m.queue, queue, id)
			if err == nil {
				dispatcher.Kick()
			}
			return msg, err
		},
		Parked: checkouts.Parked,
		Unpark: func(ctx context.Context, queue string, seq int64) (commerce.OutboxEntry, bool, error) {
			e, ok, err := checkouts.Unpark(ctx, queue, seq)
			if ok {
				relay.Kick()
			}
			return e, ok, err
		},
		StripeWebhook: pay.webhook, TestAuthenticate: pay.authenticate, ShopifyWebhook: m.shopifyWebhook(dispatcher.Kick),
		ShopifyOrders: inventory,
		Health:        func(context.Context) error { return m.db.Check() },
		Ready:         m.ready, Started: m.started.Load,
		Relay: func(ctx context.Context) error { // the timer function, every 30 s under the host
			_, serr := m.Sweeper.Sweep(ctx)
			return errors.Join(relay.Flush(ctx), serr)
		},
	}, apiCfg, m.Logger)
	m.API = srv
	handler := srv.Handler()
	if p.API {
		// The console, the demo storefront and their assets; the API
		// answers every other path.
		handler = web.Handler(web.Config{Storefront: cfg.Storefront, Next: handler})
	} else {
		handler = srv.ProbeHandler()
	}
	if tp != nil {
		// Where a buyer finishes 3-D Secure, when a request's own
		// address (api.Server.publicURL) is not at hand.
		tp.BaseURL = cfg.PublicURL
	}
	m.serve(handler)
	if cfg.MetricsAddr != "" {
		if err := m.serveMetrics(cfg.MetricsAddr); err != nil {
			return err
		}
	}

	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	if secrets != nil {
		m.goRun(func() { secrets.Run(bg, secretRefresh) })
	}
	m.goRun(func() { relay.Run(bg) })
	if len(docRelay.outboxes) > 0 {
		m.goRun(func() { docRelay.Run(bg, docRelayEvery) })
	}
	if p.Sweep {
		m.goRun(func() { m.Sweeper.Run(bg, time.Minute) })
	}
	if p.Sweep && docs.Sweep {
		m.goRun(func() { m.sweepCarts(bg, carts) })
	}
	if p.Dispatch {
		m.goRun(func() { dispatcher.Run(bg, commerce.QueueOrders, commerce.QueueInventory) })
	}
	if p.Events {
		m.goRun(func() { m.Events.Run(bg) })
		m.goRun(func() { m.Webhooks.Run(bg) })
	}
	if p.Sweep {
		m.goRun(func() { m.purgeEvents(bg, eventLog, cfg.EventRetention) })
	}
	m.started.Store(true)
	m.announce(tp != nil, devIssuer != nil)
	return nil
}

// goRun runs f in the background until Close.
func (m *Main) goRun(f func()) {
	m.workers.Add(1)
	go func() { defer m.workers.Done(); f() }()
}

// orderTokenKey returns the key that signs order access tokens: derived,
// under a label of its own, from shared, the key every instance shares for
// listing cursors (never from the admin key), so that any instance replays
// a checkout's answer with the same token; random for this process when
// there is none (a replay after a restart then carries no token, while the
// token first given stays valid).
func orderTokenKey(shared []byte) []byte {
	if len(shared) == 0 {
		key := make([]byte, 32)
		rand.Read(key)
		return key
	}
	m := hmac.New(sha256.New, shared)
	m.Write([]byte("shopfn order access tokens"))
	return m.Sum(nil)
}
