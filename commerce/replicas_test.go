package commerce_test

import (
	"context"
	"net/http"
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
	"github.com/cspportal/portal/store"
)

// Two replicas work one queue on one database; one dies after PC applied
// the order it was sending and before it recorded the answer. The other
// (and the rescue of the dead one's job) delivers every order: PC holds
// each exactly once, each command has one outcome in the audit log.
func TestTwoReplicasOneDiesMidOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 27})
	cust := e.NewCustomer(true)
	e.Run(mirror.KindFull)
	ctx := context.Background()
	offer := e.LicenseOffer()

	// Replica A: its own pool, dying at its first order.
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
		Config: func(context.Context) (pccclient.Config, error) { return cfgA, nil }, Mirror: mirror.Options{PCNow: e.SB.Now},
		Jobs: jobs.Options{Workers: 2}})
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = a.Jobs.Stop(sctx)
		poolA.Close()
	})

	const n = 8
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = enqueue(e, commerce.Command{Kind: commerce.CmdCreateOrder, CustomerID: uuid.MustParse(cust), By: staff("staff@example.com"),
			Payload: commerce.CreateOrderPayload{Order: pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
				LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: offer, Quantity: i + 1}}}}})
	}
	// Both replicas work the queue (A first, so it takes some jobs).
	if err := a.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	e.Start(jobs.Options{Workers: 2})
	select {
	case <-tr.died:
	case <-time.After(20 * time.Second):
		t.Fatal("replica A never sent an order")
	}

	// A's job stays running until River's rescuer (on the leader, after
	// the delivery timeout) gives it to B: that time passes here at once,
	// and the dead replica's leadership ends.
	time.Sleep(200 * time.Millisecond)
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE river_job SET attempted_at = attempted_at - interval '10 minutes'
		WHERE state = 'running' AND id IN (SELECT river_job_id FROM commands WHERE id = ANY($1))`, ids); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE commands SET lease_until = lease_until - interval '10 minutes'
		WHERE id = ANY($1) AND status = 'delivering'`, ids); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Pool.Exec(ctx, `DELETE FROM river_leader`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		done := e.Count(`SELECT count(*) FROM commands WHERE id = ANY($1) AND status = 'succeeded'`, ids)
		if done == n {
			break
		}
		if f := e.Count(`SELECT count(*) FROM commands WHERE id = ANY($1) AND status = 'failed'`, ids); f > 0 || time.Now().After(deadline) {
			t.Fatalf("%d of %d orders delivered, %d failed", done, n, f)
		}
		time.Sleep(100 * time.Millisecond)
	}
	orders, err := pccclient.Collect(e.Client.ListOrders(ctx, cust))
	if err != nil {
		t.Fatal(err)
	}
	qty := map[int]int{}
	for _, o := range orders {
		for _, li := range o.LineItems {
			qty[li.Quantity]++
		}
	}
	if len(orders) != n {
		t.Fatalf("PC holds %d orders, want %d (one per command)", len(orders), n)
	}
	for i := 1; i <= n; i++ {
		if qty[i] != 1 {
			t.Fatalf("PC holds %d orders of quantity %d, want 1", qty[i], i)
		}
	}
	if d := e.Count(`SELECT count(DISTINCT target_id) FROM commands WHERE id = ANY($1)`, ids); d != n {
		t.Fatalf("%d distinct PC orders recorded for %d commands", d, n)
	}
	if o := e.Count(`SELECT count(*) FROM audit_log a JOIN commands c ON a.pc_request_id = c.ms_request_id
		WHERE c.id = ANY($1) AND a.action = 'pc.create_order.succeeded'`, ids); o != n {
		t.Fatalf("%d outcome entries in the audit log, want %d", o, n)
	}
	t.Logf("replica A died after PC applied its first order; %d orders delivered once each (A's by the rescue)", n)
}
