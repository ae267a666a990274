package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"shopfn/handler/commerce"
)

// QueueHarness makes queues for TestQueue and states their settings.
type QueueHarness struct {
	// New returns a QueueEnv whose queues "orders" and "inventory" are empty.
	New              func(t *testing.T) QueueEnv
	MaxDeliveryCount int
	LockDuration     time.Duration
	DuplicateWindow  time.Duration
}

// QueueEnv is one queue under test and the abilities of its backend. A nil
// ability skips the subtests that need it, in the manner of Watermill's
// feature flags: a real Service Bus cannot move its clock.
type QueueEnv struct {
	Queue commerce.Queue
	// Now reads the queue's clock.
	Now func() time.Time
	// Advance moves the queue's clock forward; nil if the clock is real.
	Advance func(time.Duration)
	// Reopen reopens the store under Queue and returns the queue on it; nil if it can't.
	Reopen func() commerce.Queue
	// NoDuplicateDetection says the backend lacks duplicate detection (the
	// Service Bus peer; a Service Bus queue created without it).
	NoDuplicateDetection bool
}

// Pender is the optional ability to count a queue's messages that are not
// completed or dead-lettered.
type Pender interface {
	Pending(ctx context.Context, queue string) (int, error)
}

// TestQueue runs the queue conformance suite: the Service Bus semantics of
// commerce.Queue that the embedded queue and Service Bus must both keep.
func TestQueue(t *testing.T, h QueueHarness) {
	ctx := context.Background()
	const qn = commerce.QueueOrders
	msg := func(id string) commerce.Message {
		return commerce.Message{ID: id, Type: "Test", Body: []byte(`{"type":"Test","id":"` + id + `"}`)}
	}
	recv := func(t *testing.T, q commerce.Queue, queue string, max int, want ...string) []commerce.Message {
		t.Helper()
		got, err := q.Receive(ctx, queue, max)
		must(t, err)
		ids := []string{}
		for _, m := range got {
			ids = append(ids, m.ID)
		}
		if diff := cmp.Diff(append([]string{}, want...), ids); diff != "" {
			t.Fatalf("Receive(%s, %d) IDs (-want +got):\n%s", queue, max, diff)
		}
		return got
	}
	needClock := func(t *testing.T, env QueueEnv) {
		if env.Advance == nil {
			t.Skip("the backend's clock cannot be moved (QueueEnv.Advance is nil)")
		}
	}
	wantCount := func(t *testing.T, m commerce.Message, n int) {
		t.Helper()
		if m.DeliveryCount != n {
			t.Fatalf("message %s: got DeliveryCount %d, want %d", m.ID, m.DeliveryCount, n)
		}
	}
	wantDead := func(t *testing.T, q commerce.Queue, id, reason string, count int) {
		t.Helper()
		dls, err := q.DeadLetters(ctx, qn, 10)
		must(t, err)
		want := []commerce.DeadLetter{{Queue: qn, ID: id, Type: "Test", Body: msg(id).Body, DeliveryCount: count, Reason: reason}}
		ignore := cmpopts.IgnoreFields(commerce.DeadLetter{}, "EnqueuedAt", "DeadLetteredAt")
		if reason == "" { // any reason will do
			ignore = cmpopts.IgnoreFields(commerce.DeadLetter{}, "EnqueuedAt", "DeadLetteredAt", "Reason")
		}
		if diff := cmp.Diff(want, dls, ignore); diff != "" {
			t.Fatalf("DeadLetters (-want +got):\n%s", diff)
		}
		if d := dls[0]; d.Reason == "" || d.EnqueuedAt.IsZero() || d.DeadLetteredAt.Before(d.EnqueuedAt) {
			t.Errorf("dead letter: got reason %q, enqueued %v, dead-lettered %v", d.Reason, d.EnqueuedAt, d.DeadLetteredAt)
		}
	}

	t.Run("PublishReceiveComplete", func(t *testing.T) {
		env := h.New(t)
		now := env.Now()
		must(t, env.Queue.Publish(ctx, qn, msg("a")))
		got, want := recv(t, env.Queue, qn, 10, "a")[0], msg("a")
		want.DeliveryCount = 1
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(want, "Delivery", "EnqueuedAt")); diff != "" {
			t.Errorf("message (-want +got):\n%s", diff)
		}
		if d := got.EnqueuedAt.Sub(now); got.Delivery == nil || d < -time.Minute || d > time.Minute {
			t.Errorf("got Delivery %v, EnqueuedAt %v; want a handle and about %v", got.Delivery, got.EnqueuedAt, now)
		}
		must(t, env.Queue.Complete(ctx, qn, got))
		wantCode(t, env.Queue.Complete(ctx, qn, got), commerce.CodeLockLost) // CompleteTwice
		if env.Advance != nil {
			env.Advance(h.LockDuration)
		}
		recv(t, env.Queue, qn, 10)
	})

	t.Run("FIFO", func(t *testing.T) {
		env := h.New(t)
		for i := range 5 {
			must(t, env.Queue.Publish(ctx, qn, msg(fmt.Sprint(i))))
		}
		recv(t, env.Queue, qn, 2, "0", "1")
		recv(t, env.Queue, qn, 10, "2", "3", "4")
	})

	t.Run("QueuesAreIndependent", func(t *testing.T) {
		env := h.New(t)
		must(t, env.Queue.Publish(ctx, qn, msg("o")))
		must(t, env.Queue.Publish(ctx, commerce.QueueInventory, msg("i"), msg("o")))
		recv(t, env.Queue, qn, 10, "o")
		recv(t, env.Queue, commerce.QueueInventory, 10, "i", "o")
	})

	t.Run("PublishBatchIsAtomic", func(t *testing.T) {
		env := h.New(t)
		must(t, env.Queue.Publish(ctx, qn, msg("a"), msg("b"), msg("c")))
		recv(t, env.Queue, qn, 10, "a", "b", "c")
		for _, bad := range []commerce.Message{{Type: "Test"}, {ID: "x"}} {
			if err := env.Queue.Publish(ctx, qn, msg("d"), bad); commerce.ErrorKind(err) != commerce.KindInvalid || !commerce.IsRejected(err) {
				t.Errorf("Publish(%+v): got %v, want KindInvalid message_rejected (never publishable)", bad, err)
			}
		}
		recv(t, env.Queue, qn, 10)
	})

	t.Run("AtLeastOnce", func(t *testing.T) {
		env := h.New(t)
		needClock(t, env)
		must(t, env.Queue.Publish(ctx, qn, msg("a")))
		first := recv(t, env.Queue, qn, 10, "a")[0]
		env.Advance(h.LockDuration - time.Second)
		recv(t, env.Queue, qn, 10) // still locked
		env.Advance(time.Second)
		wantCode(t, env.Queue.Complete(ctx, qn, first), commerce.CodeLockLost) // expired, not yet redelivered
		second := recv(t, env.Queue, qn, 10, "a")[0]
		if second.DeliveryCount != 2 || second.Delivery == first.Delivery {
			t.Errorf("got DeliveryCount %d, Delivery %v; want 2 and not %v", second.DeliveryCount, second.Delivery, first.Delivery)
		}
		wantCode(t, env.Queue.Complete(ctx, qn, first), commerce.CodeLockLost)
		wantCode(t, env.Queue.Abandon(ctx, qn, first, "stale", 0), commerce.CodeLockLost)
		must(t, env.Queue.Complete(ctx, qn, second))
	})

	t.Run("AbandonRedeliversAtOnce", func(t *testing.T) {
		env := h.New(t)
		must(t, env.Queue.Publish(ctx, qn, msg("a"), msg("b")))
		first := recv(t, env.Queue, qn, 1, "a")[0]
		must(t, env.Queue.Abandon(ctx, qn, first, "try again", 0))
		wantCode(t, env.Queue.Abandon(ctx, qn, first, "twice", 0), commerce.CodeLockLost)
		wantCode(t, env.Queue.Complete(ctx, qn, first), commerce.CodeLockLost)
		got := recv(t, env.Queue, qn, 10, "a", "b")
		wantCount(t, got[0], 2)
		wantCount(t, got[1], 1)
	})

	t.Run("AttributesRoundTrip", func(t *testing.T) {
		env := h.New(t)
		m := msg("a")
		m.Attributes = map[string]string{commerce.AttrTraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "k": "v"}
		must(t, env.Queue.Publish(ctx, qn, m))
		got := recv(t, env.Queue, qn, 10, "a")[0]
		if diff := cmp.Diff(m.Attributes, got.Attributes); diff != "" {
			t.Errorf("attributes (-want +got):\n%s", diff)
		}
		must(t, env.Queue.Complete(ctx, qn, got))
	})

	t.Run("AbandonWithDelay", func(t *testing.T) {
		env := h.New(t)
		needClock(t, env)
		must(t, env.Queue.Publish(ctx, qn, msg("a"), msg("b")))
		first := recv(t, env.Queue, qn, 1, "a")[0]
		must(t, env.Queue.Abandon(ctx, qn, first, "later", 10*time.Second))
		recv(t, env.Queue, qn, 10, "b")
		env.Advance(9 * time.Second)
		recv(t, env.Queue, qn, 10) // a is held back, b is locked
		env.Advance(time.Second)
		wantCount(t, recv(t, env.Queue, qn, 10, "a")[0], 2)
	})

	t.Run("DeadLetterAfterMaxDeliveries", func(t *testing.T) {
		env := h.New(t)
		must(t, env.Queue.Publish(ctx, qn, msg("poison")))
		for i := 1; i <= h.MaxDeliveryCount; i++ {
			m := recv(t, env.Queue, qn, 10, "poison")[0]
			wantCount(t, m, i)
			must(t, env.Queue.Abandon(ctx, qn, m, "handler failed", 0))
		}
		wantDead(t, env.Queue, "poison", "", h.MaxDeliveryCount) // at once, before any Receive
		recv(t, env.Queue, qn, 10)
		must(t, env.Queue.Publish(ctx, qn, msg("next")))
		recv(t, env.Queue, qn, 10, "next")
	})

	t.Run("DeadLetterFindAndRemove", func(t *testing.T) {
		env := h.New(t)
		dlq, ok := env.Queue.(commerce.DeadLetterQueue)
		if !ok {
			t.Skip("the queue is not a commerce.DeadLetterQueue")
		}
		must(t, env.Queue.Publish(ctx, qn, msg("dead-1"), msg("dead-2")))
		for range h.MaxDeliveryCount {
			for _, m := range recv(t, env.Queue, qn, 10, "dead-1", "dead-2") {
				must(t, env.Queue.Abandon(ctx, qn, m, "handler failed", 0))
			}
		}
		d, err := dlq.DeadLetter(ctx, qn, "dead-2")
		must(t, err)
		if d.ID != "dead-2" || d.Queue != qn || string(d.Body) != string(msg("dead-2").Body) || d.DeliveryCount != h.MaxDeliveryCount {
			t.Errorf("DeadLetter(dead-2): got %+v", d)
		}
		_, err = dlq.DeadLetter(ctx, commerce.QueueInventory, "dead-2")
		wantCode(t, err, commerce.CodeNotFound)
		for i, want := range []bool{true, false} {
			ok, err := dlq.RemoveDeadLetter(ctx, qn, "dead-2")
			must(t, err)
			if ok != want {
				t.Errorf("RemoveDeadLetter #%d: got %v, want %v", i+1, ok, want)
			}
		}
		_, err = dlq.DeadLetter(ctx, qn, "dead-2")
		wantCode(t, err, commerce.CodeNotFound)
		wantDead(t, env.Queue, "dead-1", "", h.MaxDeliveryCount)
	})

	t.Run("DeadLetterRemoveBehindPage", func(t *testing.T) {
		env := h.New(t)
		dlq, ok := env.Queue.(commerce.DeadLetterQueue)
		if !ok {
			t.Skip("the queue is not a commerce.DeadLetterQueue")
		}
		const n, target = 130, "dl-120" // more ahead of it than one page (100)
		var all []commerce.Message
		for i := range n {
			all = append(all, msg(fmt.Sprintf("dl-%03d", i)))
		}
		must(t, env.Queue.Publish(ctx, qn, all...))
		for range h.MaxDeliveryCount {
			var held []commerce.Message
			for len(held) < n {
				got, err := env.Queue.Receive(ctx, qn, 100)
				must(t, err)
				if len(got) == 0 {
					t.Fatalf("Receive: got nothing after %d of %d", len(held), n)
				}
				held = append(held, got...)
			}
			for _, m := range held {
				must(t, env.Queue.Abandon(ctx, qn, m, "handler failed", 0))
			}
		}
		before, err := env.Queue.DeadLetters(ctx, qn, 2*n)
		must(t, err)
		if len(before) != n {
			t.Fatalf("DeadLetters: got %d, want %d", len(before), n)
		}
		bounded, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		ok, err = dlq.RemoveDeadLetter(bounded, qn, target)
		if err != nil || !ok {
			t.Fatalf("RemoveDeadLetter(%s): got %v, %v, want true", target, ok, err)
		}
		after, err := env.Queue.DeadLetters(ctx, qn, 2*n)
		must(t, err)
		var want []commerce.DeadLetter
		for _, d := range before {
			if d.ID != target {
				want = append(want, d)
			}
		}
		if diff := cmp.Diff(want, after); diff != "" {
			t.Errorf("dead letters after removing %s (-want +got):\n%s", target, diff)
		}
		_, err = dlq.DeadLetter(ctx, qn, target)
		wantCode(t, err, commerce.CodeNotFound)
	})

	t.Run("DeadLetterAfterLockExpiries", func(t *testing.T) {
		env := h.New(t)
		needClock(t, env)
		must(t, env.Queue.Publish(ctx, qn, msg("crash")))
		for i := 1; i <= h.MaxDeliveryCount; i++ {
			wantCount(t, recv(t, env.Queue, qn, 10, "crash")[0], i)
			env.Advance(h.LockDuration) // the consumer crashed
		}
		must(t, env.Queue.Publish(ctx, qn, msg("next")))
		recv(t, env.Queue, qn, 10, "next")
		wantDead(t, env.Queue, "crash", "MaxDeliveryCountExceeded", h.MaxDeliveryCount)
	})

	t.Run("Scheduled", func(t *testing.T) {
		env := h.New(t)
		needClock(t, env)
		at := env.Now().Add(time.Hour).Truncate(time.Millisecond)
		s := msg("later")
		s.ScheduledAt = at
		must(t, env.Queue.Publish(ctx, qn, s, msg("now")))
		must(t, env.Queue.Complete(ctx, qn, recv(t, env.Queue, qn, 10, "now")[0]))
		env.Advance(time.Hour - time.Second)
		recv(t, env.Queue, qn, 10)
		env.Advance(time.Second)
		if got := recv(t, env.Queue, qn, 10, "later")[0]; got.DeliveryCount != 1 || !got.ScheduledAt.Equal(at) {
			t.Errorf("got DeliveryCount %d, ScheduledAt %v; want 1, %v", got.DeliveryCount, got.ScheduledAt, at)
		}
	})

	t.Run("DuplicateDetection", func(t *testing.T) {
		env := h.New(t)
		if env.NoDuplicateDetection {
			t.Skip("the backend has no duplicate detection (QueueEnv.NoDuplicateDetection)")
		}
		must(t, env.Queue.Publish(ctx, qn, msg("d"), msg("d")))
		must(t, env.Queue.Publish(ctx, qn, msg("d")))
		must(t, env.Queue.Complete(ctx, qn, recv(t, env.Queue, qn, 10, "d")[0]))
		must(t, env.Queue.Publish(ctx, qn, msg("d"))) // completed, still a duplicate
		recv(t, env.Queue, qn, 10)
		if env.Advance == nil {
			t.Skip("the backend's clock cannot be moved: the window's end is not tested")
		}
		env.Advance(h.DuplicateWindow - time.Second)
		must(t, env.Queue.Publish(ctx, qn, msg("d")))
		recv(t, env.Queue, qn, 10)
		env.Advance(time.Second)
		must(t, env.Queue.Publish(ctx, qn, msg("d")))
		recv(t, env.Queue, qn, 10, "d")
	})

	t.Run("ConcurrentReceivers", func(t *testing.T) {
		env := h.New(t)
		const n = 200
		var batch []commerce.Message
		for i := range n {
			batch = append(batch, msg(fmt.Sprint(i)))
		}
		must(t, env.Queue.Publish(ctx, qn, batch...))
		var seen sync.Map
		var completed atomic.Int64
		deadline := time.Now().Add(time.Minute)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for completed.Load() < n && time.Now().Before(deadline) {
					got, err := env.Queue.Receive(ctx, qn, 7)
					if err != nil {
						t.Error(err)
						return
					}
					for _, m := range got {
						if _, dup := seen.LoadOrStore(m.ID, true); dup {
							t.Errorf("message %s delivered twice", m.ID)
						}
						if err := env.Queue.Complete(ctx, qn, m); err != nil {
							t.Errorf("Complete(%s): %v", m.ID, err)
						} else {
							completed.Add(1)
						}
					}
					if len(got) == 0 {
						time.Sleep(time.Millisecond) // the rest are locked by others
					}
				}
			})
		}
		wg.Wait()
		if got := completed.Load(); got != n {
			t.Errorf("completed %d messages, want %d", got, n)
		}
		if p, ok := env.Queue.(Pender); ok {
			if left, err := p.Pending(ctx, qn); err != nil || left != 0 {
				t.Errorf("Pending: got %d, %v; want 0", left, err)
			}
		}
	})

	t.Run("Durability", func(t *testing.T) {
		env := h.New(t)
		if env.Reopen == nil {
			t.Skip("the backend cannot be reopened (QueueEnv.Reopen is nil)")
		}
		must(t, env.Queue.Publish(ctx, qn, msg("dead"), msg("locked"), msg("ready")))
		for range h.MaxDeliveryCount {
			must(t, env.Queue.Abandon(ctx, qn, recv(t, env.Queue, qn, 1, "dead")[0], "boom", 0))
		}
		recv(t, env.Queue, qn, 1, "locked")
		q := env.Reopen()
		wantDead(t, q, "dead", "", h.MaxDeliveryCount)
		if !env.NoDuplicateDetection {
			must(t, q.Publish(ctx, qn, msg("ready"))) // duplicate IDs are remembered too
		}
		must(t, q.Complete(ctx, qn, recv(t, q, qn, 10, "ready")[0]))
		if env.Advance != nil {
			env.Advance(h.LockDuration)
			wantCount(t, recv(t, q, qn, 10, "locked")[0], 2)
		}
	})
}
