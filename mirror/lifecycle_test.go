package mirror_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

const (
	day      = 24 * time.Hour
	nceBasic = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"
)

// lifecycleOf reads a subscription's lifecycle row as text columns.
type lifecycleView struct {
	status, path, nextCycle, currency string
	scheduled                         bool
	nextQty, refundable               int
	termEnd, renews, billed, disabled *time.Time
	deletes                           *time.Time
	current, next                     decimal.NullDecimal
}

func lifecycleOf(t *testing.T, e *tenv, sub string) lifecycleView {
	t.Helper()
	var v lifecycleView
	if err := e.Store.Pool.QueryRow(context.Background(), `SELECT status, path, next_billing_cycle, currency, scheduled, next_quantity,
		refundable, term_end, renews_at, billed_until, disabled_at, deletes_at, current_unit_price, next_unit_price
		FROM subscription_lifecycle WHERE subscription_id = $1`, sub).Scan(&v.status, &v.path, &v.nextCycle, &v.currency, &v.scheduled,
		&v.nextQty, &v.refundable, &v.termEnd, &v.renews, &v.billed, &v.disabled, &v.deletes, &v.current, &v.next); err != nil {
		t.Fatalf("lifecycle of %s: %v", sub, err)
	}
	return v
}

func tranchesOf(t *testing.T, e *tenv, sub string) []string {
	t.Helper()
	rows, err := e.Store.Pool.Query(context.Background(), `SELECT quantity || '@' || to_char(allowed_until AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
		FROM subscription_tranches WHERE subscription_id = $1 AND allowed_until >= $2 ORDER BY allowed_until`, sub, e.SB.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func at(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }

// TestLifecycleRowsFollowPartnerCenter: tranches, a scheduled change and
// its mid-term wipe, a renewal with its price, and a suspension to the
// disabled state, each read from PC by the incremental sync one
// subscription at a time.
func TestLifecycleRowsFollowPartnerCenter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true}, sandboxtest.StackOptions{})
	ctx := t.Context()
	cust := e.NewCustomer(true)
	bought := e.SB.Now()
	sub := e.PC.BuyNCE(e.Client, cust, nceBasic, 10, "P1Y", pccclient.BillingCycleAnnual)
	other := e.PC.BuyNCE(e.Client, cust, "CFQ7TTC0LDPB:0001:CFQ7TTC0K5DM", 3, "P1Y", pccclient.BillingCycleAnnual)
	e.Run(mirror.KindFull)
	e.Run(mirror.KindIncremental) // takes in the purchases' audit records
	v := lifecycleOf(t, e, sub.ID)
	if v.status != "active" || v.renews == nil || !v.renews.Equal(sub.CommitmentEndDate.Add(day)) || v.refundable != 10 || v.nextQty != 10 {
		t.Fatalf("after the import: %+v", v)
	}
	if got := tranchesOf(t, e, sub.ID); len(got) != 1 || got[0] != "10@"+at(bought.Add(7*day)) {
		t.Fatalf("tranches after purchase: %v (bought %v)", got, bought)
	}
	if v.current.Valid || v.next.Valid {
		t.Fatalf("prices without a price list or priced order lines: %+v", v)
	}
	// A price list: the current and the next term are priced from it.
	oldPrice, newPrice := decimal.RequireFromString("6.00"), decimal.RequireFromString("7.25")
	if err := e.Mirror.SavePrices(ctx, "US", []mirror.Price{{ItemID: nceBasic, TermDuration: "P1Y", BillingCycle: "annual", Currency: "USD", UnitPrice: oldPrice}}); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Mirror.RepriceRenewals(ctx); err != nil || n != 1 {
		t.Fatalf("reprice: %d, %v", n, err)
	}
	if v := lifecycleOf(t, e, sub.ID); !v.current.Decimal.Equal(oldPrice) || !v.next.Decimal.Equal(oldPrice) || v.currency != "USD" {
		t.Fatalf("priced from the list: %+v", v)
	}

	// Three days later 5 seats are added (outside the portal); five days
	// after that only those 5 can be removed.
	e.SB.Advance(3 * day)
	added := e.SB.Now()
	if _, err := e.Client.SetSubscriptionQuantity(ctx, pccclient.NewRequestID(), cust, sub.ID, 15); err != nil {
		t.Fatal(err)
	}
	e.SB.Advance(5 * day)
	lists, gets := e.SB.Calls(sandbox.OpListSubscriptions), e.SB.Calls(sandbox.OpGetSubscription)
	e.Run(mirror.KindIncremental)
	if got := tranchesOf(t, e, sub.ID); len(got) != 1 || got[0] != "5@"+at(added.Add(7*day)) {
		t.Fatalf("tranches 8 days after purchase: %v", got)
	}
	if n := e.Count(`SELECT count(*) FROM subscription_tranches WHERE subscription_id = $1 AND quantity = 10`, sub.ID); n != 1 {
		t.Fatalf("the purchase's closed tranche is not kept: %d", n)
	}
	if n := e.SB.Calls(sandbox.OpListSubscriptions) - lists; n != 0 {
		t.Errorf("a seat change listed the customer's subscriptions %d time(s): want only the one read", n)
	}
	if n := e.SB.Calls(sandbox.OpGetSubscription) - gets; n != 1 {
		t.Errorf("a seat change read %d subscriptions, want 1", n)
	}

	// A scheduled change (quantity and billing plan), then a mid-term
	// change that deletes it.
	if _, err := e.Client.ScheduleNextTermChange(ctx, pccclient.NewRequestID(), cust, sub.ID, pccclient.ScheduledNextTermInstructions{
		Product: &pccclient.NextTermProduct{ProductID: "CFQ7TTC0LH18", SkuID: "0001", AvailabilityID: "CFQ7TTC0K971",
			TermDuration: "P1Y", BillingCycle: pccclient.BillingCycleMonthly}, Quantity: 12}); err != nil {
		t.Fatal(err)
	}
	e.Run(mirror.KindIncremental)
	if v := lifecycleOf(t, e, sub.ID); !v.scheduled || v.nextQty != 12 || v.nextCycle != "monthly" {
		t.Fatalf("scheduled change not mirrored: %+v", v)
	}
	if n := e.Count(`SELECT count(*) FROM subscription_scheduled_changes WHERE subscription_id = $1 AND removed_at IS NULL AND quantity = 12`, sub.ID); n != 1 {
		t.Fatalf("scheduled change rows: %d", n)
	}
	if _, err := e.Client.SetSubscriptionQuantity(ctx, pccclient.NewRequestID(), cust, sub.ID, 16); err != nil {
		t.Fatal(err)
	}
	e.Run(mirror.KindIncremental)
	if v := lifecycleOf(t, e, sub.ID); v.scheduled || v.nextQty != 16 {
		t.Fatalf("the mid-term change did not wipe the scheduled change: %+v", v)
	}
	var reason string
	if err := e.Store.Pool.QueryRow(ctx, `SELECT removed_reason FROM subscription_scheduled_changes WHERE subscription_id = $1 AND removed_at IS NOT NULL`,
		sub.ID).Scan(&reason); err != nil || reason != mirror.RemovedMidTerm {
		t.Fatalf("removed reason %q (%v), want %q", reason, err, mirror.RemovedMidTerm)
	}

	// A price list with a higher price for the next term, then the renewal.
	if err := e.Mirror.SavePrices(ctx, "US", []mirror.Price{{ItemID: nceBasic, TermDuration: "P1Y", BillingCycle: "annual", Currency: "USD", UnitPrice: newPrice}}); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Mirror.RepriceRenewals(ctx); err != nil || n != 1 {
		t.Fatalf("reprice: %d, %v", n, err)
	}
	v = lifecycleOf(t, e, sub.ID)
	if !v.next.Valid || !v.next.Decimal.Equal(newPrice) || !v.current.Decimal.Equal(oldPrice) {
		t.Fatalf("next-term price: %+v", v)
	}
	if n := e.Count(`SELECT count(*) FROM subscription_lifecycle WHERE subscription_id = $1 AND price_changes`, sub.ID); n != 1 {
		t.Fatal("the price change is not flagged")
	}
	termEnd := sub.CommitmentEndDate.Add(day)
	// The other subscription is suspended before the term ends.
	if _, err := e.Client.SuspendSubscription(ctx, pccclient.NewRequestID(), cust, other.ID); err != nil {
		t.Fatal(err)
	}
	e.Run(mirror.KindIncremental)
	o := lifecycleOf(t, e, other.ID)
	if o.status != "suspended" || o.billed == nil || !o.billed.Equal(other.CommitmentEndDate.Add(day)) || o.deletes == nil ||
		!o.deletes.Equal(other.CommitmentEndDate.Add(day).Add(120*day)) || o.path != "suspended" {
		t.Fatalf("suspended: %+v", o)
	}

	e.SB.Advance(termEnd.Sub(e.SB.Now()) + day)
	e.Run(mirror.KindIncremental) // beyond PC's audit retention: a reconcile
	v = lifecycleOf(t, e, sub.ID)
	if v.status != "active" || v.termEnd == nil || !v.termEnd.After(termEnd) || !v.current.Decimal.Equal(newPrice) {
		t.Fatalf("after the renewal: %+v", v)
	}
	if got := tranchesOf(t, e, sub.ID); len(got) != 1 || got[0] != "16@"+at(termEnd.Add(7*day)) {
		t.Fatalf("tranches after the renewal: %v", got)
	}
	if n := e.Count(`SELECT count(*) FROM subscription_terms WHERE subscription_id = $1`, sub.ID); n != 2 {
		t.Fatalf("terms seen: %d, want 2", n)
	}
	if n := e.Count(`SELECT count(*) FROM subscription_terms WHERE subscription_id = $1 AND renewal AND unit_price = $2`, sub.ID, newPrice); n != 1 {
		t.Fatal("the renewed term is not recorded at its price")
	}
	o = lifecycleOf(t, e, other.ID)
	if o.status != "disabled" || o.path != "suspended" || o.disabled == nil || !o.disabled.Equal(other.CommitmentEndDate.Add(day)) {
		t.Fatalf("suspended past its term end: %+v", o)
	}
}
