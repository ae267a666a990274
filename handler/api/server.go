// Package api serves shopfn's HTTP contract: the routes storefronts and staff
// call under /api, problem+json errors, and request limits. The same handler
// serves requests directly (standalone) and forwarded by the Functions host.
package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"net/netip"
	"path"
	"runtime/debug"
	"strings"
	"time"

	"shopfn/handler/auth"
	"shopfn/handler/cart"
	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
	"shopfn/handler/customer"
	"shopfn/handler/events"
	"shopfn/handler/telemetry"
	"shopfn/handler/webhook"
)

// Route is one HTTP route the handler serves.
type Route struct {
	Method  string // "GET", "POST", "PUT", "PATCH" or "DELETE"
	Pattern string // net/http ServeMux path pattern, e.g. "/api/products/{idOrHandle}"
	Admin   bool   // true when the route needs the admin key (authLevel function)
}

// Server holds what the HTTP handlers need.
type Server struct {
	Deps
	cfg     Config
	log     *slog.Logger
	cache   *cache
	cursors cursors
	limiter *limiter
	// listMemo remembers the storefront listing's recent query strings.
	listMemo listMemo
}

// Deps are the stores and services behind the routes.
type Deps struct {
	// Events is the event log the feed reads, Webhooks the subscriptions
	// and their deliveries; nil answers 503.
	Events    events.Log
	Webhooks  *webhook.Service
	Catalog   commerce.CatalogStore
	Inventory commerce.InventoryStore
	Carts     *cart.Service
	Checkout  *checkout.Service
	Orders    commerce.OrderStore
	// Customers keeps customer records; Auth verifies customers' bearer
	// tokens. With either nil, customer routes answer 503 "unavailable".
	Customers *customer.Service
	Auth      *auth.Verifier
	// PriceLists keeps the price lists (the cache that prices carts, so
	// that its writes are seen at once); nil answers 503 "unavailable".
	PriceLists commerce.PriceListStore
	// Charges keeps the shipping options and tax rates (the cache that
	// prices checkouts); nil answers 503 "unavailable" on their admin
	// routes and lists no shipping option for a cart.
	Charges ChargeStore
	// Promotions keeps the promotions (the cache that prices carts, so
	// that writes retire it).
	Promotions commerce.PromotionStore
	// Categories keeps the category documents; nil answers 503
	// "unavailable" on their admin routes, and GET /api/categories
	// derives every category from the products.
	Categories commerce.CategoryStore
	// DevIssuer, when set, serves the development issuer under
	// /api/dev/oidc; otherwise those routes answer 404.
	DevIssuer *auth.DevIssuer
	// DeadLetters lists a queue's dead-lettered messages.
	DeadLetters func(ctx context.Context, queue string, limit int) ([]commerce.DeadLetter, error)
	// Redrive publishes a dead letter again and removes it from the dead
	// letters (worker.Redrive); it returns "not_found" when there is none.
	Redrive func(ctx context.Context, queue, messageID string) (commerce.Message, error)
	// Parked lists a queue's parked outbox messages, those the queue
	// refused for good (commerce.Outbox.Parked); nil lists none.
	Parked func(ctx context.Context, queue string, limit int) ([]commerce.ParkedEntry, error)
	// Unpark makes a parked outbox message pending again and wakes the
	// relay (commerce.Outbox.Unpark).
	Unpark func(ctx context.Context, queue string, seq int64) (commerce.OutboxEntry, bool, error)
	// Functions runs a queue function on a message (worker.Functions.Handle).
	Functions func(ctx context.Context, queue string, m commerce.Message) error
	// HostRetry, when set (Service Bus), reschedules a message whose
	// queue function failed under the Functions host, with a backoff.
	HostRetry HostRetry
	// StripeWebhook verifies and parses a Stripe webhook; nil when Stripe is
	// not the payment provider.
	StripeWebhook func(payload []byte, signature string) (eventType string, p commerce.Payment, err error)
	// ShopifyWebhook verifies a Shopify webhook (its raw body and headers)
	// and enqueues the order it carries (shopify.Receiver.Receive); nil
	// when SHOPFN_SHOPIFY_WEBHOOK_SECRET is not set.
	ShopifyWebhook func(ctx context.Context, body []byte, h http.Header) error
	// ShopifyOrders lists the Shopify orders the stock pool recorded; nil
	// answers 503.
	ShopifyOrders commerce.ShopifyOrders
	// TestAuthenticate completes a test payment's 3-D Secure step; nil
	// unless the test payment provider is active.
	TestAuthenticate func(ctx context.Context, paymentID, token string, fail bool) (commerce.Payment, error)
	// Ready reports whether the stores and the queue are reachable, for
	// the readiness probe; nil means always.
	Ready func(ctx context.Context) error
	// Started reports whether the process has finished starting, for the
	// start-up probe; nil means it has.
	Started func() bool
	// Relay publishes what the outbox still holds (the timer function
	// relay); nil when this process has no relay.
	Relay func(ctx context.Context) error
	// Health reports whether the stores can take writes; nil means always.
	// Its error is answered as 503 "unavailable" on /api/health and on
	// every write.
	Health func(ctx context.Context) error
}

// Config configures a Server.
type Config struct {
	// AdminKey is the key admin requests must send in x-functions-key or
	// ?code=. It is ignored when TrustHost is set.
	AdminKey string
	// AdminKeyFunc, when set, replaces AdminKey: it returns the current key
	// on every request, so that a key rotated in Key Vault applies at once.
	AdminKeyFunc func() string
	// TrustHost says the Functions host fronts the handler and has already
	// checked function keys (authLevel function), so shopfn does not.
	TrustHost bool
	// CacheTTL bounds how long a catalog response may be served from memory
	// after another instance changed the catalog. Changes made through this
	// instance are seen at once. Zero disables the cache.
	CacheTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// CORSOrigins are the browser origins allowed to call the storefront
	// routes; "*" allows any, none turns CORS off.
	CORSOrigins []string
	// Telemetry, when set, traces and counts every request and serves
	// GET /metrics (admin key).
	Telemetry *telemetry.Telemetry
	// AccessLog, when set, gets one line per request. Under the Functions
	// host it is nil: the host records requests already.
	AccessLog *telemetry.AccessLog
	// CacheBytes bounds the catalog response cache; zero means
	// DefaultCacheBytes.
	CacheBytes int64
	// Currency is the currency of price filters and sorting when a
	// listing names none; empty means USD.
	Currency string
	// CursorKey signs listing cursors. Instances that serve one catalog
	// must share it; empty means a random key for this process.
	CursorKey []byte
	// RateLimit is how many anonymous writes per second one client may
	// send after a burst of RateBurst; zero turns rate limits off.
	RateLimit float64
	RateBurst int
	// TrustedProxies are the proxies whose X-Forwarded-For names the client.
	TrustedProxies []netip.Prefix
	// IPv6Prefix is the prefix length by which IPv6 clients are keyed
	// (64, 56 or 48); 0 means 64.
	IPv6Prefix int
	// RequestTimeout bounds every request: its context ends then, and
	// what it was waiting for is answered 503 "unavailable". Zero means
	// DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Storefront is what GET /api/config answers.
	Storefront Storefront
	// PublicURL is the API's address as buyers reach it
	// (SHOPFN_PUBLIC_URL); empty means each request's own scheme and host.
	PublicURL string
}

// NewServer returns a Server.
func NewServer(deps Deps, cfg Config, log *slog.Logger) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Currency == "" {
		cfg.Currency = "USD"
	}
	key := cfg.CursorKey
	if len(key) == 0 {
		key = make([]byte, 32)
		rand.Read(key)
	}
	return &Server{
		Deps: deps, cfg: cfg, log: log,
		cache:   newCache(cfg.CacheTTL, cfg.CacheBytes, cfg.Now, cfg.Telemetry.Metrics()),
		cursors: cursors{key: key},
		limiter: newLimiter(cfg.RateLimit, cfg.RateBurst, cfg.Now),
	}
}

type route struct {
	Route
	handle func(http.ResponseWriter, *http.Request) error
}

// ownsDeadline reports whether rt's handler gives its request the deadline
// itself (withDeadline), around its store calls only: the storefront
// listing, which the response cache answers without calling a store, and
// for which a timer per request cost a twentieth of its time.
func ownsDeadline(rt Route) bool { return rt.Method == "GET" && rt.Pattern == "/api/products" }

func (s *Server) routes() []route {
	return append([]route{
		{Route{"GET", "/api/health", false}, s.health},
		{Route{"GET", "/api/products", false}, s.listProducts},
		{Route{"GET", "/api/products/{idOrHandle}", false}, s.getProduct},
		{Route{"GET", "/api/categories", false}, s.listCategories},
		{Route{"GET", "/api/inventory", false}, s.getInventories},
		{Route{"GET", "/api/inventory/{sku}", false}, s.getInventory},
		{Route{"GET", "/api/config", false}, s.getConfig},
		{Route{"GET", "/api/openapi.json", false}, s.openAPI},
		{Route{"GET", "/api/docs", false}, s.docs},
		{Route{"GET", "/static/sample/{handle}/{image}", false}, s.sampleImage},

		{Route{"GET", "/api/admin/products", true}, s.listAdminProducts},
		{Route{"GET", "/api/admin/products/{id}", true}, s.getAdminProduct},
		{Route{"POST", "/api/admin/products", true}, s.createProduct},
		{Route{"PUT", "/api/admin/products/{id}", true}, s.replaceProduct},
		{Route{"DELETE", "/api/admin/products/{id}", true}, s.deleteProduct},
		{Route{"PUT", "/api/admin/inventory/{sku}", true}, s.setInventory},
		{Route{"GET", "/api/admin/inventory/{sku}", true}, s.getAdminInventory},
		{Route{"PUT", "/api/admin/inventory/{sku}/locations/{locationId}", true}, s.setLocationInventory},
		{Route{"GET", "/api/admin/locations", true}, s.listLocations},
		{Route{"GET", "/api/admin/locations/{locationId}", true}, s.getLocation},
		{Route{"PUT", "/api/admin/locations/{locationId}", true}, s.putLocation},

		{Route{"POST", "/api/carts", false}, s.createCart},
		{Route{"GET", "/api/carts/{cartId}", false}, s.getCart},
		{Route{"DELETE", "/api/carts/{cartId}", false}, s.deleteCart},
		{Route{"POST", "/api/carts/{cartId}/items", false}, s.addCartItem},
		{Route{"PUT", "/api/carts/{cartId}/items/{sku}", false}, s.setCartItem},
		{Route{"DELETE", "/api/carts/{cartId}/items/{sku}", false}, s.removeCartItem},
		{Route{"POST", "/api/carts/{cartId}/customer", false}, s.attachCart},
		{Route{"GET", "/api/carts/{cartId}/shipping-options", false}, s.cartShippingOptions},
		{Route{"POST", "/api/carts/{cartId}/promotions", false}, s.applyCartCode},
		{Route{"DELETE", "/api/carts/{cartId}/promotions/{code}", false}, s.removeCartCode},

		{Route{"POST", "/api/checkout", false}, s.checkout},
		{Route{"GET", "/api/checkout/{checkoutId}", false}, s.getCheckout},
		{Route{"POST", "/api/checkout/{checkoutId}/confirm", false}, s.confirmCheckout},
		{Route{"GET", "/api/orders/{orderId}", false}, s.getOrder},
		{Route{"POST", "/api/webhooks/stripe", false}, s.stripeWebhook},
		{Route{"POST", "/api/webhooks/shopify", false}, s.shopifyWebhook},
		{Route{"POST", "/api/testpay/authenticate/{paymentId}", false}, s.testAuthenticate},

		{Route{"GET", "/api/me", false}, s.getMe},
		{Route{"PATCH", "/api/me", false}, s.patchMe},
		{Route{"DELETE", "/api/me", false}, s.deleteMe},
		{Route{"GET", "/api/me/cart", false}, s.getMyCart},
		{Route{"GET", "/api/me/orders", false}, s.listMyOrders},
		{Route{"POST", "/api/me/orders/claim", false}, s.claimOrder},
		{Route{"GET", "/api/me/addresses", false}, s.listAddresses},
		{Route{"POST", "/api/me/addresses", false}, s.addAddress},
		{Route{"PUT", "/api/me/addresses/{addressId}", false}, s.replaceAddress},
		{Route{"DELETE", "/api/me/addresses/{addressId}", false}, s.deleteAddress},
		{Route{"GET", "/api/dev/oidc/.well-known/openid-configuration", false}, s.devDiscovery},
		{Route{"GET", "/api/dev/oidc/jwks", false}, s.devJWKS},
		{Route{"POST", "/api/dev/oidc/token", false}, s.devToken},

		{Route{"GET", "/api/admin/customers", true}, s.listCustomers},
		{Route{"GET", "/api/admin/customers/{customerId}", true}, s.getCustomer},
		{Route{"PUT", "/api/admin/customers/{customerId}/groups", true}, s.setCustomerGroups},
		{Route{"GET", "/api/admin/price-lists", true}, s.listPriceLists},
		{Route{"GET", "/api/admin/price-lists/{id}", true}, s.getPriceList},
		{Route{"PUT", "/api/admin/price-lists/{id}", true}, s.putPriceList},
		{Route{"DELETE", "/api/admin/price-lists/{id}", true}, s.deletePriceList},
		{Route{"GET", "/api/admin/shipping-options", true}, s.listShippingOptions},
		{Route{"GET", "/api/admin/shipping-options/{id}", true}, s.getShippingOption},
		{Route{"PUT", "/api/admin/shipping-options/{id}", true}, s.putShippingOption},
		{Route{"DELETE", "/api/admin/shipping-options/{id}", true}, s.deleteShippingOption},
		{Route{"GET", "/api/admin/tax-rates", true}, s.listTaxRates},
		{Route{"GET", "/api/admin/tax-rates/{country}", true}, s.getTaxRate},
		{Route{"PUT", "/api/admin/tax-rates/{country}", true}, s.putTaxRate},
		{Route{"DELETE", "/api/admin/tax-rates/{country}", true}, s.deleteTaxRate},
		{Route{"GET", "/api/admin/promotions", true}, s.listPromotions},
		{Route{"POST", "/api/admin/promotions", true}, s.createPromotion},
		{Route{"GET", "/api/admin/promotions/{id}", true}, s.getPromotion},
		{Route{"PATCH", "/api/admin/promotions/{id}", true}, s.patchPromotion},
		{Route{"POST", "/api/admin/categories/{id}", true}, s.createCategory},
		{Route{"PUT", "/api/admin/categories/{id}", true}, s.putCategory},
		{Route{"DELETE", "/api/admin/categories/{id}", true}, s.deleteCategory},
		{Route{"GET", "/api/admin/orders", true}, s.listOrders},
		{Route{"POST", "/api/admin/orders/{orderId}/cancel", true}, s.cancelOrder},
		{Route{"POST", "/api/admin/orders/{orderId}/fulfil", true}, s.fulfilOrder},
		{Route{"POST", "/api/admin/orders/{orderId}/fulfilments", true}, s.fulfil},
		{Route{"POST", "/api/admin/orders/{orderId}/allocations/move", true}, s.moveAllocation},
		{Route{"GET", "/api/admin/deadletters", true}, s.listDeadLetters},
		{Route{"GET", "/api/admin/events", true}, s.listEvents},
		{Route{"GET", "/api/admin/shopify/orders", true}, s.listShopifyOrders},
		{Route{"POST", "/api/admin/subscriptions", true}, s.createSubscription},
		{Route{"GET", "/api/admin/subscriptions", true}, s.listSubscriptions},
		{Route{"GET", "/api/admin/subscriptions/{id}", true}, s.getSubscription},
		{Route{"DELETE", "/api/admin/subscriptions/{id}", true}, s.deleteSubscription},
		{Route{"POST", "/api/admin/subscriptions/{id}/rotate-secret", true}, s.rotateSubscriptionSecret},
		{Route{"POST", "/api/admin/subscriptions/{id}/test", true}, s.testSubscription},
		{Route{"GET", "/api/admin/subscriptions/{id}/deliveries", true}, s.listDeliveries},
		{Route{"POST", "/api/admin/subscriptions/{id}/deliveries/{deliveryId}/redeliver", true}, s.redeliver},
		{Route{"POST", "/api/admin/deadletters/{queue}/{messageId}/redrive", true}, s.redrive},
		// Prometheus metrics: /metrics on the main address, /api/metrics
		// through the Functions host, which forwards only /api routes.
		{Route{"GET", "/metrics", true}, s.metrics},
		{Route{"GET", "/api/metrics", true}, s.metrics},

		// Queue functions, invoked by the Functions host (or, standalone,
		// by anyone holding the admin key).
		{Route{"POST", "/orders", true}, s.invoke(commerce.QueueOrders)},
		{Route{"POST", "/inventory", true}, s.invoke(commerce.QueueInventory)},
		{Route{"POST", "/relay", true}, s.runRelay},
	}, s.probeRoutes()...)
}

// Routes returns every route the handler serves, in registration order.
func Routes() []Route {
	var s Server
	var out []Route
	for _, r := range s.routes() {
		out = append(out, r.Route)
	}
	return out
}

// Handler returns the http.Handler serving every route. Unknown paths get a
// 404 problem, known paths with another method a 405 problem with Allow.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	allow := map[string][]string{}
	var patterns []string
	for _, rt := range s.routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
		if allow[rt.Pattern] == nil {
			patterns = append(patterns, rt.Pattern)
		}
		allow[rt.Pattern] = append(allow[rt.Pattern], rt.Method)
		if rt.Method == "GET" {
			allow[rt.Pattern] = append(allow[rt.Pattern], "HEAD")
		}
	}
	for _, p := range patterns {
		methods := strings.Join(allow[p], ", ")
		mux.Handle(p, s.wrap(route{Route: Route{Method: "*", Pattern: p}, handle: func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Allow", methods)
			return commerce.Invalidf(commerce.CodeMethodNotAllowed, "%s is not allowed here; allowed: %s", r.Method, methods)
		}}))
	}
	mux.Handle("/", s.wrap(route{Route: Route{Method: "*", Pattern: "/"}, handle: s.root}))
	return SecurityHeaders(s.guard(s.cors(mux)))
}

// root answers "/", which the Functions host polls until the handler
// answers, and every path no route serves.
func (s *Server) root(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Path == "/" {
		writeBody(w, http.StatusOK, []byte(`{"status":"ok","service":"shopfn"}`))
		return nil
	}
	return commerce.NotFoundf("no route for %s", r.URL.Path)
}

// MaxHeaderBytes is the most request-header bytes shopfn reads; larger
// headers get a 431 problem. Set http.Server.MaxHeaderBytes well above it,
// so that net/http's own plain-text 431 only answers far larger ones.
const MaxHeaderBytes = 64 << 10

// guard answers, as problems, what net/http's ServeMux would otherwise
// answer in plain text or HTML: oversized headers, and paths that are not
// clean ("//api/products", "/api/./carts"), which it redirects.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := len(r.RequestURI)
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		var err error
		switch {
		case n > MaxHeaderBytes:
			err = commerce.Invalidf(commerce.CodeHeadersTooLarge, "request headers are limited to %d bytes", MaxHeaderBytes)
		case r.Method != http.MethodConnect && r.URL.Path != cleanPath(r.URL.Path):
			err = commerce.NotFoundf("no route for %s: paths have no empty, '.' or '..' segments", r.URL.Path)
		default:
			next.ServeHTTP(w, r)
			return
		}
		rec := &recorder{ResponseWriter: w}
		s.writeError(rec, r, err)
		s.logRequest(r, "", rec.status, rec.size, 0)
	})
}

// cleanPath is path.Clean keeping a trailing slash, as ServeMux cleans.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// wrap adds what every route needs: a span, metrics and a log line, panic
// recovery, the admin check, a deadline, and turning a returned error into
// a problem response.
func (s *Server) wrap(rt route) http.Handler {
	served := s.cfg.Telemetry.Metrics().Route(rt.Pattern, rt.Method)
	spans := s.cfg.Telemetry.Spans(rt.Pattern, rt.Method)
	ownDeadline := ownsDeadline(rt.Route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		r, span := spans.Start(r)
		if !ownDeadline {
			var cancel context.CancelFunc
			r, cancel = s.withDeadline(r)
			defer cancel()
		}
		defer func() {
			spans.End(span, r, rec.status)
			served.Served(rec.status, time.Since(start))
		}()
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", "route", r.Pattern, "panic", v, "stack", string(debug.Stack()))
				if !rec.wrote {
					s.writeError(rec, r, commerce.Errorf(commerce.KindInternal, commerce.CodeInternal, "panic"))
				}
			}
			s.logRequest(r, rt.Pattern, rec.status, rec.size, time.Since(start))
		}()
		if err := s.admit(rec, r, rt); err != nil {
			s.writeError(rec, r, s.timedOut(r, err))
			return
		}
		if err := rt.handle(rec, r); err != nil {
			s.writeError(rec, r, s.timedOut(r, err))
		}
	})
}

// admit runs the checks every request passes before its handler: a well-
// formed query string, the admin key, query parameters the route takes
// (checkParams), the rate limit, and, for writes, a healthy store.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, rt route) error {
	if rt.Admin {
		w.Header().Set("Cache-Control", "no-store")
	}
	if !validQuery(r.URL.RawQuery) {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "malformed query string: escape '%%' as %%25 and separate parameters with '&'")
	}
	if rt.Admin && !s.authorized(r) {
		return commerce.Errorf(commerce.KindUnauthorized, commerce.CodeUnauthorized, "send the admin key in the x-functions-key header")
	}
	if err := checkParams(rt.Route, r.URL.RawQuery); err != nil {
		return err
	}
	if limited(rt) {
		if err := s.rateLimit(w, r); err != nil {
			return err
		}
	}
	if rt.Method != "" && rt.Method != "GET" && rt.Method != "HEAD" && s.Health != nil {
		if err := s.Health(r.Context()); err != nil {
			return unavailable(err)
		}
	}
	return nil
}

// validQuery reports whether url.ParseQuery accepts a raw query string:
// no ';' separators and every '%' followed by two hex digits. It allocates
// nothing, where ParseQuery builds the map.
func validQuery(raw string) bool {
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case ';':
			return false
		case '%':
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unavailable turns a health error into a 503 "unavailable".
func unavailable(err error) error {
	if commerce.ErrorKind(err) == commerce.KindUnavailable {
		return err
	}
	return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "the store cannot take writes now; retry later")
}

func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.TrustHost {
		return true
	}
	key := r.Header.Get("x-functions-key")
	if key == "" {
		key = r.URL.Query().Get("code")
	}
	want := s.cfg.AdminKey
	if s.cfg.AdminKeyFunc != nil {
		want = s.cfg.AdminKeyFunc()
	}
	return key != "" && want != "" && subtle.ConstantTimeCompare([]byte(key), []byte(want)) == 1
}

// recorder remembers the status and size of a response for the log.
type recorder struct {
	http.ResponseWriter
	status int
	size   int64
	wrote  bool
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	n, err := r.ResponseWriter.Write(b)
	r.size += int64(n)
	return n, err
}

// metrics serves the Prometheus scrape.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Telemetry == nil {
		return commerce.NotFoundf("metrics are not collected")
	}
	s.cfg.Telemetry.Scrape().ServeHTTP(w, r)
	return nil
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	if s.Health != nil {
		if err := s.Health(r.Context()); err != nil {
			s.log.ErrorContext(r.Context(), "unhealthy", "err", err)
			return unavailable(err)
		}
	}
	writeBody(w, http.StatusOK, []byte(`{"status":"ok"}`))
	return nil
}
