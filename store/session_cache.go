package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// sessionsChannel is where the triggers of migration 00260 announce a
// changed session (the SHA-256 of its token, in hex) or a change to users
// or settings ("*": every session's user or settings may differ).
const sessionsChannel = "portal_sessions"

// Bounds of the session cache.
const (
	// sessionCacheMax is how many sessions are kept; past it the cache
	// starts again empty (a busy instance has far fewer live sessions).
	sessionCacheMax = 20_000
	// sessionCacheAge bounds how long a found session is served from
	// memory even with no notification, in case one was lost.
	sessionCacheAge = time.Minute
)

// SessionCache keeps the sessions FindSession found, with their user and
// the instance settings, so a signed-in page costs no session query. It
// serves them only while it listens on Postgres for the notifications the
// sessions, users and settings tables send when they change (from this
// instance or another), and forgets what they name as they arrive: a
// signed-out session, a disabled user or a changed role counts from the
// next request, as without the cache. Until Run is listening, and after
// its connection breaks, every lookup reads the database.
type SessionCache struct {
	st  *Store
	log *slog.Logger
	// id tells this cache's barrier notifications from other caches'.
	id string
	// now is the clock for sessions' idle deadlines and the age bound.
	now func() time.Time

	// gen counts forgets: a row read before a forget is not kept, because
	// the change it names may have committed after the read.
	gen atomic.Uint64
	// syncs counts the barrier notifications seen (see Settle).
	syncs atomic.Uint64
	seq   atomic.Uint64

	mu   sync.Mutex
	live bool
	m    map[string]cachedSession // by the hex SHA-256 of the token
	// settled is closed and replaced each time a barrier notification
	// arrives, waking Settle's callers.
	settled chan struct{}
}

type cachedSession struct {
	row SessionRow
	at  time.Time
}

// NewSessionCache returns a cache over st's database; it serves nothing
// until Run listens.
func NewSessionCache(st *Store, log *slog.Logger) *SessionCache {
	if log == nil {
		log = slog.Default()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &SessionCache{st: st, log: log, id: hex.EncodeToString(b[:]), now: time.Now, m: map[string]cachedSession{}, settled: make(chan struct{})}
}

func tokenKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// FindSession is Store.FindSession, answered from memory when the cache
// holds the live session.
func (c *SessionCache) FindSession(ctx context.Context, token string) (SessionRow, error) {
	key := tokenKey(token)
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[key]
	live := c.live
	if ok && (!live || !now.Before(e.row.Expiry) || now.Sub(e.at) >= sessionCacheAge) {
		delete(c.m, key)
		ok = false
	}
	c.mu.Unlock()
	if ok {
		return e.row, nil
	}
	gen := c.gen.Load()
	row, err := c.st.FindSession(ctx, token)
	if err != nil || !live {
		return row, err
	}
	c.mu.Lock()
	if c.live && c.gen.Load() == gen {
		if len(c.m) >= sessionCacheMax {
			clear(c.m)
		}
		c.m[key] = cachedSession{row: row, at: now}
	}
	c.mu.Unlock()
	return row, nil
}

// Forget drops token's session; the caller has just written or deleted it.
func (c *SessionCache) Forget(token string) { c.forget(tokenKey(token)) }

func (c *SessionCache) forget(key string) {
	c.gen.Add(1)
	c.mu.Lock()
	if key == "*" {
		clear(c.m)
	} else {
		delete(c.m, key)
	}
	c.mu.Unlock()
}

// setLive starts or stops serving from memory; either way it starts empty,
// since notifications may have been missed while not listening.
func (c *SessionCache) setLive(live bool) {
	c.gen.Add(1)
	c.mu.Lock()
	c.live = live
	clear(c.m)
	c.mu.Unlock()
}

// Live reports whether the cache is listening and serving from memory.
func (c *SessionCache) Live() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live
}

// Run listens for the change notifications until ctx ends, connecting again
// (after a pause) when the connection breaks; meanwhile lookups go to the
// database.
func (c *SessionCache) Run(ctx context.Context) {
	cfg := c.st.Pool.Config().ConnConfig.Copy()
	for ctx.Err() == nil {
		err := c.listen(ctx, cfg)
		c.setLive(false)
		if ctx.Err() != nil {
			return
		}
		c.log.Warn("session cache: not listening; sessions are read from the database", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (c *SessionCache) listen(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+sessionsChannel); err != nil {
		return err
	}
	c.setLive(true)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if seq, ok := c.barrier(n.Payload); ok {
			if seq > c.syncs.Load() {
				c.syncs.Store(seq)
			}
			c.mu.Lock()
			close(c.settled)
			c.settled = make(chan struct{})
			c.mu.Unlock()
			continue
		}
		c.forget(n.Payload)
	}
}

// settleTimeout bounds how long a write request waits for its barrier.
const settleTimeout = 2 * time.Second

// AfterWrite makes a write request's own changes (a revoked user, a new
// role) count on this instance's very next request: it settles, and
// forgets every session when it cannot, since a notification still on its
// way would otherwise leave a stale session in memory for a moment.
func (c *SessionCache) AfterWrite(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	if err := c.Settle(ctx); err != nil {
		c.forget("*")
	}
}

// barrier parses a payload of Settle's, "sync:ID:N"; ok is false for
// anything else. Another cache's barrier (a payload with another ID) is
// ignored: zero and true.
func (c *SessionCache) barrier(p string) (uint64, bool) {
	rest, ok := strings.CutPrefix(p, "sync:")
	if !ok {
		return 0, false
	}
	id, seq, _ := strings.Cut(rest, ":")
	if id != c.id {
		return 0, true
	}
	n, _ := strconv.ParseUint(seq, 10, 64)
	return n, true
}

// Settle returns once every change committed before the call has reached
// the cache: it sends a notification of its own and waits for it, since
// Postgres delivers notifications in commit order. For writes made behind
// the portal's back (tests, scripts) that must count on the next request.
// While not listening there is nothing to wait for.
func (c *SessionCache) Settle(ctx context.Context) error {
	if !c.Live() {
		return nil
	}
	seq := c.seq.Add(1)
	if _, err := c.st.Pool.Exec(ctx, "SELECT pg_notify($1, $2)", sessionsChannel, "sync:"+c.id+":"+strconv.FormatUint(seq, 10)); err != nil {
		return fmt.Errorf("settle session cache: %w", err)
	}
	for {
		c.mu.Lock()
		wait := c.settled
		c.mu.Unlock()
		if c.syncs.Load() >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wait:
		}
	}
}
