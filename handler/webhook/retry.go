package webhook

import (
	"math"
	"math/rand/v2"
	"time"
)

// Backoff schedules the retries of one event to one subscription:
// exponential delays with jitter, for at most Window after the first
// attempt. The zero Backoff is not usable; start from DefaultBackoff.
type Backoff struct {
	// First is the longest delay before the first retry.
	First time.Duration
	// Factor multiplies the delay after each failed retry.
	Factor float64
	// Max is the longest delay between two attempts.
	Max time.Duration
	// Window is how long after the first attempt retries go on; the last
	// retry is at its end.
	Window time.Duration
	// Jitter returns a number in [0, 1); nil means math/rand/v2.
	Jitter func() float64
}

// DefaultBackoff retries within 5 s, then after at most 20 s, 80 s,
// 5.3 min, 21 min, 85 min, 5.7 h and every 6 h (each delay drawn from the upper
// half of its bound), for 24 h: 11 to 15 attempts in all, the last one at
// the end of the window.
var DefaultBackoff = Backoff{First: 5 * time.Second, Factor: 4, Max: 6 * time.Hour, Window: 24 * time.Hour}

// Next returns when to make the next attempt after the attempts-th attempt
// (1 for the first) failed at now with a Retry outcome; first is when the
// first attempt was made, and retryAfter what its response asked for (see
// RetryAfter). It reports false when the window is over: give up, and
// record the delivery as failed.
//
// The delay is First·Factor^(attempts-1), capped at Max, drawn uniformly
// from its upper half ("equal jitter", so retries of many events spread
// out but never come sooner than half the delay), at least retryAfter, and
// never past the window's end: an attempt that would fall beyond it is made
// at the end instead.
func (b Backoff) Next(attempts int, first, now time.Time, retryAfter time.Duration) (time.Time, bool) {
	end := first.Add(b.Window)
	if !now.Before(end) {
		return time.Time{}, false
	}
	d := float64(b.First) * math.Pow(b.Factor, float64(max(attempts, 1)-1))
	d = min(d, float64(b.Max))
	j := b.Jitter
	if j == nil {
		j = rand.Float64
	}
	delay := time.Duration(d/2 + j()*d/2)
	delay = max(delay, retryAfter)
	next := now.Add(delay)
	if next.After(end) {
		next = end
	}
	return next, true
}

// DisableAfter is how long a subscription may fail every delivery before
// it is disabled.
const DisableAfter = 72 * time.Hour

// ShouldDisable reports whether a subscription whose deliveries have all
// failed since failingSince (zero when its last delivery succeeded) is to
// be disabled at now. Stores set failingSince at a failure when it is zero
// and clear it at any success.
func ShouldDisable(failingSince, now time.Time) bool {
	return !failingSince.IsZero() && now.Sub(failingSince) >= DisableAfter
}
