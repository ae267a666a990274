package sqlstore_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"shopfn/handler/events"
	"shopfn/handler/sqlstore"
)

// recorder is a consumer that records the positions' events it handled,
// failing each event's first fail attempts and blocking while block is
// open.
type recorder struct {
	mu    sync.Mutex
	seen  []string
	tries map[string]int
	fail  int
	block chan struct{}
}

func (r *recorder) Handle(ctx context.Context, e events.Event) error {
	if r.block != nil {
		select {
		case <-r.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries[e.ID]++
	if r.tries[e.ID] <= r.fail {
		return errors.New("not now")
	}
	r.seen = append(r.seen, e.ID)
	return nil
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// TestDispatcher checks that each consumer gets every event once it
// succeeds, in log order, from its own durable position: one that fails
// or blocks delays no other, and a new dispatcher goes on where the last
// one stopped.
func TestDispatcher(t *testing.T) {
	db := MustOpenSQLite(t)
	st := NewEventStores(t, db)
	log := sqlstore.NewEventStore(db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	d := events.NewDispatcher(log, quiet)
	d.Poll, d.RetryMin, d.RetryMax = 10*time.Millisecond, time.Millisecond, 5*time.Millisecond
	fast := &recorder{tries: map[string]int{}}
	flaky := &recorder{tries: map[string]int{}, fail: 2}
	stuck := &recorder{tries: map[string]int{}, block: make(chan struct{})}
	d.Register("fast", fast)
	d.Register("flaky", flaky)
	d.Register("stuck", stuck)
	// Registered consumers start at the head: create their positions now.
	for _, name := range []string{"fast", "flaky", "stuck"} {
		if _, err := log.Position(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()

	for i := range 5 {
		if _, err := st.Inventory.SetOnHand(ctx, "A", int64(i)); err != nil {
			t.Fatal(err)
		}
		d.Kick()
	}
	recs, err := log.Events(ctx, events.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range recs {
		want = append(want, r.Event.ID)
	}
	waitFor(t, func() bool { return len(fast.got()) == 5 && len(flaky.got()) == 5 })
	for name, r := range map[string]*recorder{"fast": fast, "flaky": flaky} {
		if got := r.got(); !equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	if got := stuck.got(); len(got) != 0 {
		t.Errorf("stuck: handled %v while blocked", got)
	}
	cancel()
	<-done

	// A new dispatcher (a restarted process) goes on from the positions.
	close(stuck.block)
	fast2 := &recorder{tries: map[string]int{}}
	d2 := events.NewDispatcher(log, quiet)
	d2.Register("fast", fast2)
	d2.Register("stuck", stuck)
	if _, err := st.Inventory.SetOnHand(context.Background(), "A", 9); err != nil {
		t.Fatal(err)
	}
	if err := d2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := fast2.got(); len(got) != 1 {
		t.Errorf("fast after a restart: got %d events, want the 1 new one", len(got))
	}
	if got := stuck.got(); len(got) != 6 {
		t.Errorf("stuck after a restart: got %d events, want all 6", len(got))
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDispatcherInit checks that a consumer registered and initialised
// before changes are made hears them, though the dispatcher had not run
// yet when they were written.
func TestDispatcherInit(t *testing.T) {
	db := MustOpenSQLite(t)
	st := NewEventStores(t, db)
	ctx := context.Background()
	d := events.NewDispatcher(sqlstore.NewEventStore(db), slog.New(slog.NewTextHandler(io.Discard, nil)))
	r := &recorder{tries: map[string]int{}}
	d.Register("new", r)
	if err := d.Init(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Inventory.SetOnHand(ctx, "A", 1); err != nil {
		t.Fatal(err)
	}
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.got(); len(got) != 1 {
		t.Errorf("events heard: got %d, want the 1 written after Init", len(got))
	}
}
