package commerce

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/store/db"
)

// QueueSync queues a sync of kind (full, incremental, reconcile, catalog)
// for the workers, e.g. from the "Sync now" button. When one of that kind is
// already queued or running, none is added and its job id is returned.
func (s *Service) QueueSync(ctx context.Context, by Actor, kind string) (id int64, joined bool, err error) {
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		id, joined, err = s.queueSync(ctx, tx, by, kind, "manual")
		return err
	})
	return id, joined, err
}

// queueSync queues a sync of kind; joined reports that one of that kind
// was already queued or running, which then stands for this request.
func (s *Service) queueSync(ctx context.Context, tx pgx.Tx, by Actor, kind, trigger string) (int64, bool, error) {
	if !mirror.ValidKind(kind) {
		return 0, false, fmt.Errorf("queue sync: unknown kind %q", kind)
	}
	res, err := s.river.InsertTx(ctx, tx, mirror.SyncArgs{SyncKind: kind, Trigger: trigger, RequestedBy: by.UserID}, nil)
	if err != nil {
		return 0, false, fmt.Errorf("queue %s sync: %w", kind, err)
	}
	return res.Job.ID, res.UniqueSkippedAsDuplicate, nil
}

// CompleteSetup closes the first-run wizard and queues the initial import
// in one transaction, so a finished setup always has its import coming.
func (s *Service) CompleteSetup(ctx context.Context, by Actor) error {
	return s.st.InTx(ctx, func(tx pgx.Tx) error {
		if err := s.st.Q.CompleteSetup(ctx, tx); err != nil {
			return fmt.Errorf("complete setup: %w", err)
		}
		if _, _, err := s.queueSync(ctx, tx, by, mirror.KindFull, "wizard"); err != nil {
			return err
		}
		_, err := s.st.Q.InsertAudit(ctx, tx, db.InsertAuditParams{ActorUserID: by.UserID, Actor: by.Label, Action: "setup.completed",
			TargetType: "settings", TargetID: "1", Outcome: "ok"})
		return err
	})
}
