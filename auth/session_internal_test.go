package auth

import (
	"testing"
	"time"
)

func TestIdleDeadline(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	long := now.Add(SessionLifetime)
	cases := []struct {
		name             string
		deadline, stored time.Time
		expiry           time.Time // idleExpiry(deadline, now)
		stale            bool
	}{
		{"just written", long, now.Add(SessionIdleTimeout), now.Add(SessionIdleTimeout), false},
		{"written 59s ago", long, now.Add(SessionIdleTimeout - 59*time.Second), now.Add(SessionIdleTimeout), false},
		{"written a minute ago", long, now.Add(SessionIdleTimeout - time.Minute), now.Add(SessionIdleTimeout), true},
		{"written 20 minutes ago", long, now.Add(10 * time.Minute), now.Add(SessionIdleTimeout), true},
		// Near the end of the lifetime the deadline caps the idle
		// deadline, and a capped row is never rewritten.
		{"lifetime ends in 10 minutes, capped", now.Add(10 * time.Minute), now.Add(10 * time.Minute), now.Add(10 * time.Minute), false},
		{"lifetime ends in 10 minutes, written 25 minutes ago", now.Add(10 * time.Minute), now.Add(5 * time.Minute), now.Add(10 * time.Minute), true},
	}
	for _, c := range cases {
		if got := idleExpiry(c.deadline, now, SessionIdleTimeout); !got.Equal(c.expiry) {
			t.Errorf("%s: idleExpiry = %v, want %v", c.name, got, c.expiry)
		}
		if got := idleStale(c.deadline, c.stored, now); got != c.stale {
			t.Errorf("%s: idleStale = %t, want %t", c.name, got, c.stale)
		}
	}
}
