package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"shopfn/handler/commerce"
)

// Relay publishes the outbox: after every kick, and every interval in case
// a kick was missed (a crash between commit and publish, a broker outage).
// A message may be published twice (crash after publishing, before marking);
// the queue's duplicate detection by message ID drops the second.
type Relay struct {
	outbox    commerce.Outbox
	publisher commerce.Publisher
	interval  time.Duration
	log       *slog.Logger
	kick      chan struct{}
	// Published is called after messages were published; it may be nil.
	Published func()
}

// NewRelay returns a Relay.
func NewRelay(outbox commerce.Outbox, publisher commerce.Publisher, interval time.Duration, log *slog.Logger) *Relay {
	return &Relay{outbox: outbox, publisher: publisher, interval: interval, log: log, kick: make(chan struct{}, 1)}
}

// Kick asks the relay to publish now. It never blocks.
func (r *Relay) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Run publishes until ctx is done. With a zero interval it publishes only
// when kicked (and once at start): another process, or a timer function
// calling Flush, sweeps what a kick missed.
func (r *Relay) Run(ctx context.Context) {
	var tick <-chan time.Time
	if r.interval > 0 {
		t := time.NewTicker(r.interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		if err := r.Flush(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("outbox relay", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		case <-tick:
		}
	}
}

// Flush publishes everything in the outbox. A message its queue refuses
// for good (commerce.IsRejected: over the size limit, an invalid ID) is
// parked, a dead letter of the outbox that staff list and re-drive, so that
// the messages behind it go on; any other failure stops the flush, to be
// tried again.
func (r *Relay) Flush(ctx context.Context) error {
	for {
		entries, err := r.outbox.Unpublished(ctx, 100)
		if err != nil || len(entries) == 0 {
			return err
		}
		// One Publish per queue, each queue's messages in outbox order.
		var queues []string
		byQueue := map[string][]commerce.OutboxEntry{}
		for _, e := range entries {
			if byQueue[e.Queue] == nil {
				queues = append(queues, e.Queue)
			}
			byQueue[e.Queue] = append(byQueue[e.Queue], e)
		}
		seqs := make([]int64, 0, len(entries))
		for _, q := range queues {
			done, err := r.publish(ctx, q, byQueue[q])
			seqs = append(seqs, done...)
			if err != nil {
				r.outbox.MarkPublished(ctx, seqs)
				return err
			}
		}
		if err := r.outbox.MarkPublished(ctx, seqs); err != nil {
			return err
		}
		if r.Published != nil {
			r.Published()
		}
	}
}

// publish publishes entries, all of queue, in one call, and returns the
// sequence numbers of those published. When the queue refuses the batch
// for good, it publishes them one at a time to find the refused ones, and
// parks each of those.
func (r *Relay) publish(ctx context.Context, queue string, entries []commerce.OutboxEntry) ([]int64, error) {
	seqs := func(es []commerce.OutboxEntry) []int64 {
		out := make([]int64, len(es))
		for i, e := range es {
			out[i] = e.Seq
		}
		return out
	}
	msgs := make([]commerce.Message, len(entries))
	for i, e := range entries {
		msgs[i] = e.Message
	}
	err := r.publisher.Publish(ctx, queue, msgs...)
	if err == nil {
		return seqs(entries), nil
	}
	if !commerce.IsRejected(err) {
		return nil, err
	}
	var done []int64
	for _, e := range entries {
		err := r.publisher.Publish(ctx, queue, e.Message)
		switch {
		case err == nil:
			done = append(done, e.Seq)
		case commerce.IsRejected(err):
			// Message IDs and types only: a body may hold an address.
			r.log.Error("outbox message refused by its queue for good; parked, re-drive it from the dead letters", "queue", queue, "seq", e.Seq,
				"message", e.Message.ID, "type", e.Message.Type, "err", err)
			if _, err := r.outbox.Park(ctx, e.Seq, err.Error(), time.Now()); err != nil {
				return done, fmt.Errorf("park outbox message %d: %w", e.Seq, err)
			}
		default:
			return done, err
		}
	}
	return done, nil
}
