package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func mustQueue(t *testing.T) *sqlite.Queue {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return sqlite.NewQueue(db, commerce.QueueOptions{MaxDeliveryCount: 3})
}

func TestDispatcher(t *testing.T) {
	ctx := context.Background()
	q := mustQueue(t)
	const n, limit = 30, 3
	for i := range n {
		m := commerce.Message{ID: fmt.Sprint("m", i), Type: "T", Body: []byte(`{}`)}
		if err := q.Publish(ctx, "orders", m); err != nil {
			t.Fatal(err)
		}
	}
	var inFlight, most atomic.Int32
	var mu sync.Mutex
	handled := map[string]int{}
	done := make(chan struct{})
	handle := func(ctx context.Context, queue string, m commerce.Message) error {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			old := most.Load()
			if now <= old || most.CompareAndSwap(old, now) {
				break
			}
		}
		time.Sleep(time.Millisecond) // hold the slot a little, so the bound is tested
		mu.Lock()
		defer mu.Unlock()
		handled[m.ID]++
		if m.ID == "m7" && handled[m.ID] == 1 {
			return errors.New("first delivery fails") // abandoned, delivered again
		}
		if len(handled) == n && handled["m7"] == 2 {
			close(done)
		}
		return nil
	}
	d := NewDispatcher(q, handle, limit, 10*time.Millisecond, 0, discard)
	runCtx, stop := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() { d.Run(runCtx, "orders"); close(finished) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("messages not all handled within 10 s")
	}
	stop()
	<-finished
	if got := most.Load(); got > limit {
		t.Errorf("at most %d messages at once: got %d", limit, got)
	}
	if got := handled["m7"]; got != 2 {
		t.Errorf("a failed message: handled %d times, want 2", got)
	}
	if pending, err := q.Pending(ctx, "orders"); err != nil || pending != 0 {
		t.Errorf("after the run: %d pending (%v), want 0", pending, err)
	}
}

// TestDispatcherLockDeadline checks that a function runs under a deadline
// within its message's lock, and that a function the deadline stops (a
// store retrying through a long failover) has its message abandoned and
// delivered again, not left locked.
func TestDispatcherLockDeadline(t *testing.T) {
	ctx := context.Background()
	q := mustQueue(t)
	if err := q.Publish(ctx, "orders", commerce.Message{ID: "m1", Type: "T", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	const lock = 20 * time.Millisecond
	var mu sync.Mutex
	var deliveries int
	var deadlines []bool
	done := make(chan struct{})
	handle := func(ctx context.Context, queue string, m commerce.Message) error {
		mu.Lock()
		deliveries++
		n := deliveries
		_, ok := ctx.Deadline()
		deadlines = append(deadlines, ok)
		mu.Unlock()
		if n > 1 {
			close(done)
			return nil
		}
		select { // the database stays down past the deadline
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
			return errors.New("no deadline")
		}
	}
	d := NewDispatcher(q, handle, 1, 5*time.Millisecond, 0, discard)
	d.Lock = lock
	runCtx, stop := context.WithCancel(ctx)
	finished := make(chan struct{})
	go func() { d.Run(runCtx, "orders"); close(finished) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Error("the message was not delivered again within 10 s")
	}
	stop()
	<-finished
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]bool{true, true}, deadlines); diff != "" {
		t.Errorf("deliveries with a deadline (-want +got):\n%s", diff)
	}
	if pending, err := q.Pending(ctx, "orders"); err != nil || pending != 0 {
		t.Errorf("after the run: %d pending (%v), want 0", pending, err)
	}
}

// fakeOutbox is an in-memory commerce.Outbox for the relay's unit test.
type fakeOutbox struct {
	entries   []commerce.OutboxEntry
	published []int64
	parked    map[int64]string // reason by sequence number
}

func (o *fakeOutbox) Unpublished(ctx context.Context, limit int) ([]commerce.OutboxEntry, error) {
	var out []commerce.OutboxEntry
	for _, e := range o.entries {
		if _, parked := o.parked[e.Seq]; !parked && !containsSeq(o.published, e.Seq) && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (o *fakeOutbox) MarkPublished(ctx context.Context, seqs []int64) error {
	o.published = append(o.published, seqs...)
	return nil
}

func (o *fakeOutbox) Park(ctx context.Context, seq int64, reason string, at time.Time) (bool, error) {
	if _, ok := o.parked[seq]; ok || containsSeq(o.published, seq) {
		return false, nil
	}
	if o.parked == nil {
		o.parked = map[int64]string{}
	}
	o.parked[seq] = reason
	return true, nil
}

func (o *fakeOutbox) Parked(ctx context.Context, queue string, limit int) ([]commerce.ParkedEntry, error) {
	var out []commerce.ParkedEntry
	for _, e := range o.entries {
		if reason, ok := o.parked[e.Seq]; ok && e.Queue == queue && len(out) < limit {
			out = append(out, commerce.ParkedEntry{OutboxEntry: e, Reason: reason})
		}
	}
	return out, nil
}

func (o *fakeOutbox) Unpark(ctx context.Context, queue string, seq int64) (commerce.OutboxEntry, bool, error) {
	for _, e := range o.entries {
		if _, ok := o.parked[e.Seq]; ok && e.Seq == seq && e.Queue == queue {
			delete(o.parked, seq)
			return e, true, nil
		}
	}
	return commerce.OutboxEntry{}, false, nil
}

func containsSeq(seqs []int64, seq int64) bool {
	for _, s := range seqs {
		if s == seq {
			return true
		}
	}
	return false
}

// fakePublisher records Publish calls, fails the queue named in failOn,
// and refuses for good, as Service Bus does a message over its size limit,
// any call holding the message named in reject.
type fakePublisher struct {
	calls  []string
	failOn string
	reject string
}

func (p *fakePublisher) Publish(ctx context.Context, queue string, msgs ...commerce.Message) error {
	if queue == p.failOn {
		return errors.New("broker down")
	}
	for _, m := range msgs {
		if m.ID == p.reject {
			return fmt.Errorf("publish: %w", commerce.Rejectedf("message %s on %s is over the size limit", m.ID, queue))
		}
	}
	call := queue + ":"
	for _, m := range msgs {
		call += " " + m.ID
	}
	p.calls = append(p.calls, call)
	return nil
}

func TestRelay(t *testing.T) {
	entry := func(seq int64, queue string) commerce.OutboxEntry {
		return commerce.OutboxEntry{Seq: seq, Queue: queue, Message: commerce.Message{ID: fmt.Sprint("m", seq)}}
	}
	newOutbox := func() *fakeOutbox {
		return &fakeOutbox{entries: []commerce.OutboxEntry{
			entry(1, "inventory"), entry(2, "orders"), entry(3, "inventory"), entry(4, "orders"),
		}}
	}

	t.Run("OneBatchPerQueueInOrder", func(t *testing.T) {
		o, p := newOutbox(), &fakePublisher{}
		if err := NewRelay(o, p, time.Second, discard).Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"inventory: m1 m3", "orders: m2 m4"}, p.calls); diff != "" {
			t.Errorf("Publish calls (-want +got):\n%s", diff)
		}
		if len(o.published) != 4 {
			t.Errorf("marked published: got %v, want all 4", o.published)
		}
	})

	t.Run("BrokerDown", func(t *testing.T) {
		o, p := newOutbox(), &fakePublisher{failOn: "orders"}
		if err := NewRelay(o, p, time.Second, discard).Flush(context.Background()); err == nil {
			t.Fatal("Flush with the broker down: got no error")
		}
		if diff := cmp.Diff([]int64{1, 3}, o.published); diff != "" {
			t.Errorf("only what was published is marked (-want +got):\n%s", diff)
		}
		p.failOn = ""
		if err := NewRelay(o, p, time.Second, discard).Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		if len(o.published) != 4 {
			t.Errorf("after the broker is back: marked %v, want all 4", o.published)
		}
	})
}

// TestRelayParks runs the relay over an outbox whose second message its
// queue refuses for good: the relay parks it and publishes the messages
// behind it, on its queue and the other; once parked, it is listed, and
// re-driven (unparked) it is published.
func TestRelayParks(t *testing.T) {
	ctx := context.Background()
	o := &fakeOutbox{entries: []commerce.OutboxEntry{
		{Seq: 1, Queue: "orders", Message: commerce.Message{ID: "m1"}},
		{Seq: 2, Queue: "orders", Message: commerce.Message{ID: "m2"}},
		{Seq: 3, Queue: "orders", Message: commerce.Message{ID: "m3"}},
		{Seq: 4, Queue: "inventory", Message: commerce.Message{ID: "m4"}},
	}}
	p := &fakePublisher{reject: "m2"}
	r := NewRelay(o, p, time.Second, discard)
	for i := range 2 {
		if err := r.Flush(ctx); err != nil {
			t.Fatalf("Flush #%d with a refused message: %v", i+1, err)
		}
	}
	if diff := cmp.Diff([]int64{1, 3, 4}, o.published); diff != "" {
		t.Errorf("published around the refused message (-want +got):\n%s", diff)
	}
	parked, err := o.Parked(ctx, "orders", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(parked) != 1 || parked[0].Seq != 2 || !strings.Contains(parked[0].Reason, "size limit") {
		t.Fatalf("parked: got %+v, want m2 with the queue's reason", parked)
	}

	p.reject = "" // the cause is fixed: the queue takes it now
	if _, ok, err := o.Unpark(ctx, "orders", 2); err != nil || !ok {
		t.Fatalf("Unpark: got %v, %v, want true", ok, err)
	}
	if err := r.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{1, 3, 4, 2}, o.published); diff != "" {
		t.Errorf("published after the re-drive (-want +got):\n%s", diff)
	}
	if got := p.calls[len(p.calls)-1]; got != "orders: m2" {
		t.Errorf("last Publish: got %q, want the re-driven m2", got)
	}

	// A failure that may pass is no reason to park: the flush stops.
	o = &fakeOutbox{entries: []commerce.OutboxEntry{{Seq: 1, Queue: "orders", Message: commerce.Message{ID: "m1"}}}}
	if err := NewRelay(o, &fakePublisher{failOn: "orders"}, time.Second, discard).Flush(ctx); err == nil {
		t.Error("Flush with the broker down: got no error")
	}
	if len(o.parked) != 0 {
		t.Errorf("parked with the broker down: got %v, want none", o.parked)
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		msg      commerce.Message
		wantType string
		wantErr  bool
	}{
		{"TypeFromBody", commerce.Message{Type: "Subject", Body: []byte(`{"type":"OrderPlaced","orderId":"o1"}`)}, "OrderPlaced", false},
		{"TypeFromSubject", commerce.Message{Type: "OrderCancelled", Body: []byte(`{"orderId":"o1"}`)}, "OrderCancelled", false},
		{"Malformed", commerce.Message{Body: []byte(`{not json`)}, "", true},
		{"WrongFieldType", commerce.Message{Body: []byte(`{"onHand":"7"}`)}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, err := decode(tt.msg, &commerce.StockLevelSetEvent{})
			if (err != nil) != tt.wantErr {
				t.Fatalf("decode: got error %v, want error %v", err, tt.wantErr)
			}
			if err == nil && typ != tt.wantType {
				t.Errorf("type: got %q, want %q", typ, tt.wantType)
			}
		})
	}
	f := &Functions{}
	for _, m := range []commerce.Message{
		{ID: "a", Body: []byte(`{"type":"StockLevelSet","sku":"S","onHand":1,"source":"erp"}`)}, // no sequence
		{ID: "b", Body: []byte(`{"type":"Unknown"}`)},
	} {
		if err := f.Inventory(context.Background(), m); err == nil {
			t.Errorf("Inventory(%s): got no error, want one (the message is redelivered, then dead-lettered)", m.Body)
		}
	}
	if err := f.Orders(context.Background(), commerce.Message{ID: "c", Body: []byte(`{"type":"OrderCancelled","orderId":"o1"}`)}); err == nil {
		t.Error("Orders(OrderCancelled): got no error, want one")
	}
}

// lockedOutbox is fakeOutbox safe for a running relay and a test at once.
type lockedOutbox struct {
	mu sync.Mutex
	o  fakeOutbox
}

func (l *lockedOutbox) Unpublished(ctx context.Context, limit int) ([]commerce.OutboxEntry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.o.Unpublished(ctx, limit)
}

func (l *lockedOutbox) MarkPublished(ctx context.Context, seqs []int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.o.MarkPublished(ctx, seqs)
}

func (l *lockedOutbox) Park(ctx context.Context, seq int64, reason string, at time.Time) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.o.Park(ctx, seq, reason, at)
}

func (l *lockedOutbox) Parked(ctx context.Context, queue string, limit int) ([]commerce.ParkedEntry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.o.Parked(ctx, queue, limit)
}

func (l *lockedOutbox) Unpark(ctx context.Context, queue string, seq int64) (commerce.OutboxEntry, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.o.Unpark(ctx, queue, seq)
}

func (l *lockedOutbox) add(e commerce.OutboxEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.o.entries = append(l.o.entries, e)
}

func (l *lockedOutbox) published() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.o.published)
}

// TestRelayKickOnly runs a relay with no interval (SHOPFN_ROLE=api): it
// publishes what it finds at start and then what each kick finds.
func TestRelayKickOnly(t *testing.T) {
	o := &lockedOutbox{o: fakeOutbox{entries: []commerce.OutboxEntry{{Seq: 1, Queue: "orders", Message: commerce.Message{ID: "m1"}}}}}
	r := NewRelay(o, &lockedPublisher{}, 0, discard)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor := func(what string, n int) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); o.published() < n; {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d published, want %d", what, o.published(), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("at start", 1)
	o.add(commerce.OutboxEntry{Seq: 2, Queue: "orders", Message: commerce.Message{ID: "m2"}})
	r.Kick()
	waitFor("after a kick", 2)
}

// lockedPublisher is fakePublisher safe for a running relay.
type lockedPublisher struct {
	mu sync.Mutex
	p  fakePublisher
}

func (l *lockedPublisher) Publish(ctx context.Context, queue string, msgs ...commerce.Message) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.Publish(ctx, queue, msgs...)
}
