package auth

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
)

// memoSessions bounds the decoded sessions kept: a few hundred bytes each,
// more than the sessions a replica serves at once.
const memoSessions = 4096

// memoCodec decodes each distinct encoded session once. Every request
// decodes its session, and gob sends its type descriptions with every
// encoding, so decoding was about 5 % of the CPU of a cheap page; a
// signed-in user's session bytes stay the same across most requests. Each
// caller gets its own copy of the values (scs changes the map in place).
type memoCodec struct {
	scs.Codec
	mu sync.Mutex
	m  map[string]memoSession
}

type memoSession struct {
	deadline time.Time
	values   map[string]any
}

func newMemoCodec(c scs.Codec) *memoCodec {
	return &memoCodec{Codec: c, m: map[string]memoSession{}}
}

// Decode returns what the inner codec makes of b, from memory when b was
// decoded before.
func (c *memoCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	c.mu.Lock()
	e, ok := c.m[string(b)]
	c.mu.Unlock()
	if ok {
		return e.deadline, copyValues(e.values), nil
	}
	deadline, values, err := c.Codec.Decode(b)
	if err != nil {
		return deadline, values, err
	}
	c.mu.Lock()
	if len(c.m) >= memoSessions {
		clear(c.m) // start over rather than track recency: a miss costs one decode
	}
	c.m[string(b)] = memoSession{deadline: deadline, values: copyValues(values)}
	c.mu.Unlock()
	return deadline, values, nil
}

// copyValues copies a session's values so that neither the kept copy nor
// the caller's sees the other's changes: the map, and the one mutable kind
// of value the portal stores (a []string).
func copyValues(v map[string]any) map[string]any {
	out := maps.Clone(v)
	for k, x := range out {
		if s, ok := x.([]string); ok {
			out[k] = slices.Clone(s)
		}
	}
	return out
}
