package store

import (
	"context"
	"sync"
	"time"
)

// kept holds values derived from many rows that change seldom (the
// dashboard's counts, the catalog's facets), each computed for a version
// of its inputs (a sync run, a catalog sync) and for at most ttl. Only one
// caller at a time computes a key's value: while it does, the others get
// the previous value; only a key's first computation is waited for. (All
// 64 clients missing at once and running the same heavy query was the
// pages' p99.)
type kept[K comparable, T any] struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[K]*keptEntry[T]
}

type keptEntry[T any] struct {
	version  int64
	at       time.Time
	v        T
	ok       bool
	inflight chan struct{}
}

// get returns key's value for version, computing it with load when there
// is none yet, or it is older than ttl or of another version.
func (k *kept[K, T]) get(ctx context.Context, key K, version int64, load func(context.Context) (T, error)) (T, error) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[K]*keptEntry[T]{}
	}
	e := k.m[key]
	if e == nil {
		e = &keptEntry[T]{}
		k.m[key] = e
	}
	for {
		if e.ok && e.version == version && time.Since(e.at) < k.ttl {
			v := e.v
			k.mu.Unlock()
			return v, nil
		}
		if e.inflight == nil {
			break
		}
		if e.ok && e.version == version {
			v := e.v // being refreshed: the previous value meanwhile
			k.mu.Unlock()
			return v, nil
		}
		wait := e.inflight
		k.mu.Unlock()
		select {
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		case <-wait:
		}
		k.mu.Lock()
	}
	done := make(chan struct{})
	e.inflight = done
	k.mu.Unlock()
	v, err := load(ctx)
	k.mu.Lock()
	defer k.mu.Unlock()
	e.inflight = nil
	close(done)
	if err == nil {
		e.version, e.at, e.v, e.ok = version, time.Now(), v, true
	}
	return v, err
}
