package pcconn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cspportal/portal/internal/secrets"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
)

// RefreshTokens is the Partner Center app+user refresh token kept sealed
// in the settings row. It implements pccclient.RefreshTokenStore: Rotate
// redeems and stores the rolled token under the settings row's lock
// (store.RotatePCRefreshToken), so two replicas never redeem the same token
// and a crash between redeem and store leaves the old row.
type RefreshTokens struct {
	st  *store.Store
	box *secrets.Box
	// ConnectedAt identifies the consent this store was built for; the
	// client cache keys on it so that a reconnect or disconnect drops cached
	// app+user access tokens.
	ConnectedAt time.Time
}

var _ pccclient.RefreshTokenStore = (*RefreshTokens)(nil)

// NewRefreshTokens returns the settings row's refresh token store.
func NewRefreshTokens(st *store.Store, box *secrets.Box, connectedAt time.Time) *RefreshTokens {
	return &RefreshTokens{st: st, box: box, ConnectedAt: connectedAt}
}

// Rotate implements pccclient.RefreshTokenStore.
func (t *RefreshTokens) Rotate(ctx context.Context, redeem func(current string) (string, error)) error {
	if t.box == nil {
		return fmt.Errorf("%w: no secret key to decrypt it", pccclient.ErrNoRefreshToken)
	}
	return t.st.RotatePCRefreshToken(ctx, func(enc []byte) ([]byte, error) {
		if len(enc) == 0 {
			return nil, pccclient.ErrNoRefreshToken
		}
		current, err := t.box.Open(enc)
		if err != nil {
			return nil, fmt.Errorf("open refresh token: %w", err)
		}
		next, rerr := redeem(current)
		if next == "" || next == current {
			return nil, rerr
		}
		return t.box.Seal(next), rerr
	})
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
