// Command handler is shopfn: a headless commerce backend that serves the
// storefront API over HTTP, standalone (go run ./handler) or as an Azure
// Functions custom handler.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"shopfn/handler/api"
	"shopfn/handler/cache"
	"shopfn/handler/cart"
	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
	"shopfn/handler/keyvault"
	"shopfn/handler/pricing"
	"shopfn/handler/sample"
	"shopfn/handler/servicebus"
	"shopfn/handler/sqlite"
	"shopfn/handler/sqlstore"
	"shopfn/handler/stripe"
	"shopfn/handler/telemetry"
	"shopfn/handler/testpay"
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
		fmt.Fprintln(os.Stderr, "shopfn:", err)
		m.Close()
		os.Exit(1)
	}
	<-ctx.Done()
	if err := m.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "shopfn:", err)
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

	db        *sqlite.DB
	sqlDB     *sql.DB // SQL Server, when SHOPFN_SQL=sqlserver
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

	// Middleware, when set, wraps the queue functions as the dispatcher
	// and the Functions host call them; tests use it to deliver messages
	// twice or out of order, or to fail them.
	Middleware func(Handler) Handler

	// CosmosPolicies run on every HTTP request to Cosmos DB; benchmarks
	// count requests with one.
	CosmosPolicies []policy.Policy

	// Queue is the embedded queue (nil with Service Bus); Payments the
	// payment provider.
	Queue    *sqlite.Queue
	Payments commerce.PaymentProvider
	// API is the HTTP server's handler state.
	API *api.Server
	// Sweeper releases reservations whose expiry message never came; it
	// runs every minute, and tests may call its Sweep.
	Sweeper *worker.Sweeper

	queue      queue                       // the queues in use
	closeQueue func(context.Context) error // closes Service Bus, if open
}

// queue is what the program needs of its queues: the embedded queue and
// Service Bus both have it.
type queue interface {
	commerce.Queue
	commerce.DeadLetterQueue
}

// Handler runs a queue function on a message.
type Handler = func(ctx context.Context, queue string, m commerce.Message) error

// Run opens the stores, loads the sample catalog into an empty store, and
// starts serving. It returns once the listener is open.
func (m *Main) Run(ctx context.Context) error {
	if m.Now == nil {
		m.Now = time.Now
	}
	cfg := m.Config
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
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
	if m.lock, err = sqlite.LockDir(cfg.DataDir); err != nil {
		return err
	}
	if m.db, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, "shopfn.db")); err != nil {
		return err
	}
	if m.rel, err = m.openRelational(ctx); err != nil {
		return err
	}
	rel := m.rel
	rel.Observe = metrics.StoreCall
	docs, err := openDocuments(ctx, cfg, m.db, m.CosmosPolicies)
	if err != nil {
		return err
	}
	catalog := cache.NewCatalog(docs.Catalog, cfg.CatalogCacheTTL, m.Now)
	catalog.Metrics = metrics
	carts := docs.Carts
	inventory, err := sqlstore.NewInventoryStore(ctx, rel)
	if err != nil {
		return err
	}
	if cfg.Seed {
		n, err := catalog.CountProducts(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			loaded, err := sample.Load(ctx, catalog, inventory, m.Now())
			if err != nil {
				return err
			}
			m.Logger.Info("loaded the sample catalog", "products", loaded)
		}
	}

	checkouts := sqlstore.NewCheckoutStore(rel)
	carter := cart.NewService(carts, checkouts, catalog, inventory, cfg.CartTTL, cfg.Currency, m.Now)

	// The money path: checkouts and orders in the relational store, the
	// embedded queue, the relay that publishes the outbox to it, and the
	// dispatcher that feeds its messages to the queue functions.
	if cfg.SQL != "sqlserver" {
		// The embedded store belongs to this one process: the claims it
		// finds were left by a process that is gone. On a shared database
		// they may be another instance's, so they only expire by time.
		if err := checkouts.ReleaseLeases(ctx); err != nil {
			return err
		}
	}
	if err := metrics.ObserveOutbox(checkouts.Backlog, m.Now); err != nil {
		return err
	}
	orders := sqlstore.NewOrderStore(rel)
	if err := m.openQueue(ctx); err != nil {
		return err
	}
	secrets, err := openSecrets(ctx, cfg, m.Logger)
	if err != nil {
		return err
	}
	stripeCfg := stripe.Config{SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret, APIBase: cfg.StripeAPIBase}
	apiCfg := api.Config{
		AdminKey: cfg.AdminKey, TrustHost: cfg.UnderHost, CacheTTL: cfg.CatalogCacheTTL, CacheBytes: cfg.CatalogCacheBytes, Now: m.Now,
		CORSOrigins: cfg.CORSOrigins,
		RateLimit:   cfg.RateLimit, RateBurst: cfg.RateBurst, TrustedProxies: cfg.TrustedProxies,
		Telemetry: m.tel, AccessLog: m.AccessLog,
	}
	if secrets != nil { // read on every use, so that a rotated secret applies at once
		stripeCfg.SecretKeyFunc = secrets.Func(keyvault.StripeSecretKey)
		stripeCfg.WebhookSecretFunc = secrets.Func(keyvault.StripeWebhookSecret)
		apiCfg.AdminKeyFunc = secrets.Func(keyvault.AdminKey)
	}
	var webhook func([]byte, string) (string, commerce.Payment, error)
	var authenticate func(context.Context, string, bool) (commerce.Payment, error)
	var tp *testpay.Provider
	switch cfg.Payments {
	case "stripe":
		sp := stripe.New(stripeCfg)
		m.Payments = sp
		webhook = func(payload []byte, sig string) (string, commerce.Payment, error) {
			ev, err := sp.ParseWebhook(payload, sig)
			return ev.Type, ev.Payment, err
		}
	default:
		if tp, err = testpay.New(m.db.Write); err != nil {
			return err
		}
		m.Payments, authenticate = tp, tp.Authenticate
	}
	relay := worker.NewRelay(checkouts, m.queue, time.Second, m.Logger)
	checkoutSvc := checkout.NewService(carter, checkouts, m.Payments, checkout.Config{
		Rules:          pricing.Flat(cfg.Currency, cfg.Shipping, cfg.Tax, cfg.ShippingBy, cfg.TaxBy),
		ReservationTTL: cfg.ReservationTTL, Now: m.Now, Published: relay.Kick, Render: api.FirstResponse,
		MaxHeld:    cfg.MaxActionCheckouts,
		Publishing: m.tel.Publishing, Metrics: metrics,
	}, m.Logger)
	functions := &worker.Functions{OrderStore: orders, Stock: inventory, Checkouts: checkoutSvc, Now: m.Now, Metrics: metrics}
	// Every delivery, from the dispatcher or the Functions host, runs in a
	// span that continues its message's trace, and is counted.
	traced := m.tel.Consume(functions.Handle, cfg.MaxDeliveries)
	var handle Handler = traced
	if m.Middleware != nil {
		handle = m.Middleware(handle)
	}
	dispatcher := worker.NewDispatcher(m.queue, handle, cfg.Workers, 100*time.Millisecond, cfg.RetryBackoff, m.Logger)
	relay.Published = dispatcher.Kick
	m.Sweeper = &worker.Sweeper{Checkouts: checkouts, Expirer: checkoutSvc, Now: m.Now, Grace: time.Minute, Log: m.Logger}

	cursorKey := cfg.CursorKey
	if cursorKey == "" {
		cursorKey = cfg.AdminKey // empty under the host: a random key per process
	}
	apiCfg.CursorKey = []byte(cursorKey)
	srv := api.NewServer(api.Deps{
		Catalog: catalog, Inventory: inventory, Carts: carter, Checkout: checkoutSvc, Orders: orders,
		DeadLetters: m.queue.DeadLetters, Functions: handle, HostRetry: m.hostRetry(),
		Redrive: func(ctx context.Context, queue, id string) (commerce.Message, error) {
			msg, err := worker.Redrive(ctx, m.queue, queue, id)
			if err == nil {
				dispatcher.Kick()
			}
			return msg, err
		},
		StripeWebhook: webhook, TestAuthenticate: authenticate,
		Health: func(context.Context) error { return m.db.Check() },
	}, apiCfg, m.Logger)
	m.API = srv
	if m.listener, err = net.Listen("tcp", cfg.Addr); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if tp != nil && !cfg.UnderHost {
		tp.BaseURL = "http://" + m.Addr() // where a buyer finishes 3-D Secure
	}
	m.server = &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    4 * api.MaxHeaderBytes, // api answers past api.MaxHeaderBytes with a problem
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(m.listener) }()
	if cfg.MetricsAddr != "" {
		if err := m.serveMetrics(cfg.MetricsAddr); err != nil {
			return err
		}
	}

	bg, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	if secrets != nil {
		m.workers.Add(1)
		go func() { defer m.workers.Done(); secrets.Run(bg, secretRefresh) }()
	}
	if docs.Sweep {
		m.workers.Add(1)
		go func() { defer m.workers.Done(); m.sweepCarts(bg, carts) }()
	}
	m.workers.Add(2)
	go func() { defer m.workers.Done(); m.Sweeper.Run(bg, time.Minute) }()
	go func() { defer m.workers.Done(); relay.Run(bg) }()
	if !(cfg.UnderHost && cfg.Queue == "servicebus") { // there the host's triggers call the functions
		m.workers.Add(1)
		go func() { defer m.workers.Done(); dispatcher.Run(bg, commerce.QueueOrders, commerce.QueueInventory) }()
	}

	if cfg.AdminKeyGenerated {
		fmt.Fprintf(m.Stdout, "shopfn: SHOPFN_ADMIN_KEY is not set; admin key for this run: %s\n", cfg.AdminKey)
	}
	if tp != nil {
		fmt.Fprintln(m.Stdout, "shopfn: TEST PAYMENTS: no money moves; every checkout is paid by the built-in test provider (set SHOPFN_PAYMENTS=stripe for real payments)")
	}
	if cfg.RateLimit > 0 {
		fmt.Fprintf(m.Stdout, "shopfn: anonymous writes limited to %g/s per client, burst %d (SHOPFN_RATE_LIMIT=0 turns this off)\n", cfg.RateLimit, cfg.RateBurst)
	}
	fmt.Fprintf(m.Stdout, "shopfn: listening on http://%s (data in %s)\n", m.Addr(), cfg.DataDir)
	return nil
}

// Addr returns the address the server listens on.
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Close stops accepting requests, lets in-flight ones and the messages in
// hand finish (up to 20 s), and closes the store.
func (m *Main) Close() error {
	var errs []error
	if m.server != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serve: %w", err))
		}
	}
	if m.cancel != nil {
		m.cancel()
		m.workers.Wait()
	}
	if m.metrics != nil {
		if err := m.metrics.Close(); err != nil {
			errs = append(errs, fmt.Errorf("metrics: %w", err))
		}
	}
	if m.tel != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.tel.Shutdown(ctx); err != nil {
			m.Logger.Warn("telemetry shutdown", "err", err)
		}
	}
	if m.closeQueue != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.closeQueue(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close queue: %w", err))
		}
	}
	if m.rel != nil {
		if err := m.rel.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sqlstore: close: %w", err))
		}
	}
	if m.sqlDB != nil {
		if err := m.sqlDB.Close(); err != nil {
			errs = append(errs, fmt.Errorf("sqlserver: close: %w", err))
		}
	}
	if m.db != nil {
		if err := m.db.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := m.lock.Unlock(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// serveMetrics serves GET /metrics without a key on addr, for a scraper
// inside the cluster; the main address serves it behind the admin key.
func (m *Main) serveMetrics(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on SHOPFN_METRICS_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.tel.Scrape())
	m.metrics, m.metricsLn = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, ln
	go m.metrics.Serve(ln)
	fmt.Fprintf(m.Stdout, "shopfn: metrics on http://%s/metrics\n", ln.Addr())
	return nil
}

// MetricsAddr returns the address of the keyless metrics listener, or ""
// when SHOPFN_METRICS_ADDR is not set.
func (m *Main) MetricsAddr() string {
	if m.metricsLn == nil {
		return ""
	}
	return m.metricsLn.Addr().String()
}

// openQueue opens the queues Config.Queue names: the embedded queue in the
// SQLite file, or Service Bus.
func (m *Main) openQueue(ctx context.Context) error {
	cfg := m.Config
	switch cfg.Queue {
	case "servicebus":
		client, err := servicebus.NewClient(cfg.ServiceBusNamespace, cfg.ServiceBusConnection)
		if err != nil {
			return err
		}
		q := servicebus.NewQueue(client, servicebus.QueueOptions{MaxDeliveryCount: cfg.MaxDeliveries, Now: m.Now})
		m.queue = q
		m.closeQueue = func(ctx context.Context) error { return errors.Join(q.Close(ctx), client.Close(ctx)) }
	default:
		m.Queue = sqlite.NewQueue(m.db, sqlite.QueueOptions{MaxDeliveryCount: cfg.MaxDeliveries, Now: m.Now})
		if err := m.Queue.ReleaseLocks(ctx); err != nil { // this process alone owns the embedded store
			return err
		}
		m.queue = m.Queue
	}
	return nil
}

// sweepCarts deletes expired carts every ten minutes. Reads already treat an
// expired cart as gone; this reclaims the space.
func (m *Main) sweepCarts(ctx context.Context, carts commerce.CartStore) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := carts.DeleteExpiredCarts(ctx, m.Now()); err != nil {
				m.Logger.Warn("sweep expired carts", "err", err)
			} else if n > 0 {
				m.Logger.Info("swept expired carts", "count", n)
			}
		}
	}
}
