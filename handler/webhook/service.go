package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// RotationOverlap is how long a rotated-out secret still signs alongside
// the new one.
const RotationOverlap = 24 * time.Hour

// Service manages webhook subscriptions and delivers their events: it is
// the events.Consumer that turns each event into one delivery per
// subscription that lists its type, and the loop that sends them.
type Service struct {
	Store  Store
	Sealer *Sealer
	Client *Client
	Policy Policy
	// Backoff schedules retries; the zero value means DefaultBackoff.
	Backoff Backoff
	// PerSubscription bounds the deliveries in flight to one subscription,
	// Total those to all: a slow endpoint takes its own slots only.
	PerSubscription, Total int
	// Poll is how often the loop looks for due deliveries without a kick.
	Poll   time.Duration
	Source string
	Now    func() time.Time
	Logger *slog.Logger

	kick     chan struct{}
	mu       sync.Mutex
	inflight map[string]int
	busy     sync.WaitGroup
}

// NewService returns a Service with the default bounds.
func NewService(store Store, sealer *Sealer, client *Client, policy Policy, logger *slog.Logger) *Service {
	return &Service{Store: store, Sealer: sealer, Client: client, Policy: policy, Logger: logger,
		Backoff: DefaultBackoff, PerSubscription: 4, Total: 64, Poll: time.Second, Source: events.DefaultSource, Now: time.Now,
		kick: make(chan struct{}, 1), inflight: map[string]int{}}
}

// Created is a new subscription as POST answers it: the one time its
// secret is shown.
type Created struct {
	Subscription
	PlainSecret string
}

// Create validates and stores a new subscription: 422 "invalid_url" for a
// URL the policy refuses, 400 for unknown event types.
func (s *Service) Create(ctx context.Context, url string, types []events.Type, description string) (Created, error) {
	if len(types) == 0 || len(types) > 20 {
		return Created{}, commerce.Invalidf(commerce.CodeInvalidRequest, "events must list 1 to 20 event types")
	}
	for _, t := range types {
		if !t.Subscribable() {
			return Created{}, commerce.Invalidf(commerce.CodeInvalidRequest, "%q is not an event type a subscription may list", t)
		}
	}
	if len(description) > 500 {
		return Created{}, commerce.Invalidf(commerce.CodeInvalidRequest, "description must have at most 500 characters")
	}
	if err := s.Policy.Validate(ctx, url); err != nil {
		return Created{}, commerce.Rulef(commerce.CodeInvalidURL, "%v", err)
	}
	now := s.Now().UTC()
	sub := Subscription{ID: NewSubscriptionID(now), URL: url, Events: slices.Compact(slices.Sorted(slices.Values(types))), Description: description, CreatedAt: now}
	secret := GenerateSecret()
	sub.Secret = s.Sealer.Seal(sub.ID, secret)
	if err := s.Store.CreateSubscription(ctx, sub); err != nil {
		return Created{}, err
	}
	return Created{Subscription: sub, PlainSecret: secret}, nil
}

// Rotate gives a subscription a new secret and returns it; the old one
// signs too for RotationOverlap.
func (s *Service) Rotate(ctx context.Context, id string) (string, time.Time, error) {
	if _, err := s.Store.Subscription(ctx, id); err != nil {
		return "", time.Time{}, err
	}
	secret := GenerateSecret()
	until := s.Now().UTC().Add(RotationOverlap)
	if err := s.Store.RotateSecret(ctx, id, s.Sealer.Seal(id, secret), until); err != nil {
		return "", time.Time{}, err
	}
	return secret, until, nil
}

// Test queues a ping event to one subscription and returns its delivery.
func (s *Service) Test(ctx context.Context, id string) (events.Event, error) {
	if _, err := s.Store.Subscription(ctx, id); err != nil {
		return events.Event{}, err
	}
	now := s.Now().UTC()
	e, err := events.New(events.Ping, s.Source, id, now, events.PingData{SubscriptionID: id})
	if err != nil {
		return e, err
	}
	e.Sequence = 1
	body, err := e.Marshal()
	if err != nil {
		return e, err
	}
	if err := s.Store.Enqueue(ctx, e, body, []string{id}, now); err != nil {
		return e, err
	}
	s.Kick()
	return e, nil
}

// Handle is the events.Consumer: it queues e to every enabled
// subscription that lists its type.
func (s *Service) Handle(ctx context.Context, e events.Event) error {
	subs, err := s.Store.Subscriptions(ctx)
	if err != nil {
		return err
	}
	var ids []string
	for _, sub := range subs {
		if sub.Wants(e.Type) {
			ids = append(ids, sub.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	body, err := e.Marshal()
	if err != nil {
		return err
	}
	if err := s.Store.Enqueue(ctx, e, body, ids, s.Now().UTC()); err != nil {
		return err
	}
	s.Kick()
	return nil
}

// Redeliver sends a delivery again, with a new retry window.
func (s *Service) Redeliver(ctx context.Context, subID, deliveryID string) (Delivery, error) {
	d, err := s.Store.Redeliver(ctx, subID, deliveryID, s.Now().UTC())
	if err == nil {
		s.Kick()
	}
	return d, err
}

// Kick tells the delivery loop that deliveries are due.
func (s *Service) Kick() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// leaseFor is how long a delivery is leased to the process sending it:
// longer than an attempt can take. A process that dies holding it delays
// it by this long (the embedded store's process drops its leases when it
// starts again).
const leaseFor = time.Minute

// Run sends due deliveries until ctx ends, then waits for those in flight.
func (s *Service) Run(ctx context.Context) {
	defer s.busy.Wait()
	for ctx.Err() == nil {
		n, err := s.Step(ctx)
		if err != nil && ctx.Err() == nil {
			s.Logger.Warn("webhook deliveries", "err", err)
		}
		if n > 0 {
			continue
		}
		t := time.NewTimer(s.Poll)
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-s.kick:
		}
		t.Stop()
	}
}

// Step starts the due deliveries there are slots for and returns how many.
func (s *Service) Step(ctx context.Context) (int, error) {
	s.mu.Lock()
	total := 0
	var full []string
	for id, n := range s.inflight {
		total += n
		if n >= s.PerSubscription {
			full = append(full, id)
		}
	}
	s.mu.Unlock()
	free := s.Total - total
	if free <= 0 {
		return 0, nil
	}
	now := s.Now().UTC()
	due, err := s.Store.Due(ctx, now, now.Add(leaseFor), full, free)
	if err != nil {
		return 0, err
	}
	started := 0
	for _, d := range due {
		s.mu.Lock()
		if s.inflight[d.SubscriptionID] >= s.PerSubscription {
			s.mu.Unlock()
			// Its subscription filled up within this batch: due again
			// at once, for the next step.
			if err := s.Store.Release(ctx, d.ID); err != nil {
				return started, err
			}
			continue
		}
		s.inflight[d.SubscriptionID]++
		s.mu.Unlock()
		started++
		s.busy.Add(1)
		go func() {
			defer s.busy.Done()
			defer func() {
				s.mu.Lock()
				if s.inflight[d.SubscriptionID]--; s.inflight[d.SubscriptionID] == 0 {
					delete(s.inflight, d.SubscriptionID)
				}
				s.mu.Unlock()
				s.Kick()
			}()
			if err := s.attempt(context.WithoutCancel(ctx), d); err != nil {
				s.Logger.Warn("webhook delivery", "delivery", d.ID, "subscription", d.SubscriptionID, "err", err)
			}
		}()
	}
	return started, nil
}

// Wait waits for the deliveries in flight.
func (s *Service) Wait() { s.busy.Wait() }

// attempt sends one delivery once and records the outcome.
func (s *Service) attempt(ctx context.Context, d Delivery) error {
	sub, err := s.Store.Subscription(ctx, d.SubscriptionID)
	if commerce.ErrorKind(err) == commerce.KindNotFound {
		return nil // deleted, with its deliveries
	}
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	if !sub.DisabledAt.IsZero() {
		return s.Store.Record(ctx, d, Attempt{At: now, Status: StatusFailed, Result: Result{Outcome: Failed, Error: "the subscription is disabled: " + sub.DisabledReason}})
	}
	secrets, err := s.secrets(sub, now)
	if err != nil {
		return err
	}
	res := s.Client.Deliver(ctx, Message{URL: sub.URL, ID: d.EventID, Body: d.Body, Secrets: secrets})
	at := s.Now().UTC()
	a := Attempt{At: at, Result: res}
	first := d.FirstAttemptAt
	if first.IsZero() {
		first = now
	}
	switch res.Outcome {
	case Succeeded:
		a.Status = StatusSucceeded
	case Failed:
		a.Status = StatusFailed
	default:
		next, ok := s.Backoff.Next(d.Attempts+1, first, at, res.RetryAfter)
		if ok {
			a.Status, a.Next = StatusPending, next
		} else {
			a.Status = StatusFailed
			a.Result.Error += fmt.Sprintf(" (gave up after %d attempts over %v)", d.Attempts+1, s.Backoff.Window)
		}
	}
	if res.Outcome != Succeeded {
		since := sub.FailingSince
		if since.IsZero() {
			since = now
		}
		if ShouldDisable(since, at) {
			a.Disabled = fmt.Sprintf("every delivery failed since %s", since.Format(time.RFC3339))
		}
	}
	return s.Store.Record(ctx, d, a)
}

// secrets opens a subscription's signing secrets: the current one, and
// the previous one while the rotation's overlap lasts.
func (s *Service) secrets(sub Subscription, now time.Time) ([]string, error) {
	cur, err := s.Sealer.Open(sub.ID, sub.Secret)
	if err != nil {
		return nil, fmt.Errorf("subscription %s: %w", sub.ID, err)
	}
	out := []string{cur}
	if sub.OldSecret != "" && now.Before(sub.OldUntil) {
		old, err := s.Sealer.Open(sub.ID, sub.OldSecret)
		if err != nil {
			return nil, fmt.Errorf("subscription %s: old secret: %w", sub.ID, err)
		}
		out = append(out, old)
	}
	return out, nil
}
