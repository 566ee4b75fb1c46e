package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store/db"
)

// RefreshTokens is the Partner Center app+user refresh token kept in the
// settings row (pc_refresh_token_enc, sealed with the secret box). It
// implements pccclient.RefreshTokenStore: Rotate locks the settings row
// (SELECT ... FOR UPDATE), redeems the token, stores the rolled one and
// commits, so two replicas never redeem the same token and a crash between
// redeem and store leaves the old row (the redeem's answer is lost with the
// connection, never half-stored).
type RefreshTokens struct {
	st  *Store
	box *secrets.Box
	// ConnectedAt identifies the consent this store was built for; a client
	// cache keys on it so that a reconnect or disconnect drops cached
	// app+user access tokens.
	ConnectedAt time.Time
}

var _ pccclient.RefreshTokenStore = (*RefreshTokens)(nil)

// RefreshTokens returns the settings row's refresh token store.
func (s *Store) RefreshTokens(box *secrets.Box, connectedAt time.Time) *RefreshTokens {
	return &RefreshTokens{st: s, box: box, ConnectedAt: connectedAt}
}

// Rotate implements pccclient.RefreshTokenStore.
func (t *RefreshTokens) Rotate(ctx context.Context, redeem func(current string) (string, error)) error {
	if t.box == nil {
		return fmt.Errorf("%w: no secret key to decrypt it", pccclient.ErrNoRefreshToken)
	}
	var redeemErr error
	err := t.st.InTx(ctx, func(tx pgx.Tx) error {
		enc, err := t.st.Q.LockPCRefreshToken(ctx, tx)
		if err != nil {
			return fmt.Errorf("lock refresh token: %w", mapErr(err))
		}
		if len(enc) == 0 {
			return pccclient.ErrNoRefreshToken
		}
		current, err := t.box.Open(enc)
		if err != nil {
			return fmt.Errorf("open refresh token: %w", err)
		}
		next, rerr := redeem(current)
		now := time.Now()
		redeemErr = rerr
		if next == "" || next == current {
			return nil
		}
		if err := t.st.Q.StorePCRefreshToken(ctx, tx, db.StorePCRefreshTokenParams{
			PcRefreshTokenEnc: t.box.Seal(next), At: &now,
		}); err != nil {
			return fmt.Errorf("store rolled refresh token: %w", mapErr(err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return redeemErr
}

// Token returns the stored refresh token ("" when none), for tests and the
// health panel's "is one stored" check.
func (t *RefreshTokens) Token(ctx context.Context) (string, error) {
	st, err := t.st.Settings(ctx)
	if err != nil {
		return "", err
	}
	if len(st.PcRefreshTokenEnc) == 0 {
		return "", nil
	}
	if t.box == nil {
		return "", errors.New("no secret key to decrypt the refresh token")
	}
	return t.box.Open(st.PcRefreshTokenEnc)
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
// credential: errText "" is a success.
func (s *Store) RecordPCCredentialResult(ctx context.Context, cred pccclient.Credential, errText string, at time.Time) error {
	var err error
	if cred == pccclient.AppUser {
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
