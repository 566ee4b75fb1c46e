package commerce_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// stallAfterOrder lets PC apply an order, then holds its answer until
// release is closed: an attempt that is slow to come back.
type stallAfterOrder struct {
	base    http.RoundTripper
	sent    chan struct{}
	release chan struct{}
}

func (t *stallAfterOrder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/orders") {
		close(t.sent)
		<-t.release
	}
	return resp, err
}

// slowAttempt starts an inline attempt of a new order command through a
// second stack whose PC answer stalls; it returns the command, the
// attempt's outcome channel and the stall.
func slowAttempt(t *testing.T, e *tenv, cust string) (int64, <-chan error, *stallAfterOrder) {
	t.Helper()
	stall := &stallAfterOrder{base: http.DefaultTransport, sent: make(chan struct{}), release: make(chan struct{})}
	cfg := e.Config
	cfg.HTTPClient = &http.Client{Transport: stall}
	a := sandboxtest.NewStack(t, e.Store, sandboxtest.StackOptions{Logger: sandboxtest.Logger(),
		Config: func(context.Context) (pccclient.Config, error) { return cfg, nil }, Mirror: mirror.Options{PCNow: e.SB.Now}})
	id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: uuid.MustParse(cust), By: staff("staff@example.com"),
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: 3}}}}})
	done := make(chan error, 1)
	go func() {
		_, err := a.Commerce.DeliverNow(context.Background(), id)
		done <- err
	}()
	t.Cleanup(func() {
		select {
		case <-stall.release:
		default:
			close(stall.release)
		}
	})
	select {
	case <-stall.sent:
	case <-time.After(20 * time.Second):
		t.Fatal("the slow attempt never sent its order")
	}
	return id, done, stall
}

// While an attempt holds its command's lease (PC applied the order, the
// answer is slow), the command's job does not send it alongside: it waits
// for the lease, and the slow attempt's answer is the one recorded.
func TestDeliveryJobWaitsForAnAttemptsLease(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 28})
	cust := e.NewCustomer(true)
	e.Run(mirror.KindFull)
	id, done, stall := slowAttempt(t, e, cust)

	e.Start(jobs.Options{})
	time.Sleep(1500 * time.Millisecond) // the worker has taken the job by now
	if n := e.SB.Calls(sandbox.OpCreateOrder); n != 1 {
		t.Fatalf("PC saw %d create-order calls while the first attempt held the command, want 1", n)
	}
	if n := e.Count(`SELECT count(*) FROM river_job j JOIN commands c ON c.river_job_id = j.id
		WHERE c.id = $1 AND j.state = 'scheduled' AND j.scheduled_at > now() + interval '30 seconds'`, id); n != 1 {
		t.Fatal("the command's job is not waiting for the first attempt's lease")
	}
	if got := deliveryState(t, e.Store, id); got != rules.DeliverySending {
		t.Fatalf("the page says %q while the first attempt holds the command, want sending", got)
	}
	close(stall.release)
	if err := <-done; err != nil {
		t.Fatalf("the slow attempt: %v", err)
	}
	c := waitCommand(e, id, commerce.CommandSucceeded)
	if c.Attempts != 1 {
		t.Errorf("attempts %d, want 1 (the job never started one)", c.Attempts)
	}
	if n := e.Count(`SELECT count(*) FROM audit_log WHERE action = 'pc.create_order.succeeded' AND pc_request_id = $1`, c.MsRequestID); n != 1 {
		t.Fatalf("%d outcome entries in the audit log, want 1", n)
	}
}

// An attempt whose lease ran out (its process taken for dead) is taken
// over by the job, which delivers and finishes the command; when the late
// attempt's answer comes back after all, it changes nothing: one outcome,
// one order in PC, the taking-over attempt's record.
func TestLateAttemptCannotFinishACommandTakenOver(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 29})
	cust := e.NewCustomer(true)
	e.Run(mirror.KindFull)
	ctx := context.Background()
	id, done, stall := slowAttempt(t, e, cust)

	if _, err := e.Store.Pool.Exec(ctx, `UPDATE commands SET lease_until = now() - interval '1 second' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	e.Start(jobs.Options{})
	taken := waitCommand(e, id, commerce.CommandSucceeded)
	if taken.Attempts != 2 {
		t.Fatalf("attempts %d, want 2 (the slow one, then the job's)", taken.Attempts)
	}
	close(stall.release)
	if err := <-done; err != nil {
		t.Fatalf("the late attempt: %v", err)
	}
	after, err := e.Store.Command(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !after.FinishedAt.Equal(*taken.FinishedAt) || after.Attempts != 2 {
		t.Fatalf("the late attempt finished the command again (finished %v, was %v)", after.FinishedAt, taken.FinishedAt)
	}
	if n := e.Count(`SELECT count(*) FROM audit_log WHERE action LIKE 'pc.create_order.%' AND outcome <> 'pending' AND pc_request_id = $1`,
		after.MsRequestID); n != 1 {
		t.Fatalf("%d outcome entries in the audit log, want 1", n)
	}
	orders, err := pccclient.Collect(e.Client.ListOrders(ctx, cust))
	if err != nil || len(orders) != 1 {
		t.Fatalf("PC holds %d orders (%v), want 1", len(orders), err)
	}
}

// A delivery whose job River discarded (its process died on the last
// attempt) is stopped: staff send it again from the page, with the same
// MS-RequestId, and PC holds the order once. Another customer's URL finds
// nothing, and a command whose job still works is left alone.
func TestResendStoppedDelivery(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 30})
	cust := e.NewCustomer(true)
	other := e.NewCustomer(true)
	e.Run(mirror.KindFull)
	ctx := context.Background()
	custID := uuid.MustParse(cust)
	id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: custID, By: staff("staff@example.com"),
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: 4}}}}})
	before, err := e.Store.Command(ctx, id)
	if err != nil {
		t.Fatal(err)
	}

	// A job still queued: nothing to resend.
	if err := e.Commerce.ResendCommand(ctx, staff("admin@example.com"), custID, id); err != nil {
		t.Fatal(err)
	}
	if n := e.Count(`SELECT count(*) FROM river_job WHERE kind = 'mirror.deliver'`); n != 1 {
		t.Fatalf("%d delivery jobs after resending a queued command, want 1", n)
	}

	// The last attempt's process died after PC applied the order; River's
	// rescuer discarded the job (attempts exhausted).
	if _, err := e.Client.CreateOrder(ctx, before.MsRequestID.String(), cust, pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
		LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: 4}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE river_job SET state = 'discarded', attempt = max_attempts, finalized_at = now(),
		attempted_at = now() - interval '1 hour' WHERE id = $1`, *before.RiverJobID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE commands SET status = 'delivering', attempts = 12 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if got := deliveryState(t, e.Store, id); got != rules.DeliveryStopped {
		t.Fatalf("delivery state %q, want stopped", got)
	}

	err = e.Commerce.ResendCommand(ctx, staff("admin@example.com"), uuid.MustParse(other), id)
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("resend through another customer: %v, want not found", err)
	}
	if err := e.Commerce.ResendCommand(ctx, staff("admin@example.com"), custID, id); err != nil {
		t.Fatal(err)
	}
	// The page says it is sent again (the last attempt never answered).
	if got := deliveryState(t, e.Store, id); got != rules.DeliveryInterrupted {
		t.Fatalf("delivery state after the resend %q, want interrupted", got)
	}
	e.Start(jobs.Options{})
	c := waitCommand(e, id, commerce.CommandSucceeded)
	if c.MsRequestID != before.MsRequestID {
		t.Fatal("the resend changed the MS-RequestId")
	}
	orders, err := pccclient.Collect(e.Client.ListOrders(ctx, cust))
	if err != nil || len(orders) != 1 || orders[0].ID != c.TargetID {
		t.Fatalf("PC holds %d orders (%v), want exactly the one delivered", len(orders), err)
	}
	if n := e.Count(`SELECT count(*) FROM audit_log WHERE action = 'pc.create_order.resend' AND actor = 'admin@example.com'
		AND pc_request_id = $1`, c.MsRequestID); n != 1 {
		t.Fatalf("%d resend entries in the audit log, want 1", n)
	}
}
