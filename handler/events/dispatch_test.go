package events_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"shopfn/handler/events"
)

// countingLog is an events.Log in memory that records every SetPosition.
type countingLog struct {
	mu   sync.Mutex
	recs []events.Record
	pos  int64
	sets []int64
}

func (l *countingLog) Events(ctx context.Context, f events.Filter) ([]events.Record, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []events.Record
	for _, r := range l.recs {
		if r.Position > f.After && len(out) < f.Limit {
			out = append(out, r)
		}
	}
	return out, nil
}

func (l *countingLog) Head(ctx context.Context) (int64, error)   { return int64(len(l.recs)), nil }
func (l *countingLog) Oldest(ctx context.Context) (int64, error) { return 1, nil }

func (l *countingLog) Position(ctx context.Context, consumer string) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pos, nil
}

func (l *countingLog) SetPosition(ctx context.Context, consumer string, position int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sets = append(l.sets, position)
	l.pos = max(l.pos, position)
	return nil
}

func (l *countingLog) Purge(ctx context.Context, before time.Time, limit int) (int64, error) {
	return 0, nil
}

// TestDispatcherPositionOncePerStep checks that a consumer's position is
// written once for the events a step handled, not after each (a write of
// the embedded store's one writer per event and consumer), and that a
// failure keeps the position of the last event handled, so the failed one
// is handed again and none before it.
func TestDispatcherPositionOncePerStep(t *testing.T) {
	log := &countingLog{}
	for i := range 5 {
		log.recs = append(log.recs, events.Record{Position: int64(i + 1), Event: events.Event{ID: string(rune('a' + i))}})
	}
	var seen []string
	failed := false
	d := events.NewDispatcher(log, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.Register("c", events.ConsumerFunc(func(ctx context.Context, e events.Event) error {
		if e.ID == "d" && !failed {
			failed = true
			return errors.New("not now")
		}
		seen = append(seen, e.ID)
		return nil
	}))
	ctx := context.Background()
	if err := d.Flush(ctx); err == nil {
		t.Fatal("first Flush: got no error, want the consumer's")
	}
	if want := []int64{3}; !slices.Equal(log.sets, want) {
		t.Errorf("positions written by the failing step: got %v, want %v", log.sets, want)
	}
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if want := []int64{3, 5}; !slices.Equal(log.sets, want) {
		t.Errorf("positions written: got %v, want %v", log.sets, want)
	}
	if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(seen, want) {
		t.Errorf("events handled: got %v, want %v", seen, want)
	}
}
