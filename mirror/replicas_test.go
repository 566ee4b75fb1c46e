package mirror_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// dieMidImport kills its replica at the third read of a customer's
// subscriptions: part of the import is written, the rest is not.
type dieMidImport struct {
	base http.RoundTripper
	n    atomic.Int32
	once sync.Once
	died chan struct{}
	kill func()
}

func (t *dieMidImport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/subscriptions") && t.n.Add(1) >= 3 {
		t.once.Do(func() { t.kill(); close(t.died) })
		return nil, errors.New("replica died")
	}
	return t.base.RoundTrip(r)
}

// Two replicas on one database: replica A dies in the middle of a full
// import; replica B rescues the job (once its timeout passed) and runs it
// to the end. The mirror equals Partner Center: nothing lost, nothing
// doubled.
func TestTwoReplicasOneDiesMidSync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 29}, sandboxtest.StackOptions{})
	ctx := context.Background()

	proc := &testdb.Mortal{}
	pcfg := e.Store.Pool.Config().Copy()
	pcfg.ConnConfig.DialFunc = proc.Dial
	poolA, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		t.Fatal(err)
	}
	tr := &dieMidImport{base: http.DefaultTransport, died: make(chan struct{}), kill: proc.Kill}
	cfgA := e.Config
	cfgA.HTTPClient = &http.Client{Transport: tr}
	a := sandboxtest.NewStack(t, store.New(poolA), sandboxtest.StackOptions{Logger: sandboxtest.Quiet(), Timeout: 3 * time.Second,
		Config: func(context.Context) (pccclient.Config, error) { return cfgA, nil }, Mirror: mirror.Options{PCNow: e.SB.Now}})
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = a.Jobs.Stop(sctx)
		poolA.Close()
	})
	res, err := a.Jobs.Client().Insert(ctx, mirror.SyncArgs{SyncKind: mirror.KindFull, Trigger: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Jobs.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-tr.died:
	case <-time.After(30 * time.Second):
		t.Fatal("replica A never reached the subscriptions")
	}
	time.Sleep(200 * time.Millisecond)
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE river_job_id = $1 AND status = 'succeeded'`, res.Job.ID); n != 0 {
		t.Fatal("the sync finished although its replica died")
	}
	// Replica B: the job's 6-hour timeout passes at once, and the dead
	// replica's leadership ends.
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE river_job SET attempted_at = now() - interval '7 hours' WHERE id = $1 AND state = 'running'`,
		res.Job.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Pool.Exec(ctx, `DELETE FROM river_leader`); err != nil {
		t.Fatal(err)
	}
	e.Start(jobs.Options{})
	deadline := time.Now().Add(60 * time.Second)
	for sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind = 'full' AND status = 'succeeded' AND river_job_id = $1`,
		res.Job.ID) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("replica B never finished the dead replica's sync")
		}
		time.Sleep(100 * time.Millisecond)
	}
	sandboxtest.AssertConverged(t, e.Client, e.Store)
}
