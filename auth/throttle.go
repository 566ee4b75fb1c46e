package auth

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/cspportal/portal/store"
)

// Limit is one throttle key's rule: from After failures in the window on,
// each further attempt waits First after the latest failure, doubling per
// failure up to Max. Delays rather than a hard lock, so a stranger's
// guesses cost the account's owner a short wait at most.
type Limit struct {
	After int
	First time.Duration
	Max   time.Duration
}

// Delay is how long after the latest of n failures the next attempt may
// start (0 below the limit).
func (l Limit) Delay(n int) time.Duration {
	if l.After <= 0 || n < l.After {
		return 0
	}
	d := l.First
	for i := l.After; i < n && d < l.Max; i++ {
		d *= 2
	}
	return min(d, l.Max)
}

// Throttle slows failed sign-ins per account and address, per account
// from any address, and per address for any account. Its state is the
// login_attempts table, so it holds across replicas and restarts.
type Throttle struct {
	Store  *store.Store
	Now    func() time.Time
	Window time.Duration // failures older than this are forgotten; default 15 minutes
	// Pair limits guesses at one account from one address (default 5
	// failures, then 1 minute doubling to 15).
	Pair Limit
	// Account limits guesses at one account from everywhere (credential
	// stuffing from many addresses): 10, then 5 s doubling to 1 minute,
	// so its owner is never locked out for long.
	Account Limit
	// Address limits one address across accounts (20, then 1 minute
	// doubling to 15). Behind a proxy this needs PORTAL_TRUSTED_PROXIES,
	// or every client shares the proxy's address.
	Address Limit
}

// NewThrottle returns a Throttle with the default limits.
func NewThrottle(st *store.Store, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{Store: st, Now: now, Window: 15 * time.Minute,
		Pair:    Limit{After: 5, First: time.Minute, Max: 15 * time.Minute},
		Account: Limit{After: 10, First: 5 * time.Second, Max: time.Minute},
		Address: Limit{After: 20, First: time.Minute, Max: 15 * time.Minute},
	}
}

// Wait is how long an attempt must wait given the failures so far.
func (t *Throttle) Wait(st store.SignInState, now time.Time) time.Duration {
	var wait time.Duration
	for _, k := range []struct {
		c store.LoginFailureCount
		l Limit
	}{{st.Pair, t.Pair}, {st.Account, t.Account}, {st.Address, t.Address}} {
		if d := k.l.Delay(k.c.Failures); d > 0 {
			wait = max(wait, k.c.Last.Add(d).Sub(now))
		}
	}
	return max(wait, 0)
}

// Attempt is one admitted sign-in attempt: recorded as a failure until
// Succeeded.
type Attempt struct {
	ID          int64
	Email, Addr string
}

// Admit decides whether email may try to sign in from ip now and, if so,
// records the attempt in the same step (see store.AdmitSignIn). A wait
// above 0 means refused; the attempt is then not recorded.
func (t *Throttle) Admit(ctx context.Context, email, ip string) (Attempt, time.Duration, error) {
	now := t.Now()
	id, wait, err := t.Store.AdmitSignIn(ctx, email, ip, now, now.Add(-t.Window),
		func(st store.SignInState) time.Duration { return t.Wait(st, now) })
	return Attempt{ID: id, Email: email, Addr: ip}, wait, err
}

// Failed keeps the attempt as a failure and audits the failure that
// started a delay for one of its keys.
func (t *Throttle) Failed(ctx context.Context, a Attempt) error {
	r, err := t.Store.SignInFailed(ctx, a.ID, t.Now().Add(-t.Window))
	if err != nil {
		return err
	}
	for _, k := range []struct {
		rank   int
		l      Limit
		target string
		id     string
		detail string
	}{
		{r.Pair, t.Pair, "account", a.Email, fmt.Sprintf("%d failed sign-ins from %s: this address waits before trying this account again", r.Pair, a.Addr)},
		{r.Account, t.Account, "account", a.Email, fmt.Sprintf("%d failed sign-ins from several addresses: each attempt at this account waits", r.Account)},
		{r.Address, t.Address, "address", a.Addr, fmt.Sprintf("%d failed sign-ins for several accounts: this address waits", r.Address)},
	} {
		if k.rank != k.l.After {
			continue
		}
		if err := t.Store.Audit(ctx, store.AuditEntry{Actor: "system", Action: "auth.sign_in_delayed",
			TargetType: k.target, TargetID: k.id, Detail: k.detail}); err != nil {
			return err
		}
	}
	return nil
}

// Succeeded forgets the account's failures and prunes old attempts.
func (t *Throttle) Succeeded(ctx context.Context, a Attempt) error {
	return t.Store.SignInSucceeded(ctx, a.Email, t.Now().Add(-24*time.Hour))
}

// ThrottleMessage is what the sign-in page says while throttled.
func ThrottleMessage(wait time.Duration) string {
	if wait < time.Minute {
		secs := max(int(math.Ceil(wait.Seconds())), 1)
		if secs == 1 {
			return "Too many sign-in attempts. Try again in 1 second."
		}
		return fmt.Sprintf("Too many sign-in attempts. Try again in %d seconds.", secs)
	}
	mins := int(math.Ceil(wait.Minutes()))
	if mins <= 1 {
		return "Too many sign-in attempts. Try again in 1 minute."
	}
	return fmt.Sprintf("Too many sign-in attempts. Try again in %d minutes.", mins)
}
