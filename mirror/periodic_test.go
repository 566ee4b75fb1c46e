package mirror_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

func TestTwoProcessesNeverRunTheSameSyncAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 31}, sandboxtest.StackOptions{})
	if err := e.SB.SeedBulk(20, 2); err != nil {
		t.Fatal(err)
	}
	e.SB.SetFaults(sandbox.Faults{Latency: 3 * time.Millisecond}) // syncs long enough to collide
	opts := sandboxtest.StackOptions{Periodic: true,
		Mirror: mirror.Options{IncrementalInterval: 200 * time.Millisecond, CatalogInterval: time.Hour, Countries: []string{"US"}}}
	var ms []*sandboxtest.Stack
	for range 2 {
		m := e.NewStack(opts)
		if err := m.Jobs.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	// Both processes also ask for syncs by hand, as "Sync now" would.
	var wg sync.WaitGroup
	for _, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 15 {
				for _, k := range []string{mirror.KindIncremental, mirror.KindFull} {
					if _, _, err := m.Commerce.QueueSync(context.Background(), store.Actor{Label: "test"}, k); err != nil {
						t.Errorf("request sync: %v", err)
					}
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	// Let the queued work finish (slow CI machines need longer).
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind IN ('full', 'incremental') AND status = 'succeeded'`) >= 3 &&
			sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind = 'catalog' AND status = 'succeeded'`) >= 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, m := range ms {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := m.Jobs.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
		cancel()
	}
	// Customer syncs (full, incremental, reconcile) exclude each other.
	rows, err := e.Store.Pool.Query(context.Background(), `SELECT a.id, a.kind, b.id, b.kind FROM sync_runs a JOIN sync_runs b
		ON a.id < b.id AND a.kind <> 'catalog' AND b.kind <> 'catalog'
		AND tstzrange(a.started_at, coalesce(a.finished_at, a.heartbeat_at)) && tstzrange(b.started_at, coalesce(b.finished_at, b.heartbeat_at))`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, b int64
		var ka, kb string
		rows.Scan(&a, &ka, &b, &kb)
		t.Errorf("runs %d (%s) and %d (%s) overlapped", a, ka, b, kb)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind IN ('full', 'incremental') AND status = 'succeeded'`); n < 3 {
		t.Errorf("only %d syncs ran; the test did not exercise concurrency", n)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(DISTINCT kind) FROM sync_runs WHERE status = 'succeeded'`); n < 3 {
		t.Errorf("%d kinds ran, want full, incremental and catalog", n)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM offers WHERE country = 'US' AND gone_at IS NULL`); n < 30 {
		t.Errorf("catalog sync mirrored %d offers", n)
	}
}

func TestIncrementalFallsBackToReconcileBeyondRetention(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 32}, sandboxtest.StackOptions{})
	e.Run(mirror.KindFull)
	a := newActor(t, e, 32)
	for range 10 {
		a.step()
	}
	// The portal was down for 100 days: the audit trail no longer covers it.
	e.SB.Advance(100 * 24 * time.Hour)
	e.Run(mirror.KindIncremental)
	// The partner admin's refresh token expired unused (90 days): the sync
	// ran without agreements; an admin consents again to read them.
	e.Reconnect()
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind = 'reconcile' AND status = 'succeeded'`); n != 1 {
		t.Fatalf("%d reconcile runs, want 1", n)
	}
	sandboxtest.AssertConverged(t, e.Client, e.Store)
}

func TestReconcileReportsDriftAndKeepsPendingCommands(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 33}, sandboxtest.StackOptions{})
	ctx := context.Background()
	cust := e.NewCustomer(true)
	offer := e.LicenseOffer()
	for range 2 {
		if _, err := e.Client.CreateOrder(ctx, uuid.NewString(), cust, pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
			LineItems: []pccclient.OrderLineItem{{LineItemNumber: 0, OfferID: offer, Quantity: 2}}}); err != nil {
			t.Fatal(err)
		}
	}
	e.SB.Advance(time.Minute)
	e.Run(mirror.KindFull)
	ids := readMirrorSubs(t, e, cust)
	if len(ids) != 2 {
		t.Fatalf("customer has %d subscriptions in the mirror, want 2", len(ids))
	}
	subA, subB := ids[0], ids[1]
	// Outside the portal: rename both subscriptions in PC.
	for _, s := range ids {
		if _, err := e.Client.SetSubscriptionFriendlyName(ctx, uuid.NewString(), cust, s, "changed in PC"); err != nil {
			t.Fatal(err)
		}
	}
	// A local command on subB is still pending (no worker runs).
	if _, err := e.Store.Pool.Exec(ctx, `INSERT INTO commands (kind, customer_id, target_id, payload, ms_request_id)
		VALUES ('patch_subscription', $1, $2, '{"quantity": 9}', gen_random_uuid())`, cust, subB); err != nil {
		t.Fatal(err)
	}
	run := e.Run(mirror.KindReconcile)
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_drift WHERE run_id = $1 AND entity_id = $2 AND change = 'changed'
		AND applied AND fields ? 'friendly_name'`, run, subA); n != 1 {
		t.Errorf("drift for %s: %d rows, want 1 applied change", subA, n)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_drift WHERE run_id = $1 AND entity_id = $2 AND NOT applied`, run, subB); n != 1 {
		t.Errorf("drift for %s (pending command): %d rows, want 1 not applied", subB, n)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM subscriptions WHERE id = $1 AND friendly_name = 'changed in PC'`, subA); n != 1 {
		t.Errorf("reconcile did not fix %s", subA)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM subscriptions WHERE id = $1 AND friendly_name <> 'changed in PC'`, subB); n != 1 {
		t.Errorf("reconcile overwrote %s although a local command is pending", subB)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_drift WHERE run_id = $1`, run); n != 2 {
		t.Errorf("drift report has %d rows, want 2", n)
	}
}

func readMirrorSubs(t *testing.T, e *tenv, cust string) []string {
	t.Helper()
	rows, err := e.Store.Pool.Query(context.Background(), `SELECT id FROM subscriptions WHERE customer_id = $1 AND gone_at IS NULL ORDER BY id`, uuid.MustParse(cust))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// "Sync now" pressed while a full import runs joins it: no second import
// is queued to start when the first ends.
func TestSyncNowDuringARunningImportJoinsIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 32}, sandboxtest.StackOptions{})
	if err := e.SB.SeedBulk(30, 2); err != nil {
		t.Fatal(err)
	}
	e.SB.SetFaults(sandbox.Faults{Latency: 20 * time.Millisecond}) // an import that lasts a while
	m := e.NewStack(sandboxtest.StackOptions{})
	m.Start()
	ctx := context.Background()
	if _, joined, err := m.Commerce.QueueSync(ctx, store.Actor{Label: "test"}, mirror.KindFull); err != nil || joined {
		t.Fatalf("first request: joined %v, %v", joined, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind = 'full' AND status = 'running'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the import never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, joined, err := m.Commerce.QueueSync(ctx, store.Actor{Label: "test"}, mirror.KindFull); err != nil || !joined {
		t.Fatalf("request during the import: joined %v, %v", joined, err)
	}
	for sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind = 'full' AND status = 'succeeded'`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the import never finished")
		}
		time.Sleep(20 * time.Millisecond)
	}
	e.SB.ResetFaults()
	time.Sleep(300 * time.Millisecond) // a second import would be picked up by now
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM river_job WHERE kind = 'mirror.sync' AND args->>'kind' = 'full'`); n != 1 {
		t.Fatalf("%d full import jobs, want 1", n)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind = 'full'`); n != 1 {
		t.Fatalf("%d full imports ran, want 1", n)
	}
}
