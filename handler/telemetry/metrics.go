package telemetry

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// The outcomes a checkout request comes to (shopfn_checkouts_total{outcome}).
const (
	OutcomePaid              = "paid"
	OutcomeRequiresAction    = "requires_action"
	OutcomeProcessing        = "processing"
	OutcomeDeclined          = "declined"
	OutcomeInsufficientStock = "insufficient_stock"
	OutcomeCartClosed        = "cart_closed"
	OutcomePriceChanged      = "price_changed"
	OutcomeRejected          = "rejected" // any other 4xx: bad input, unknown cart
	OutcomeError             = "error"    // 5xx: the alert's error rate
)

// The results of a queue message's delivery (shopfn_queue_messages_total{result}).
const (
	ResultHandled      = "handled"
	ResultRetried      = "retried"
	ResultDeadLettered = "dead_lettered"
)

// Metrics are shopfn's instruments. Their Prometheus names are listed in
// README.md ("Telemetry"); they are a contract with dashboards and alerts.
// Every method does nothing on a nil *Metrics.
type Metrics struct {
	checkouts, reservations, orders, messages, storeCalls metric.Int64Counter
	ru                                                    metric.Float64Counter
	latency, storeLatency                                 metric.Float64Histogram
	meter                                                 metric.Meter
	mu                                                    sync.RWMutex
	sets                                                  map[[6]string]attrSet

	// The counters every request moves are tallied (see tally).
	requests, cache *tallies
	cacheByName     sync.Map // cache name -> *[2]*tally (hits, misses)
}

// tally is a count kept in an atomic and reported when metrics are
// collected, as an observable counter: on the request path it costs one
// atomic add, where a synchronous counter resolves its attribute set on
// every Add.
type tally struct {
	n   atomic.Int64
	opt metric.ObserveOption
}

// tallies are the tallies of one observable counter, one per attribute set.
type tallies struct {
	inst  metric.Int64ObservableCounter
	mu    sync.Mutex
	byKey map[[6]string]*tally
	list  []*tally // append-only
}

// get returns the tally of the given key/value pairs (at most three),
// creating it the first time.
func (ts *tallies) get(kv ...string) *tally {
	var key [6]string
	copy(key[:], kv)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if t, ok := ts.byKey[key]; ok {
		return t
	}
	kvs := make([]attribute.KeyValue, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		kvs = append(kvs, attribute.String(kv[i], kv[i+1]))
	}
	t := &tally{opt: metric.WithAttributeSet(attribute.NewSet(kvs...))}
	ts.byKey[key] = t
	ts.list = append(ts.list, t)
	return t
}

// observe reports every tally counted at least once.
func (ts *tallies) observe(o metric.Observer) {
	ts.mu.Lock()
	list := ts.list
	ts.mu.Unlock()
	for _, t := range list {
		if n := t.n.Load(); n > 0 {
			o.ObserveInt64(ts.inst, n, t.opt)
		}
	}
}

// attrSet is one attribute set as the option slices instruments take:
// passing a prebuilt slice to a variadic method allocates nothing, where
// passing one option builds (and, through the interface, allocates) a
// slice on every call.
type attrSet struct {
	add []metric.AddOption
	rec []metric.RecordOption
}

func newMetrics(m metric.Meter) (*Metrics, error) {
	ms := &Metrics{meter: m, sets: map[[6]string]attrSet{}}
	var errs [11]error
	ms.requests = &tallies{byKey: map[[6]string]*tally{}}
	ms.cache = &tallies{byKey: map[[6]string]*tally{}}
	ms.requests.inst, errs[0] = m.Int64ObservableCounter("shopfn.http.requests", metric.WithDescription("HTTP requests by route template, method and status class."))
	ms.latency, errs[1] = m.Float64Histogram("shopfn.http.request.duration", metric.WithUnit("s"), metric.WithDescription("HTTP request latency by route template, method and status class."))
	ms.checkouts, errs[2] = m.Int64Counter("shopfn.checkouts", metric.WithDescription("Checkout requests by outcome."))
	ms.reservations, errs[3] = m.Int64Counter("shopfn.reservations", metric.WithDescription("Stock reservations made, released and expired."))
	ms.orders, errs[4] = m.Int64Counter("shopfn.orders.placed", metric.WithDescription("Orders placed by the orders function."))
	ms.messages, errs[5] = m.Int64Counter("shopfn.queue.messages", metric.WithDescription("Queue message deliveries by queue, type and result."))
	ms.cache.inst, errs[6] = m.Int64ObservableCounter("shopfn.catalog.cache.lookups", metric.WithDescription("Catalog cache lookups by result (hit, miss)."))
	ms.storeCalls, errs[7] = m.Int64Counter("shopfn.store.calls", metric.WithDescription("Store calls by operation and outcome."))
	ms.storeLatency, errs[8] = m.Float64Histogram("shopfn.store.call.duration", metric.WithUnit("s"), metric.WithDescription("Store call latency by operation."))
	ms.ru, errs[9] = m.Float64Counter("shopfn.store.request_charge", metric.WithDescription("Cosmos DB request units charged, by operation."))
	if errs[0] == nil && errs[6] == nil {
		_, errs[10] = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
			ms.requests.observe(o)
			ms.cache.observe(o)
			return nil
		}, ms.requests.inst, ms.cache.inst)
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return ms, nil
}

// views sets the latency buckets: fine below the 500 ms alert, coarse above.
func views() []sdkmetric.View {
	buckets := sdkmetric.AggregationExplicitBucketHistogram{Boundaries: []float64{
		0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}}
	return []sdkmetric.View{
		sdkmetric.NewView(sdkmetric.Instrument{Name: "shopfn.http.request.duration"}, sdkmetric.Stream{Aggregation: buckets}),
		sdkmetric.NewView(sdkmetric.Instrument{Name: "shopfn.store.call.duration"}, sdkmetric.Stream{Aggregation: buckets}),
	}
}

// attrs returns the attribute set of the given key/value pairs (at most
// three), built once: a request must not allocate a set every time. The
// map is keyed by an array, not an interface, so a lookup allocates
// nothing either.
func (ms *Metrics) attrs(kv ...string) attrSet {
	var key [6]string
	copy(key[:], kv)
	ms.mu.RLock()
	a, ok := ms.sets[key]
	ms.mu.RUnlock()
	if ok {
		return a
	}
	kvs := make([]attribute.KeyValue, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		kvs = append(kvs, attribute.String(kv[i], kv[i+1]))
	}
	o := metric.WithAttributeSet(attribute.NewSet(kvs...))
	a = attrSet{add: []metric.AddOption{o}, rec: []metric.RecordOption{o}}
	ms.mu.Lock()
	ms.sets[key] = a
	ms.mu.Unlock()
	return a
}

// StatusClass names an HTTP status by its class: "2xx", "4xx", "5xx".
func StatusClass(status int) string {
	switch {
	case status >= 500:
		return "5xx"
	case status >= 400:
		return "4xx"
	case status >= 300:
		return "3xx"
	case status >= 200:
		return "2xx"
	}
	return "1xx"
}

// RouteMetrics records the requests of one route and method, with their
// attribute sets built once.
type RouteMetrics struct {
	ms            *Metrics
	route, method string
	classes       [6]atomic.Pointer[routeClass] // 1xx..5xx at [1]..[5]
}

// routeClass is what one status class of a route records with: its latency
// attribute set and its request tally.
type routeClass struct {
	set   attrSet
	count *tally
}

// Route returns the recorder of the requests of route, a pattern (never
// the raw path: ids would make the series unbounded), and method ("*" for
// the fallbacks that answer 404 and 405 to any method). Build it once per
// route, not per request. A status class's attribute sets are built when
// the route first answers in it: a server has a hundred routes and most
// answer in one or two classes, and building them all at start took a
// fifth of the start-up time.
func (ms *Metrics) Route(route, method string) *RouteMetrics {
	if ms == nil {
		return nil
	}
	return &RouteMetrics{ms: ms, route: route, method: method}
}

// class returns the recorder of the status class (1 to 5), building it
// the first time. Concurrent first calls build equal ones: attrs and the
// tallies return the same set and tally for the same pairs.
func (rm *RouteMetrics) class(class int) *routeClass {
	if c := rm.classes[class].Load(); c != nil {
		return c
	}
	kv := []string{"route", rm.route, "method", rm.method, "status_class", StatusClass(class * 100)}
	c := &routeClass{set: rm.ms.attrs(kv...), count: rm.ms.requests.get(kv...)}
	rm.classes[class].Store(c)
	return c
}

// Served records a request's status and latency.
func (rm *RouteMetrics) Served(status int, d time.Duration) {
	if rm == nil {
		return
	}
	if status == 0 {
		status = 200 // nothing written: net/http sends 200
	}
	c := rm.class(min(max(status/100, 1), 5))
	c.count.n.Add(1)
	rm.ms.latency.Record(context.Background(), d.Seconds(), c.set.rec...)
}

// Checkout records the outcome of a checkout request (Outcome*).
func (ms *Metrics) Checkout(outcome string) {
	if ms == nil {
		return
	}
	ms.checkouts.Add(context.Background(), 1, ms.attrs("outcome", outcome).add...)
}

// Reservation records n reservation events: "made", "released", "expired".
func (ms *Metrics) Reservation(event string, n int) {
	if ms == nil || n == 0 {
		return
	}
	ms.reservations.Add(context.Background(), int64(n), ms.attrs("event", event).add...)
}

// OrderPlaced records an order placed.
func (ms *Metrics) OrderPlaced() {
	if ms == nil {
		return
	}
	ms.orders.Add(context.Background(), 1)
}

// Message records a queue message's delivery result (Result*).
func (ms *Metrics) Message(queue, typ, result string) {
	if ms == nil {
		return
	}
	ms.messages.Add(context.Background(), 1, ms.attrs("queue", queue, "type", typ, "result", result).add...)
}

// CacheLookups records lookups in a catalog cache ("responses": the API's
// rendered catalog responses; "variants": the variants carts are priced
// from): hits found in memory, misses read from the store.
func (ms *Metrics) CacheLookups(cache string, hits, misses int) {
	if ms == nil {
		return
	}
	ts, ok := ms.cacheByName.Load(cache)
	if !ok {
		ts, _ = ms.cacheByName.LoadOrStore(cache, &[2]*tally{
			ms.cache.get("cache", cache, "result", "hit"), ms.cache.get("cache", cache, "result", "miss")})
	}
	t := ts.(*[2]*tally)
	if hits > 0 {
		t[0].n.Add(int64(hits))
	}
	if misses > 0 {
		t[1].n.Add(int64(misses))
	}
}

// StoreCall records a store call: its operation (e.g. "sqlstore.mark paid",
// "sqlite.read cart", "cosmos.read carts"; a fixed name, never an id), how long it took and whether it failed.
func (ms *Metrics) StoreCall(op string, d time.Duration, err error) {
	if ms == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	ctx := context.Background()
	ms.storeCalls.Add(ctx, 1, ms.attrs("operation", op, "outcome", outcome).add...)
	ms.storeLatency.Record(ctx, d.Seconds(), ms.attrs("operation", op).rec...)
}

// RequestCharge records the request units a Cosmos DB operation cost, as
// the service reported them (x-ms-request-charge).
func (ms *Metrics) RequestCharge(op string, ru float64) {
	if ms == nil {
		return
	}
	ms.ru.Add(context.Background(), ru, ms.attrs("operation", op).add...)
}

// OutboxState is what the outbox holds.
type OutboxState struct {
	// Waiting is how many messages wait to be published.
	Waiting int64
	// Oldest is when the oldest waiting message was written (zero when none).
	Oldest time.Time
	// Parked is how many messages the relay set aside for staff (dead
	// letters of the outbox).
	Parked int64
}

// Backlog reports what the outbox holds.
type Backlog func(ctx context.Context) (OutboxState, error)

// ObserveOutbox reports the outbox on every collection, as
// shopfn_outbox_backlog, shopfn_outbox_oldest_age_seconds and
// shopfn_outbox_parked.
func (ms *Metrics) ObserveOutbox(backlog Backlog, now func() time.Time) error {
	if ms == nil {
		return nil
	}
	count, err := ms.meter.Int64ObservableGauge("shopfn.outbox.backlog", metric.WithDescription("Outbox messages not yet published."))
	if err != nil {
		return err
	}
	age, err := ms.meter.Float64ObservableGauge("shopfn.outbox.oldest.age", metric.WithUnit("s"), metric.WithDescription("Age of the oldest unpublished outbox message."))
	if err != nil {
		return err
	}
	parked, err := ms.meter.Int64ObservableGauge("shopfn.outbox.parked", metric.WithDescription("Outbox messages the relay parked for staff to re-drive."))
	if err != nil {
		return err
	}
	_, err = ms.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		st, err := backlog(ctx)
		if err != nil {
			return err
		}
		o.ObserveInt64(count, st.Waiting)
		var secs float64
		if st.Waiting > 0 && !st.Oldest.IsZero() {
			secs = max(now().Sub(st.Oldest).Seconds(), 0)
		}
		o.ObserveFloat64(age, secs)
		o.ObserveInt64(parked, st.Parked)
		return nil
	}, count, age, parked)
	return err
}
