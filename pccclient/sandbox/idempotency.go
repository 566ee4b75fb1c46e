package sandbox

import (
	"context"
	"crypto/sha256"
	"net/http"
	"sync"
	"time"
)

// Idempotency: a write carrying an MS-RequestId that was already used for
// the same method, path and body within 24 hours (sandbox time) gets the
// first response replayed and the work is not repeated; concurrent
// duplicates wait for the first to finish. The same id with a different
// request is refused with 409 (Partner Center documents the id as the
// retry key but no code for misuse; 409 "Conflict" is our choice).
// Responses with status 429 or 5xx are not remembered, so a retry redoes
// the work.

const idemTTL = 24 * time.Hour

type idemEntry struct {
	key  string
	hash [32]byte
	at   time.Time
	done chan struct{}
	resp response
}

type idemStore struct {
	mu        sync.Mutex
	m         map[string]*idemEntry
	lastPurge time.Time
}

func newIdemStore() *idemStore { return &idemStore{m: map[string]*idemEntry{}} }

func (st *idemStore) do(ctx context.Context, reqID, key string, body []byte, now time.Time, run func() response) (response, *pcError) {
	h := sha256.Sum256(body)
	st.mu.Lock()
	if now.Sub(st.lastPurge) > time.Hour {
		for k, e := range st.m {
			if now.Sub(e.at) > idemTTL {
				select {
				case <-e.done:
					delete(st.m, k)
				default:
				}
			}
		}
		st.lastPurge = now
	}
	e, ok := st.m[reqID]
	if ok && now.Sub(e.at) > idemTTL {
		select {
		case <-e.done:
			delete(st.m, reqID)
			ok = false
		default:
		}
	}
	if ok {
		st.mu.Unlock()
		if e.key != key || e.hash != h {
			return response{}, newErr(http.StatusConflict, "409",
				"MS-RequestId %s was already used for a different request; use a new request id for a new operation", reqID)
		}
		select {
		case <-e.done:
			return e.resp, nil
		case <-ctx.Done():
			return response{}, newErr(http.StatusRequestTimeout, "408", "request cancelled while waiting for the original request")
		}
	}
	e = &idemEntry{key: key, hash: h, at: now, done: make(chan struct{})}
	st.m[reqID] = e
	st.mu.Unlock()

	e.resp = run()
	if e.resp.status == http.StatusTooManyRequests || e.resp.status >= 500 {
		st.mu.Lock()
		delete(st.m, reqID)
		st.mu.Unlock()
	}
	close(e.done)
	return e.resp, nil
}
