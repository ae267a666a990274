package memstore

import (
	"maps"
	"slices"
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// DB is the in-memory relational store that InventoryStore, CheckoutStore,
// OrderStore and the outbox share, as they share one database elsewhere.
// Every method of those stores holds mu for its whole run: that is its
// transaction, so each decision is as atomic as one conditional statement.
// A method that fails with a rule error checks everything before it
// changes anything, so that it changes nothing, as a rolled-back
// transaction does.
type DB struct {
	mu  sync.Mutex
	now func() time.Time

	stock     map[string]commerce.StockLevel // by SKU; absent means never stocked
	sources   map[sourceKey]int64            // the last sequence applied per SKU and source
	checkouts map[string]*checkoutRow        // by checkout ID
	byKey     map[string]string              // idempotency key -> checkout ID
	byOrder   map[string]string              // order ID -> checkout ID
	orders    map[string]*orderRow           // by order ID
	carts     map[string]string              // cart ID -> its live checkout's ID
	slots     map[slotKey]string             // a client's slot -> the checkout holding it
	held      map[string]string              // checkout ID -> the client its units are counted against
	units     map[unitKey]int                // units a client holds per SKU, and in all under allSKUs
	outbox    []commerce.OutboxEntry         // oldest first
	parked    []commerce.ParkedEntry         // outbox entries set aside, oldest first
	seq       int64                          // the last outbox sequence given
	owners    map[string]string              // order ID -> its customer's ID
	erasures  map[string]int                 // erased customer ID -> orders redacted
	locations map[string]commerce.Location   // by ID; stock is the default location's levels
	locStock  map[locKey]commerce.StockLevel // every other location's levels
	locSeqs   map[locSourceKey]int64         // the last sequence applied per SKU, location and source
	promos    promoState                     // promotions and their redemptions (promotion.go)
}

// slotKey names one of a client's slots for checkouts awaiting the buyer.
type slotKey struct {
	client string
	slot   int
}

// unitKey names what one client holds of one SKU (or of all, allSKUs).
type unitKey struct{ client, sku string }

// allSKUs is the SKU under which a client's units in all are counted.
const allSKUs = "*"

// sourceKey names one source's stock counts of one SKU.
type sourceKey struct{ sku, source string }

// NewDB returns an empty DB whose stores read the time from now where a
// method is not given it.
func NewDB(now func() time.Time) *DB {
	return &DB{
		now:       now,
		stock:     map[string]commerce.StockLevel{},
		sources:   map[sourceKey]int64{},
		checkouts: map[string]*checkoutRow{},
		byKey:     map[string]string{},
		byOrder:   map[string]string{},
		orders:    map[string]*orderRow{},
		carts:     map[string]string{},
		slots:     map[slotKey]string{},
		held:      map[string]string{},
		units:     map[unitKey]int{},
		owners:    map[string]string{},
		erasures:  map[string]int{},
		locations: map[string]commerce.Location{commerce.DefaultLocation: defaultLocation()},
		locStock:  map[locKey]commerce.StockLevel{},
		locSeqs:   map[locSourceKey]int64{},
	}
}

// stamp returns t as a relational store keeps it: UTC, to the nanosecond,
// with no monotonic reading; the zero time stays zero.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(0, t.UnixNano()).UTC()
}

// cloneMessage returns a copy of m sharing no memory with it, with only the
// fields a publisher sets.
func cloneMessage(m commerce.Message) commerce.Message {
	return commerce.Message{ID: m.ID, Type: m.Type, Body: slices.Clone(m.Body), ScheduledAt: stamp(m.ScheduledAt), Attributes: maps.Clone(m.Attributes)}
}

// zeroTime is the zero time: a lease that is dropped.
var zeroTime time.Time
