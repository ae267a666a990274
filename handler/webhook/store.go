package webhook

import (
	"context"
	"time"

	"shopfn/handler/events"
)

// Subscription is a webhook subscription as stored: its secrets sealed.
type Subscription struct {
	ID          string
	URL         string
	Events      []events.Type
	Description string
	// Secret is the sealed signing secret; OldSecret the sealed previous
	// one, which signs too until OldUntil (a rotation's overlap).
	Secret, OldSecret string
	OldUntil          time.Time
	CreatedAt         time.Time
	// FailingSince is when its deliveries began all failing (zero: the
	// last one succeeded).
	FailingSince time.Time
	// DisabledAt is when it was disabled (zero: enabled), and
	// DisabledReason why.
	DisabledAt     time.Time
	DisabledReason string
}

// Wants reports whether s is enabled and lists t.
func (s Subscription) Wants(t events.Type) bool {
	if !s.DisabledAt.IsZero() {
		return false
	}
	for _, e := range s.Events {
		if e == t {
			return true
		}
	}
	return false
}

// Status is a delivery's state.
type Status string

// The delivery statuses.
const (
	StatusPending   Status = "pending"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
)

// Delivery is one event to one subscription and its attempts so far.
type Delivery struct {
	ID             string
	SubscriptionID string
	EventID        string
	EventType      events.Type
	// Body is the event's JSON form, sent as is on every attempt.
	Body           []byte
	Status         Status
	Attempts       int
	FirstAttemptAt time.Time
	NextAttemptAt  time.Time
	LastStatus     int
	LastError      string
	LastDuration   time.Duration
	CreatedAt      time.Time
}

// Attempt is the outcome of one attempt as the store records it.
type Attempt struct {
	At       time.Time
	Result   Result
	Status   Status
	Next     time.Time // when Status is pending
	Disabled string    // when not empty, disable the subscription, saying this
}

// Store keeps subscriptions and deliveries. Implementation:
// sqlstore.WebhookStore.
type Store interface {
	CreateSubscription(ctx context.Context, s Subscription) error
	Subscription(ctx context.Context, id string) (Subscription, error)
	Subscriptions(ctx context.Context) ([]Subscription, error)
	DeleteSubscription(ctx context.Context, id string) error
	// RotateSecret makes secret the subscription's secret and its current
	// one the old one, kept until oldUntil.
	RotateSecret(ctx context.Context, id, secret string, oldUntil time.Time) error
	// Enqueue adds a pending delivery of an event (its JSON body) to each
	// of subs, due at now, once per subscription and event however often
	// it is called.
	Enqueue(ctx context.Context, e events.Event, body []byte, subs []string, now time.Time) error
	// Due leases up to limit pending deliveries due at now until until,
	// none of the subscriptions in skip (those at their limit of
	// deliveries in flight), and returns them.
	Due(ctx context.Context, now, until time.Time, skip []string, limit int) ([]Delivery, error)
	// Release gives up the lease on a delivery not sent after all.
	Release(ctx context.Context, id string) error
	// Record stores an attempt's outcome, and updates the subscription's
	// failing_since (or disables it).
	Record(ctx context.Context, d Delivery, a Attempt) error
	// Deliveries lists a subscription's deliveries, newest first, of one
	// status ("" for all).
	Deliveries(ctx context.Context, subID string, status Status, limit int) ([]Delivery, error)
	// Redeliver makes a delivery pending again, due at now, with a new
	// retry window.
	Redeliver(ctx context.Context, subID, deliveryID string, now time.Time) (Delivery, error)
}

// NewDeliveryID returns a new delivery ID: "dlv_" and the same form as an
// event ID's tail.
func NewDeliveryID(now time.Time) string { return "dlv_" + events.NewID(now)[len("evt_"):] }

// NewSubscriptionID returns a new subscription ID.
func NewSubscriptionID(now time.Time) string { return "sub_" + events.NewID(now)[len("evt_"):] }
