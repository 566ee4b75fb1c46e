package mirror

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store/db"
)

// Applying Partner Center's answers to the portal's own writes. Commerce
// delivers a command and hands PC's answer here, inside the transaction
// that records the command's outcome, so the mirror shows the change the
// moment the command is marked done. Only what the answer names is written:
// a customer's other rows are never marked gone by a write.

// SyncTime is the synced_at of a write, at Postgres's precision so that
// "synced_at < at" never matches the rows just written.
func SyncTime() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// ApplyCustomer writes a customer PC created (or returned) inside tx.
func (m *Mirror) ApplyCustomer(ctx context.Context, tx pgx.Tx, c *pccclient.Customer, id uuid.UUID, at time.Time) error {
	return m.writeFetched(ctx, tx, &fetched{target: target{id: id}, got: needCustomer, customer: c}, at)
}

// ApplyAgreement writes an agreement PC recorded for customer inside tx.
func (m *Mirror) ApplyAgreement(ctx context.Context, tx pgx.Tx, a *pccclient.Agreement, customer uuid.UUID, at time.Time) error {
	var berr error
	m.st.Q.UpsertAgreement(ctx, tx, []db.UpsertAgreementParams{agreementRow(a, customer, at)}).Exec(func(_ int, e error) { berr = cmp.Or(berr, e) })
	return berr
}

// ApplyOrder upserts, inside tx, the order o with its line items (when o
// is not nil) and its subscriptions subs. parents fills in the parent of an
// add-on PC's subscription leaves out (from the order line naming it).
func (m *Mirror) ApplyOrder(ctx context.Context, tx pgx.Tx, o *pccclient.Order, subs []pccclient.Subscription, parents map[string]string, customer uuid.UUID, at time.Time) error {
	var berr error
	if o != nil {
		op, lines := orderRows(o, customer, at)
		m.st.Q.UpsertOrder(ctx, tx, []db.UpsertOrderParams{op}).Exec(func(_ int, e error) { berr = cmp.Or(berr, e) })
		if len(lines) > 0 {
			m.st.Q.UpsertOrderLineItem(ctx, tx, lines).Exec(func(_ int, e error) { berr = cmp.Or(berr, e) })
		}
	}
	if len(subs) > 0 {
		rows := make([]db.UpsertSubscriptionParams, len(subs))
		for i := range subs {
			rows[i] = subscriptionRow(&subs[i], customer, at, true)
			rows[i].ParentSubscriptionID = cmp.Or(rows[i].ParentSubscriptionID, parents[subs[i].ID])
		}
		m.st.Q.UpsertSubscription(ctx, tx, rows).Exec(func(_ int, e error) { berr = cmp.Or(berr, e) })
		if berr == nil {
			berr = m.writeLifecycle(ctx, tx, subWrites(subs, customer), true, "", at)
		}
	}
	return berr
}

// OrderParents maps the subscriptions of o's line items to the parent
// subscriptions the lines name.
func OrderParents(o *pccclient.Order) map[string]string {
	parents := map[string]string{}
	for _, li := range o.LineItems {
		if li.SubscriptionID != "" && li.ParentSubscriptionID != "" {
			parents[li.SubscriptionID] = li.ParentSubscriptionID
		}
	}
	return parents
}

// MirroredOrderParents is OrderParents from the mirrored line items of an
// order (before PC's order itself is read again).
func (m *Mirror) MirroredOrderParents(ctx context.Context, customer uuid.UUID, order string) (map[string]string, error) {
	lines, err := m.st.Q.CustomerOrderLines(ctx, m.st.Pool, db.CustomerOrderLinesParams{OrderID: order, CustomerID: customer})
	if err != nil {
		return nil, fmt.Errorf("order %s: lines: %w", order, err)
	}
	parents := map[string]string{}
	for _, l := range lines {
		if l.SubscriptionID != "" && l.ParentSubscriptionID != "" {
			parents[l.SubscriptionID] = l.ParentSubscriptionID
		}
	}
	return parents, nil
}

// Provisioning reports whether PC is still provisioning an order whose
// subscriptions read as subs: some pending, or none listed yet.
func Provisioning(subs []pccclient.Subscription) bool {
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

// LicenseUsage is a customer's license usage read from PC (ReadLicenseUsage),
// to apply with a change that moved seats.
type LicenseUsage struct{ f *fetched }

// ReadLicenseUsage reads customer's subscribed SKUs (best effort: a failed
// or refused read is simply not applied).
func ReadLicenseUsage(ctx context.Context, pc *pccclient.Client, customer uuid.UUID) LicenseUsage {
	return LicenseUsage{fetchCustomer(ctx, pc, target{id: customer, need: needSkus})}
}

// ApplySubscription writes, inside tx, a subscription PC returned after a
// change, with its add-ons (nil when they could not be read: left alone)
// and the customer's license usage (when it was read).
func (m *Mirror) ApplySubscription(ctx context.Context, tx pgx.Tx, sub *pccclient.Subscription, addOns []pccclient.Subscription, usage LicenseUsage, customer uuid.UUID, at time.Time) error {
	return m.ApplySubscriptionChange(ctx, tx, sub, addOns, usage, customer, "", at)
}

// ApplySubscriptionChange is ApplySubscription for the portal's own change
// of sub: why (RemovedMidTerm, RemovedCleared, ...) is the reason recorded
// if the change deleted its scheduled next-term instructions ("" to infer).
func (m *Mirror) ApplySubscriptionChange(ctx context.Context, tx pgx.Tx, sub *pccclient.Subscription, addOns []pccclient.Subscription, usage LicenseUsage, customer uuid.UUID, why string, at time.Time) error {
	rows := []db.UpsertSubscriptionParams{subscriptionRow(sub, customer, at, false)}
	for i := range addOns {
		r := subscriptionRow(&addOns[i], customer, at, true)
		r.ParentSubscriptionID = cmp.Or(r.ParentSubscriptionID, sub.ID)
		rows = append(rows, r)
	}
	var berr error
	m.st.Q.UpsertSubscription(ctx, tx, rows).Exec(func(_ int, e error) { berr = cmp.Or(berr, e) })
	if berr == nil {
		berr = m.writeLifecycle(ctx, tx, []subWrite{{sub: sub, customer: customer}}, false, why, at)
	}
	if berr == nil {
		berr = m.writeLifecycle(ctx, tx, subWrites(addOns, customer), true, "", at)
	}
	if berr == nil && usage.f != nil && usage.f.err == nil && !usage.f.gone {
		berr = m.writeFetched(ctx, tx, usage.f, at)
	}
	return berr
}
