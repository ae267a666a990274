package servicebus

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/messaging/azservicebus"

	"shopfn/handler/commerce"
)

// Application properties of a delayed redelivery's copy (see Abandon).
const (
	propOriginalID = "shopfn-original-id"
	propDeliveries = "shopfn-deliveries"
	// propDeadCount is the DeliveryCount of a message shopfn dead-lettered.
	propDeadCount = "shopfn-dead-delivery-count"
)

// QueueOptions configures a Queue. Zero fields take the defaults.
type QueueOptions struct {
	// MaxDeliveryCount must equal the queues' MaxDeliveryCount (default
	// 10): Abandon dead-letters a message on its last delivery itself, so
	// that the dead letter keeps the failure's reason.
	MaxDeliveryCount int
	// ReceiveWait is how long Receive waits for a first message before it
	// returns none (default 1 s).
	ReceiveWait time.Duration
	// Now is the clock a delayed redelivery is scheduled by (default time.Now).
	Now func() time.Time
}

// Queue is commerce.Queue on Service Bus queues in peek-lock mode.
//
// Service Bus cannot delay an abandoned message, so Abandon with a delay
// schedules a copy and completes the original: the copy's MessageID is
// the original's with "#<deliveries>" appended, so duplicate detection does
// not drop it, and its application properties carry the original ID and
// the deliveries so far, which Receive and DeadLetters add back, so
// DeliveryCount and dead-lettering after MaxDeliveryCount still hold.
type Queue struct {
	*Publisher
	client *azservicebus.Client
	opts   QueueOptions

	mu        sync.Mutex
	receivers map[string]*receiver
}

var _ commerce.Queue = (*Queue)(nil)

// receiver is one queue's peek-lock receiver. The SDK allows one
// ReceiveMessages call at a time on it; settling needs no lock.
type receiver struct {
	mu sync.Mutex
	r  *azservicebus.Receiver
	// warm is set once a receive returned: the SDK opens its links in the
	// first one, which may take longer than ReceiveWait.
	warm bool
}

// delivery is a Message's Delivery handle: the received message, and
// whether this process settled it already.
type delivery struct {
	msg     *azservicebus.ReceivedMessage
	settled atomic.Bool
}

// NewQueue returns a Queue on client.
func NewQueue(client *azservicebus.Client, opts QueueOptions) *Queue {
	if opts.MaxDeliveryCount <= 0 {
		opts.MaxDeliveryCount = 10
	}
	if opts.ReceiveWait <= 0 {
		opts.ReceiveWait = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Queue{Publisher: NewPublisher(client), client: client, opts: opts, receivers: map[string]*receiver{}}
}

// receiver returns the receiver of queue or, with dead true, of its
// dead-letter sub-queue, opening it on first use.
func (q *Queue) receiver(queue string, dead bool) (*receiver, error) {
	key := queue
	var opts azservicebus.ReceiverOptions
	if dead {
		key += "/$DeadLetterQueue"
		opts.SubQueue = azservicebus.SubQueueDeadLetter
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if r, ok := q.receivers[key]; ok {
		return r, nil
	}
	r, err := q.client.NewReceiverForQueue(queue, &opts)
	if err != nil {
		return nil, translate("open receiver", queue, err)
	}
	q.receivers[key] = &receiver{r: r}
	return q.receivers[key], nil
}

// Receive locks and returns up to n due messages, waiting at most
// ReceiveWait for the first (10 s on a receiver's first call, which opens
// its links). A copy that went past MaxDeliveryCount by
// lock expiries is dead-lettered instead of returned.
func (q *Queue) Receive(ctx context.Context, queue string, n int) ([]commerce.Message, error) {
	r, err := q.receiver(queue, false)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	timeout := q.opts.ReceiveWait
	if !r.warm {
		timeout = max(timeout, 10*time.Second)
	}
	wait, cancel := context.WithTimeout(ctx, timeout)
	got, err := r.r.ReceiveMessages(wait, n, nil)
	r.warm = r.warm || err == nil
	r.mu.Unlock()
	cancel()
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, nil
		}
		return nil, translate("receive", queue, err)
	}
	// Messages released by the SDK between two calls may come back out of
	// order within a batch: hand them out oldest first.
	slices.SortStableFunc(got, func(a, b *azservicebus.ReceivedMessage) int { return cmp.Compare(seq(a), seq(b)) })
	var out []commerce.Message
	for _, m := range got {
		cm := fromSDK(m)
		if cm.DeliveryCount > q.opts.MaxDeliveryCount {
			if err := r.r.DeadLetterMessage(ctx, m, deadLetterOptions(commerce.ReasonMaxDeliveryCount, cm.DeliveryCount)); err != nil {
				return out, translate("dead-letter", queue, err)
			}
			continue
		}
		cm.Delivery = &delivery{msg: m}
		out = append(out, cm)
	}
	return out, nil
}

// Complete removes a delivered message; KindConflict "lock_lost" when its
// lock expired or it was settled already.
func (q *Queue) Complete(ctx context.Context, queue string, m commerce.Message) error {
	return q.settle(ctx, queue, m, "complete", func(r *azservicebus.Receiver, d *delivery) error {
		return r.CompleteMessage(ctx, d.msg, nil)
	})
}

// Abandon releases a delivered message for redelivery after delay, or
// dead-letters it with reason on its MaxDeliveryCount-th delivery.
func (q *Queue) Abandon(ctx context.Context, queue string, m commerce.Message, reason string, delay time.Duration) error {
	return q.settle(ctx, queue, m, "abandon", func(r *azservicebus.Receiver, d *delivery) error {
		switch {
		case m.DeliveryCount >= q.opts.MaxDeliveryCount:
			return r.DeadLetterMessage(ctx, d.msg, deadLetterOptions(reason, m.DeliveryCount))
		case delay <= 0:
			return r.AbandonMessage(ctx, d.msg, nil)
		}
		return q.redeliverLater(ctx, queue, r, d, m, delay)
	})
}

// redeliverLater schedules a copy of m delay from now, then completes the
// original; if that fails, it cancels the copy.
func (q *Queue) redeliverLater(ctx context.Context, queue string, r *azservicebus.Receiver, d *delivery, m commerce.Message, delay time.Duration) error {
	s, err := q.sender(queue)
	if err != nil {
		return err
	}
	seqs, err := s.ScheduleMessages(ctx, []*azservicebus.Message{redeliveryCopy(m)}, q.opts.Now().Add(delay), nil)
	if err != nil {
		return err
	}
	if err := r.CompleteMessage(ctx, d.msg, nil); err != nil {
		if cerr := s.CancelScheduledMessages(context.WithoutCancel(ctx), seqs, nil); cerr != nil {
			return errors.Join(err, cerr) // the copy stays: one delivery more, never one less
		}
		return err
	}
	return nil
}

// redeliveryCopy returns the copy of m that redelivers it later: its
// MessageID is m's with "#<deliveries>" appended, so that duplicate
// detection does not drop it; its application properties are m's
// attributes (traceparent among them) plus the original ID and the
// deliveries so far, which fromSDK and Lineage fold back in.
func redeliveryCopy(m commerce.Message) *azservicebus.Message {
	cp := m
	cp.ID = m.ID + "#" + strconv.Itoa(m.DeliveryCount)
	cp.ScheduledAt = time.Time{}
	out := toSDK(cp)
	out.ApplicationProperties = map[string]any{}
	for k, v := range m.Attributes {
		out.ApplicationProperties[k] = v
	}
	out.ApplicationProperties[propOriginalID] = m.ID
	out.ApplicationProperties[propDeliveries] = strconv.Itoa(m.DeliveryCount)
	return out
}

// settle runs fn on m's delivery unless this process settled it already.
func (q *Queue) settle(ctx context.Context, queue string, m commerce.Message, op string, fn func(*azservicebus.Receiver, *delivery) error) error {
	d, ok := m.Delivery.(*delivery)
	if !ok {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "%s on %s: message %s was not received from Service Bus", op, queue, m.ID)
	}
	if !d.settled.CompareAndSwap(false, true) {
		return commerce.Errorf(commerce.KindConflict, commerce.CodeLockLost, "%s on %s: message %s was settled already", op, queue, m.ID)
	}
	r, err := q.receiver(queue, false)
	if err != nil {
		d.settled.Store(false)
		return err
	}
	if err := translate(op, queue, fn(r.r, d)); err != nil {
		if commerce.ErrorCode(err) != commerce.CodeLockLost {
			d.settled.Store(false) // a transient failure: the caller may try again
		}
		return err
	}
	return nil
}

// Close closes the receivers and senders.
func (q *Queue) Close(ctx context.Context) error {
	q.mu.Lock()
	var errs []error
	for k, r := range q.receivers {
		errs = append(errs, r.r.Close(ctx))
		delete(q.receivers, k)
	}
	q.mu.Unlock()
	return errors.Join(append(errs, q.Publisher.Close(ctx))...)
}

// fromSDK maps a received message onto a commerce message, adding back
// what a delayed redelivery's copy carries.
func fromSDK(m *azservicebus.ReceivedMessage) commerce.Message {
	out := commerce.Message{ID: m.MessageID, Body: m.Body, DeliveryCount: int(m.DeliveryCount)}
	if m.Subject != nil {
		out.Type = *m.Subject
	}
	if m.ScheduledEnqueueTime != nil {
		out.ScheduledAt = *m.ScheduledEnqueueTime
	}
	if m.EnqueuedTime != nil {
		out.EnqueuedAt = *m.EnqueuedTime
	}
	for k, v := range m.ApplicationProperties {
		addProperty(&out, k, v)
	}
	return out
}

// addProperty adds an application property to m: a redelivery copy's
// original ID replaces m's ID, its deliveries so far add to m's
// DeliveryCount, dead-letter details are dropped, other strings become
// attributes.
func addProperty(m *commerce.Message, k string, v any) {
	switch k {
	case propOriginalID:
		if id, ok := v.(string); ok {
			m.ID = id
		}
	case propDeliveries:
		if s, ok := v.(string); ok {
			n, _ := strconv.Atoi(s)
			m.DeliveryCount += n
		}
	case "DeadLetterReason", "DeadLetterErrorDescription", propDeadCount:
	default:
		if s, ok := v.(string); ok {
			if m.Attributes == nil {
				m.Attributes = map[string]string{}
			}
			m.Attributes[k] = s
		}
	}
}

// deadLetterOptions dead-letters with reason, recording the delivery count.
func deadLetterOptions(reason string, count int) *azservicebus.DeadLetterOptions {
	if len(reason) > 1024 {
		reason = reason[:1024]
	}
	return &azservicebus.DeadLetterOptions{Reason: &reason, PropertiesToModify: map[string]any{propDeadCount: strconv.Itoa(count)}}
}

// seq returns a message's sequence number, or 0.
func seq(m *azservicebus.ReceivedMessage) int64 {
	if m.SequenceNumber == nil {
		return 0
	}
	return *m.SequenceNumber
}
