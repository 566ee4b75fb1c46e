package mirror

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// SyncResellers reads an indirect provider's resellers from Partner Center
// into the resellers table (upserted by tenant id; those PC no longer lists
// are marked gone) and then asks each one's Microsoft Partner Agreement
// status (when mpa is set). It returns how many resellers PC listed. Full
// and reconcile passes call it; it only reads PC.
func (m *Mirror) SyncResellers(ctx context.Context) (int, error) {
	pc, err := m.pc.Client(ctx)
	if err != nil {
		return 0, err
	}
	return m.syncResellers(ctx, pc, true)
}

func (m *Mirror) syncResellers(ctx context.Context, pc *pccclient.Client, mpa bool) (int, error) {
	rs, err := pccclient.Collect(pc.ListIndirectResellers(ctx))
	if err != nil {
		return 0, fmt.Errorf("list indirect resellers: %w", err)
	}
	now := m.opt.PCNow().UTC()
	seen := make([]uuid.UUID, 0, len(rs))
	err = m.inTx(ctx, func(tx pgx.Tx) error {
		for _, r := range rs {
			id, err := uuid.Parse(r.ID)
			if err != nil {
				m.log.Warn("indirect reseller with a malformed tenant id skipped", "id", r.ID, "name", r.Name)
				continue
			}
			seen = append(seen, id)
			if err := m.st.Q.UpsertReseller(ctx, tx, db.UpsertResellerParams{TenantID: id, Name: r.Name, MpnID: r.MpnID,
				Location: r.Location, State: r.State, RelationshipType: r.RelationshipType, SyncedAt: now}); err != nil {
				return fmt.Errorf("upsert reseller %s: %w", id, err)
			}
		}
		if _, err := m.st.Q.MarkResellersGone(ctx, tx, db.MarkResellersGoneParams{At: &now, Seen: seen}); err != nil {
			return fmt.Errorf("mark resellers gone: %w", err)
		}
		return nil
	})
	if err != nil || !mpa {
		return len(rs), err
	}
	// The MPA status, one cheap read per reseller; a failure for one is
	// logged and leaves its previous status.
	var errs []error
	for _, r := range rs {
		id, err := uuid.Parse(r.ID)
		if err != nil || r.MpnID == "" {
			continue
		}
		st, err := pc.GetMPAStatus(ctx, r.MpnID)
		if err != nil {
			if ctx.Err() != nil {
				return len(rs), ctx.Err()
			}
			errs = append(errs, fmt.Errorf("MPA status of %s (%s): %w", r.Name, r.MpnID, err))
			continue
		}
		signed := st.Signed
		if err := m.st.Q.SetResellerMPA(ctx, m.st.Pool, db.SetResellerMPAParams{TenantID: id, MpaSigned: &signed,
			MpaCode: st.Code, MpaDescription: st.Description, CheckedAt: &now}); err != nil {
			return len(rs), fmt.Errorf("save MPA status of %s: %w", id, err)
		}
	}
	if len(errs) > 0 {
		m.log.Warn("some indirect resellers' MPA status could not be read", "err", errors.Join(errs...))
	}
	return len(rs), nil
}

// passResellers runs inside full and reconcile passes of an indirect
// provider: its resellers with their MPA status; a failure is recorded on
// the run, not fatal. A direct-bill partner's passes do not call it.
func (m *Mirror) passResellers(ctx context.Context, pc *pccclient.Client, r *run) {
	st, err := m.st.Settings(ctx)
	if err != nil || st.PartnerMode != store.ModeIndirect {
		return
	}
	if _, err := m.syncResellers(ctx, pc, true); err != nil && ctx.Err() == nil {
		r.fail(fmt.Errorf("indirect resellers: %w", err))
	}
}
