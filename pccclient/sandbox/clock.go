package sandbox

import (
	"sync/atomic"
	"time"
)

// Clock is the sandbox's notion of time. A virtual clock stands still until
// Advance moves it; a real-time clock follows the wall clock (plus whatever
// Advance added), which is what a standalone sandbox uses.
type Clock struct {
	real   bool
	now    atomic.Int64 // virtual time, unix nanoseconds
	offset atomic.Int64 // added to time.Now for a real-time clock
}

// NewClock returns a virtual clock that starts at start and only moves when
// Advance is called.
func NewClock(start time.Time) *Clock {
	c := &Clock{}
	c.now.Store(start.UnixNano())
	return c
}

// NewRealClock returns a clock that follows the wall clock.
func NewRealClock() *Clock {
	return &Clock{real: true}
}

// Now returns the current sandbox time in UTC. It takes no lock: every
// request reads the clock several times.
func (c *Clock) Now() time.Time {
	if c.real {
		return time.Now().UTC().Add(time.Duration(c.offset.Load()))
	}
	return time.Unix(0, c.now.Load()).UTC()
}

// Advance moves the clock forward by d (negative values are ignored).
func (c *Clock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	if c.real {
		c.offset.Add(int64(d))
		return
	}
	c.now.Add(int64(d))
}

// IsReal reports whether the clock follows the wall clock.
func (c *Clock) IsReal() bool { return c.real }

// startTime is the virtual clock's start for a seed: a fixed Monday morning,
// shifted by whole days so different seeds give different but stable dates.
func startTime(seed int64) time.Time {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	d := seed % 365
	if d < 0 {
		d = -d
	}
	return base.AddDate(0, 0, int(d))
}

// set moves a virtual clock to t if t is later (used when loading state).
func (c *Clock) set(t time.Time) {
	if c.real {
		return
	}
	for {
		cur := c.now.Load()
		if t.UnixNano() <= cur || c.now.CompareAndSwap(cur, t.UnixNano()) {
			return
		}
	}
}
