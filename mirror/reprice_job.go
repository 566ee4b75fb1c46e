package mirror

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// RepriceArgs is the River job that prices every next term again
// (RepriceRenewals): daily, and queued by whoever loads new price lists.
type RepriceArgs struct{}

// Kind is River's job kind.
func (RepriceArgs) Kind() string { return "mirror.reprice_renewals" }

// InsertOpts makes the job unique while it waits or runs.
func (RepriceArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable,
		rivertype.JobStateScheduled}}}
}

type repriceWorker struct {
	river.WorkerDefaults[RepriceArgs]
	m *Mirror
}

func (w *repriceWorker) Timeout(*river.Job[RepriceArgs]) time.Duration { return time.Hour }

func (w *repriceWorker) Work(ctx context.Context, _ *river.Job[RepriceArgs]) error {
	n, err := w.m.RepriceRenewals(ctx)
	if err == nil {
		w.m.log.Info("next terms priced again", "subscriptions", n)
	}
	return err
}

// repricePeriodic is the daily reprice.
func (m *Mirror) repricePeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return RepriceArgs{}, nil },
		&river.PeriodicJobOpts{ID: "mirror.reprice_renewals"})
}
