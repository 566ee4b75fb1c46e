package sandbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// respCacheMax bounds the rendered responses kept: keys come from request
// paths, queries and X-Locale, so a client could otherwise grow the map
// without limit; past the bound responses are rendered per request.
const respCacheMax = 8192

// respCache keeps the rendered JSON of responses that depend only on the
// immutable catalog (and the request), so a repeated catalog read costs a
// map lookup instead of encoding tens of kilobytes.
type respCache struct {
	m sync.Map // string -> []byte
	n atomic.Int64
}

// cacheKey is what a catalog response depends on: path, query, X-Locale
// and the legacy-purchases switch (it changes isAvailableForPurchase).
func (s *Sandbox) cacheKey(c *call, extra string) string {
	var b strings.Builder
	b.Grow(len(c.r.URL.Path) + len(c.r.URL.RawQuery) + 24)
	b.WriteString(c.r.URL.Path)
	b.WriteByte('?')
	b.WriteString(c.r.URL.RawQuery)
	b.WriteByte('|')
	b.WriteString(c.r.Header.Get("X-Locale"))
	b.WriteByte('|')
	b.WriteString(strconv.FormatBool(s.legacyOK.Load()))
	b.WriteString(extra)
	return b.String()
}

// cached serves h's successful answers from the cache; errors are
// rendered each time (they are small and rare).
func (s *Sandbox) cached(h handler) handler {
	return s.cachedBy(nil, h)
}

// cachedBy is cached with part of the key computed per request (e.g. the
// set of promotions running now).
func (s *Sandbox) cachedBy(extra func(c *call) string, h handler) handler {
	return func(c *call) (int, any) {
		x := ""
		if extra != nil {
			x = extra(c)
		}
		k := s.cacheKey(c, x)
		if b, ok := s.cache.m.Load(k); ok {
			return 200, rawBody{body: b.([]byte)}
		}
		status, v := h(c)
		if _, isErr := v.(*pcError); isErr || status != 200 {
			return status, v
		}
		b, err := json.Marshal(v)
		if err != nil {
			return 0, newErr(500, "500", "render: %v", err)
		}
		if s.cache.n.Add(1) <= respCacheMax {
			s.cache.m.Store(k, b)
		}
		return 200, rawBody{body: b}
	}
}

// runningPromotions keys the promotion list by the promotions running now.
func (s *Sandbox) runningPromotions(c *call) string {
	now := c.now
	b := make([]byte, 0, len(s.cat.seed.Promotions)+1)
	b = append(b, '|')
	for _, p := range s.cat.seed.Promotions {
		if p.current(now) {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	}
	return string(b)
}

// stateLock is the state's RWMutex. Every write unlock bumps gen, so a
// read rendered under one generation is served again only while the state
// has not changed.
type stateLock struct {
	sync.RWMutex
	gen atomic.Uint64
}

// Unlock ends a write: the generation moves on before readers get in.
func (l *stateLock) Unlock() {
	l.gen.Add(1)
	l.RWMutex.Unlock()
}

// readGen holds the state reads rendered in one generation and second of
// sandbox time (time-dependent rules, such as the audit records' 90-day
// window, are then at most a second stale on a real-time clock).
type readGen struct {
	gen uint64
	sec int64
	m   sync.Map // cache key -> []byte
	n   atomic.Int64
}

// stateCached serves a GET of customer state from the current
// generation's cache (caller holds s.mu for reading, as execute does for
// lockRead); only 200 answers are kept.
func (s *Sandbox) stateCached(h handler) handler {
	return func(c *call) (int, any) {
		if c.r.Method != "GET" {
			return h(c)
		}
		gen, sec := s.mu.gen.Load(), c.now.Unix()
		g := s.readCache.Load()
		if g == nil || g.gen != gen || g.sec != sec {
			ng := &readGen{gen: gen, sec: sec}
			if !s.readCache.CompareAndSwap(g, ng) {
				return h(c) // another reader moved it on; render this one fresh
			}
			g = ng
		}
		k := s.cacheKey(c, "|"+c.r.Header.Get("MS-ContinuationToken"))
		if b, ok := g.m.Load(k); ok {
			return 200, rawBody{body: b.([]byte)}
		}
		status, v := h(c)
		if _, isErr := v.(*pcError); isErr || status != 200 {
			return status, v
		}
		var b []byte
		if rb, ok := v.(rawBody); ok && rb.header == nil {
			b = rb.body
		} else {
			var err error
			if b, err = json.Marshal(v); err != nil {
				return 0, newErr(500, "500", "render: %v", err)
			}
		}
		if g.n.Add(1) <= respCacheMax {
			g.m.Store(k, b)
		}
		return 200, rawBody{body: b}
	}
}
