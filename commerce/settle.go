package commerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
)

// Settling an order. PC creates an order's subscriptions pending and
// activates them some seconds later, without an audit record; the
// incremental sync would notice at its next run (5 minutes). So the
// delivery of a create-order or patch-order command queues, in the
// transaction that records its success, a SettleOrderArgs job (unique per
// order) that re-reads that order's subscriptions (only those: the
// customer's others are neither read nor marked gone) with a short
// back-off until none is pending, and writes them to the mirror each time.
// Pages (the order page, the subscription pages) and the add-on phase of
// two-phase orders then read the mirror instead of asking PC.

// SettleOrderArgs is the River job that follows one order until PC has
// provisioned its subscriptions. One per order may wait or run at a time.
type SettleOrderArgs struct {
	CustomerID uuid.UUID `json:"customer_id" river:"unique"`
	OrderID    string    `json:"order_id" river:"unique"`
}

// Kind is River's job kind.
func (SettleOrderArgs) Kind() string { return "mirror.settle_order" } // kept from before the write side had its package

// InsertOpts makes the job unique per order while it waits or runs.
func (SettleOrderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waitingOrRunning}}
}

const (
	// settleMaxWait caps the back-off between two reads of an order.
	settleMaxWait = 30 * time.Second
	// settlePatience is how long after it was queued the job keeps
	// reading an order whose subscriptions stay pending; after that the
	// incremental sync (which re-reads customers with pending work) has it.
	settlePatience = time.Hour
)

// settleWait is the wait after the n-th read (n from 0): Options.SettleBackoff
// doubled n+1 times, at most settleMaxWait.
func settleWait(base time.Duration, n int) time.Duration {
	d := base << min(n+1, 20)
	if d <= 0 || d > settleMaxWait {
		return settleMaxWait
	}
	return d
}

type settleOrderWorker struct {
	river.WorkerDefaults[SettleOrderArgs]
	s *Service
}

func (w *settleOrderWorker) Timeout(*river.Job[SettleOrderArgs]) time.Duration { return time.Minute }

func (w *settleOrderWorker) Work(ctx context.Context, job *river.Job[SettleOrderArgs]) error {
	s := w.s
	log := s.log.With("order", job.Args.OrderID, "customer", job.Args.CustomerID)
	if time.Since(job.CreatedAt) > settlePatience {
		log.Info("order still provisioning after an hour; the incremental sync follows it")
		return nil
	}
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(job.Metadata, &meta)
	wait := settleWait(s.opt.SettleBackoff, meta.Snoozes)
	pc, err := s.pc.Client(ctx)
	if errors.Is(err, pcconn.ErrNotConfigured) {
		return nil // nothing to read with; the syncs catch up once connected
	}
	if err != nil {
		return err
	}
	pending, err := s.settleOrder(ctx, pc, job.Args.CustomerID, job.Args.OrderID)
	if err != nil {
		var pe *pccclient.Error
		var ae *pccclient.ArgumentError
		if errors.As(err, &ae) || (errors.As(err, &pe) && pe.HTTPStatus == http.StatusNotFound) {
			log.Info("order not followed", "err", err)
			return nil
		}
		// PC throttling or unavailable, the database busy: read again later.
		log.Info("order's subscriptions not settled; trying again", "err", err, "in", wait)
		return river.JobSnooze(wait)
	}
	if pending {
		return river.JobSnooze(wait)
	}
	log.Debug("order's subscriptions provisioned")
	return nil
}

// settleOrder reads order's subscriptions from PC once and upserts them; it
// reports whether PC still provisions some (or lists none yet). Once none
// is pending the order itself is read too, so the mirror's order status
// follows.
func (s *Service) settleOrder(ctx context.Context, pc *pccclient.Client, customer uuid.UUID, order string) (bool, error) {
	subs, err := pccclient.Collect(pc.ListSubscriptionsByOrder(ctx, customer.String(), order))
	if err != nil {
		return false, fmt.Errorf("order %s: subscriptions: %w", order, err)
	}
	pending := mirror.Provisioning(subs)
	// Add-ons keep the parent their order line names (PC may leave it out
	// of the subscription): from the mirrored lines, or PC's order once read.
	parents, err := s.mir.MirroredOrderParents(ctx, customer, order)
	if err != nil {
		return false, err
	}
	var o *pccclient.Order
	if !pending {
		// Best effort: the order's status is the syncs' business otherwise.
		if o, err = pc.GetOrder(ctx, customer.String(), order); err != nil {
			s.log.Info("settled order not read; the next sync brings its status", "order", order, "err", err)
			o = nil
		} else {
			maps.Copy(parents, mirror.OrderParents(o))
		}
	}
	if len(subs) == 0 && o == nil {
		return pending, nil
	}
	at := mirror.SyncTime()
	err = s.st.InTx(ctx, func(tx pgx.Tx) error { return s.mir.ApplyOrder(ctx, tx, o, subs, parents, customer, at) })
	if err != nil {
		return false, fmt.Errorf("order %s: %w", order, err)
	}
	return pending, nil
}

// queueSettleOrder queues the job that follows order's subscriptions until
// PC provisioned them, inside tx (the transaction recording the order
// command's success), unless subs (read at delivery, readErr its error)
// are all provisioned already.
func (s *Service) queueSettleOrder(ctx context.Context, tx pgx.Tx, customer uuid.UUID, order string, subs []pccclient.Subscription, readErr error) error {
	if order == "" || (readErr == nil && !mirror.Provisioning(subs)) {
		return nil
	}
	if _, err := s.river.InsertTx(ctx, tx, SettleOrderArgs{CustomerID: customer, OrderID: order},
		&river.InsertOpts{ScheduledAt: time.Now().Add(s.opt.SettleBackoff)}); err != nil {
		return fmt.Errorf("queue settling order %s: %w", order, err)
	}
	return nil
}
