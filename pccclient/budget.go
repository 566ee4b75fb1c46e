package pccclient

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// quietReset is how long a budget must go unused before it is forgotten
// even if a 429 slowed it: PC counts in windows of a minute, so after one
// without calls the scope starts afresh.
const quietReset = time.Minute

// bucket is one budget: a token bucket that a 429 pauses for Retry-After
// and slows (halves its rate), and that successes bring back gradually.
type bucket struct {
	mu       sync.Mutex
	lim      *rate.Limiter
	base     rate.Limit
	burst    int
	adaptive bool      // false for Config.RateLimits buckets: a pinned pace, no pause or slow-down
	paused   time.Time // no request leaves before this (Retry-After)
	lastUsed time.Time
}

func newBucket(rl RateLimit, adaptive bool, now time.Time) *bucket {
	return &bucket{lim: rate.NewLimiter(rl.Rate, rl.Burst), base: rl.Rate, burst: rl.Burst, adaptive: adaptive, lastUsed: now}
}

// at is the time the limiter is driven at: never before a pause, so
// reservations made during one queue up behind its end, and never
// backwards (x/time/rate would count the refill twice).
func (b *bucket) at(now time.Time) time.Time {
	if now.Before(b.paused) {
		return b.paused
	}
	return now
}

// reserve takes one token and returns how long the caller must wait for
// it (pause included) and the reservation, to cancel if it gives up.
func (b *bucket) reserve(now time.Time) (time.Duration, *rate.Reservation) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastUsed = now
	r := b.lim.ReserveN(b.at(now), 1)
	return r.DelayFrom(now), r
}

// cancel returns an unused reservation's token.
func (b *bucket) cancel(r *rate.Reservation, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r.CancelAt(b.at(now))
}

// throttled records a 429 answered at now: every request of the scope
// waits retryAfter, and the first 429 of a pause halves the rate (down to
// 1/64 of the budget); the 429s of requests already in flight extend the
// pause but do not halve it again.
func (b *bucket) throttled(now time.Time, retryAfter time.Duration) {
	if !b.adaptive {
		return // a pinned pace: only the throttled call itself waits, as before
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	wasPaused := now.Before(b.paused)
	if until := now.Add(retryAfter); until.After(b.paused) {
		b.paused = until
	}
	if !wasPaused && b.base != rate.Inf {
		b.lim.SetLimitAt(b.at(now), max(b.lim.Limit()/2, b.base/64))
	}
}

// succeeded records a served request: a slowed bucket gets back 1/20 of
// its budget's rate per success.
func (b *bucket) succeeded(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if l := b.lim.Limit(); b.adaptive && l < b.base {
		b.lim.SetLimitAt(b.at(now), min(b.base, l+b.base/20))
	}
}

// idle reports whether forgetting the bucket loses nothing: full, neither
// paused nor slowed, or unused for a whole PC window.
func (b *bucket) idle(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.lastUsed) >= quietReset {
		return true
	}
	return !now.Before(b.paused) && b.lim.Limit() == b.base && b.lim.TokensAt(b.at(now)) >= float64(b.burst)
}

// state is the bucket's current rate and pause end (tests).
func (b *bucket) state() (rate.Limit, time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lim.Limit(), b.paused
}

// budgets hands out the buckets of a client.
type budgets struct {
	cfg    Budgets
	pinned map[OpClass]RateLimit // Config.RateLimits

	mu        sync.Mutex
	shared    map[string]*bucket // partner-wide: a listed API, an unlisted class or op
	customers map[string]*bucket // a listed API for one customer; bounded
}

func newBudgets(cfg Budgets, pinned map[OpClass]RateLimit) *budgets {
	return &budgets{cfg: cfg.withDefaults(), pinned: pinned, shared: map[string]*bucket{}, customers: map[string]*bucket{}}
}

// bucketFor returns the bucket cl draws on, or nil for no client limit.
func (bs *budgets) bucketFor(cl *call, now time.Time) *bucket {
	kind, key, rl := bs.cfg.budgetKey(bs.pinned, cl)
	if kind == budgetNone {
		return nil
	}
	bs.mu.Lock()
	defer bs.mu.Unlock()
	m := bs.shared
	if kind == budgetCustomer {
		m = bs.customers
	}
	if b := m[key]; b != nil {
		return b
	}
	if kind == budgetCustomer && len(m) >= bs.cfg.MaxCustomerBuckets {
		bs.evictLocked(now)
	}
	b := newBucket(rl, kind != budgetPinned, now)
	m[key] = b
	return b
}

// evictLocked makes room among the per-customer buckets: idle ones first,
// then the least recently used down to 3/4 of the bound, so sweeps stay
// rare. Forgetting a busy bucket only lets that customer start afresh.
func (bs *budgets) evictLocked(now time.Time) {
	for k, b := range bs.customers {
		if b.idle(now) {
			delete(bs.customers, k)
		}
	}
	target := bs.cfg.MaxCustomerBuckets * 3 / 4
	if len(bs.customers) <= target {
		return
	}
	type used struct {
		key string
		at  time.Time
	}
	all := make([]used, 0, len(bs.customers))
	for k, b := range bs.customers {
		b.mu.Lock()
		all = append(all, used{k, b.lastUsed})
		b.mu.Unlock()
	}
	slices.SortFunc(all, func(a, b used) int { return a.at.Compare(b.at) })
	for _, u := range all[:len(all)-target] {
		delete(bs.customers, u.key)
	}
}

// customerBuckets is how many per-customer buckets are kept (tests).
func (bs *budgets) customerBuckets() int {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return len(bs.customers)
}

// waitBucket waits, on the client's clock, for a token of b (nil: none
// needed), including any Retry-After pause of its scope.
func (c *Client) waitBucket(ctx context.Context, cl *call, b *bucket) error {
	if b == nil {
		return nil
	}
	now := c.cfg.Clock.Now()
	d, r := b.reserve(now)
	if !r.OK() {
		return fmt.Errorf("pccclient %s: rate limiter refuses requests", cl.op)
	}
	if d <= 0 {
		return nil
	}
	if err := c.sleep(ctx, d); err != nil {
		b.cancel(r, c.cfg.Clock.Now())
		return err
	}
	return nil
}
