package commerce_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// mirroredStatus returns a subscription's status in the mirror ("" if absent).
func mirroredStatus(e *tenv, sub string) string {
	e.T.Helper()
	var st string
	_ = e.Store.Pool.QueryRow(context.Background(), `SELECT status FROM subscriptions WHERE id = $1 AND gone_at IS NULL`, sub).Scan(&st)
	return st
}

// settleJobState returns the state of the order's settle job.
func settleJobState(e *tenv, order string) string {
	e.T.Helper()
	var st string
	if err := e.Store.Pool.QueryRow(context.Background(), `SELECT state FROM river_job
		WHERE kind = 'mirror.settle_order' AND args->>'order_id' = $1`, order).Scan(&st); err != nil {
		e.T.Fatalf("settle job of order %s: %v", order, err)
	}
	return st
}

// After an order is delivered and PC completes it, the settle job brings
// the mirror's subscriptions (and order) to active with no sync run and no
// page open, then stops reading; the customer's other subscriptions are
// left alone.
func TestSettleOrderActivatesSubscriptionsWithoutSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 28})
	cust := uuid.MustParse(e.NewCustomer(true))
	m := e.NewStack(sandboxtest.StackOptions{Commerce: commerce.Options{SettleBackoff: 20 * time.Millisecond}})
	m.Start()
	ctx := context.Background()
	id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: cust, By: staff("staff@example.com"),
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: 2}}}}})
	order := waitCommand(e, id, commerce.CommandSucceeded).TargetID
	var sub string
	if err := e.Store.Pool.QueryRow(ctx, `SELECT id FROM subscriptions WHERE order_id = $1`, order).Scan(&sub); err != nil {
		t.Fatalf("the order's subscription is not mirrored at delivery: %v", err)
	}
	if got := mirroredStatus(e, sub); got != "pending" {
		t.Fatalf("subscription %q at delivery, want pending (PC has not completed the order)", got)
	}
	// A row only the mirror has: a re-read of the whole customer would mark it gone.
	if _, err := e.Store.Pool.Exec(ctx, `INSERT INTO subscriptions (id, customer_id, offer_id, offer_name, status, quantity, synced_at)
		VALUES ('mirror-only', $1, 'x', 'x', 'active', 1, now())`, cust); err != nil {
		t.Fatal(err)
	}
	// While the order is followed, queuing it again adds no second job.
	res, err := m.Jobs.Client().Insert(ctx, commerce.SettleOrderArgs{CustomerID: cust, OrderID: order}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.UniqueSkippedAsDuplicate {
		t.Errorf("a second settle job of order %s was queued (state %s)", order, res.Job.State)
	}
	// A few reads while PC still provisions: the job keeps following.
	time.Sleep(150 * time.Millisecond)
	if got := mirroredStatus(e, sub); got != "pending" {
		t.Fatalf("subscription %q before PC completed the order", got)
	}
	e.SB.Advance(time.Minute) // PC completes the order
	deadline := time.Now().Add(10 * time.Second)
	for mirroredStatus(e, sub) != "active" || settleJobState(e, order) != "completed" {
		if time.Now().After(deadline) {
			t.Fatalf("mirror shows subscription %q, settle job %s; want active, completed", mirroredStatus(e, sub), settleJobState(e, order))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := e.Count(`SELECT count(*) FROM orders WHERE id = $1 AND status = 'completed'`, order); n != 1 {
		t.Error("the mirror's order is not completed")
	}
	if n := e.Count(`SELECT count(*) FROM sync_runs`); n != 0 {
		t.Errorf("%d sync runs; the settle job alone should have done it", n)
	}
	if n := e.Count(`SELECT count(*) FROM subscriptions WHERE id = 'mirror-only' AND gone_at IS NULL`); n != 1 {
		t.Error("settling an order marked the customer's other subscription gone")
	}
	reads := e.SB.Calls(sandbox.OpListSubscriptions)
	time.Sleep(300 * time.Millisecond)
	if got := e.SB.Calls(sandbox.OpListSubscriptions); got != reads {
		t.Errorf("%d more subscription reads after the order settled", got-reads)
	}
	if got := e.SB.Calls(sandbox.OpGetSubscription); got != 0 {
		t.Errorf("%d single-subscription reads, want 0", got)
	}
}

// An order delivered inline (no River client: a web request) is followed
// too, and the job gives up an hour after it was queued.
func TestSettleOrderGivesUpAfterAnHour(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 29})
	cust := uuid.MustParse(e.NewCustomer(true))
	ctx := context.Background()
	id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: cust,
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: 1}}}}})
	cmd, err := deliverNow(e, id)
	if err != nil || cmd.Status != commerce.CommandSucceeded {
		t.Fatalf("inline delivery: %s %v", cmd.Status, err)
	}
	if st := settleJobState(e, cmd.TargetID); st != "scheduled" {
		t.Fatalf("settle job %s after the inline delivery, want scheduled", st)
	}
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE river_job SET created_at = now() - interval '61 minutes', scheduled_at = now()
		WHERE kind = 'mirror.settle_order'`); err != nil {
		t.Fatal(err)
	}
	reads := e.SB.Calls(sandbox.OpListSubscriptions)
	e.SB.Advance(time.Minute)
	e.NewStack(sandboxtest.StackOptions{Commerce: commerce.Options{SettleBackoff: 20 * time.Millisecond}}).Start()
	deadline := time.Now().Add(10 * time.Second)
	for settleJobState(e, cmd.TargetID) != "completed" {
		if time.Now().After(deadline) {
			t.Fatalf("settle job %s, want completed (given up)", settleJobState(e, cmd.TargetID))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := e.SB.Calls(sandbox.OpListSubscriptions); got != reads {
		t.Errorf("a settle job past its hour read the order %d times", got-reads)
	}
	if n := e.Count(`SELECT count(*) FROM subscriptions WHERE order_id = $1 AND status = 'pending'`, cmd.TargetID); n != 1 {
		t.Errorf("%d pending subscriptions of the order, want 1 (left to the sync)", n)
	}
}
