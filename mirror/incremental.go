package mirror

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// runIncremental applies PC's audit records since the watermark: it
// re-reads only the customers (and parts of them) the new records touch.
// Without a completed full import it runs one; when the watermark is older
// than PC's audit retention it runs a reconcile instead.
func (m *Mirror) runIncremental(ctx context.Context, pc *pccclient.Client, o RunOptions) (int64, error) {
	full, err := m.st.Q.GetWatermark(ctx, m.st.Pool, wmFull)
	if errors.Is(store.MapErr(err), store.ErrNotFound) {
		m.log.Info("no full import yet: running one instead of the incremental sync")
		return m.runPass(ctx, pc, KindFull, RunOptions{Trigger: "fallback", RequestedBy: o.RequestedBy, JobID: o.JobID})
	} else if err != nil {
		return 0, fmt.Errorf("read watermark: %w", err)
	}
	wm, err := m.st.Q.GetWatermark(ctx, m.st.Pool, wmAudit)
	if err != nil {
		wm = full
	}
	pcNow := m.opt.PCNow().UTC()
	// A day of margin: PC counts retention in whole days from its own today.
	if pcNow.Sub(wm.At) > m.opt.AuditRetention-24*time.Hour {
		m.log.Info("audit watermark older than partner center's retention: reconciling", "watermark", wm.At)
		return m.runPass(ctx, pc, KindReconcile, RunOptions{Trigger: "fallback", RequestedBy: o.RequestedBy, JobID: o.JobID})
	}
	r, err := m.startRun(ctx, KindIncremental, o, false)
	if err != nil {
		return 0, err
	}
	ctx = pcconn.WithCallStats(ctx, &r.stats)
	fallback, err := m.incremental(ctx, pc, r, wm.At, pcNow)
	if fallback {
		r.setCheckpoint("fallback", "reconcile")
		_ = r.finish(ctx, nil)
		return m.runPass(ctx, pc, KindReconcile, RunOptions{Trigger: "fallback", RequestedBy: o.RequestedBy, JobID: o.JobID})
	}
	return r.id, r.finish(ctx, err)
}

// incremental does the work; fallback reports that PC refused the window
// (older than its retention) so a reconcile must run instead.
func (m *Mirror) incremental(ctx context.Context, pc *pccclient.Client, r *run, watermark, pcNow time.Time) (bool, error) {
	start := watermark.Add(-m.opt.AuditOverlap)
	r.setCheckpoint("window_start", start.Format(time.RFC3339))
	var records []pccclient.AuditRecord
	for a, err := range pc.ListAuditRecords(ctx, start, time.Time{}, nil) {
		if err != nil {
			if pccclient.IsValidation(err) {
				m.log.Warn("partner center refused the audit window: reconciling", "start", start, "err", err)
				return true, nil
			}
			return false, fmt.Errorf("list audit records: %w", err)
		}
		if a.OperationDate.Before(start) || a.ID == "" {
			continue
		}
		records = append(records, a)
	}
	ids := make([]string, len(records))
	for i, a := range records {
		ids[i] = a.ID
	}
	known, err := m.st.Q.KnownPCAuditRecordIDs(ctx, m.st.Pool, ids)
	if err != nil {
		return false, fmt.Errorf("known audit records: %w", err)
	}
	seen := map[string]bool{}
	for _, id := range known {
		seen[id] = true
	}
	needs := map[uuid.UUID]need{}
	subs := map[string]subTarget{}
	var fresh []pccclient.AuditRecord
	for _, a := range records {
		if seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		fresh = append(fresh, a)
		st := strings.ToLower(string(a.OperationStatus))
		if st == "failed" || st == "decline" {
			continue
		}
		id, err := uuid.Parse(a.CustomerID)
		if err != nil {
			continue // partner-level records (invoices, ...) touch no customer
		}
		if sid, ok := lifecycleRecord(a); ok {
			// One subscription changed: read it alone (and, for a seat or
			// status change a person made, the licence usage it moves).
			t := subs[strings.ToLower(sid)]
			t.customer, t.id = id, sid
			if a.OperationDate.After(t.seen) {
				t.seen = a.OperationDate
			}
			op := strings.ToLower(string(a.OperationType))
			t.transitions = t.transitions || op == string(pccclient.OpUpgradeSubscription) || op == string(pccclient.OpConvertTrialSubscription)
			subs[strings.ToLower(sid)] = t
			if !fromFulfillment(a) && movesLicences(a) {
				needs[id] |= needSkus
			}
			continue
		}
		needs[id] |= needFor(a)
	}
	r.add("audit_records", len(fresh))
	pending, err := m.st.Q.CustomersWithPendingWork(ctx, m.st.Pool)
	if err != nil {
		return false, fmt.Errorf("customers with pending orders: %w", err)
	}
	for _, id := range pending {
		needs[id] |= needSubs | needOrders | needSkus
	}
	targets := make([]target, 0, len(needs))
	for id, n := range needs {
		targets = append(targets, target{id: id, need: n})
	}
	slices.SortFunc(targets, func(a, b target) int { return strings.Compare(a.id.String(), b.id.String()) })
	r.setTotal(len(targets))
	failed, err := m.refresh(ctx, pc, r, targets, false, nil)
	if err != nil {
		return false, err
	}
	if len(failed) > 0 {
		// Keep the watermark: the next run reads these records again.
		return false, fmt.Errorf("%d customers could not be read from partner center", len(failed))
	}
	var one []subTarget
	for _, t := range subs {
		if needs[t.customer]&needSubs == 0 || t.transitions { // else its whole list was just read
			one = append(one, t)
		}
	}
	n, err := m.refreshSubscriptions(ctx, pc, one)
	if err != nil {
		return false, err // the watermark stays: the next run reads them again
	}
	r.add("subscriptions_reread", n)
	at := SyncTime()
	err = m.inTx(ctx, func(tx pgx.Tx) error {
		if len(fresh) > 0 {
			rows := make([]db.InsertPCAuditRecordParams, len(fresh))
			for i := range fresh {
				rows[i] = auditRow(&fresh[i], at)
			}
			var berr error
			m.st.Q.InsertPCAuditRecord(ctx, tx, rows).Exec(func(_ int, e error) {
				if e != nil && berr == nil {
					berr = e
				}
			})
			if berr != nil {
				return berr
			}
		}
		return m.st.Q.SetWatermark(ctx, tx, db.SetWatermarkParams{Name: wmAudit, At: pcNow})
	})
	if err != nil {
		return false, fmt.Errorf("save audit records: %w", err)
	}
	return false, nil
}

// needFor maps an audit record to the parts of its customer to re-read.
func needFor(a pccclient.AuditRecord) need {
	switch strings.ToLower(string(a.OperationType)) {
	case string(pccclient.OpAddCustomer):
		return needAll
	case string(pccclient.OpDeleteCustomer), string(pccclient.OpRemovePartnerCustomerRelationship),
		string(pccclient.OpUpdateCustomerBillingProfile), string(pccclient.OpUpdateCustomerQualification):
		return needCustomer
	}
	switch strings.ToLower(string(a.ResourceType)) {
	case string(pccclient.ResourceCustomer):
		return needCustomer
	case string(pccclient.ResourceOrder), string(pccclient.ResourceSubscription),
		string(pccclient.ResourceNewCommerceMigration), string(pccclient.ResourceTransfer):
		// Seat and status changes move license usage too.
		return needSubs | needOrders | needSkus
	case string(pccclient.ResourceAgreement):
		return needAgreements
	case string(pccclient.ResourceLicense), string(pccclient.ResourceCustomerUser):
		return needSkus
	}
	return needAll
}
