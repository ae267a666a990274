package sqlstore_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"shopfn/handler/sqlstore"
	"shopfn/handler/storetest"
)

func TestBackoff(t *testing.T) {
	r := sqlstore.Retry{First: 100 * time.Millisecond, Max: 5 * time.Second}
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{
		{1, 100 * time.Millisecond},
		{2, 200 * time.Millisecond},
		{3, 400 * time.Millisecond},
		{6, 3200 * time.Millisecond},
		{7, 5 * time.Second},
		{100, 5 * time.Second},
	} {
		if got := r.Backoff(tc.n); got != tc.want {
			t.Errorf("Backoff(%d): got %v, want %v", tc.n, got, tc.want)
		}
	}
}

// TestRetryDo checks the schedule of waits and where the budget stops it,
// on a simulated clock with the jitter injected.
func TestRetryDo(t *testing.T) {
	errTransient := errors.New("transient")
	errOther := errors.New("not transient")
	ms := func(n ...int) []time.Duration {
		var out []time.Duration
		for _, v := range n {
			out = append(out, time.Duration(v)*time.Millisecond)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		failures int   // fn fails this many times first
		err      error // with this error
		budget   time.Duration
		deadline time.Duration // of ctx, from the start; 0: none
		jitter   func(time.Duration) time.Duration
		wantErr  error
		want     []time.Duration // the waits taken
	}{
		{"success", 0, nil, time.Minute, 0, nil, nil, nil},
		{"not transient: no retry", 3, errOther, time.Minute, 0, nil, errOther, nil},
		{"full backoff", 3, errTransient, time.Minute, 0, whole, nil, ms(100, 200, 400)},
		{"no jitter: half of each", 3, errTransient, time.Minute, 0, none, nil, ms(50, 100, 200)},
		{"waits stop growing at Max", 9, errTransient, time.Minute, 0, whole, nil, ms(100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000)},
		{"budget: no wait past it", 100, errTransient, 2 * time.Second, 0, whole, errTransient, ms(100, 200, 400, 800)},
		{"ctx deadline before budget", 100, errTransient, time.Minute, time.Second, whole, errTransient, ms(100, 200, 400)},
		{"budget before ctx deadline", 100, errTransient, time.Second, time.Minute, whole, errTransient, ms(100, 200, 400)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := storetest.NewClock(time.Now())
			start := clock.Now()
			var waits []time.Duration
			r := sqlstore.Retry{
				Budget: tc.budget, First: 100 * time.Millisecond, Max: 5 * time.Second, Now: clock.Now, Jitter: tc.jitter,
				Sleep: func(ctx context.Context, d time.Duration) error {
					waits = append(waits, d)
					clock.Advance(d)
					return nil
				},
			}
			ctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, start.Add(tc.deadline))
				defer cancel()
			}
			calls := 0
			err := r.Do(ctx, func(err error) bool { return errors.Is(err, errTransient) }, func() error {
				calls++
				if calls <= tc.failures {
					return tc.err
				}
				return nil
			})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Errorf("Do: got %v, want %v", err, tc.wantErr)
			}
			if !slices.Equal(waits, tc.want) {
				t.Errorf("waits: got %v, want %v", waits, tc.want)
			}
			if calls != len(waits)+1 {
				t.Errorf("calls: got %d, want one more than the %d waits", calls, len(waits))
			}
		})
	}
}

// TestRetryDoCancelled checks that a wait cut short by ctx returns ctx's
// error wrapping the last failure.
func TestRetryDoCancelled(t *testing.T) {
	errTransient := errors.New("transient")
	ctx, cancel := context.WithCancel(context.Background())
	r := sqlstore.Retry{Sleep: func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }}
	err := r.Do(ctx, func(error) bool { return true }, func() error { return errTransient })
	if !errors.Is(err, context.Canceled) || !errors.Is(err, errTransient) {
		t.Errorf("Do cancelled during a wait: got %v, want context.Canceled wrapping the failure", err)
	}
}

func whole(d time.Duration) time.Duration { return d }
func none(time.Duration) time.Duration    { return 0 }
