package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// driftReport compares what the mirror held with what PC returned, for the
// reconcile's drift report (changes made outside the portal).
type driftReport struct {
	runID     int64
	customers map[uuid.UUID]db.Customer
	subs      map[string]db.Subscription
	orders    map[string]db.Order
	open      map[string]bool
	rows      []db.InsertDriftParams
}

func (m *Mirror) loadDriftBase(ctx context.Context, tx pgx.Tx, runID int64, batch []*fetched) (*driftReport, error) {
	d := &driftReport{runID: runID, customers: map[uuid.UUID]db.Customer{}, subs: map[string]db.Subscription{},
		orders: map[string]db.Order{}, open: map[string]bool{}}
	ids := make([]uuid.UUID, 0, len(batch))
	for _, f := range batch {
		ids = append(ids, f.id)
	}
	q := m.st.Q
	cs, err := q.ListMirrorCustomers(ctx, tx, ids)
	if err != nil {
		return nil, fmt.Errorf("drift: customers: %w", err)
	}
	for _, c := range cs {
		d.customers[c.ID] = c
	}
	ss, err := q.ListMirrorSubscriptions(ctx, tx, ids)
	if err != nil {
		return nil, fmt.Errorf("drift: subscriptions: %w", err)
	}
	for _, s := range ss {
		d.subs[s.ID] = s
	}
	os, err := q.ListMirrorOrders(ctx, tx, ids)
	if err != nil {
		return nil, fmt.Errorf("drift: orders: %w", err)
	}
	for _, o := range os {
		d.orders[o.ID] = o
	}
	open, err := q.OpenCommandTargets(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("drift: open commands: %w", err)
	}
	for _, t := range open {
		d.open[t] = true
	}
	return d, nil
}

type fieldDiff map[string][2]any

func (f fieldDiff) check(name string, mirror, pc any) {
	if fmt.Sprint(mirror) != fmt.Sprint(pc) {
		f[name] = [2]any{mirror, pc}
	}
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (d *driftReport) add(entity, id string, customer uuid.UUID, change string, fields fieldDiff, applied bool) {
	b, _ := json.Marshal(fields)
	if fields == nil {
		b = []byte("{}")
	}
	note := ""
	if !applied {
		note = "not applied: a local command for it is still pending"
	}
	c := customer
	d.rows = append(d.rows, db.InsertDriftParams{RunID: d.runID, Entity: entity, EntityID: id, CustomerID: &c,
		Change: change, Fields: b, Applied: applied, Note: note})
}

func (d *driftReport) compare(batch []*fetched, custs []store.MirroredCustomer, subs []db.UpsertSubscriptionParams, orders []db.UpsertOrderParams) {
	listed := map[uuid.UUID]bool{}
	for _, f := range batch {
		listed[f.id] = f.listed
	}
	for _, c := range custs {
		old, ok := d.customers[c.ID]
		if !ok || old.GoneAt != nil {
			d.add("customer", c.ID.String(), c.ID, "added", nil, true)
			continue
		}
		f := fieldDiff{}
		f.check("company_name", old.CompanyName, c.CompanyName)
		f.check("domain", old.Domain, c.Domain)
		if !listed[c.ID] {
			f.check("billing_email", old.BillingEmail, c.BillingEmail)
		}
		f.check("relationship", old.Relationship, c.Relationship)
		if len(f) > 0 {
			d.add("customer", c.ID.String(), c.ID, "changed", f, true)
		}
	}
	seenSubs := map[string]bool{}
	for _, s := range subs {
		seenSubs[s.ID] = true
		old, ok := d.subs[s.ID]
		if !ok {
			d.add("subscription", s.ID, s.CustomerID, "added", nil, true)
			continue
		}
		f := fieldDiff{}
		f.check("status", old.Status, s.Status)
		f.check("quantity", old.Quantity, s.Quantity)
		f.check("auto_renew_enabled", old.AutoRenewEnabled, s.AutoRenewEnabled)
		f.check("friendly_name", old.FriendlyName, s.FriendlyName)
		f.check("offer_id", old.OfferID, s.OfferID)
		f.check("billing_cycle", old.BillingCycle, s.BillingCycle)
		f.check("term_duration", old.TermDuration, s.TermDuration)
		f.check("commitment_end_date", timeText(old.CommitmentEndDate), timeText(s.CommitmentEndDate))
		if len(f) > 0 {
			d.add("subscription", s.ID, s.CustomerID, "changed", f, !d.open[s.ID])
		}
	}
	seenOrders := map[string]bool{}
	for _, o := range orders {
		seenOrders[o.ID] = true
		old, ok := d.orders[o.ID]
		if !ok {
			d.add("order", o.ID, o.CustomerID, "added", nil, true)
			continue
		}
		f := fieldDiff{}
		f.check("status", old.Status, o.Status)
		if len(f) > 0 {
			d.add("order", o.ID, o.CustomerID, "changed", f, true)
		}
	}
	fetchedSubs, fetchedOrders := map[uuid.UUID]bool{}, map[uuid.UUID]bool{}
	for _, f := range batch {
		if f.gone {
			if c, ok := d.customers[f.id]; ok && c.GoneAt == nil {
				d.add("customer", f.id.String(), f.id, "gone", nil, true)
			}
			fetchedSubs[f.id], fetchedOrders[f.id] = true, true
			continue
		}
		fetchedSubs[f.id] = f.got&needSubs != 0
		fetchedOrders[f.id] = f.got&needOrders != 0
	}
	for id, s := range d.subs {
		if !seenSubs[id] && fetchedSubs[s.CustomerID] {
			d.add("subscription", id, s.CustomerID, "gone", nil, !d.open[id])
		}
	}
	for id, o := range d.orders {
		if !seenOrders[id] && fetchedOrders[o.CustomerID] {
			d.add("order", id, o.CustomerID, "gone", nil, true)
		}
	}
}

func (d *driftReport) save(ctx context.Context, tx db.DBTX, q *db.Queries) error {
	if len(d.rows) == 0 {
		return nil
	}
	var err error
	q.InsertDrift(ctx, tx, d.rows).Exec(func(_ int, e error) {
		if e != nil && err == nil {
			err = e
		}
	})
	if err != nil {
		return fmt.Errorf("save drift: %w", err)
	}
	return nil
}
