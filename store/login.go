package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// LoginFailureCount is how many failed sign-ins one throttle key has in
// the window, and when the latest was.
type LoginFailureCount struct {
	Failures int
	Last     time.Time
}

// SignInState is what the throttle knows before an attempt: the failures
// of the account from anywhere, of the account from this address, and of
// the address for any account.
type SignInState struct {
	Account, Pair, Address LoginFailureCount
}

// SignInRanks place one failed attempt among its keys' failures (1 is
// the oldest in the window).
type SignInRanks struct {
	Account, Pair, Address int
}

// AdmitSignIn decides and records a sign-in attempt in one step: under
// per-account and per-address advisory locks it reads the failures since
// since, asks decide how long the caller must wait, and when that is 0
// records the attempt (as a failure until SignInSucceeded removes it)
// before the password is checked. Concurrent guesses therefore see each
// other, on every replica.
func (s *Store) AdmitSignIn(ctx context.Context, email, ip string, now, since time.Time, decide func(SignInState) time.Duration) (attempt int64, wait time.Duration, err error) {
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		for _, key := range []string{"account:" + strings.ToLower(email), "address:" + ip} {
			if err := s.Q.LockSignInKey(ctx, tx, key); err != nil {
				return err
			}
		}
		row, err := s.Q.SignInThrottleState(ctx, tx, db.SignInThrottleStateParams{Email: email, Ip: ip, Since: since})
		if err != nil {
			return err
		}
		wait = decide(SignInState{
			Account: LoginFailureCount{int(row.AccountFailures), row.AccountLast},
			Pair:    LoginFailureCount{int(row.PairFailures), row.PairLast},
			Address: LoginFailureCount{int(row.AddressFailures), row.AddressLast},
		})
		if wait > 0 {
			return nil
		}
		attempt, err = s.Q.InsertLoginAttempt(ctx, tx, db.InsertLoginAttemptParams{Email: email, Ip: ip, At: now})
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("admit sign-in: %w", mapErr(err))
	}
	return attempt, wait, nil
}

// SignInFailed ranks the failed attempt among its keys' failures since
// since, for the throttle to audit the attempt that started a delay.
func (s *Store) SignInFailed(ctx context.Context, attempt int64, since time.Time) (SignInRanks, error) {
	row, err := s.Q.SignInAttemptRanks(ctx, s.Pool, db.SignInAttemptRanksParams{ID: attempt, Since: since})
	if err != nil {
		return SignInRanks{}, fmt.Errorf("rank sign-in failure: %w", mapErr(err))
	}
	return SignInRanks{int(row.AccountRank), int(row.PairRank), int(row.AddressRank)}, nil
}

// SignInSucceeded forgets the account's failures (its owner signed in)
// and prunes every attempt older than before.
func (s *Store) SignInSucceeded(ctx context.Context, email string, before time.Time) error {
	if _, err := s.Q.ClearLoginFailures(ctx, s.Pool, email); err != nil {
		return fmt.Errorf("clear sign-in failures: %w", mapErr(err))
	}
	if err := s.Q.PruneLoginAttempts(ctx, s.Pool, before); err != nil {
		return fmt.Errorf("prune sign-in attempts: %w", mapErr(err))
	}
	return nil
}

// ThrottledAccounts returns the accounts with failed sign-ins since since,
// by lower-cased email, for the users page's "Clear sign-in delay".
func (s *Store) ThrottledAccounts(ctx context.Context, since time.Time) (map[string]LoginFailureCount, error) {
	rows, err := s.Q.SignInThrottledAccounts(ctx, s.Pool, since)
	if err != nil {
		return nil, fmt.Errorf("throttled accounts: %w", mapErr(err))
	}
	out := make(map[string]LoginFailureCount, len(rows))
	for _, r := range rows {
		out[r.Email] = LoginFailureCount{int(r.Failures), r.Last}
	}
	return out, nil
}
