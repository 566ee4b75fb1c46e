package mirror

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store/db"
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
func (SettleOrderArgs) Kind() string { return "mirror.settle_order" }

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
	m *Mirror
}

func (w *settleOrderWorker) Timeout(*river.Job[SettleOrderArgs]) time.Duration { return time.Minute }

func (w *settleOrderWorker) Work(ctx context.Context, job *river.Job[SettleOrderArgs]) error {
	m := w.m
	log := m.log.With("order", job.Args.OrderID, "customer", job.Args.CustomerID)
	if time.Since(job.CreatedAt) > settlePatience {
		log.Info("order still provisioning after an hour; the incremental sync follows it")
		return nil
	}
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(job.Metadata, &meta)
	wait := settleWait(m.opt.SettleBackoff, meta.Snoozes)
	pc, err := m.clients.get(ctx)
	if errors.Is(err, ErrNotConfigured) {
		return nil // nothing to read with; the syncs catch up once connected
	}
	if err != nil {
		return err
	}
	pending, err := m.settleOrder(ctx, pc, job.Args.CustomerID, job.Args.OrderID)
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
func (m *Mirror) settleOrder(ctx context.Context, pc *pccclient.Client, customer uuid.UUID, order string) (bool, error) {
	subs, err := pccclient.Collect(pc.ListSubscriptionsByOrder(ctx, customer.String(), order))
	if err != nil {
		return false, fmt.Errorf("order %s: subscriptions: %w", order, err)
	}
	pending := provisioning(subs)
	// Add-ons keep the parent their order line names (PC may leave it out
	// of the subscription): from the mirrored lines, or PC's order once read.
	parents := map[string]string{}
	lines, err := m.st.Q.CustomerOrderLines(ctx, m.st.Pool, db.CustomerOrderLinesParams{OrderID: order, CustomerID: customer})
	if err != nil {
		return false, fmt.Errorf("order %s: lines: %w", order, err)
	}
	for _, l := range lines {
		if l.SubscriptionID != "" && l.ParentSubscriptionID != "" {
			parents[l.SubscriptionID] = l.ParentSubscriptionID
		}
	}
	var o *pccclient.Order
	if !pending {
		// Best effort: the order's status is the syncs' business otherwise.
		if o, err = pc.GetOrder(ctx, customer.String(), order); err != nil {
			m.log.Info("settled order not read; the next sync brings its status", "order", order, "err", err)
			o = nil
		} else {
			for k, v := range lineParents(o) {
				parents[k] = v
			}
		}
	}
	if len(subs) == 0 && o == nil {
		return pending, nil
	}
	at := syncNow()
	err = m.inTx(ctx, func(tx pgx.Tx) error { return m.writeOrder(ctx, tx, o, subs, parents, customer, at) })
	if err != nil {
		return false, fmt.Errorf("order %s: %w", order, err)
	}
	return pending, nil
}

// provisioning reports whether PC is still provisioning an order whose
// subscriptions read as subs: some pending, or none listed yet.
func provisioning(subs []pccclient.Subscription) bool {
	if len(subs) == 0 {
		return true
	}
	for i := range subs {
		if subs[i].Status.Is(pccclient.SubscriptionPending) {
			return true
		}
	}
	return false
}

// writeOrder upserts, inside tx, the order o with its line items (when o
// is not nil) and its subscriptions subs, one by one: the customer's other
// subscriptions are never marked gone. parents fills in an add-on's parent
// PC's subscription leaves out.
func (m *Mirror) writeOrder(ctx context.Context, tx pgx.Tx, o *pccclient.Order, subs []pccclient.Subscription, parents map[string]string, customer uuid.UUID, at time.Time) error {
	var berr error
	if o != nil {
		op, lines := orderRows(o, customer, at)
		m.st.Q.UpsertOrder(ctx, tx, []db.UpsertOrderParams{op}).Exec(func(_ int, e error) { berr = cmpErr(berr, e) })
		if len(lines) > 0 {
			m.st.Q.UpsertOrderLineItem(ctx, tx, lines).Exec(func(_ int, e error) { berr = cmpErr(berr, e) })
		}
	}
	if len(subs) > 0 {
		m.st.Q.UpsertSubscription(ctx, tx, orderSubscriptionRows(subs, parents, customer, at)).Exec(func(_ int, e error) { berr = cmpErr(berr, e) })
	}
	return berr
}

// lineParents maps the subscriptions of o's line items to the parent
// subscriptions the lines name.
func lineParents(o *pccclient.Order) map[string]string {
	parents := map[string]string{}
	for _, li := range o.LineItems {
		if li.SubscriptionID != "" && li.ParentSubscriptionID != "" {
			parents[li.SubscriptionID] = li.ParentSubscriptionID
		}
	}
	return parents
}

// orderSubscriptionRows are the mirror rows of an order's subscriptions,
// written one by one (never marking the customer's others gone); parents
// fills in a parent PC's subscription leaves out.
func orderSubscriptionRows(subs []pccclient.Subscription, parents map[string]string, customer uuid.UUID, at time.Time) []db.UpsertSubscriptionParams {
	rows := make([]db.UpsertSubscriptionParams, len(subs))
	for i := range subs {
		rows[i] = subscriptionRow(&subs[i], customer, at, true)
		if rows[i].ParentSubscriptionID == "" {
			rows[i].ParentSubscriptionID = parents[subs[i].ID]
		}
	}
	return rows
}

// queueSettleOrder queues the job that follows order's subscriptions until
// PC provisioned them, inside tx (the transaction recording the order
// command's success), unless subs (read at delivery, readErr its error)
// are all provisioned already.
func (m *Mirror) queueSettleOrder(ctx context.Context, tx pgx.Tx, customer uuid.UUID, order string, subs []pccclient.Subscription, readErr error) error {
	if order == "" {
		return nil
	}
	if readErr == nil && !provisioning(subs) {
		return nil
	}
	rc := m.river
	if rc == nil { // DeliverNow's mirror has no River client of its own
		var err error
		if rc, err = txInserter(); err != nil {
			return err
		}
	}
	if _, err := rc.InsertTx(ctx, tx, SettleOrderArgs{CustomerID: customer, OrderID: order},
		&river.InsertOpts{ScheduledAt: time.Now().Add(m.opt.SettleBackoff)}); err != nil {
		return fmt.Errorf("queue settling order %s: %w", order, err)
	}
	return nil
}
