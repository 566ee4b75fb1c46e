package attention

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// EvaluateArgs is the periodic evaluation job.
type EvaluateArgs struct{}

// Kind is River's job kind.
func (EvaluateArgs) Kind() string { return "attention.evaluate" }

// InsertOpts keeps one evaluation waiting or running at a time.
func (EvaluateArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: waitingOrRunning}}
}

// NotifyArgs is the periodic job that mails the due alerts.
type NotifyArgs struct{}

// Kind is River's job kind.
func (NotifyArgs) Kind() string { return "attention.notify" }

// InsertOpts keeps one notification run waiting or running at a time.
func (NotifyArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByState: waitingOrRunning}}
}

var waitingOrRunning = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}

// AddWorkers registers the evaluation and notification workers.
func (s *Service) AddWorkers(ws *river.Workers) {
	river.AddWorker(ws, &evaluateWorker{s: s})
	river.AddWorker(ws, &notifyWorker{s: s})
}

// PeriodicJobs are the evaluation (every few minutes; it notifies right
// after, so an alert due now is not held back an hour) and the hourly
// notification.
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(s.eval), func() (river.JobArgs, *river.InsertOpts) { return EvaluateArgs{}, nil },
			&river.PeriodicJobOpts{ID: "attention.evaluate", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(s.note), func() (river.JobArgs, *river.InsertOpts) { return NotifyArgs{}, nil },
			&river.PeriodicJobOpts{ID: "attention.notify"}),
	}
}

type evaluateWorker struct {
	river.WorkerDefaults[EvaluateArgs]
	s *Service
}

func (w *evaluateWorker) Timeout(*river.Job[EvaluateArgs]) time.Duration { return 10 * time.Minute }

func (w *evaluateWorker) Work(ctx context.Context, _ *river.Job[EvaluateArgs]) error {
	start := time.Now()
	n, err := w.s.EvaluateChanged(ctx)
	if err != nil {
		return err
	}
	w.s.log.Debug("attention evaluated", "open", n, "took", time.Since(start))
	_, err = w.s.Notify(ctx)
	return err
}

type notifyWorker struct {
	river.WorkerDefaults[NotifyArgs]
	s *Service
}

func (w *notifyWorker) Timeout(*river.Job[NotifyArgs]) time.Duration { return 10 * time.Minute }

func (w *notifyWorker) Work(ctx context.Context, _ *river.Job[NotifyArgs]) error {
	_, err := w.s.Notify(ctx)
	return err
}
