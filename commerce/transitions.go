package commerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store/db"
)

// apply sets p's changes on sub, PC's resource as read.
func (p PatchSubscriptionPayload) apply(sub *pccclient.Subscription) {
	if p.Quantity != nil {
		sub.Quantity = *p.Quantity
	}
	if p.Status != nil {
		sub.Status = *p.Status
	}
	if p.AutoRenewEnabled != nil {
		sub.AutoRenewEnabled = *p.AutoRenewEnabled
	}
	if p.FriendlyName != nil {
		sub.FriendlyName = *p.FriendlyName
	}
	if p.ScheduledNextTerm != nil {
		n := *p.ScheduledNextTerm
		sub.ScheduledNextTermInstructions = &n
	}
	if p.ClearScheduled {
		sub.ScheduledNextTermInstructions = nil
	}
}

// scheduledRemoval is why p deletes the subscription's scheduled change,
// if it does (mirror.ApplySubscriptionChange records it).
func (p PatchSubscriptionPayload) scheduledRemoval() string {
	switch {
	case p.ClearScheduled:
		return mirror.RemovedCleared
	case p.Status != nil && p.Status.Is(pccclient.SubscriptionSuspended):
		return mirror.RemovedSuspension
	case p.Quantity != nil:
		return mirror.RemovedMidTerm + " (seats)"
	case p.AutoRenewEnabled != nil && !*p.AutoRenewEnabled:
		return mirror.RemovedAutoRenew
	}
	return ""
}

// StaleEtagMessage is the refusal of a change whose subscription changed in
// Partner Center since the staff member looked at it.
const StaleEtagMessage = "the subscription changed in Partner Center since the portal read it (a renewal, a change elsewhere): nothing was sent. The portal has read it again: check the page and make the change again"

// checkEtag refuses the first attempt of p when PC's copy of the
// subscription (sub, just read) is not the one the staff member saw (PC's
// error 2055, as PC answers a PATCH with a stale If-Match); the mirror
// takes PC's copy at once so the page shows it.
func (s *Service) checkEtag(ctx context.Context, p PatchSubscriptionPayload, sub *pccclient.Subscription, cust uuid.UUID) error {
	if p.IfMatch == "" || strings.Trim(p.IfMatch, `"`) == strings.Trim(sub.Attributes.Etag, `"`) {
		return nil
	}
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		return s.mir.ApplySubscription(ctx, tx, sub, nil, mirror.LicenseUsage{}, cust, mirror.SyncTime())
	})
	if err != nil {
		s.log.Warn("fresh subscription not written", "subscription", sub.ID, "err", err)
	}
	return &pccclient.Error{Operation: "patch-subscription", HTTPStatus: http.StatusBadRequest, Code: "2055", Description: StaleEtagMessage}
}

// deliverTransition starts an upgrade (POST .../transitions) and queues
// the job that follows it until PC completes it.
func (s *Service) deliverTransition(ctx context.Context, pc *pccclient.Client, cmd *db.Command, cust uuid.UUID) error {
	var p CreateTransitionPayload
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return &pccclient.ArgumentError{Operation: cmd.Kind, Field: "payload", Problem: err.Error()}
	}
	tr, err := pc.CreateTransition(ctx, cmd.MsRequestID.String(), cust.String(), cmd.TargetID, p.Transition)
	if err != nil {
		return err
	}
	return s.finishCommand(ctx, cmd, CommandSucceeded, nil, tr, nil, "", func(tx pgx.Tx, at time.Time) error {
		if err := s.mir.ApplyTransitions(ctx, tx, []pccclient.Transition{*tr}, cust, cmd.TargetID, at); err != nil {
			return err
		}
		_, err := s.river.InsertTx(ctx, tx, TransitionWatchArgs{CustomerID: cust, SubscriptionID: cmd.TargetID, OperationID: tr.OperationID},
			&river.InsertOpts{ScheduledAt: time.Now().Add(s.opt.SettleBackoff)})
		return err
	})
}

// TransitionWatchArgs is the River job that follows one transition until
// PC completes (or fails) it, then reads the subscriptions it changed.
type TransitionWatchArgs struct {
	CustomerID     uuid.UUID `json:"customer_id"`
	SubscriptionID string    `json:"subscription_id"`
	OperationID    string    `json:"operation_id" river:"unique"`
}

// Kind is River's job kind.
func (TransitionWatchArgs) Kind() string { return "commerce.watch_transition" }

// InsertOpts makes the job unique per transition while it waits or runs.
func (TransitionWatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waitingOrRunning}}
}

type transitionWatchWorker struct {
	river.WorkerDefaults[TransitionWatchArgs]
	s *Service
}

func (w *transitionWatchWorker) Timeout(*river.Job[TransitionWatchArgs]) time.Duration {
	return time.Minute
}

func (w *transitionWatchWorker) Work(ctx context.Context, job *river.Job[TransitionWatchArgs]) error {
	s, a := w.s, job.Args
	log := s.log.With("transition", a.OperationID, "subscription", a.SubscriptionID)
	if time.Since(job.CreatedAt) > settlePatience {
		log.Info("transition still running after an hour; the incremental sync follows it")
		return nil
	}
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(job.Metadata, &meta)
	wait := settleWait(s.opt.SettleBackoff, meta.Snoozes)
	done, err := s.watchTransition(ctx, a)
	switch {
	case errors.Is(err, pcconn.ErrNotConfigured):
		return nil
	case err != nil:
		log.Info("transition not read; trying again", "err", err, "in", wait)
		return river.JobSnooze(wait)
	case !done:
		return river.JobSnooze(wait)
	}
	return nil
}

// watchTransition reads the transition once and writes it; when PC has
// finished it, the subscriptions it changed are read again. It reports
// whether the transition is finished.
func (s *Service) watchTransition(ctx context.Context, a TransitionWatchArgs) (bool, error) {
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return false, err
	}
	ts, err := pc.ListTransitions(ctx, a.CustomerID.String(), a.SubscriptionID, a.OperationID)
	if err != nil {
		return false, fmt.Errorf("transitions of %s: %w", a.SubscriptionID, err)
	}
	if err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		return s.mir.ApplyTransitions(ctx, tx, ts, a.CustomerID, a.SubscriptionID, mirror.SyncTime())
	}); err != nil {
		return false, err
	}
	done, ids := false, []string{a.SubscriptionID}
	for _, t := range ts {
		switch t.Status() {
		case pccclient.TransitionCompleted, pccclient.TransitionFailed:
			done = true
			if t.ToSubscriptionID != "" && !strings.EqualFold(t.ToSubscriptionID, a.SubscriptionID) {
				ids = append(ids, t.ToSubscriptionID)
			}
		}
	}
	if !done {
		return false, nil
	}
	return true, s.mir.RefreshSubscriptions(ctx, a.CustomerID, ids, false)
}
