package worker

import (
	"context"
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

// Flush publishes everything in the outbox.
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
			msgs := make([]commerce.Message, len(byQueue[q]))
			for i, e := range byQueue[q] {
				msgs[i] = e.Message
			}
			if err := r.publisher.Publish(ctx, q, msgs...); err != nil {
				r.outbox.MarkPublished(ctx, seqs)
				return err
			}
			for _, e := range byQueue[q] {
				seqs = append(seqs, e.Seq)
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
