package mirror

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store/db"
)

// Watermark names.
const (
	wmFull  = "full"  // PC time at the start of the last complete full pass
	wmAudit = "audit" // PC time up to which audit records were applied
)

// runPass runs a full import or a reconcile (the same pass plus a drift
// report). It resumes an interrupted run of the same kind from its
// checkpoint:
//
//	phase "customers": page through PC's customers, upsert them, mark the
//	                   ones PC no longer returns as gone;
//	phase "details":   for each customer in id order, read subscriptions,
//	                   orders, agreements and license usage; "after" is the
//	                   highest id below which every customer is written.
func (m *Mirror) runPass(ctx context.Context, pc *pccclient.Client, kind string, o RunOptions) (int64, error) {
	r, err := m.startRun(ctx, kind, o, true)
	if err != nil {
		return 0, err
	}
	ctx = pcconn.WithCallStats(ctx, &r.stats)
	if err := r.finish(ctx, m.pass(ctx, pc, r, kind == KindReconcile)); err != nil {
		return r.id, err
	}
	if kind == KindFull {
		m.afterFullImport(ctx)
	}
	return r.id, nil
}

// afterFullImport follows every successful full import, whoever ran it
// (the wizard's job, an incremental sync falling back to one, the CLI):
//   - the catalog of the customers' countries it found without one is
//     queued (a catalog sync that started before the import knew only the
//     default country);
//   - the terms it wrote are priced again, here and not by a queued job: a
//     queued reprice is skipped while another one, which may have read
//     before this import committed, still runs;
//   - the jobs that follow an import (a price sheet refresh) are queued.
//
// Its failures are logged: the import itself is done.
func (m *Mirror) afterFullImport(ctx context.Context) {
	missing, err := m.st.CatalogMissingCountries(ctx)
	if err != nil {
		m.log.Warn("catalog countries after the full sync", "err", err)
	}
	if len(m.opt.Countries) > 0 {
		missing = slices.DeleteFunc(missing, func(c string) bool { return !slices.Contains(m.opt.Countries, c) })
	}
	if len(missing) > 0 {
		if _, err := m.jobs.Insert(ctx, SyncArgs{SyncKind: KindCatalog, Trigger: "after-import", Countries: missing}, nil); err != nil {
			m.log.Warn("catalog sync not queued", "countries", missing, "err", err)
		}
	}
	if n, err := m.RepriceRenewals(ctx); err != nil {
		m.log.Warn("reprice after the full sync", "err", err)
	} else {
		m.log.Info("terms priced after the full sync", "subscriptions", n)
	}
	for _, a := range m.after {
		if _, err := m.jobs.Insert(ctx, a, nil); err != nil {
			m.log.Warn("job after the full sync not queued", "kind", a.Kind(), "err", err)
		}
	}
}

func (m *Mirror) pass(ctx context.Context, pc *pccclient.Client, r *run, drift bool) error {
	pcStart := m.opt.PCNow().UTC()
	if v, ok := r.getCheckpoint("pc_started_at"); ok {
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				pcStart = t
			}
		}
	}
	r.setCheckpoint("pc_started_at", pcStart.Format(time.RFC3339Nano))
	if phase, _ := r.getCheckpoint("phase"); phase != "details" {
		m.passResellers(ctx, pc, r)
		// The listing is cheap and its continuation tokens do not survive
		// failures: on an error, list again from the start.
		var err error
		for attempt := range 3 {
			if err = m.passCustomers(ctx, pc, r, drift); err == nil || ctx.Err() != nil {
				break
			}
			r.fail(err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(attempt+1) * time.Second):
			}
		}
		if err != nil {
			return err
		}
		r.setCheckpoint("phase", "details")
		r.setCheckpoint("after", uuid.Nil.String())
		if err := r.flush(ctx, ""); err != nil {
			return fmt.Errorf("save checkpoint: %w", err)
		}
	}
	after := uuid.Nil
	if v, ok := r.getCheckpoint("after"); ok {
		if s, ok := v.(string); ok {
			after, _ = uuid.Parse(s)
		}
	}
	ids, err := m.st.Q.ActiveCustomerIDsAfter(ctx, m.st.Pool, after)
	if err != nil {
		return fmt.Errorf("list customers to refresh: %w", err)
	}
	total, err := m.st.Q.CountActiveCustomers(ctx, m.st.Pool)
	if err != nil {
		return fmt.Errorf("count customers: %w", err)
	}
	r.setTotal(int(total))
	r.setDone(int(total) - len(ids))
	targets := make([]target, len(ids))
	for i, id := range ids {
		targets[i] = target{id: id, need: needAll} // the list lacks billing profiles
	}
	// The checkpoint moves to the highest id below which all are written.
	written := make([]bool, len(ids))
	low := 0
	onWritten := func(idx []int) {
		for _, i := range idx {
			written[i] = true
		}
		for low < len(written) && written[low] {
			low++
		}
		if low > 0 {
			r.setCheckpoint("after", ids[low-1].String())
		}
	}
	failed, err := m.refresh(ctx, pc, r, targets, drift, onWritten)
	if err != nil {
		return err
	}
	if len(failed) > max(1, len(ids)/100) {
		return fmt.Errorf("%d customers could not be read from partner center", len(failed))
	}
	// A handful of unreadable customers (recorded as errors) do not hold
	// back the other 99%: the next reconcile tries them again.
	r.setCheckpoint("phase", "done")
	for _, wm := range []string{wmFull, wmAudit} {
		if err := m.st.Q.SetWatermark(ctx, m.st.Pool, db.SetWatermarkParams{Name: wm, At: pcStart}); err != nil {
			return fmt.Errorf("save watermark: %w", err)
		}
	}
	return nil
}

// passCustomers pages through PC's customers and upserts them in batches.
func (m *Mirror) passCustomers(ctx context.Context, pc *pccclient.Client, r *run, drift bool) error {
	listedAt := SyncTime()
	var batch []*fetched
	n := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := m.writeCustomers(ctx, r, batch, drift)
		batch = batch[:0]
		return err
	}
	for c, err := range pc.ListCustomers(ctx, pccclient.ListCustomersOptions{}) {
		if err != nil {
			return fmt.Errorf("list customers: %w", err)
		}
		id, perr := uuid.Parse(c.ID)
		if perr != nil {
			r.fail(fmt.Errorf("customer id %q is not a GUID", c.ID))
			continue
		}
		c := c
		batch = append(batch, &fetched{target: target{id: id, need: needCustomer}, got: needCustomer, customer: &c, listed: true})
		n++
		if len(batch) >= 500 {
			if err := flush(); err != nil {
				return err
			}
			r.setTotal(n)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	gone, err := m.st.Q.MarkCustomersGoneBefore(ctx, m.st.Pool, db.MarkCustomersGoneBeforeParams{Before: listedAt, Now: &listedAt})
	if err != nil {
		return fmt.Errorf("mark customers gone: %w", err)
	}
	if len(gone) > 0 {
		if err := m.st.Q.MarkGoneCustomersChildren(ctx, m.st.Pool, &listedAt); err != nil {
			return fmt.Errorf("mark customers gone: %w", err)
		}
		r.add("customers_gone", len(gone))
		if drift {
			d := &driftReport{runID: r.id}
			for _, id := range gone {
				d.add("customer", id.String(), id, "gone", nil, true)
			}
			if err := d.save(ctx, m.st.Pool, m.st.Q); err != nil {
				return err
			}
			r.add("drift", len(gone))
		}
	}
	return nil
}
