package sqlite_test

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/sqlite"
	"shopfn/handler/storetest"
)

// queueFile is a Queue on a SQLite file that a test can close and reopen.
type queueFile struct {
	path string
	opts commerce.QueueOptions
	db   *sqlite.DB
}

// mustOpenQueue opens a queue on a new file with a fake clock; the file is
// closed when the test ends.
func mustOpenQueue(t *testing.T, opts commerce.QueueOptions) (*queueFile, *sqlite.Queue, *storetest.Clock) {
	t.Helper()
	c := storetest.NewClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	opts.Now = c.Now
	f := &queueFile{path: filepath.Join(t.TempDir(), "queue.db"), opts: opts}
	q := f.reopen(t)
	t.Cleanup(func() { f.db.Close() })
	return f, q, c
}

// reopen closes the file, if open, and opens it again.
func (f *queueFile) reopen(t *testing.T) *sqlite.Queue {
	t.Helper()
	if f.db != nil {
		if err := f.db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sqlite.Open(context.Background(), f.path)
	if err != nil {
		t.Fatal(err)
	}
	f.db = db
	return sqlite.NewQueue(db, f.opts)
}

func TestQueue(t *testing.T) {
	opts := commerce.QueueOptions{LockDuration: 45 * time.Second, MaxDeliveryCount: 4, DuplicateWindow: 5 * time.Minute}
	storetest.TestQueue(t, storetest.QueueHarness{
		New: func(t *testing.T) storetest.QueueEnv {
			f, q, c := mustOpenQueue(t, opts)
			return storetest.QueueEnv{
				Queue: q, Now: c.Now, Advance: c.Advance,
				Reopen: func() commerce.Queue { return f.reopen(t) },
			}
		},
		MaxDeliveryCount: opts.MaxDeliveryCount,
		LockDuration:     opts.LockDuration,
		DuplicateWindow:  opts.DuplicateWindow,
	})
}

// TestQueueDefaults runs the suite with the zero QueueOptions, which must
// mean the Service Bus defaults.
func TestQueueDefaults(t *testing.T) {
	storetest.TestQueue(t, storetest.QueueHarness{
		New: func(t *testing.T) storetest.QueueEnv {
			f, q, c := mustOpenQueue(t, commerce.QueueOptions{})
			return storetest.QueueEnv{
				Queue: q, Now: c.Now, Advance: c.Advance,
				Reopen: func() commerce.Queue { return f.reopen(t) },
			}
		},
		MaxDeliveryCount: 10,
		LockDuration:     30 * time.Second,
		DuplicateWindow:  10 * time.Minute,
	})
}

// TestQueueReopen checks that dead letters and every kind of pending
// message (due, locked, scheduled) survive closing and reopening the file.
func TestQueueReopen(t *testing.T) {
	ctx := context.Background()
	f, q, c := mustOpenQueue(t, commerce.QueueOptions{MaxDeliveryCount: 1, LockDuration: time.Minute})
	body := []byte(`{"type":"OrderPlaced","orderId":"o1"}`)
	later := commerce.Message{ID: "later", Type: commerce.MsgReservationExpired, Body: []byte(`{}`), ScheduledAt: c.Now().Add(time.Hour)}
	if err := q.Publish(ctx, commerce.QueueOrders,
		commerce.Message{ID: "crash", Type: commerce.MsgOrderPlaced, Body: body},
		commerce.Message{ID: "due", Type: commerce.MsgOrderPlaced, Body: body}, later); err != nil {
		t.Fatal(err)
	}
	if got, err := q.Receive(ctx, commerce.QueueOrders, 1); err != nil || len(got) != 1 || got[0].ID != "crash" {
		t.Fatalf("Receive: got %v, %v; want [crash]", got, err)
	}
	c.Advance(time.Minute) // the consumer crashed

	q = f.reopen(t)
	got, err := q.Receive(ctx, commerce.QueueOrders, 10)
	if err != nil || len(got) != 1 || got[0].ID != "due" || string(got[0].Body) != string(body) {
		t.Fatalf("Receive after reopen: got %v, %v; want [due]", got, err)
	}
	q = f.reopen(t)
	dls, err := q.DeadLetters(ctx, commerce.QueueOrders, 10)
	if err != nil || len(dls) != 1 {
		t.Fatalf("DeadLetters: got %v, %v; want 1", dls, err)
	}
	if d := dls[0]; d.ID != "crash" || string(d.Body) != string(body) || d.Reason != commerce.ReasonMaxDeliveryCount || d.DeliveryCount != 1 {
		t.Errorf("dead letter: got %+v, want crash, its body, %s, count 1", d, commerce.ReasonMaxDeliveryCount)
	}
	if n, err := q.Pending(ctx, commerce.QueueOrders); err != nil || n != 2 {
		t.Errorf("Pending: got %d, %v; want 2 (locked due, scheduled later)", n, err)
	}
	c.Advance(time.Hour)
	got, err = q.Receive(ctx, commerce.QueueOrders, 10)
	if err != nil || len(got) != 1 || got[0].ID != "later" || !got[0].ScheduledAt.Equal(later.ScheduledAt) {
		t.Fatalf("Receive an hour later: got %v, %v; want [later]", got, err)
	}
}

func TestQueueReleaseLocks(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	q := sqlite.NewQueue(MustOpen(t), commerce.QueueOptions{Now: func() time.Time { return now }})
	for _, id := range []string{"a", "b"} {
		if err := q.Publish(ctx, "orders", commerce.Message{ID: id, Type: "OrderPlaced", Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
	}
	later := commerce.Message{ID: "later", Type: "ReservationExpired", Body: []byte(`{}`), ScheduledAt: now.Add(time.Hour)}
	if err := q.Publish(ctx, "orders", later); err != nil {
		t.Fatal(err)
	}
	got, err := q.Receive(ctx, "orders", 1) // locks "a"; then the process dies
	if err != nil || len(got) != 1 {
		t.Fatalf("Receive: got %v, %v; want one message", got, err)
	}
	if err := q.ReleaseLocks(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = q.Receive(ctx, "orders", 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ID+"#"+strconv.Itoa(m.DeliveryCount))
	}
	if want := []string{"a#2", "b#1"}; !slices.Equal(ids, want) {
		t.Errorf("after ReleaseLocks: got %v, want %v (the scheduled message stays scheduled)", ids, want)
	}
}
