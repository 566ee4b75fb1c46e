package mirror

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// SyncArgs is the River job that runs one sync. Only Kind takes part in
// uniqueness: one job per kind may be queued or running at a time, whoever
// asked for it.
type SyncArgs struct {
	SyncKind    string `json:"kind" river:"unique"`
	Trigger     string `json:"trigger,omitempty"` // schedule, manual, wizard, fallback
	RequestedBy *int64 `json:"requested_by,omitempty"`
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
	_, err := w.m.Run(ctx, job.Args.SyncKind, RunOptions{Trigger: job.Args.Trigger, RequestedBy: job.Args.RequestedBy, JobID: job.ID})
	if err == nil && job.Args.SyncKind == KindFull {
		// The first import (from the wizard) brings the catalog along
		// instead of leaving it for the daily schedule.
		var n int
		if qerr := w.m.st.Pool.QueryRow(ctx, `SELECT count(*) FROM sync_watermarks WHERE name LIKE 'catalog:%'`).Scan(&n); qerr == nil && n == 0 {
			if _, qerr := w.m.river.Insert(ctx, SyncArgs{SyncKind: KindCatalog, Trigger: "after-import"}, nil); qerr != nil {
				w.m.log.Warn("catalog sync not queued", "err", qerr)
			}
		}
	}
	switch {
	case errors.Is(err, ErrNotConfigured):
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

// RequestSync queues a sync of kind (full, incremental, reconcile, catalog)
// for the workers, e.g. from the "Sync now" button. When one of that kind is
// already queued or running, no second one is added and its job id is
// returned.
func (m *Mirror) RequestSync(ctx context.Context, kind, trigger string, requestedBy *int64) (int64, error) {
	if !validKind(kind) {
		return 0, fmt.Errorf("mirror: unknown sync kind %q", kind)
	}
	res, err := m.river.Insert(ctx, SyncArgs{SyncKind: kind, Trigger: trigger, RequestedBy: requestedBy}, nil)
	if err != nil {
		return 0, fmt.Errorf("mirror: queue %s sync: %w", kind, err)
	}
	return res.Job.ID, nil
}

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
	Trigger     string // schedule, manual, cli, wizard, fallback
	RequestedBy *int64
	JobID       int64 // River job id, 0 outside River
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
	pc, err := m.clients.get(ctx)
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

// tryLock takes a session advisory lock on a connection of its own; the
// lock goes away with the connection if the process dies.
func (m *Mirror) tryLock(ctx context.Context, name string) (func(), error) {
	conn, err := m.st.Pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("mirror: lock %s: %w", name, err)
	}
	h := fnv.New64a()
	h.Write([]byte("portal.mirror." + name))
	key := int64(h.Sum64())
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
		conn.Release()
		return nil, fmt.Errorf("mirror: lock %s: %w", name, err)
	}
	if !ok {
		conn.Release()
		return nil, ErrBusy
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
			// Without the unlock the session still holds it: drop the connection.
			conn.Conn().Close(ctx)
		}
		conn.Release()
	}, nil
}

// inTx runs fn in a transaction on the mirror's pool.
func (m *Mirror) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return m.st.InTx(ctx, fn)
}
