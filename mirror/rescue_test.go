package mirror_test

import (
	"context"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/jobs"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// A sync job left running by a dead process is rescued (once its timeout
// passed) instead of blocking its kind for good: sync jobs are unique
// while running, so a periodic insert would be skipped forever.
func TestSyncJobOfDeadProcessIsRescued(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 28}, sandboxtest.StackOptions{})
	ctx := context.Background()
	res, err := e.Stack.Jobs.Client().Insert(ctx, mirror.SyncArgs{SyncKind: mirror.KindFull, Trigger: "test"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A process took it seven hours ago and died.
	if _, err := e.Store.Pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - interval '7 hours', attempted_by = ARRAY['dead-worker'] WHERE id = $1`, res.Job.ID); err != nil {
		t.Fatal(err)
	}
	again, err := e.Stack.Jobs.Client().Insert(ctx, mirror.SyncArgs{SyncKind: mirror.KindFull, Trigger: "schedule"}, nil)
	if err != nil || !again.UniqueSkippedAsDuplicate {
		t.Fatalf("a second full sync was queued beside the running one (%v)", err)
	}
	e.Start(jobs.Options{RescueStuckJobsAfter: time.Minute})
	deadline := time.Now().Add(45 * time.Second)
	for sandboxtest.Count(t, e.Store, `SELECT count(*) FROM sync_runs WHERE kind = 'full' AND status = 'succeeded' AND river_job_id = $1`, res.Job.ID) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the dead process's full sync was never rescued and run")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
