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
