// Package jobs runs the portal's background work: one River client on the
// portal's own database with the workers and periodic jobs of the mirror
// (reading Partner Center) and of commerce (writing to it). River's leader
// election makes each periodic job run once per interval across replicas,
// and its rescuer retries the jobs of a process that died.
package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/cspportal/portal/store"
)

// Part is a package with River workers and periodic jobs.
type Part interface {
	AddWorkers(ws *river.Workers)
	PeriodicJobs() []*river.PeriodicJob
}

// Options tune the runner; zero values take the defaults in brackets.
type Options struct {
	Logger *slog.Logger // [slog.Default()]
	// Workers is how many jobs this process works at once [4].
	Workers int
	// NoPeriodic schedules no periodic jobs (tests, one-off runs).
	NoPeriodic bool
	// RescueStuckJobsAfter is how long a running job may go silent before
	// another process retries it (a killed process); River also waits for
	// the worker's own timeout (deliveries 1m, syncs 6h), whose context
	// has ended the attempt by then, so no job runs twice at once; a job
	// without a timeout is never rescued [DefaultRescueAfter].
	RescueStuckJobsAfter time.Duration
	// FetchCooldown is the least time between two fetches of jobs; River's
	// default (100ms) caps delivery at Workers jobs per 100ms however fast
	// PC answers [10ms].
	FetchCooldown time.Duration
}

// DefaultRescueAfter is how long a running job must have run (and its
// worker's timeout passed) before River's rescuer gives it to another
// process; RescueEvery is how often the rescuer looks (River's default).
const (
	DefaultRescueAfter = time.Minute
	RescueEvery        = 30 * time.Second
)

// Runner is the process's River client.
type Runner struct {
	rc *river.Client[pgx.Tx]
}

// New builds the River client with the parts' workers and (unless
// NoPeriodic) periodic jobs. Nothing runs until Start.
func New(st *store.Store, o Options, parts ...Part) (*Runner, error) {
	if st == nil {
		return nil, errors.New("jobs: a Store is required")
	}
	log := cmp.Or(o.Logger, slog.Default())
	ws := river.NewWorkers()
	var periodic []*river.PeriodicJob
	for _, p := range parts {
		p.AddWorkers(ws)
		if !o.NoPeriodic {
			periodic = append(periodic, p.PeriodicJobs()...)
		}
	}
	rc, err := river.NewClient(riverpgxv5.New(st.Pool), &river.Config{
		Logger:               log.With("component", "river"),
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cmp.Or(o.Workers, 4)}},
		Workers:              ws,
		PeriodicJobs:         periodic,
		RescueStuckJobsAfter: cmp.Or(o.RescueStuckJobsAfter, DefaultRescueAfter),
		FetchCooldown:        cmp.Or(o.FetchCooldown, 10*time.Millisecond),
		JobTimeout:           -1, // each worker sets its own; contexts carry cancellation
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	return &Runner{rc: rc}, nil
}

// Start starts working jobs (and, on the elected leader, scheduling the
// periodic ones). It returns once the client runs.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.rc.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for running ones until ctx ends, then
// cancels them (a cancelled sync resumes from its checkpoint later; a
// cancelled delivery is retried with the same MS-RequestId).
func (r *Runner) Stop(ctx context.Context) error {
	err := r.rc.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = r.rc.StopAndCancel(stopCtx)
	}
	if err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// Client is the River client (tests insert jobs with it).
func (r *Runner) Client() *river.Client[pgx.Tx] { return r.rc }
