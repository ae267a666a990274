package memstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"maps"
	"slices"
	"sync"
	"time"

	"shopfn/handler/commerce"
)

// Queue is an in-memory commerce.Queue with the embedded queue's Service
// Bus semantics: peek-lock delivery, delivery counts, dead letters,
// scheduled delivery and duplicate detection. Its messages live as long as
// the Queue value.
type Queue struct {
	opts commerce.QueueOptions

	mu       sync.Mutex
	seq      int64
	messages map[string][]*queued             // by queue, in publishing order
	accepted map[string]map[string]time.Time  // queue -> message ID -> when accepted
	dead     map[string][]commerce.DeadLetter // by queue, oldest first
}

// queued is a message on a queue: visible (due) from visibleAt, locked by
// lock until visibleAt when lock is not empty.
type queued struct {
	seq       int64
	m         commerce.Message // DeliveryCount, EnqueuedAt set; Delivery nil
	visibleAt time.Time
	lock      string
}

var (
	_ commerce.Queue           = (*Queue)(nil)
	_ commerce.DeadLetterQueue = (*Queue)(nil)
)

// NewQueue returns an empty Queue.
func NewQueue(opts commerce.QueueOptions) *Queue {
	opts = opts.WithDefaults()
	return &Queue{opts: opts, messages: map[string][]*queued{}, accepted: map[string]map[string]time.Time{}, dead: map[string][]commerce.DeadLetter{}}
}

// Publish enqueues copies of msgs on queue, all or none. A message whose ID
// the queue accepted within the duplicate window is dropped silently. It
// returns KindInvalid when the queue name is empty, and KindInvalid
// "message_rejected" (commerce.IsRejected) when a message ID or Type is.
func (q *Queue) Publish(ctx context.Context, queue string, msgs ...commerce.Message) error {
	if queue == "" {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "queue name is empty")
	}
	for i, m := range msgs {
		if m.ID == "" || m.Type == "" {
			return commerce.Rejectedf("message %d on %s: ID and Type are required", i, queue)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	now := stamp(q.opts.Now())
	seen := q.accepted[queue]
	if seen == nil {
		seen = map[string]time.Time{}
		q.accepted[queue] = seen
	}
	maps.DeleteFunc(seen, func(_ string, at time.Time) bool { return !at.After(now.Add(-q.opts.DuplicateWindow)) })
	for _, m := range msgs {
		if _, dup := seen[m.ID]; dup {
			continue
		}
		seen[m.ID] = now
		c := commerce.Message{ID: m.ID, Type: m.Type, Body: slices.Clone(m.Body), ScheduledAt: stamp(m.ScheduledAt), EnqueuedAt: now}
		if len(m.Attributes) > 0 {
			c.Attributes = maps.Clone(m.Attributes)
		}
		visible := now
		if !c.ScheduledAt.IsZero() {
			visible = c.ScheduledAt
		}
		q.seq++
		q.messages[queue] = append(q.messages[queue], &queued{seq: q.seq, m: c, visibleAt: visible})
	}
	return nil
}

// Receive locks and returns copies of up to max due messages of queue, in
// the order they became due (publishing order among equals), each with its
// DeliveryCount raised by one and a new lock in Delivery. A due message
// already delivered MaxDeliveryCount times (its last lock expired) is
// dead-lettered instead, so a call may return fewer than max while more are
// due. It returns KindInvalid when max < 1.
func (q *Queue) Receive(ctx context.Context, queue string, max int) ([]commerce.Message, error) {
	if max < 1 {
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "receive: max %d < 1", max)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	now := stamp(q.opts.Now())
	var due []*queued
	for _, e := range q.messages[queue] {
		if !e.visibleAt.After(now) {
			due = append(due, e)
		}
	}
	slices.SortStableFunc(due, func(a, b *queued) int { return a.visibleAt.Compare(b.visibleAt) })
	var out []commerce.Message
	for _, e := range due[:min(len(due), max)] {
		if e.m.DeliveryCount >= q.opts.MaxDeliveryCount {
			q.deadLetter(queue, e, commerce.ReasonMaxDeliveryCount, now)
			continue
		}
		e.m.DeliveryCount++
		e.lock, e.visibleAt = newLock(), now.Add(q.opts.LockDuration)
		m := e.m
		m.Body, m.Attributes, m.Delivery = slices.Clone(e.m.Body), maps.Clone(e.m.Attributes), e.lock
		out = append(out, m)
	}
	return out, nil
}

// Complete removes a delivered message. It returns KindConflict
// "lock_lost" when m's lock expired or m was completed or abandoned.
func (q *Queue) Complete(ctx context.Context, queue string, m commerce.Message) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	e, err := q.locked(queue, m)
	if err != nil {
		return err
	}
	q.remove(queue, e)
	return nil
}

// Abandon releases a delivered message for redelivery no sooner than delay
// from now or, when it has been delivered MaxDeliveryCount times,
// dead-letters it with reason (or commerce.ReasonMaxDeliveryCount when reason is
// empty). It returns "lock_lost" as Complete does.
func (q *Queue) Abandon(ctx context.Context, queue string, m commerce.Message, reason string, delay time.Duration) error {
	if reason == "" {
		reason = commerce.ReasonMaxDeliveryCount
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	e, err := q.locked(queue, m)
	if err != nil {
		return err
	}
	now := stamp(q.opts.Now())
	if e.m.DeliveryCount < q.opts.MaxDeliveryCount {
		e.lock, e.visibleAt = "", now.Add(max(delay, 0))
		return nil
	}
	q.deadLetter(queue, e, reason, now)
	return nil
}

// locked returns the message of queue that m's delivery still locks, or
// "lock_lost". The caller holds q.mu.
func (q *Queue) locked(queue string, m commerce.Message) (*queued, error) {
	lock, _ := m.Delivery.(string)
	now := q.opts.Now()
	for _, e := range q.messages[queue] {
		if e.m.ID == m.ID && lock != "" && e.lock == lock && e.visibleAt.After(now) {
			return e, nil
		}
	}
	return nil, commerce.Errorf(commerce.KindConflict, commerce.CodeLockLost, "message %s on %s: lock expired or released", m.ID, queue)
}

// remove drops e from queue. The caller holds q.mu.
func (q *Queue) remove(queue string, e *queued) {
	q.messages[queue] = slices.DeleteFunc(q.messages[queue], func(x *queued) bool { return x == e })
}

// deadLetter moves e from queue to its dead letters. The caller holds q.mu.
func (q *Queue) deadLetter(queue string, e *queued, reason string, now time.Time) {
	q.remove(queue, e)
	q.dead[queue] = append(q.dead[queue], commerce.DeadLetter{
		Queue: queue, ID: e.m.ID, Type: e.m.Type, Body: e.m.Body, Attributes: e.m.Attributes,
		DeliveryCount: e.m.DeliveryCount, Reason: reason, EnqueuedAt: e.m.EnqueuedAt, DeadLetteredAt: now,
	})
}

// DeadLetters returns copies of up to limit dead-lettered messages of
// queue, oldest first. It returns KindInvalid when limit < 1.
func (q *Queue) DeadLetters(ctx context.Context, queue string, limit int) ([]commerce.DeadLetter, error) {
	if limit < 1 {
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "dead letters: limit %d < 1", limit)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []commerce.DeadLetter
	for _, d := range q.dead[queue][:min(len(q.dead[queue]), limit)] {
		out = append(out, copyDeadLetter(d))
	}
	return out, nil
}

// DeadLetter returns a copy of the oldest dead letter of queue with
// messageID, or "not_found".
func (q *Queue) DeadLetter(ctx context.Context, queue, messageID string) (commerce.DeadLetter, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, d := range q.dead[queue] {
		if d.ID == messageID {
			return copyDeadLetter(d), nil
		}
	}
	return commerce.DeadLetter{}, commerce.NotFoundf("no dead letter %q in queue %s", messageID, queue)
}

// RemoveDeadLetter removes the oldest dead letter of queue with messageID.
// It reports false, changing nothing, when there is none.
func (q *Queue) RemoveDeadLetter(ctx context.Context, queue, messageID string) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	i := slices.IndexFunc(q.dead[queue], func(d commerce.DeadLetter) bool { return d.ID == messageID })
	if i < 0 {
		return false, nil
	}
	q.dead[queue] = slices.Delete(q.dead[queue], i, i+1)
	return true, nil
}

// Pending counts the messages of queue that are neither completed nor
// dead-lettered: due, locked and scheduled ones alike.
func (q *Queue) Pending(ctx context.Context, queue string) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.messages[queue]), nil
}

// copyDeadLetter returns a copy of d that shares no memory with it.
func copyDeadLetter(d commerce.DeadLetter) commerce.DeadLetter {
	d.Body, d.Attributes = slices.Clone(d.Body), maps.Clone(d.Attributes)
	return d
}

// newLock returns a new lock token: 128 random bits in hex.
func newLock() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
