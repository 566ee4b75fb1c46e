// Package auth holds the portal's sign-in machinery: password hashing,
// login throttling, roles and their middleware, the session manager, and
// OIDC sign-in (including Microsoft Entra's multi-tenant issuers).
package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/argon2id"
)

// MinPasswordLength is the shortest password the portal accepts.
const MinPasswordLength = 12

// hashParams follow OWASP's argon2id recommendation (19 MiB, 2 passes).
var hashParams = &argon2id.Params{
	Memory:      19 * 1024,
	Iterations:  2,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// ErrBusy means every password-hashing slot is taken and the queue is
// full: the caller answers 503 with Retry-After at once rather than hold
// another 19 MiB hash's worth of memory.
var ErrBusy = errors.New("too many sign-ins at once")

// hashPool bounds the argon2id hashes running at once (each holds 19 MiB
// for ~0.1-0.3 s): GOMAXPROCS slots, a short queue, a bounded wait.
type hashPool struct {
	slots   chan struct{}
	waiting atomic.Int64
	queue   int64
	wait    time.Duration
}

func newHashPool(n int) *hashPool {
	return &hashPool{slots: make(chan struct{}, n), queue: int64(4 * n), wait: 2 * time.Second}
}

var hashes = newHashPool(runtime.GOMAXPROCS(0))

// HashesRunning is how many password hashes run now (for tests and
// metrics).
func HashesRunning() int { return len(hashes.slots) }

func (p *hashPool) do(ctx context.Context, f func()) error {
	select {
	case p.slots <- struct{}{}:
	default:
		if p.waiting.Add(1) > p.queue {
			p.waiting.Add(-1)
			return ErrBusy
		}
		t := time.NewTimer(p.wait)
		select {
		case p.slots <- struct{}{}:
			p.waiting.Add(-1)
			t.Stop()
		case <-t.C:
			p.waiting.Add(-1)
			return ErrBusy
		case <-ctx.Done():
			p.waiting.Add(-1)
			t.Stop()
			return ctx.Err()
		}
	}
	defer func() { <-p.slots }()
	f()
	return nil
}

// HashPassword returns the argon2id hash of password in PHC string format
// (ErrBusy when the hashing slots are full).
func HashPassword(ctx context.Context, password string) (string, error) {
	if password == "" {
		return "", errors.New("hash password: empty password")
	}
	var h string
	var err error
	if perr := hashes.do(ctx, func() { h, err = argon2id.CreateHash(password, hashParams) }); perr != nil {
		return "", perr
	}
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return h, nil
}

// CheckPassword reports whether password matches hash. A malformed hash is
// an error, a wrong password is (false, nil); ErrBusy when the hashing
// slots are full.
func CheckPassword(ctx context.Context, password, hash string) (bool, error) {
	if hash == "" {
		return false, nil
	}
	var ok bool
	var err error
	if perr := hashes.do(ctx, func() { ok, err = argon2id.ComparePasswordAndHash(password, hash) }); perr != nil {
		return false, perr
	}
	if err != nil {
		return false, fmt.Errorf("check password: %w", err)
	}
	return ok, nil
}

// dummyHash is compared against when the account does not exist, so a
// sign-in for an unknown email costs as much as one for a known email. It
// is made on first use, not at start.
var dummyHash = sync.OnceValue(func() string {
	h, _ := argon2id.CreateHash("not-a-real-password-for-timing", hashParams)
	return h
})

// CheckNoUser spends the time of one CheckPassword; call it when the email
// is unknown so response time does not reveal which accounts exist. It
// takes a hashing slot like any other (ErrBusy when full).
func CheckNoUser(ctx context.Context, password string) error {
	_, err := CheckPassword(ctx, password, dummyHash())
	return err
}
