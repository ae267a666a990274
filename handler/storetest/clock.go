package storetest

import (
	"sync"
	"time"
)

// Clock is a clock for tests that moves only when told to. Make it with
// NewClock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
	// OnAdvance, when set, is told of every Advance, to move another clock
	// too (the Service Bus peer's).
	OnAdvance func(time.Duration)
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	if c.OnAdvance != nil {
		c.OnAdvance(d)
	}
}
