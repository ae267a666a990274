package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Retry is how a store call rides out the database's transient failures (a
// deadlock victim, a failover, a serverless database resuming from
// auto-pause): it runs the call again after a jittered, exponentially
// growing wait, for as long as its budget lasts. The budget ends Budget
// after the first attempt or at the call's context deadline, whichever is
// first: an HTTP request's deadline, or a queue message's lock. The zero
// Retry is the default, with the real clock.
type Retry struct {
	// Budget bounds the retries of a call whose context has no earlier
	// deadline (default DefaultRetryBudget): a failover takes 10-60 s.
	Budget time.Duration
	// First is the wait after the first failure (default 100 ms); each
	// further wait doubles, up to Max (default 5 s).
	First, Max time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Sleep waits d, or less when ctx ends first, and returns ctx's error
	// then (default: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a random duration in [0, d) (default math/rand).
	Jitter func(d time.Duration) time.Duration
}

// DefaultRetryBudget is Retry's default budget: time for an Azure SQL
// failover or a serverless resume from auto-pause.
const DefaultRetryBudget = 60 * time.Second

// withDefaults returns r with each zero field set to its default.
func (r Retry) withDefaults() Retry {
	if r.Budget <= 0 {
		r.Budget = DefaultRetryBudget
	}
	if r.First <= 0 {
		r.First = 100 * time.Millisecond
	}
	if r.Max <= 0 {
		r.Max = 5 * time.Second
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.Sleep == nil {
		r.Sleep = sleep
	}
	if r.Jitter == nil {
		r.Jitter = func(d time.Duration) time.Duration { return time.Duration(rand.Int64N(int64(max(d, 1)))) }
	}
	return r
}

// Backoff returns the wait after the nth failure (n from 1) before jitter:
// First doubling each time, at most Max. The wait taken is between half of
// it and all of it ("equal jitter"), so that the instances a failover hit
// at once do not come back at once.
func (r Retry) Backoff(n int) time.Duration {
	r = r.withDefaults()
	w := r.First
	for i := 1; i < n && w < r.Max; i++ {
		w *= 2
	}
	return min(w, r.Max)
}

// Do runs fn, and runs it again while it fails with an error transient
// says is transient, waiting Backoff(n) with jitter between attempts, as
// long as the wait ends within the budget. It returns fn's last error:
// transient when the budget ran out, wrapped with ctx's error when ctx
// ended during a wait.
func (r Retry) Do(ctx context.Context, transient func(error) bool, fn func() error) error {
	r = r.withDefaults()
	end := r.Now().Add(r.Budget)
	if d, ok := ctx.Deadline(); ok && d.Before(end) {
		end = d
	}
	for n := 1; ; n++ {
		err := fn()
		if err == nil || transient == nil || !transient(err) {
			return err
		}
		w := r.Backoff(n)
		w = w/2 + r.Jitter(w-w/2)
		if r.Now().Add(w).After(end) {
			return err
		}
		if serr := r.Sleep(ctx, w); serr != nil {
			return fmt.Errorf("%w (after %w)", serr, err)
		}
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
