package mirror

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store/db"
)

// NewCustomerReadableWithin bounds how long after a customer was created
// Partner Center's 404 for it is taken as "not readable yet" (PC is
// eventually consistent: about 90 seconds) rather than as the customer
// being gone or a refusal: syncs keep such a customer, and commands for it
// are retried with the worker's back-off.
var NewCustomerReadableWithin = 10 * time.Minute

// JustCreated reports whether the portal created customer within
// NewCustomerReadableWithin.
func (m *Mirror) JustCreated(ctx context.Context, customer uuid.UUID) bool {
	since := time.Now().Add(-NewCustomerReadableWithin)
	fresh, err := m.st.Q.RecentlyCreatedCustomers(ctx, m.st.Pool, db.RecentlyCreatedCustomersParams{Since: &since, Ids: []uuid.UUID{customer}})
	return err == nil && len(fresh) > 0
}

// writeCustomerHealth records, inside a batch's transaction, what sync
// learnt about each customer beyond its data: a removed relationship
// (marked, reported in the run, the customer kept), a relationship back,
// and whether license usage could be read.
func (m *Mirror) writeCustomerHealth(ctx context.Context, tx pgx.Tx, r *run, batch, removed []*fetched, at time.Time) error {
	q := m.st.Q
	for _, f := range removed {
		if err := q.MarkCustomerRelationshipRemoved(ctx, tx, db.MarkCustomerRelationshipRemovedParams{
			ID: f.id, At: &at, Error: f.removed.Error()}); err != nil {
			return err
		}
		r.add("relationship_removed", 1)
		if r != nil {
			r.fail(fmt.Errorf("customer %s: relationship removed by the customer; skipped (Partner Center: %w)", f.id, f.removed))
		}
	}
	var back []uuid.UUID
	usage := map[string][]uuid.UUID{}
	for _, f := range batch {
		if f.removed != nil || f.gone {
			continue
		}
		if f.got != 0 {
			back = append(back, f.id)
		}
		if f.got&(needAgreements|needSkus) != 0 {
			r.noteUser("")
		}
		for n, err := range f.skipped {
			r.add("skipped_"+needName(n), 1)
			if pccclient.IsConsentRequired(err) {
				r.noteUser(LicenseUsageProblem(err))
				r.failOnce("consent:"+needName(n), fmt.Errorf("%s not read: it needs a partner admin's sign-in (Settings → Partner Center connection): %w", needName(n), err))
			}
		}
		switch {
		case f.got&needSkus != 0:
			usage[""] = append(usage[""], f.id)
		case f.skipped[needSkus] != nil:
			why := LicenseUsageProblem(f.skipped[needSkus])
			usage[why] = append(usage[why], f.id)
		}
	}
	if len(back) > 0 {
		if err := q.ClearCustomersRelationshipRemoved(ctx, tx, back); err != nil {
			return err
		}
	}
	for why, ids := range usage {
		if err := q.SetCustomersLicenseUsage(ctx, tx, db.SetCustomersLicenseUsageParams{Error: why, At: &at, Ids: ids}); err != nil {
			return err
		}
	}
	return nil
}

func needName(n need) string {
	switch n {
	case needAgreements:
		return "agreements"
	case needSkus:
		return "license_usage"
	case needSubs:
		return "subscriptions"
	case needOrders:
		return "orders"
	}
	return "customer"
}

// LicenseUsageProblem says in plain words why license usage could not be
// read for a customer.
func LicenseUsageProblem(err error) string {
	switch {
	case pccclient.IsNoDelegatedAdmin(err):
		return "No delegated admin rights on this customer: Partner Center shows license usage only to partners with an admin role (GDAP) in the customer's tenant."
	case pccclient.ConsentReasonOf(err) == pccclient.MFARequired:
		return "Needs a partner admin's sign-in with multi-factor authentication; the connected admin signed in without it."
	case pccclient.ConsentReasonOf(err) == pccclient.Expired:
		return "Needs a partner admin's sign-in; the connected one has expired or was revoked."
	case pccclient.IsConsentRequired(err):
		return "Needs a partner admin's sign-in; none is connected (Settings → Partner Center connection)."
	}
	return "Partner Center refused: " + err.Error()
}

// noteUser records how the app+user credential fared ("" = it worked).
func (r *run) noteUser(problem string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	if problem == "" {
		r.userOK = true
	} else {
		r.userErr = problem
	}
	r.mu.Unlock()
}

// recordCredentials stores, for the connection health panel, that the
// app-only credential worked for a successful run and how the app+user
// credential fared.
func (r *run) recordCredentials(ctx context.Context, status string) {
	r.mu.Lock()
	ok, problem := r.userOK, r.userErr
	r.mu.Unlock()
	now := time.Now()
	if status == StatusSucceeded {
		if err := r.m.st.RecordPCCredentialResult(ctx, false, "", now); err != nil {
			r.m.log.Warn("credential health not saved", "err", err)
		}
	}
	if problem != "" || ok {
		if err := r.m.st.RecordPCCredentialResult(ctx, true, problem, now); err != nil {
			r.m.log.Warn("credential health not saved", "err", err)
		}
	}
}

// keepJustCreated drops from ids (customers PC answered 404 for) those the
// portal created within NewCustomerReadableWithin: PC does not show a new
// customer for a while, which is not the customer being gone.
func (m *Mirror) keepJustCreated(ctx context.Context, tx pgx.Tx, r *run, ids []uuid.UUID) ([]uuid.UUID, error) {
	since := time.Now().Add(-NewCustomerReadableWithin)
	fresh, err := m.st.Q.RecentlyCreatedCustomers(ctx, tx, db.RecentlyCreatedCustomersParams{Since: &since, Ids: ids})
	if err != nil || len(fresh) == 0 {
		return ids, err
	}
	out := ids[:0:0]
	for _, id := range ids {
		if !slices.Contains(fresh, id) {
			out = append(out, id)
		}
	}
	r.add("customers_not_yet_readable", len(ids)-len(out))
	return out, nil
}
