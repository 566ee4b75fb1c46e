package handlers

import (
	"strconv"
	"sync"
	"time"
)

// liveChecks limits and caches the Partner Center calls pages make while a
// person types (the domain check): a script with a staff cookie spent
// ~2,700 PC calls through it. Per user, at most liveCallsPerMinute calls a
// minute; a definite answer is reused for liveCacheTTL. Both are per
// replica: N replicas allow N times the rate, still bounded, and a stale
// "available" is harmless because the create call checks again.
type liveChecks struct {
	mu    sync.Mutex
	users map[string]*liveWindow
	cache map[string]liveAnswer
}

type liveWindow struct {
	start time.Time
	n     int
}

type liveAnswer struct {
	state, msg string
	at         time.Time
}

const (
	// pcTestsPerMinute bounds "Test connection" per user (per address in
	// the setup wizard, before anyone has an account): each is a token
	// request and a read at PC.
	pcTestsPerMinute   = 6
	liveCallsPerMinute = 30
	liveCacheTTL       = 30 * time.Second
	liveMaxEntries     = 10_000
)

// allow counts one live call for user at now and reports whether it is
// within the user's rate.
func (l *liveChecks) allow(user int64, now time.Time) bool {
	_, ok := l.limit("domain:"+strconv.FormatInt(user, 10), liveCallsPerMinute, time.Minute, now)
	return ok
}

// limit counts one call under key at now, at most n per window, and
// reports whether it is allowed; when it is not, how long until the
// window lets another through (for Retry-After).
func (l *liveChecks) limit(key string, n int, window time.Duration, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.users == nil || len(l.users) > liveMaxEntries {
		l.users = map[string]*liveWindow{}
	}
	w := l.users[key]
	if w == nil || now.Sub(w.start) >= window || now.Before(w.start) {
		w = &liveWindow{start: now}
		l.users[key] = w
	}
	if w.n >= n {
		return w.start.Add(window).Sub(now), false
	}
	w.n++
	return 0, true
}

// cached returns a definite answer for key seen within liveCacheTTL.
func (l *liveChecks) cached(key string, now time.Time) (liveAnswer, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.cache[key]
	if !ok || now.Sub(a.at) > liveCacheTTL || now.Before(a.at) {
		return liveAnswer{}, false
	}
	return a, true
}

// remember keeps a definite answer for key.
func (l *liveChecks) remember(key, state, msg string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cache == nil || len(l.cache) > liveMaxEntries {
		l.cache = map[string]liveAnswer{}
	}
	l.cache[key] = liveAnswer{state: state, msg: msg, at: now}
}
