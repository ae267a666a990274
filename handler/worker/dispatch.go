package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// Dispatcher feeds the messages of an embedded queue to the functions,
// in-process, at most Concurrency at a time per queue: what the Functions
// host does with Service Bus on Azure. A function's error abandons the
// message, so the queue redelivers it and dead-letters it in the end.
type Dispatcher struct {
	queue       commerce.Queue
	handle      func(ctx context.Context, queue string, m commerce.Message) error
	concurrency int
	poll        time.Duration
	backoff     time.Duration
	log         *slog.Logger
	kick        chan struct{}
	wg          sync.WaitGroup

	// Lock is how long a received message stays locked (the queue's
	// LockDuration). Each function runs under a deadline that ends
	// lockMargin of it before the lock does: a store call meeting a
	// failover retries until then, and the message is abandoned for
	// redelivery while this delivery still holds it. Zero: no deadline.
	Lock time.Duration
}

// lockMargin is the part of a message's lock its function may not use:
// the time to abandon or complete it.
const lockMargin = 5 * time.Second

// settleTimeout bounds completing or abandoning a message.
const settleTimeout = 10 * time.Second

// NewDispatcher returns a Dispatcher of queue's messages to handle. A
// message whose function failed is delivered again after Backoff(backoff,
// its delivery count).
func NewDispatcher(queue commerce.Queue, handle func(context.Context, string, commerce.Message) error, concurrency int, poll, backoff time.Duration, log *slog.Logger) *Dispatcher {
	return &Dispatcher{queue: queue, handle: handle, concurrency: concurrency, poll: poll, backoff: backoff, log: log, kick: make(chan struct{}, 1)}
}

// Kick says messages were published. It never blocks.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Run dispatches the named queues until ctx is done, then waits for the
// messages in hand. Messages are handled with a context that outlives ctx
// (ending with their lock, see Lock), so that shutting down finishes them
// instead of failing them.
func (d *Dispatcher) Run(ctx context.Context, queues ...string) {
	kicks := make([]chan struct{}, len(queues))
	for i := range queues {
		kicks[i] = make(chan struct{}, 1)
	}
	go func() { // fan the kick out to every queue's loop
		for {
			select {
			case <-ctx.Done():
				return
			case <-d.kick:
				for _, k := range kicks {
					select {
					case k <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	var loops sync.WaitGroup
	for i, q := range queues {
		loops.Add(1)
		go func() {
			defer loops.Done()
			d.loop(ctx, q, kicks[i])
		}()
	}
	loops.Wait()
	d.wg.Wait()
}

func (d *Dispatcher) loop(ctx context.Context, queue string, kick chan struct{}) {
	sem := make(chan struct{}, d.concurrency)
	t := time.NewTicker(d.poll)
	defer t.Stop()
	for ctx.Err() == nil {
		free := d.concurrency - len(sem)
		var msgs []commerce.Message
		if free > 0 {
			var err error
			msgs, err = d.queue.Receive(ctx, queue, free)
			if err != nil && ctx.Err() == nil {
				d.log.Warn("receive", "queue", queue, "err", err)
			}
		}
		for _, m := range msgs {
			sem <- struct{}{}
			d.wg.Add(1)
			go func() {
				defer func() { <-sem; d.wg.Done() }()
				d.deliver(queue, m)
				d.Kick() // a freed slot may take the next message at once
			}()
		}
		if len(msgs) == free && free > 0 {
			continue // there may be more
		}
		select {
		case <-ctx.Done():
		case <-kick:
		case <-t.C:
		}
	}
}

func (d *Dispatcher) deliver(queue string, m commerce.Message) {
	fctx, cancel := context.Background(), context.CancelFunc(func() {})
	if d.Lock > 0 {
		fctx, cancel = context.WithTimeout(fctx, max(d.Lock-lockMargin, d.Lock/2))
	}
	err := d.handle(fctx, queue, m)
	cancel()
	// Settle with a context of its own: the function's may have ended.
	ctx, cancel := context.WithTimeout(context.Background(), settleTimeout)
	defer cancel()
	if err != nil {
		d.log.Warn("function failed; the message will be delivered again", "queue", queue, "message", m.ID, "type", m.Type, "delivery", m.DeliveryCount, "err", err)
		if err := d.queue.Abandon(ctx, queue, m, err.Error(), Backoff(d.backoff, m.DeliveryCount)); err != nil {
			d.log.Warn("abandon", "queue", queue, "message", m.ID, "err", err)
		}
		return
	}
	if err := d.queue.Complete(ctx, queue, m); err != nil {
		d.log.Warn("complete", "queue", queue, "message", m.ID, "err", err)
	}
}

// Backoff is how long a message that failed its nth delivery waits before
// the next: first, doubling each time, at most 5 minutes. With first = 1 s,
// ten deliveries span about eight and a half minutes instead of
// milliseconds, so a dependency's short outage does not use them all up.
func Backoff(first time.Duration, n int) time.Duration {
	const most = 5 * time.Minute
	if first <= 0 {
		return 0
	}
	if n < 1 {
		n = 1
	}
	if n > 20 {
		return most
	}
	return min(first<<(n-1), most)
}
