package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Consumer handles one event; an error means "try again later" (at-least-once).
type Consumer interface {
	Handle(ctx context.Context, e Event) error
}

// ConsumerFunc is a function that is a Consumer.
type ConsumerFunc func(ctx context.Context, e Event) error

// Handle calls f.
func (f ConsumerFunc) Handle(ctx context.Context, e Event) error { return f(ctx, e) }

// Leaser is a Log that can lease a consumer to one process at a time, so
// that instances running the same dispatcher do not all deliver each event.
type Leaser interface {
	// Lease gives consumer to owner until until, if no other owner holds
	// it at now, and reports whether owner holds it. A zero until releases
	// owner's lease.
	Lease(ctx context.Context, consumer, owner string, now, until time.Time) (bool, error)
}

// Dispatcher delivers every event of the log to each registered consumer
// at least once, in log order, each consumer from its own durable position
// in its own goroutine: a consumer that is slow or fails waits alone, and
// retries the same event until it handles it.
type Dispatcher struct {
	log    Log
	logger *slog.Logger
	// Poll is how often a consumer looks for events without a Kick.
	Poll time.Duration
	// RetryMin and RetryMax bound the wait after a failed Handle, doubled
	// after each failure.
	RetryMin, RetryMax time.Duration
	// Owner names this process in leases (Leaser); set before Run.
	Owner string
	// Now is the clock of leases; nil means time.Now.
	Now func() time.Time

	mu        sync.Mutex
	consumers []*consumer
}

type consumer struct {
	// mu makes a consumer's steps take turns (Run's and Flush's).
	mu   sync.Mutex
	name string
	c    Consumer
	kick chan struct{}
	// leased is when this process's lease on the consumer ends, as far as
	// it knows; it renews the lease once a third of it is left.
	leased time.Time
}

// NewDispatcher returns a dispatcher over log.
func NewDispatcher(log Log, logger *slog.Logger) *Dispatcher {
	return &Dispatcher{log: log, logger: logger, Poll: time.Second, RetryMin: time.Second, RetryMax: time.Minute, Owner: NewID(time.Now())}
}

// Register adds a consumer under a name that keys its durable position: a
// consumer registered under a name the log has never seen starts at the
// log's head (it hears every later event, none of the history). Call it
// before Run.
func (d *Dispatcher) Register(name string, c Consumer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.consumers = append(d.consumers, &consumer{name: name, c: c, kick: make(chan struct{}, 1)})
}

// Init records the position of every registered consumer the log has
// never seen (its head), so that a new consumer hears every event written
// from now on, even those written before Run's first step. Call it after
// Register and before the process makes changes.
func (d *Dispatcher) Init(ctx context.Context) error {
	d.mu.Lock()
	cs := append([]*consumer(nil), d.consumers...)
	d.mu.Unlock()
	for _, c := range cs {
		if _, err := d.log.Position(ctx, c.name); err != nil {
			return fmt.Errorf("event consumer %s: %w", c.name, err)
		}
	}
	return nil
}

// Kick tells every consumer that events were written.
func (d *Dispatcher) Kick() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.consumers {
		select {
		case c.kick <- struct{}{}:
		default:
		}
	}
}

// Run runs every consumer until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	d.mu.Lock()
	cs := append([]*consumer(nil), d.consumers...)
	d.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range cs {
		wg.Go(func() { d.run(ctx, c) })
	}
	wg.Wait()
}

func (d *Dispatcher) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// run feeds one consumer: it reads the events after its position, hands
// each to it until it succeeds, and records its position after each step.
func (d *Dispatcher) run(ctx context.Context, c *consumer) {
	defer d.release(c)
	wait := d.RetryMin
	for ctx.Err() == nil {
		n, err := d.step(ctx, c)
		if err != nil && ctx.Err() == nil {
			d.logger.Warn("event consumer failed; it will try the same event again", "consumer", c.name, "err", err, "retryIn", wait)
			sleep(ctx, c.kick, wait, false)
			wait = min(wait*2, d.RetryMax)
			continue
		}
		wait = d.RetryMin
		if n == 0 {
			sleep(ctx, c.kick, d.Poll, true)
		}
	}
}

// LeaseFor is how long a process holds a consumer past its last step: a
// process that dies holding it delays its consumer by at most this long.
const LeaseFor = 10 * time.Second

// step hands the consumer the next batch of events and returns how many
// it handled.
func (d *Dispatcher) step(ctx context.Context, c *consumer) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := d.log.(Leaser); ok {
		now := d.now()
		span := max(LeaseFor, 3*d.Poll)
		if now.Add(span / 3).After(c.leased) {
			until := now.Add(span)
			held, err := l.Lease(ctx, c.name, d.Owner, now, until)
			if err != nil {
				return 0, err
			}
			if !held {
				c.leased = time.Time{}
				return 0, nil // another instance delivers; look again later
			}
			c.leased = until
		}
	}
	pos, err := d.log.Position(ctx, c.name)
	if err != nil {
		return 0, err
	}
	recs, err := d.log.Events(ctx, Filter{After: pos, Limit: 100})
	if err != nil {
		return 0, err
	}
	// The position is recorded once for the events handled, not after
	// each: one write a step. A process that dies mid-step hands the
	// step's events again (at least once), as it would the one event it
	// died handling.
	handled := 0
	var herr error
	for _, r := range recs {
		if herr = c.c.Handle(ctx, r.Event); herr != nil {
			break
		}
		handled++
	}
	if handled > 0 {
		if err := d.log.SetPosition(ctx, c.name, recs[handled-1].Position); err != nil {
			return 0, err
		}
	}
	return handled, herr
}

// release gives up this process's lease on c, so that another process, or
// the next run of this one, takes the consumer over at once.
func (d *Dispatcher) release(c *consumer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := d.log.(Leaser); ok {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.leased = time.Time{}
		if _, err := l.Lease(ctx, c.name, d.Owner, d.now(), time.Time{}); err != nil {
			d.logger.Warn("release event consumer", "consumer", c.name, "err", err)
		}
	}
}

// Flush hands each consumer every event it has not handled yet, once, and
// returns the consumers' errors: the Functions timer's way to deliver
// when no process runs the dispatcher in the background, and tests'.
func (d *Dispatcher) Flush(ctx context.Context) error {
	d.mu.Lock()
	cs := append([]*consumer(nil), d.consumers...)
	d.mu.Unlock()
	var errs []error
	for _, c := range cs {
		for {
			n, err := d.step(ctx, c)
			if err != nil {
				errs = append(errs, err)
				break
			}
			if n == 0 {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// sleep waits for d, ctx's end, or (when kickable) a kick.
func sleep(ctx context.Context, kick <-chan struct{}, d time.Duration, kickable bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	if !kickable {
		kick = nil
	}
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-kick:
	}
}
