// Package api serves shopfn's HTTP contract: the routes storefronts and staff
// call under /api, problem+json errors, and request limits. The same handler
// serves requests directly (standalone) and forwarded by the Functions host.
package api

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"shopfn/handler/cart"
	"shopfn/handler/checkout"
	"shopfn/handler/commerce"
)

// Route is one HTTP route the handler serves.
type Route struct {
	Method  string // "GET", "POST", "PUT" or "DELETE"
	Pattern string // net/http ServeMux path pattern, e.g. "/api/products/{idOrHandle}"
	Admin   bool   // true when the route needs the admin key (authLevel function)
}

// Server holds what the HTTP handlers need.
type Server struct {
	Deps
	cfg   Config
	log   *slog.Logger
	cache *cache
}

// Deps are the stores and services behind the routes.
type Deps struct {
	Catalog   commerce.CatalogStore
	Inventory commerce.InventoryStore
	Carts     *cart.Service
	Checkout  *checkout.Service
	Orders    commerce.OrderStore
	// DeadLetters lists a queue's dead-lettered messages.
	DeadLetters func(ctx context.Context, queue string, limit int) ([]commerce.DeadLetter, error)
	// Redrive publishes a dead letter again and removes it from the dead
	// letters (worker.Redrive); it returns "not_found" when there is none.
	Redrive func(ctx context.Context, queue, messageID string) (commerce.Message, error)
	// Functions runs a queue function on a message (worker.Functions.Handle).
	Functions func(ctx context.Context, queue string, m commerce.Message) error
	// StripeWebhook verifies and parses a Stripe webhook; nil when Stripe is
	// not the payment provider.
	StripeWebhook func(payload []byte, signature string) (eventType string, p commerce.Payment, err error)
	// TestAuthenticate completes a test payment's 3-D Secure step; nil
	// unless the test payment provider is active.
	TestAuthenticate func(ctx context.Context, paymentID string, fail bool) (commerce.Payment, error)
}

// Config configures a Server.
type Config struct {
	// AdminKey is the key admin requests must send in x-functions-key or
	// ?code=. It is ignored when TrustHost is set.
	AdminKey string
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
}

// NewServer returns a Server.
func NewServer(deps Deps, cfg Config, log *slog.Logger) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Server{Deps: deps, cfg: cfg, log: log, cache: newCache(cfg.CacheTTL, cfg.Now)}
}

type route struct {
	Route
	handle func(http.ResponseWriter, *http.Request) error
}

func (s *Server) routes() []route {
	return []route{
		{Route{"GET", "/api/health", false}, s.health},
		{Route{"GET", "/api/products", false}, s.listProducts},
		{Route{"GET", "/api/products/{idOrHandle}", false}, s.getProduct},
		{Route{"GET", "/api/categories", false}, s.listCategories},
		{Route{"GET", "/api/inventory/{sku}", false}, s.getInventory},
		{Route{"GET", "/api/openapi.json", false}, s.openAPI},
		{Route{"GET", "/api/docs", false}, s.docs},

		{Route{"POST", "/api/admin/products", true}, s.createProduct},
		{Route{"PUT", "/api/admin/products/{id}", true}, s.replaceProduct},
		{Route{"DELETE", "/api/admin/products/{id}", true}, s.deleteProduct},
		{Route{"PUT", "/api/admin/inventory/{sku}", true}, s.setInventory},
		{Route{"GET", "/api/admin/inventory/{sku}", true}, s.getAdminInventory},

		{Route{"POST", "/api/carts", false}, s.createCart},
		{Route{"GET", "/api/carts/{cartId}", false}, s.getCart},
		{Route{"DELETE", "/api/carts/{cartId}", false}, s.deleteCart},
		{Route{"POST", "/api/carts/{cartId}/items", false}, s.addCartItem},
		{Route{"PUT", "/api/carts/{cartId}/items/{sku}", false}, s.setCartItem},
		{Route{"DELETE", "/api/carts/{cartId}/items/{sku}", false}, s.removeCartItem},

		{Route{"POST", "/api/checkout", false}, s.checkout},
		{Route{"POST", "/api/checkout/{checkoutId}/confirm", false}, s.confirmCheckout},
		{Route{"GET", "/api/orders/{orderId}", false}, s.getOrder},
		{Route{"POST", "/api/webhooks/stripe", false}, s.stripeWebhook},
		{Route{"POST", "/api/testpay/authenticate/{paymentId}", false}, s.testAuthenticate},

		{Route{"GET", "/api/admin/orders", true}, s.listOrders},
		{Route{"POST", "/api/admin/orders/{orderId}/cancel", true}, s.cancelOrder},
		{Route{"POST", "/api/admin/orders/{orderId}/fulfil", true}, s.fulfilOrder},
		{Route{"GET", "/api/admin/deadletters", true}, s.listDeadLetters},
		{Route{"POST", "/api/admin/deadletters/{queue}/{messageId}/redrive", true}, s.redrive},

		// Queue functions, invoked by the Functions host (or, standalone,
		// by anyone holding the admin key).
		{Route{"POST", "/orders", true}, s.invoke(commerce.QueueOrders)},
		{Route{"POST", "/inventory", true}, s.invoke(commerce.QueueInventory)},
	}
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
		mux.Handle(p, s.wrap(route{handle: func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Allow", methods)
			return commerce.Invalidf(commerce.CodeMethodNotAllowed, "%s is not allowed here; allowed: %s", r.Method, methods)
		}}))
	}
	mux.Handle("/", s.wrap(route{handle: func(w http.ResponseWriter, r *http.Request) error {
		if r.URL.Path == "/" {
			// The Functions host polls "/" until the handler answers.
			writeBody(w, http.StatusOK, []byte(`{"status":"ok","service":"shopfn"}`))
			return nil
		}
		return commerce.NotFoundf("no route for %s", r.URL.Path)
	}}))
	return s.cors(mux)
}

// wrap adds what every route needs: a log line, panic recovery, the admin
// check, and turning a returned error into a problem response.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				if !rec.wrote {
					s.writeError(rec, r, commerce.Errorf(commerce.KindInternal, commerce.CodeInternal, "panic"))
				}
			}
			s.logRequest(r, rec.status, rec.size, time.Since(start))
		}()
		if rt.Admin && !s.authorized(r) {
			s.writeError(rec, r, commerce.Errorf(commerce.KindUnauthorized, commerce.CodeUnauthorized, "send the admin key in the x-functions-key header"))
			return
		}
		if err := rt.handle(rec, r); err != nil {
			s.writeError(rec, r, err)
		}
	})
}

func (s *Server) authorized(r *http.Request) bool {
	if s.cfg.TrustHost {
		return true
	}
	key := r.Header.Get("x-functions-key")
	if key == "" {
		key = r.URL.Query().Get("code")
	}
	return key != "" && subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.AdminKey)) == 1
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

func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	writeBody(w, http.StatusOK, []byte(`{"status":"ok"}`))
	return nil
}
