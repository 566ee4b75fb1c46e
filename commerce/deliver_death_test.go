package commerce_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// dieAfterOrder lets PC apply an order and kills the process before its
// answer can be recorded.
type dieAfterOrder struct {
	base http.RoundTripper
	once sync.Once
	died chan struct{}
	kill func()
}

func (t *dieAfterOrder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil || r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/orders") {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	t.once.Do(func() { t.kill(); close(t.died) })
	return resp, rerr
}

// A worker process dies after PC applied its order but before the answer
// reached the database (the job still "running", the command
// "delivering"). A new process's River client on the same database rescues
// the job and delivers again with the same MS-RequestId: PC holds one
// order, the mirror shows it, the command is done.
func TestDeliveryWorkerKilledMidDeliveryThenRestarted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 26})
	cust := e.NewCustomer(true)
	e.Run(mirror.KindFull)
	ctx := context.Background()

	// Process A: its own pool on the same database.
	proc := &testdb.Mortal{}
	pcfg := e.Store.Pool.Config().Copy()
	pcfg.ConnConfig.DialFunc = proc.Dial
	poolA, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	tr := &dieAfterOrder{base: http.DefaultTransport, died: make(chan struct{}), kill: proc.Kill}
	cfgA := e.Config
	cfgA.HTTPClient = &http.Client{Transport: tr}
	a := sandboxtest.NewStack(t, store.New(poolA), sandboxtest.StackOptions{Logger: sandboxtest.Logger(), Timeout: 3 * time.Second,
		Config: func(context.Context) (pccclient.Config, error) { return cfgA, nil }, Mirror: mirror.Options{PCNow: e.SB.Now}})
	id := enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: uuid.MustParse(cust), By: staff("staff@example.com"),
		Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: e.LicenseOffer(), Quantity: 2}}}}})
	if err := a.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = a.Jobs.Stop(sctx)
		poolA.Close()
	})
	select {
	case <-tr.died:
	case <-time.After(20 * time.Second):
		t.Fatal("process A never delivered the order")
	}
	killed := time.Now()
	time.Sleep(200 * time.Millisecond) // A's worker fails to record anything
	var jobState, cmdStatus string
	if err := e.Store.Pool.QueryRow(ctx, `SELECT j.state::text, c.status FROM commands c JOIN river_job j ON j.id = c.river_job_id
		WHERE c.id = $1`, id).Scan(&jobState, &cmdStatus); err != nil {
		t.Fatal(err)
	}
	if jobState != "running" || cmdStatus != commerce.CommandDelivering {
		t.Fatalf("after the death: job %s, command %s; want running and delivering (nothing recorded)", jobState, cmdStatus)
	}
	if got := e.SB.Calls(sandbox.OpCreateOrder); got != 1 {
		t.Fatalf("PC saw %d create-order calls before the death, want 1", got)
	}

	if got := deliveryState(t, e.Store, id); got != rules.DeliverySending {
		t.Fatalf("delivery state right after the death %q, want sending", got)
	}

	// Process B starts on the same database. River rescues a running job
	// only once the worker's timeout (1 minute for deliveries) and
	// RescueStuckJobsAfter have passed, and a new leader is elected once
	// the dead one's 15s lease ran out: that time passes here at once,
	// unless PORTAL_TEST_REAL_RESCUE is set (then the test waits it out,
	// about a minute and a half, and reports the real figure).
	real := os.Getenv("PORTAL_TEST_REAL_RESCUE") != ""
	if !real {
		if _, err := e.Store.Pool.Exec(ctx, `UPDATE river_job SET attempted_at = attempted_at - interval '10 minutes' WHERE id =
		(SELECT river_job_id FROM commands WHERE id = $1)`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Store.Pool.Exec(ctx, `UPDATE commands SET lease_until = lease_until - interval '10 minutes' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		// What the order page makes of it: an attempt under way, then, once the
		// attempt's timeout passed, interrupted and soon sent again.
		if got := deliveryState(t, e.Store, id); got != rules.DeliveryInterrupted {
			t.Fatalf("delivery state after the timeout %q, want interrupted", got)
		}
		if _, err := e.Store.Pool.Exec(ctx, `DELETE FROM river_leader`); err != nil {
			t.Fatal(err)
		}
	}
	e.Start(jobs.Options{RescueStuckJobsAfter: time.Minute})
	deadline := time.Now().Add(60 * time.Second)
	if real {
		deadline = time.Now().Add(4 * time.Minute)
	}
	for {
		c, err := e.Store.Command(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status == commerce.CommandSucceeded {
			if c.Attempts != 2 {
				t.Errorf("attempts %d, want 2 (A's, then B's)", c.Attempts)
			}
			// Unless real, the waits skipped above (the attempt's timeout,
			// River's rescue delay and round, the dead leader's lease) come
			// on top in a real restart: DeliveryTiming says how long.
			tm := commerce.DeliveryTiming()
			t.Logf("kill to delivered: %v (real waits: %v; skipped otherwise: up to %v of rescue wait)",
				time.Since(killed).Round(time.Millisecond), real, max(tm.Timeout, tm.RescueAfter)+tm.RescueEvery)
			break
		}
		if c.Status == commerce.CommandFailed || time.Now().After(deadline) {
			t.Fatalf("command %s after the restart (error %q)", c.Status, c.LastError)
		}
		time.Sleep(50 * time.Millisecond)
	}
	done, err := e.Store.Command(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	orders, err := pccclient.Collect(e.Client.ListOrders(ctx, cust))
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 1 || orders[0].ID != done.TargetID {
		t.Fatalf("PC has %d orders, want exactly the one delivered (%s)", len(orders), done.TargetID)
	}
	subs, err := pccclient.Collect(e.Client.ListSubscriptions(ctx, cust))
	if err != nil || len(subs) != 1 {
		t.Fatalf("PC has %d subscriptions (%v), want 1", len(subs), err)
	}
	if n := e.Count(`SELECT count(*) FROM orders WHERE id = $1 AND customer_id = $2`, done.TargetID, uuid.MustParse(cust)); n != 1 {
		t.Fatal("the mirror does not show the order")
	}
	if n := e.Count(`SELECT count(*) FROM subscriptions WHERE id = $1 AND order_id = $2 AND gone_at IS NULL`, subs[0].ID, done.TargetID); n != 1 {
		t.Fatal("the mirror does not show the order's subscription")
	}
	if n := e.Count(`SELECT count(*) FROM audit_log WHERE action = 'pc.create_order.succeeded' AND pc_request_id = $1`, done.MsRequestID); n != 1 {
		t.Fatalf("%d outcome entries in the audit log, want 1", n)
	}
}

// deliveryState is what the order page says of command id's delivery now.
func deliveryState(t *testing.T, st *store.Store, id int64) string {
	t.Helper()
	d, err := st.CommandDelivery(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return commerce.StateOfDelivery(d, time.Now()).State
}
