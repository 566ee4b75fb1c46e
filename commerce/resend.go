package commerce

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// ResendCommand queues customer's command id again when no job will send
// it any more although Partner Center never answered (River discarded its
// job once its attempts ran out, or the job is gone). The new job sends it
// with the same MS-RequestId, so PC applies it at most once, and waits for
// any attempt's lease still running. A command that finished or whose job
// is still working is left as it is. Who asked is audited.
func (s *Service) ResendCommand(ctx context.Context, by Actor, customer uuid.UUID, id int64) error {
	return s.st.InTx(ctx, func(tx pgx.Tx) error {
		q := s.st.Q
		cmd, err := q.LockCustomerCommand(ctx, tx, db.LockCustomerCommandParams{ID: id, CustomerID: &customer})
		if err != nil {
			return fmt.Errorf("command %d: %w", id, store.MapErr(err))
		}
		if cmd.Status != CommandPending && cmd.Status != CommandDelivering {
			return nil
		}
		if cmd.RiverJobID != nil {
			job, err := s.river.JobGetTx(ctx, tx, *cmd.RiverJobID)
			switch {
			case errors.Is(err, river.ErrNotFound):
			case err != nil:
				return fmt.Errorf("command %d job: %w", id, err)
			case job.State != rivertype.JobStateDiscarded && job.State != rivertype.JobStateCancelled && job.State != rivertype.JobStateCompleted:
				return nil // a job still sends it
			}
		}
		res, err := s.river.InsertTx(ctx, tx, DeliverArgs{CommandID: id}, &river.InsertOpts{MaxAttempts: s.opt.DeliveryMaxAttempts})
		if err != nil {
			return fmt.Errorf("resend command %d: job: %w", id, err)
		}
		if err := q.SetCommandJob(ctx, tx, db.SetCommandJobParams{ID: id, RiverJobID: &res.Job.ID}); err != nil {
			return fmt.Errorf("resend command %d: %w", id, err)
		}
		if _, err := q.InsertAudit(ctx, tx, db.InsertAuditParams{
			ActorUserID: by.UserID, Actor: cmp.Or(by.Label, "system"), Action: "pc." + cmd.Kind + ".resend", TargetType: targetType(CommandKind(cmd.Kind)),
			TargetID: cmd.TargetID, CustomerID: cmd.CustomerID, PcRequestID: &cmd.MsRequestID, Outcome: CommandPending,
			Detail: fmt.Sprintf("sent again after %d attempts without an answer", cmd.Attempts),
		}); err != nil {
			return fmt.Errorf("resend command %d: audit: %w", id, err)
		}
		return nil
	})
}
