package commerce

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
)

// Inline delivery: a use case whose page must see PC's answer itself (the
// new tenant's one-time admin password, which is never stored) queues the
// command with its River job held back (Options.InlineHold) and delivers it
// at once with DeliverNow. If that attempt fails or the process dies, the
// held job takes over with the same MS-RequestId, so PC still applies it
// once.

// Delivery is a command after an inline delivery attempt, with what PC
// answered beyond what is stored.
type Delivery struct {
	Command store.Command
	// SignIn is a new customer tenant's one-time admin sign-in (only in the
	// answer to the attempt that created it; never stored or logged).
	SignIn *TenantSignIn
}

// TenantSignIn is the first admin account of a customer tenant PC created.
type TenantSignIn struct {
	UserName string
	Password string
}

// DeliverNow delivers command id in the caller's goroutine and applies PC's
// answer to the mirror, like the River worker does. A transient failure is
// recorded and the held job released, so the worker retries at once; PC's
// refusal marks the command failed. A command that is already finished is
// returned as it is. A person waits, so PC is asked at most twice
// (pcconn.Interactive); the worker retries further. Without a Partner Center connection the job is
// released and nothing else happens.
func (s *Service) DeliverNow(ctx context.Context, id int64) (Delivery, error) {
	ctx = pcconn.Interactive(ctx)
	pc, err := s.pc.Client(ctx)
	if err != nil {
		cmd, cerr := s.st.Command(ctx, id)
		if cerr != nil {
			return Delivery{}, cerr
		}
		s.release(ctx, cmd.RiverJobID)
		return Delivery{Command: cmd}, err
	}
	// The held job takes over when the hold ends: the lease ends with it.
	cmd, err := s.startAttempt(ctx, id, min(s.opt.InlineHold, DeliveryTimeout))
	if errors.Is(err, pgx.ErrNoRows) {
		got, err := s.st.Command(ctx, id)
		return Delivery{Command: got}, err
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("command %d: %w", id, err)
	}
	dctx := pccclient.WithCorrelationID(ctx, cmd.MsRequestID.String())
	answer, derr := s.deliver(dctx, pc, &cmd)
	bg := context.WithoutCancel(ctx)
	if errors.Is(derr, errSuperseded) {
		derr = nil // the worker took over from this attempt: its outcome stands
	}
	if derr != nil {
		if permanent(derr) {
			s.log.Warn("command failed", "command", cmd.ID, "kind", cmd.Kind, "err", derr)
			if ferr := s.finishCommand(bg, &cmd, CommandFailed, derr, nil, nil, ""); ferr != nil && !errors.Is(ferr, errSuperseded) {
				return Delivery{Command: cmd}, ferr
			}
		} else {
			s.log.Info("inline delivery failed; the worker takes over", "command", cmd.ID, "kind", cmd.Kind, "err", derr)
			s.recordRetry(bg, &cmd, derr)
			s.release(ctx, cmd.RiverJobID)
		}
	}
	got, err := s.st.Command(bg, id)
	if err != nil {
		return Delivery{Command: cmd}, err
	}
	return Delivery{Command: got, SignIn: answer.signIn}, derr
}
