package commerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// Two-phase orders (order_placements). PC needs a base subscription to
// exist before an add-on can name it as its parent, so a cart with add-ons
// of new bases is placed in two orders: phase 1 (the bases, and add-ons of
// existing subscriptions), then phase 2 (the add-ons of the new bases) once
// the mirror shows those bases active (the base order's settle job reads
// them from PC until they are). Phase 2 is queued by advancePlacement,
// which three callers share:
//
//   - the delivery of phase 1: finishCommand queues an AdvancePlacementArgs
//     job in the transaction that marks the base order succeeded; the job
//     snoozes (Options.PlacementPoll) until the bases are active;
//   - a sweep every minute (PlacementSweepArgs) re-queues that job for
//     placements still waiting, so a lost job heals;
//   - the order page (AdvancePlacement), for an immediate answer while
//     someone watches.
//
// The placement row is locked and addon_command_id set only while NULL, so
// however many of them race, one phase 2 command exists.

// placementOrder builds the PC order of one phase; phase 2 lines name the
// subscriptions PC created for their bases (baseSubs, by line index).
func placementOrder(customer uuid.UUID, lines []rules.PlacementLine, phase int, baseSubs map[int]string) pccclient.Order {
	o := pccclient.Order{ReferenceCustomerID: customer.String()}
	for _, l := range lines {
		if l.Phase != phase {
			continue
		}
		li := pccclient.OrderLineItem{LineItemNumber: l.OrderLineNum, OfferID: l.ItemID, Quantity: l.Quantity, TermDuration: l.Term,
			ParentSubscriptionID: l.ParentSubID, PromotionID: l.PromotionID}
		if end, err := time.Parse(time.DateOnly, l.TermEnd); err == nil {
			li.CustomTermEndDate = end
		}
		if phase == 2 {
			li.ParentSubscriptionID = baseSubs[l.BaseLine]
		}
		if o.BillingCycle == "" {
			o.BillingCycle = pccclient.BillingCycle(l.Cycle)
		}
		o.LineItems = append(o.LineItems, li)
	}
	return o
}

// placementBaseSubscriptions maps phase 1 line indexes to the subscriptions
// PC created for them, from the phase 1 order (the command's result).
func placementBaseSubscriptions(o *pccclient.Order, lines []rules.PlacementLine) map[int]string {
	if o == nil {
		return nil
	}
	byNum := map[int]string{}
	for _, li := range o.LineItems {
		byNum[li.LineItemNumber] = li.SubscriptionID
	}
	out := map[int]string{}
	for i, l := range lines {
		if l.Phase == 1 {
			out[i] = byNum[l.OrderLineNum]
		}
	}
	return out
}

// errAdvanced rolls back a phase 2 that another process queued first.
var errAdvanced = errors.New("add-on phase already queued")

// advancePlacement queues phase 2 of placement token once phase 1
// succeeded and every base it needs is active in the mirror (which the base
// order's settle job keeps current while PC provisions it). pc is read only
// when the base order's result does not name the new subscriptions yet.
// With hold > 0 the command's job is held so the caller can deliver it at
// once with DeliverNow. It returns the new command id; or 0 and since (phase
// 1's end, or the placement's creation) while the bases are not ready; or 0
// alone when there is nothing to do (no add-on phase, already queued,
// cancelled, or phase 1 failed and awaits a retry).
func (s *Service) advancePlacement(ctx context.Context, customer, token uuid.UUID, hold time.Duration) (int64, time.Time, error) {
	var none time.Time
	st := s.st
	p, err := st.Q.OrderPlacement(ctx, st.Pool, db.OrderPlacementParams{Token: token, CustomerID: customer})
	if err != nil {
		return 0, none, fmt.Errorf("order %s: %w", token, store.MapErr(err))
	}
	if !p.NeedsAddons || p.AddonCommandID != nil || p.CancelledAt != nil {
		return 0, none, nil
	}
	base, err := st.Q.GetCommand(ctx, st.Pool, p.BaseCommandID)
	if err != nil {
		return 0, none, fmt.Errorf("order %s: base command: %w", token, err)
	}
	switch base.Status {
	case CommandSucceeded:
	case CommandFailed:
		return 0, none, nil // staff retry or cancel it on the order page
	default:
		return 0, p.CreatedAt, nil
	}
	since := p.CreatedAt
	if base.FinishedAt != nil {
		since = *base.FinishedAt
	}
	var lines []rules.PlacementLine
	if err := json.Unmarshal(p.Lines, &lines); err != nil {
		return 0, none, fmt.Errorf("order %s: lines: %w", token, err)
	}
	var o pccclient.Order
	if err := json.Unmarshal(base.Result, &o); err != nil {
		return 0, none, fmt.Errorf("order %s: base order: %w", token, err)
	}
	baseSubs := placementBaseSubscriptions(&o, lines)
	if missing(baseSubs, lines) && o.ID != "" {
		// PC may name the new subscriptions only once the order is
		// provisioned: read the order again.
		if pc, err := s.pc.Client(ctx); err == nil {
			if now, err := pc.GetOrder(ctx, customer.String(), o.ID); err == nil {
				baseSubs = placementBaseSubscriptions(now, lines)
			}
		}
	}
	if missing(baseSubs, lines) {
		return 0, since, nil
	}
	// The bases' status in the mirror, which the order's settle job keeps
	// current while PC provisions them (SettleOrderArgs).
	rows, err := st.Q.OrderSubscriptions(ctx, st.Pool, db.OrderSubscriptionsParams{CustomerID: customer, OrderIds: []string{o.ID}})
	if err != nil {
		return 0, none, fmt.Errorf("order %s: base subscriptions: %w", token, err)
	}
	active := map[string]bool{}
	for _, r := range rows {
		active[r.ID] = pccclient.SubscriptionStatus(r.Status).Is(pccclient.SubscriptionActive)
	}
	for _, l := range lines {
		if l.Phase == 2 && !active[baseSubs[l.BaseLine]] {
			return 0, since, nil // not yet: ask again later
		}
	}
	var id int64
	err = st.InTx(ctx, func(tx pgx.Tx) error {
		locked, err := st.Q.LockOrderPlacement(ctx, tx, db.LockOrderPlacementParams{Token: token, CustomerID: customer})
		if err != nil {
			return fmt.Errorf("lock order %s: %w", token, err)
		}
		if locked.AddonCommandID != nil || locked.CancelledAt != nil || locked.BaseCommandID != base.ID {
			return errAdvanced
		}
		id, err = s.enqueue(ctx, tx, Command{Kind: CmdCreateOrder, CustomerID: customer,
			Payload: CreateOrderPayload{Order: placementOrder(customer, lines, 2, baseSubs)},
			By:      Actor{UserID: base.RequestedBy, Label: base.RequestedByLabel}}, hold)
		if err != nil {
			return err
		}
		n, err := st.Q.SetFirstOrderPlacementAddons(ctx, tx, db.SetFirstOrderPlacementAddonsParams{AddonCommandID: &id, Token: token})
		if err != nil {
			return fmt.Errorf("order %s: %w", token, err)
		}
		if n != 1 {
			return errAdvanced
		}
		return nil
	})
	if errors.Is(err, errAdvanced) {
		return 0, none, nil
	}
	if err != nil {
		return 0, none, err
	}
	return id, none, nil
}

// missing reports whether a phase 2 line's base has no subscription yet.
func missing(baseSubs map[int]string, lines []rules.PlacementLine) bool {
	for _, l := range lines {
		if l.Phase == 2 && baseSubs[l.BaseLine] == "" {
			return true
		}
	}
	return false
}

// waitingOrRunning are the job states in which a unique job blocks another.
var waitingOrRunning = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}

// AdvancePlacementArgs is the River job that queues the add-on phase of
// one placement once its bases are active. One per placement may wait or
// run at a time.
type AdvancePlacementArgs struct {
	Token      uuid.UUID `json:"token" river:"unique"`
	CustomerID uuid.UUID `json:"customer_id"`
}

// Kind is River's job kind.
func (AdvancePlacementArgs) Kind() string { return "mirror.advance_placement" } // kept from before the write side had its package

// InsertOpts makes the job unique per placement while it waits or runs.
func (AdvancePlacementArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waitingOrRunning}}
}

type advancePlacementWorker struct {
	river.WorkerDefaults[AdvancePlacementArgs]
	s *Service
}

func (w *advancePlacementWorker) Timeout(*river.Job[AdvancePlacementArgs]) time.Duration {
	return 2 * time.Minute
}

// placementPatience is how long after phase 1 the job keeps snoozing for
// bases that are not active; after that only the minutely sweep asks.
const placementPatience = time.Hour

func (w *advancePlacementWorker) Work(ctx context.Context, job *river.Job[AdvancePlacementArgs]) error {
	s := w.s
	id, since, err := s.advancePlacement(ctx, job.Args.CustomerID, job.Args.Token, 0)
	if err != nil {
		return err
	}
	if id != 0 {
		s.log.Info("add-on phase queued", "order", job.Args.Token, "command", id)
	}
	if !since.IsZero() && time.Since(since) < placementPatience {
		return river.JobSnooze(s.opt.PlacementPoll)
	}
	return nil
}

// PlacementSweepArgs is the periodic job that re-queues AdvancePlacementArgs
// for placements whose base order succeeded but whose add-on phase was
// never queued (a lost job, PC not connected at the time, a long wait).
type PlacementSweepArgs struct{}

// Kind is River's job kind.
func (PlacementSweepArgs) Kind() string { return "mirror.placement_sweep" } // kept from before the write side had its package

// InsertOpts keeps one sweep waiting or running at a time.
func (PlacementSweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: waitingOrRunning}}
}

// placementHorizon bounds how old a placement the sweep still advances.
const placementHorizon = 7 * 24 * time.Hour

type placementSweepWorker struct {
	river.WorkerDefaults[PlacementSweepArgs]
	s *Service
}

func (w *placementSweepWorker) Timeout(*river.Job[PlacementSweepArgs]) time.Duration {
	return time.Minute
}

func (w *placementSweepWorker) Work(ctx context.Context, _ *river.Job[PlacementSweepArgs]) error {
	s := w.s
	rows, err := s.st.Q.StalledPlacements(ctx, s.st.Pool, db.StalledPlacementsParams{Since: time.Now().Add(-placementHorizon), Max: 1000})
	if err != nil {
		return fmt.Errorf("placement sweep: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(rows))
	for i, r := range rows {
		params[i] = river.InsertManyParams{Args: AdvancePlacementArgs{Token: r.Token, CustomerID: r.CustomerID}}
	}
	res, err := s.river.InsertMany(ctx, params)
	if err != nil {
		return fmt.Errorf("placement sweep: %w", err)
	}
	queued := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			queued++
		}
	}
	if queued > 0 {
		s.log.Info("placement sweep queued add-on phases", "waiting", len(rows), "queued", queued)
	}
	return nil
}

// queuePlacementAdvance queues the add-on phase job of every placement whose
// base order is cmd, inside tx (the transaction that marks cmd succeeded).
func (s *Service) queuePlacementAdvance(ctx context.Context, tx pgx.Tx, cmd *db.Command) error {
	rows, err := s.st.Q.PlacementsAwaitingAddons(ctx, tx, cmd.ID)
	if err != nil || len(rows) == 0 {
		return err
	}
	params := make([]river.InsertManyParams, len(rows))
	for i, r := range rows {
		params[i] = river.InsertManyParams{Args: AdvancePlacementArgs{Token: r.Token, CustomerID: r.CustomerID}}
	}
	if _, err := s.river.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("queue add-on phase: %w", err)
	}
	return nil
}
