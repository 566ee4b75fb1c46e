package mirror_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// withFaults runs fn while the sandbox fails about 10% of calls: 503s,
// requests that hang until the client times out, and 429s.
func withFaults(e *tenv, seed int64, fn func()) {
	e.SB.SetFaults(sandbox.Faults{ErrorRate: 0.04, TimeoutRate: 0.02})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(uint64(seed), 3))
		ops := []string{sandbox.OpListSubscriptions, sandbox.OpListOrders, sandbox.OpGetCustomer,
			sandbox.OpListAuditRecords, sandbox.OpListCustomers, sandbox.OpListSubscribedSkus, sandbox.OpListAgreements}
		t := time.NewTicker(15 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				e.SB.FailNext(ops[rng.IntN(len(ops))], 1, 429)
			}
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
		e.SB.ResetFaults()
	}()
	fn()
}

func TestSyncConvergesUnderFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 11}, sandboxtest.StackOptions{Timeout: 300 * time.Millisecond})
	if err := e.SB.SeedBulk(40, 3); err != nil {
		t.Fatal(err)
	}
	a := newActor(t, e, 11)
	withFaults(e, 1, func() { e.Run(mirror.KindFull) })
	sandboxtest.AssertConverged(t, e.Client, e.Store)
	for range 25 {
		a.step()
	}
	e.SB.Advance(time.Minute)
	withFaults(e, 2, func() { e.Run(mirror.KindIncremental) })
	sandboxtest.AssertConverged(t, e.Client, e.Store)
	if n := sandboxtest.Count(t, e.Store, `SELECT coalesce(sum(throttles), 0) FROM sync_runs`); n == 0 {
		t.Errorf("no throttles recorded: the fault injection did not reach the sync")
	}
}

func TestFullImportResumesAfterCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 12}, sandboxtest.StackOptions{Mirror: mirror.Options{BatchSize: 4, Concurrency: 2}})
	if err := e.SB.SeedBulk(60, 2); err != nil {
		t.Fatal(err)
	}
	e.SB.SetFaults(sandbox.Faults{Latency: 5 * time.Millisecond})
	// Cancel at a random point of the details phase: after k customers
	// were read.
	seed := time.Now().UnixNano()
	k := 1 + rand.New(rand.NewPCG(uint64(seed), 1)).IntN(55)
	t.Logf("cancelling the first import after %d customers were read (seed %d)", k, seed)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for e.SB.Calls(sandbox.OpGetCustomer) < k && ctx.Err() == nil {
			time.Sleep(2 * time.Millisecond)
		}
		cancel()
	}()
	first, err := e.Mirror.Run(ctx, mirror.KindFull, mirror.RunOptions{Trigger: "test"})
	cancel()
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("first import: %v", err)
	}
	interrupted := err != nil
	var progressed bool // the checkpoint moved past the first customer
	e.Store.Pool.QueryRow(context.Background(), `SELECT coalesce(checkpoint->>'after', $2) <> $2 FROM sync_runs WHERE id = $1`,
		first, "00000000-0000-0000-0000-000000000000").Scan(&progressed)
	e.SB.ResetFaults()
	var cp string
	e.Store.Pool.QueryRow(context.Background(), `SELECT checkpoint::text || ' done=' || done FROM sync_runs WHERE id = $1`, first).Scan(&cp)
	t.Logf("first run %d: err %v, checkpoint %s", first, err, cp)
	getsBefore := e.SB.Calls(sandbox.OpGetCustomer)
	second := e.Run(mirror.KindFull)
	if interrupted {
		if second != first {
			t.Errorf("second import is run %d, want it to resume run %d", second, first)
		}
		if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE status = 'running'`); n != 0 {
			t.Errorf("%d runs still marked running", n)
		}
		read := e.SB.Calls(sandbox.OpGetCustomer) - getsBefore
		var total int
		e.Store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM customers`).Scan(&total)
		t.Logf("resumed run read %d of %d customers", read, total)
		if progressed && read >= total {
			t.Errorf("the resumed import read all %d customers again despite its checkpoint", read)
		}
	}
	sandboxtest.AssertConverged(t, e.Client, e.Store)
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM customers WHERE gone_at IS NULL`); n != len(sandboxtest.ReadPC(t, e.Client).Customers) {
		t.Errorf("mirror has %d customers", n)
	}
}
