package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// Two replicas with their periodic jobs on one database: River's elected
// leader alone schedules them, so a job due every second runs about once a
// second, not twice.
func TestPeriodicJobsOncePerIntervalAcrossReplicas(t *testing.T) {
	t.Parallel()
	e := sandboxtest.NewEnv(t, sandbox.Options{Seed: 30}, sandboxtest.StackOptions{})
	for range 2 {
		// Each replica has its own pool, as separate processes do.
		pool, err := pgxpool.NewWithConfig(context.Background(), e.Store.Pool.Config().Copy())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		cfg := e.Config
		s := sandboxtest.NewStack(t, store.New(pool), sandboxtest.StackOptions{Periodic: true, Logger: sandboxtest.Quiet(),
			Config:   func(context.Context) (pccclient.Config, error) { return cfg, nil },
			Mirror:   mirror.Options{PCNow: e.SB.Now},
			Commerce: commerce.Options{PlacementSweepInterval: time.Second}})
		s.Start()
	}
	count := func(kind string) int {
		return e.Count(`SELECT count(*) FROM river_job WHERE kind = $1`, kind)
	}
	// Wait for a leader to schedule the first sweep, then watch 6 seconds.
	deadline := time.Now().Add(30 * time.Second)
	for count("mirror.placement_sweep") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no replica scheduled the sweep")
		}
		time.Sleep(50 * time.Millisecond)
	}
	first, start := count("mirror.placement_sweep"), time.Now()
	time.Sleep(6 * time.Second)
	n, secs := count("mirror.placement_sweep")-first, time.Since(start).Seconds()
	// At most one a second (a busy machine may run fewer: the sweep is
	// unique while it waits, so a late one absorbs the next).
	if n < 1 || float64(n) > secs+1 {
		t.Fatalf("%d sweeps in %.1fs from two replicas, want at most one a second", n, secs)
	}
	t.Logf("%d sweeps in %.1fs (interval 1s) from two replicas", n, secs)
}
