package mirror

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/cspportal/portal/pcconn"
)

// SyncArgs is the River job that runs one sync. Kind and Countries take
// part in uniqueness: one job per kind may be queued or running at a time,
// whoever asked for it, except that a catalog sync of named countries (a
// full import found customers in them) is not swallowed by a catalog sync
// that is already running without them.
type SyncArgs struct {
	SyncKind    string   `json:"kind" river:"unique"`
	Trigger     string   `json:"trigger,omitempty"` // schedule, manual, wizard, fallback, after-import
	RequestedBy *int64   `json:"requested_by,omitempty"`
	Countries   []string `json:"countries,omitempty" river:"unique"` // a catalog sync of only these
}

// Kind is River's job kind.
func (SyncArgs) Kind() string { return "mirror.sync" }

// InsertOpts makes sync jobs unique per kind while they wait or run.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		MaxAttempts: 3,
		UniqueOpts: river.UniqueOpts{
			ByArgs: true,
			ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
				rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled},
		},
	}
}

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	m *Mirror
}

// syncTimeout bounds one sync job: far above a full import of the design
// size at PC's default rates (about 45 minutes), but finite, because River
// never rescues a job without a timeout, and a sync job left running by a
// dead process would then block its kind (unique while running) for good.
// A full import or reconcile cut off by it resumes from its checkpoint.
const syncTimeout = 6 * time.Hour

func (w *syncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return syncTimeout }

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	_, err := w.m.Run(ctx, job.Args.SyncKind, RunOptions{Trigger: job.Args.Trigger, RequestedBy: job.Args.RequestedBy, JobID: job.ID,
		Countries: job.Args.Countries})
	switch {
	case errors.Is(err, pcconn.ErrNotConfigured):
		w.m.log.Info("sync skipped: partner center not configured", "kind", job.Args.SyncKind)
		return nil
	case errors.Is(err, ErrBusy):
		if job.Args.SyncKind == KindIncremental {
			return nil // the next tick will do it
		}
		return river.JobSnooze(time.Minute)
	}
	return err
}

// ValidKind reports whether k names a sync (full, incremental, reconcile,
// catalog).
func ValidKind(k string) bool { return validKind(k) }

func validKind(k string) bool {
	switch k {
	case KindFull, KindIncremental, KindReconcile, KindCatalog:
		return true
	}
	return false
}

// ErrBusy means another process (or job) is running a sync that excludes
// this one.
var ErrBusy = errors.New("another sync is running")

// RunOptions describe who started a run.
type RunOptions struct {
	Trigger     string // schedule, manual, cli, wizard, fallback, after-import
	RequestedBy *int64
	JobID       int64    // River job id, 0 outside River
	Countries   []string // a catalog sync of only these countries
}

// Run runs one sync of kind in the calling goroutine and returns its run id.
// Customer syncs (full, incremental, reconcile) exclude each other across
// processes; the catalog sync has a lock of its own. ErrBusy is returned at
// once when the lock is held elsewhere.
func (m *Mirror) Run(ctx context.Context, kind string, o RunOptions) (int64, error) {
	if !validKind(kind) {
		return 0, fmt.Errorf("mirror: unknown sync kind %q", kind)
	}
	lockName := "customers"
	if kind == KindCatalog {
		lockName = "catalog"
	}
	release, err := m.tryLock(ctx, lockName)
	if err != nil {
		return 0, err
	}
	defer release()
	pc, err := m.pc.Client(ctx)
	if err != nil {
		return 0, err
	}
	switch kind {
	case KindFull:
		return m.runPass(ctx, pc, KindFull, o)
	case KindReconcile:
		return m.runPass(ctx, pc, KindReconcile, o)
	case KindIncremental:
		return m.runIncremental(ctx, pc, o)
	default:
		return m.runCatalog(ctx, pc, o)
	}
}

// tryLock takes the advisory lock of the named sync for this process; it
// goes away with the connection if the process dies.
func (m *Mirror) tryLock(ctx context.Context, name string) (func(), error) {
	release, ok, err := m.st.TryAdvisoryLock(ctx, "portal.mirror."+name)
	if err != nil {
		return nil, fmt.Errorf("mirror: lock %s: %w", name, err)
	}
	if !ok {
		return nil, ErrBusy
	}
	return release, nil
}

// inTx runs fn in a transaction on the mirror's pool.
func (m *Mirror) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return m.st.InTx(ctx, fn)
}
