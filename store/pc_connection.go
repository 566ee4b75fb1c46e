package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store/db"
)

// RotatePCRefreshToken locks the settings row (SELECT ... FOR UPDATE) and
// calls fn with the sealed app+user refresh token (nil when none is
// stored); when fn returns a non-nil next, it is stored before the lock is
// released. The lock spans replicas, so two never redeem the same
// single-use token, and a crash before COMMIT keeps the old one. fn's
// error is returned after the commit, so a rolled token is kept even when
// the call that needed it failed.
func (s *Store) RotatePCRefreshToken(ctx context.Context, fn func(sealed []byte) (next []byte, err error)) error {
	var fnErr error
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		enc, err := s.Q.LockPCRefreshToken(ctx, tx)
		if err != nil {
			return fmt.Errorf("lock refresh token: %w", mapErr(err))
		}
		next, ferr := fn(enc)
		fnErr = ferr
		if next == nil {
			return nil
		}
		now := time.Now()
		if err := s.Q.StorePCRefreshToken(ctx, tx, db.StorePCRefreshTokenParams{PcRefreshTokenEnc: next, At: &now}); err != nil {
			return fmt.Errorf("store rolled refresh token: %w", mapErr(err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return fnErr
}

// PCUserGrant is a partner admin's consent, to store.
type PCUserGrant struct {
	RefreshTokenEnc []byte
	User            string
	MFA             bool
	At              time.Time
}

// ConnectPCUser stores a partner admin's consent (refresh token sealed by
// the caller) and resets the app+user credential's health.
func (s *Store) ConnectPCUser(ctx context.Context, g PCUserGrant) error {
	if err := s.Q.ConnectPCUser(ctx, s.Pool, db.ConnectPCUserParams{
		PcRefreshTokenEnc: g.RefreshTokenEnc, PcUser: g.User, PcUserMfa: g.MFA, At: &g.At,
	}); err != nil {
		return fmt.Errorf("connect partner admin: %w", mapErr(err))
	}
	return nil
}

// DisconnectPCUser forgets the partner admin's refresh token.
func (s *Store) DisconnectPCUser(ctx context.Context) error {
	if err := s.Q.DisconnectPCUser(ctx, s.Pool); err != nil {
		return fmt.Errorf("disconnect partner admin: %w", mapErr(err))
	}
	return nil
}

// RecordPCCredentialResult records the outcome of a call or probe with one
// of the two credentials (appUser: the partner admin's; otherwise the
// app-only one): errText "" is a success.
func (s *Store) RecordPCCredentialResult(ctx context.Context, appUser bool, errText string, at time.Time) error {
	var err error
	if appUser {
		err = s.Q.RecordPCAppUserResult(ctx, s.Pool, db.RecordPCAppUserResultParams{Error: errText, At: &at})
	} else {
		err = s.Q.RecordPCAppOnlyResult(ctx, s.Pool, db.RecordPCAppOnlyResultParams{Error: errText, At: &at})
	}
	if err != nil {
		return fmt.Errorf("record credential result: %w", mapErr(err))
	}
	return nil
}

// LicenseUsageProblem is a customer whose license usage the last sync
// could not read.
type LicenseUsageProblem = db.LicenseUsageProblemsRow

// LicenseUsageSummary counts customers by license-usage readability.
type LicenseUsageSummary = db.LicenseUsageCountsRow

// LicenseUsage returns the counts and up to limit customers whose license
// usage could not be read.
func (s *Store) LicenseUsage(ctx context.Context, limit int) (LicenseUsageSummary, []LicenseUsageProblem, error) {
	sum, err := s.Q.LicenseUsageCounts(ctx, s.Pool)
	if err != nil {
		return sum, nil, fmt.Errorf("license usage counts: %w", mapErr(err))
	}
	rows, err := s.Q.LicenseUsageProblems(ctx, s.Pool, int32(limit))
	if err != nil {
		return sum, nil, fmt.Errorf("license usage problems: %w", mapErr(err))
	}
	return sum, rows, nil
}
