package auth

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// Throttle limits failed sign-ins per account and per client IP over a
// sliding window, using the login_attempts table (so it holds across
// replicas and restarts).
type Throttle struct {
	Store      *store.Store
	Now        func() time.Time
	Window     time.Duration // default 15 minutes
	PerAccount int           // failures per account in Window; default 5
	PerIP      int           // failures per IP in Window; default 20
}

// NewThrottle returns a Throttle with the default limits.
func NewThrottle(st *store.Store, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{Store: st, Now: now, Window: 15 * time.Minute, PerAccount: 5, PerIP: 20}
}

// Check returns how long the caller must wait before trying to sign in as
// email from ip again; 0 means go ahead.
func (t *Throttle) Check(ctx context.Context, email, ip string) (time.Duration, error) {
	now := t.Now()
	since := now.Add(-t.Window)
	acc, err := t.Store.Q.LoginFailuresByEmail(ctx, t.Store.Pool, db.LoginFailuresByEmailParams{Since: since, Email: email})
	if err != nil {
		return 0, fmt.Errorf("count sign-in failures: %w", store.MapErr(err))
	}
	byIP, err := t.Store.Q.LoginFailuresByIP(ctx, t.Store.Pool, db.LoginFailuresByIPParams{Since: since, Ip: ip})
	if err != nil {
		return 0, fmt.Errorf("count sign-in failures: %w", store.MapErr(err))
	}
	var wait time.Duration
	if acc.Failures >= int64(t.PerAccount) {
		wait = max(wait, acc.Oldest.Add(t.Window).Sub(now))
	}
	if byIP.Failures >= int64(t.PerIP) {
		wait = max(wait, byIP.Oldest.Add(t.Window).Sub(now))
	}
	if wait < 0 {
		wait = 0
	}
	return wait, nil
}

// Failure records a failed sign-in.
func (t *Throttle) Failure(ctx context.Context, email, ip string) error {
	err := t.Store.Q.InsertLoginAttempt(ctx, t.Store.Pool, db.InsertLoginAttemptParams{Email: email, Ip: ip, At: t.Now()})
	if err != nil {
		return fmt.Errorf("record sign-in failure: %w", store.MapErr(err))
	}
	return nil
}

// Success clears the account's failures and prunes old rows.
func (t *Throttle) Success(ctx context.Context, email string) error {
	if err := t.Store.Q.ClearLoginFailures(ctx, t.Store.Pool, email); err != nil {
		return fmt.Errorf("clear sign-in failures: %w", store.MapErr(err))
	}
	if err := t.Store.Q.PruneLoginAttempts(ctx, t.Store.Pool, t.Now().Add(-24*time.Hour)); err != nil {
		return fmt.Errorf("prune sign-in attempts: %w", store.MapErr(err))
	}
	return nil
}

// ThrottleMessage is what the sign-in page says while throttled.
func ThrottleMessage(wait time.Duration) string {
	mins := int(math.Ceil(wait.Minutes()))
	if mins <= 1 {
		return "Too many sign-in attempts. Try again in 1 minute."
	}
	return fmt.Sprintf("Too many sign-in attempts. Try again in %d minutes.", mins)
}
