package webhook

import (
	"testing"
	"time"
)

func fixedJitter(f float64) func() float64 { return func() float64 { return f } }

func TestBackoffDelays(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		attempts int
		jitter   float64
		want     time.Duration
	}{
		{1, 0, 2500 * time.Millisecond},
		{1, 0.999999, 5 * time.Second},
		{2, 0, 10 * time.Second},
		{2, 0.999999, 20 * time.Second},
		{3, 0, 40 * time.Second},
		{4, 0, 160 * time.Second},
		{5, 0, 640 * time.Second},
		{6, 0, 2560 * time.Second},
		{7, 0, 10240 * time.Second},
		{8, 0, 3 * time.Hour},
		{8, 0.999999, 6 * time.Hour},
		{30, 0, 3 * time.Hour},
		{0, 0, 2500 * time.Millisecond},
	}
	for _, tt := range tests {
		b := DefaultBackoff
		b.Jitter = fixedJitter(tt.jitter)
		next, ok := b.Next(tt.attempts, t0, t0, 0)
		tolerance := tt.want / 100000
		if d := next.Sub(t0); !ok || d < tt.want-tolerance || d > tt.want+tolerance {
			t.Errorf("attempts %d jitter %v: got %v %v, want %v", tt.attempts, tt.jitter, d, ok, tt.want)
		}
	}
}

func TestBackoffFirstRetryWithin5s(t *testing.T) {
	t0 := time.Now()
	for range 1000 {
		next, ok := DefaultBackoff.Next(1, t0, t0, 0)
		if d := next.Sub(t0); !ok || d <= 0 || d > 5*time.Second {
			t.Fatalf("first retry after %v (%v), want within 5s", d, ok)
		}
	}
}

func TestBackoffRetryAfter(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	b := DefaultBackoff
	b.Jitter = fixedJitter(0)
	tests := []struct {
		name       string
		first, now time.Time
		retryAfter time.Duration
		want       time.Time
		ok         bool
	}{
		{"longer than the backoff", t0, t0, time.Minute, t0.Add(time.Minute), true},
		{"shorter than the backoff", t0, t0, time.Second, t0.Add(2500 * time.Millisecond), true},
		{"past the window", t0, t0.Add(23*time.Hour + 30*time.Minute), time.Hour, t0.Add(24 * time.Hour), true},
		{"at the window's end", t0, t0.Add(24 * time.Hour), 0, time.Time{}, false},
		{"after the window", t0, t0.Add(25 * time.Hour), 0, time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := b.Next(1, tt.first, tt.now, tt.retryAfter)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("%s: got %v %v, want %v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestBackoffSchedule runs a whole schedule of failed attempts that take no
// time: it ends with an attempt at exactly 24 h, every attempt after the
// one before, with 9 to 16 attempts in all.
func TestBackoffSchedule(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, j := range []float64{0, 0.5, 0.999999} {
		b := DefaultBackoff
		b.Jitter = fixedJitter(j)
		now, attempts := t0, 1
		for {
			next, ok := b.Next(attempts, t0, now, 0)
			if !ok {
				break
			}
			if !next.After(now) {
				t.Fatalf("jitter %v: attempt %d at %v is not after %v", j, attempts+1, next, now)
			}
			now = next
			attempts++
			if attempts > 100 {
				t.Fatalf("jitter %v: more than 100 attempts", j)
			}
		}
		if !now.Equal(t0.Add(24 * time.Hour)) {
			t.Errorf("jitter %v: last attempt at %v, want at 24h", j, now.Sub(t0))
		}
		if attempts < 9 || attempts > 16 {
			t.Errorf("jitter %v: %d attempts, want 9 to 16", j, attempts)
		}
	}
}

func TestShouldDisable(t *testing.T) {
	now := time.Date(2025, 1, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		since   time.Time
		disable bool
	}{
		{"never failed", time.Time{}, false},
		{"failing for a day", now.Add(-24 * time.Hour), false},
		{"failing for just under 3 days", now.Add(-72*time.Hour + time.Second), false},
		{"failing for 3 days", now.Add(-72 * time.Hour), true},
		{"failing for a week", now.Add(-7 * 24 * time.Hour), true},
		{"failing since the future (clock skew)", now.Add(time.Hour), false},
	}
	for _, tt := range tests {
		if got := ShouldDisable(tt.since, now); got != tt.disable {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.disable)
		}
	}
}
