package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// A lifecycle change of one subscription (a renewal, an expiry, a seat or
// status change, an upgrade) writes an audit record naming it; the
// incremental sync then re-reads that subscription alone (GET
// .../subscriptions/{id}, and its transitions after an upgrade), so the
// cost follows the number of changes, not the size of the customer.

// subTarget is one subscription to read again.
type subTarget struct {
	customer    uuid.UUID
	id          string
	seen        time.Time // the latest audit record's operation date
	transitions bool      // an upgrade or trial conversion: read its transitions
}

// lifecycleRecord returns the subscription a subscription audit record
// names, when re-reading that subscription is enough.
func lifecycleRecord(a pccclient.AuditRecord) (string, bool) {
	if !strings.EqualFold(string(a.ResourceType), string(pccclient.ResourceSubscription)) {
		return "", false
	}
	switch strings.ToLower(string(a.OperationType)) {
	case string(pccclient.OpUpdateSubscription), string(pccclient.OpUpgradeSubscription), string(pccclient.OpConvertTrialSubscription):
	default:
		return "", false
	}
	// resourceNewValue is the subscription as JSON with PascalCase names.
	var v struct {
		ID string `json:"Id"`
	}
	if json.Unmarshal([]byte(a.ResourceNewValue), &v) != nil || v.ID == "" {
		return "", false
	}
	return v.ID, true
}

// movesLicences reports whether a person's change of one subscription can
// move its customer's licence usage: a seat, status or offer change can, a
// rename or an auto-renew switch cannot. Without both values (PC records
// them for subscription updates) it assumes the change can.
func movesLicences(a pccclient.AuditRecord) bool {
	if !strings.EqualFold(string(a.OperationType), string(pccclient.OpUpdateSubscription)) {
		return true
	}
	type seats struct {
		Quantity *int   `json:"Quantity"`
		Status   string `json:"Status"`
		OfferID  string `json:"OfferId"`
	}
	var o, n seats
	if json.Unmarshal([]byte(a.ResourceOldValue), &o) != nil || json.Unmarshal([]byte(a.ResourceNewValue), &n) != nil ||
		o.Quantity == nil || n.Quantity == nil {
		return true
	}
	return *o.Quantity != *n.Quantity || !strings.EqualFold(o.Status, n.Status) || !strings.EqualFold(o.OfferID, n.OfferID)
}

// fromFulfillment reports a change PC made itself (renewals, expiries,
// the end of a suspended term), which moves no licence assignment.
func fromFulfillment(a pccclient.AuditRecord) bool {
	return strings.EqualFold(a.ApplicationID, "FulfillmentService")
}

// subResult is what PC returned for one subTarget.
type subResult struct {
	t     subTarget
	sub   *pccclient.Subscription
	trans []pccclient.Transition
	err   error
}

// refreshSubscriptions reads ts from PC with bounded concurrency and
// writes them with their lifecycle rows; it returns how many it wrote.
func (m *Mirror) refreshSubscriptions(ctx context.Context, pc *pccclient.Client, ts []subTarget) (int, error) {
	if len(ts) == 0 {
		return 0, nil
	}
	slices.SortFunc(ts, func(a, b subTarget) int { return strings.Compare(a.id, b.id) })
	results := make([]subResult, len(ts))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(m.opt.Concurrency, len(ts)) {
		wg.Go(func() {
			for i := range work {
				results[i] = fetchSubscription(ctx, pc, ts[i])
			}
		})
	}
	for i := range ts {
		work <- i
	}
	close(work)
	wg.Wait()
	var failed []error
	var got []subResult
	for _, r := range results {
		switch {
		case r.err != nil && pccclient.IsNotFound(r.err):
			// Gone from PC: the next reconcile marks it.
		case r.err != nil:
			failed = append(failed, fmt.Errorf("subscription %s: %w", r.t.id, r.err))
		default:
			got = append(got, r)
		}
	}
	const batch = 200
	for len(got) > 0 {
		n := min(batch, len(got))
		if err := m.writeSubscriptions(ctx, got[:n]); err != nil {
			return 0, err
		}
		got = got[n:]
	}
	if len(failed) > 0 {
		return 0, fmt.Errorf("%d subscription(s) could not be read from partner center: %w", len(failed), failed[0])
	}
	return len(results), nil
}

func fetchSubscription(ctx context.Context, pc *pccclient.Client, t subTarget) subResult {
	r := subResult{t: t}
	r.sub, r.err = pc.GetSubscription(ctx, t.customer.String(), t.id)
	if r.err == nil && t.transitions {
		r.trans, r.err = pc.ListTransitions(ctx, t.customer.String(), t.id, "")
	}
	return r
}

// writeSubscriptions writes one batch of re-read subscriptions.
func (m *Mirror) writeSubscriptions(ctx context.Context, rs []subResult) error {
	at := SyncTime()
	return m.inTx(ctx, func(tx pgx.Tx) error {
		if err := store.NoDurableCommit(ctx, tx); err != nil {
			return err
		}
		rows := make([]db.UpsertSubscriptionParams, 0, len(rs))
		ws := make([]subWrite, 0, len(rs))
		var trans []store.TransitionRow
		for _, r := range rs {
			rows = append(rows, subscriptionRow(r.sub, r.t.customer, at, true))
			ws = append(ws, subWrite{sub: r.sub, customer: r.t.customer, seen: r.t.seen})
			for i := range r.trans {
				trans = append(trans, TransitionRow(&r.trans[i], r.t.customer, r.t.id, at))
			}
		}
		if err := store.BulkUpsertSubscriptions(ctx, tx, rows); err != nil {
			return fmt.Errorf("write subscriptions: %w", err)
		}
		if err := m.writeLifecycle(ctx, tx, ws, true, "", at); err != nil {
			return err
		}
		return store.WriteTransitions(ctx, tx, trans)
	})
}

// TransitionRow is a transition PC reported for subscription sub, as the
// mirror stores it.
func TransitionRow(t *pccclient.Transition, customer uuid.UUID, sub string, at time.Time) store.TransitionRow {
	r := store.TransitionRow{OperationID: t.OperationID, CustomerID: customer, SubscriptionID: cmpStr(t.FromSubscriptionID, sub),
		FromCatalogItemID: t.FromCatalogItemID, ToCatalogItemID: t.ToCatalogItemID, ToSubscriptionID: t.ToSubscriptionID,
		Quantity: int32(t.Quantity), TermDuration: t.TermDuration, BillingCycle: lower(string(t.BillingCycle)),
		TransitionType: lower(string(t.TransitionType)), Status: t.Status(), SyncedAt: at}
	if r.Status == "" {
		r.Status = pccclient.TransitionStarted
	}
	var errs []string
	for _, ev := range t.Events {
		ts := ev.Timestamp.UTC()
		if r.StartedAt == nil || ts.Before(*r.StartedAt) {
			r.StartedAt = &ts
		}
		if r.UpdatedAt == nil || ts.After(*r.UpdatedAt) {
			r.UpdatedAt = &ts
		}
		for _, e := range ev.Errors {
			errs = append(errs, rules.ExplainTransitionError(int(e.Code), e.Description, ""))
		}
	}
	r.Errors = strings.Join(errs, " ")
	return r
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ApplyTransitions writes transitions PC returned for subscription sub
// inside tx (the portal's own upgrade, and its watcher).
func (m *Mirror) ApplyTransitions(ctx context.Context, tx pgx.Tx, ts []pccclient.Transition, customer uuid.UUID, sub string, at time.Time) error {
	rows := make([]store.TransitionRow, len(ts))
	for i := range ts {
		rows[i] = TransitionRow(&ts[i], customer, sub, at)
	}
	return store.WriteTransitions(ctx, tx, rows)
}

// RefreshSubscriptions reads the named subscriptions of customer from PC
// again and writes them (and their transitions with withTransitions): the
// portal's upgrade watcher uses it once PC finished a transition.
func (m *Mirror) RefreshSubscriptions(ctx context.Context, customer uuid.UUID, ids []string, withTransitions bool) error {
	pc, err := m.pc.Client(ctx)
	if err != nil {
		return err
	}
	ts := make([]subTarget, len(ids))
	for i, id := range ids {
		ts[i] = subTarget{customer: customer, id: id, transitions: withTransitions}
	}
	_, err = m.refreshSubscriptions(ctx, pc, ts)
	return err
}
