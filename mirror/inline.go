package mirror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// Inline delivery: a web handler that must see PC's answer itself (the new
// tenant's one-time admin password, which is never stored) queues the
// command with EnqueueHeld, so the River job waits, and delivers it at once
// with DeliverNow. If that attempt fails or the process dies, the held job
// takes over with the same MS-RequestId, so PC still applies it once.

// EnqueueHeld is Enqueue with the delivery job held back for hold, leaving
// the caller time to deliver the command itself with DeliverNow.
func EnqueueHeld(ctx context.Context, tx pgx.Tx, cmd Command, hold time.Duration) (int64, error) {
	id, err := Enqueue(ctx, tx, cmd)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE river_job SET state = 'scheduled', scheduled_at = now() + make_interval(secs => $2)
		WHERE id = (SELECT river_job_id FROM commands WHERE id = $1) AND state = 'available'`, id, hold.Seconds()); err != nil {
		return 0, fmt.Errorf("enqueue %s: hold job: %w", cmd.Kind, err)
	}
	return id, nil
}

// DeliverNow delivers command id with pc in the caller's goroutine and
// applies PC's answer to the mirror, like the River worker does. A
// transient failure is recorded and the held job released, so the worker
// retries at once; PC's refusal marks the command failed. A command that
// is already finished is returned as it is.
func DeliverNow(ctx context.Context, st *store.Store, log *slog.Logger, pc *pccclient.Client, id int64) (db.Command, error) {
	if log == nil {
		log = slog.Default()
	}
	m := &Mirror{st: st, log: log}
	m.opt.setDefaults()
	cmd, err := st.Q.StartCommandAttempt(ctx, st.Pool, id)
	if errors.Is(err, pgx.ErrNoRows) {
		cmd, err = st.Q.GetCommand(ctx, st.Pool, id)
		if err != nil {
			return cmd, fmt.Errorf("command %d: %w", id, err)
		}
		return cmd, nil
	}
	if err != nil {
		return cmd, fmt.Errorf("command %d: %w", id, err)
	}
	dctx := pccclient.WithCorrelationID(ctx, cmd.MsRequestID.String())
	derr := m.deliver(dctx, pc, &cmd)
	bg := context.WithoutCancel(ctx)
	if derr != nil {
		code := errorCode(derr)
		if permanent(derr) {
			log.Warn("command failed", "command", cmd.ID, "kind", cmd.Kind, "err", derr)
			if ferr := m.finishCommand(bg, &cmd, CommandFailed, derr.Error(), code, nil, nil, ""); ferr != nil {
				return cmd, ferr
			}
		} else {
			log.Info("inline delivery failed; the worker takes over", "command", cmd.ID, "kind", cmd.Kind, "err", derr)
			if rerr := st.Q.RetryCommand(bg, st.Pool, db.RetryCommandParams{ID: cmd.ID, LastError: derr.Error(), PcErrorCode: code}); rerr != nil {
				log.Warn("command retry not recorded", "err", rerr)
			}
			if _, rerr := st.Pool.Exec(bg, `UPDATE river_job SET state = 'available', scheduled_at = now()
				WHERE id = $1 AND state = 'scheduled'`, cmd.RiverJobID); rerr != nil {
				log.Warn("held job not released", "err", rerr)
			}
		}
	}
	got, err := st.Q.GetCommand(bg, st.Pool, id)
	if err != nil {
		return cmd, fmt.Errorf("command %d: %w", id, err)
	}
	return got, derr
}
