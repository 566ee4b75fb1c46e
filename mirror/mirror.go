// Package mirror keeps the portal's Postgres mirror of Partner Center (PC)
// true: it is the read side. Writes to PC live in package commerce, which
// hands PC's answers back here (apply.go) to show them at once.
//
// Everything runs as River jobs on the portal's own database (package jobs
// runs them), so several portal replicas share the work with no other
// infrastructure:
//
//   - full import: customers, then per customer its subscriptions, orders,
//     agreements and license usage; bounded concurrency, batched upserts,
//     checkpointed so a restart resumes where it stopped;
//   - incremental sync (periodic): PC audit records since the watermark,
//     re-fetching only what they touch; falls back to a full import or a
//     reconcile when the watermark is missing or older than PC's retention;
//   - reconcile (nightly): a full pass that also writes a drift report and
//     never overwrites rows with local commands still pending;
//   - catalog sync (daily) per configured country.
//
// Periodic jobs are inserted by River's elected leader only, are unique per
// kind while queued or running, and each run also holds a Postgres advisory
// lock, so two processes never run the same sync at once.
//
// # Data
//
// Mirrored rows keep PC's id, synced_at, and gone_at (set when PC stops
// returning the row; rows are never deleted). Watermarks are in PC's time
// (Options.PCNow). Runs, their progress, counts, throttles and errors are
// in sync_runs; reconcile's drift report is in sync_drift (shown on /sync).
package mirror

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

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
)

// Sync kinds (sync_runs.kind and SyncArgs.Kind).
const (
	KindFull        = "full"
	KindIncremental = "incremental"
	KindReconcile   = "reconcile"
	KindCatalog     = "catalog"
)

// Run statuses (sync_runs.status).
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
)

// Deps is everything a Mirror needs.
type Deps struct {
	Store  *store.Store
	PC     *pcconn.Conn // the Partner Center connection
	Logger *slog.Logger // nil = slog.Default()
	// Metrics is optional (NewMetrics).
	Metrics *Metrics
	// Pricer prices the next term of subscriptions for the renewal
	// calendar [DefaultPricer].
	Pricer NextTermPricer
	// AfterFullSync are jobs queued when a full sync succeeds: the price
	// sheets' refresh, so a market new customers bring is priced at once
	// (package prices imports mirror, so it cannot be named here).
	AfterFullSync []river.JobArgs
	Options       Options
}

// Options tune the mirror; zero values take the defaults in brackets.
type Options struct {
	IncrementalInterval time.Duration // period of the incremental sync [5m]
	ReconcileHour       int           // UTC hour of the nightly reconcile [3]
	CatalogInterval     time.Duration // period of the catalog sync [24h]
	Countries           []string      // catalog countries [settings' default country and the customers' countries]
	TargetViews         []string      // new-commerce product views to mirror [OnlineServices, Software, Azure]
	Concurrency         int           // concurrent PC fetches in a pass [16]
	BatchSize           int           // customers per write transaction [50]
	AuditOverlap        time.Duration // re-read audit records this far before the watermark [15m]
	AuditRetention      time.Duration // PC's audit retention [90 days]
	// PCNow is Partner Center's clock (watermarks are in PC time): the wall
	// clock for real PC, the sandbox's clock in tests [time.Now].
	PCNow func() time.Time
	// OnProgress, if set, receives progress of every run about once a second.
	OnProgress func(Progress)
}

func (o *Options) setDefaults() {
	o.IncrementalInterval = cmp.Or(o.IncrementalInterval, 5*time.Minute)
	o.CatalogInterval = cmp.Or(o.CatalogInterval, 24*time.Hour)
	if o.ReconcileHour < 0 || o.ReconcileHour > 23 {
		o.ReconcileHour = 3
	}
	if len(o.TargetViews) == 0 {
		o.TargetViews = []string{"OnlineServices", "Software", "Azure"}
	}
	// The client's budgets are per customer and API (PC's throttling
	// scopes), so customers read in parallel do not share one budget;
	// PC's latency, not a rate, bounds a pass.
	o.Concurrency = cmp.Or(o.Concurrency, 16)
	o.BatchSize = cmp.Or(o.BatchSize, 50)
	o.AuditOverlap = cmp.Or(o.AuditOverlap, 15*time.Minute)
	o.AuditRetention = cmp.Or(o.AuditRetention, 90*24*time.Hour)
	if o.PCNow == nil {
		o.PCNow = time.Now
	}
}

// Mirror runs the syncs and applies PC's answers to the portal's writes.
type Mirror struct {
	st      *store.Store
	pc      *pcconn.Conn
	log     *slog.Logger
	opt     Options
	metrics *Metrics
	pricer  NextTermPricer
	after   []river.JobArgs
	jobs    *river.Client[pgx.Tx] // inserts only: the jobs package works them
}

// New validates deps. Run works at once (the CLI uses it); AddWorkers and
// PeriodicJobs hand the sync job to a River client (package jobs).
func New(d Deps) (*Mirror, error) {
	var errs []error
	if d.Store == nil {
		errs = append(errs, errors.New("deps: a Store is required"))
	}
	if d.PC == nil {
		errs = append(errs, errors.New("deps: a Partner Center connection (PC) is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	m := &Mirror{st: d.Store, pc: d.PC, log: cmp.Or(d.Logger, slog.Default()), opt: d.Options, metrics: d.Metrics, pricer: d.Pricer,
		after: d.AfterFullSync}
	if m.pricer == nil {
		m.pricer = DefaultPricer{}
	}
	m.opt.setDefaults()
	rc, err := river.NewClient(riverpgxv5.New(d.Store.Pool), &river.Config{Logger: m.log.With("component", "river")})
	if err != nil {
		return nil, fmt.Errorf("mirror: river inserter: %w", err)
	}
	m.jobs = rc
	return m, nil
}

// AddWorkers registers the sync worker.
func (m *Mirror) AddWorkers(ws *river.Workers) {
	river.AddWorker(ws, &syncWorker{m: m})
	river.AddWorker(ws, &repriceWorker{m: m})
	river.AddWorker(ws, &serviceRequestWorker{m: m})
}

// Client returns the Partner Center client built from the current settings.
func (m *Mirror) Client(ctx context.Context) (*pccclient.Client, error) {
	return m.pc.Client(ctx)
}

// PeriodicJobs are the scheduled syncs: incremental, the nightly
// reconcile and the catalog.
func (m *Mirror) PeriodicJobs() []*river.PeriodicJob {
	job := func(kind string) river.PeriodicJobConstructor {
		return func() (river.JobArgs, *river.InsertOpts) {
			return SyncArgs{SyncKind: kind, Trigger: "schedule"}, nil
		}
	}
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(m.opt.IncrementalInterval), job(KindIncremental),
			&river.PeriodicJobOpts{ID: "mirror.incremental", RunOnStart: true}),
		river.NewPeriodicJob(dailyAt{hour: m.opt.ReconcileHour}, job(KindReconcile),
			&river.PeriodicJobOpts{ID: "mirror.reconcile"}),
		river.NewPeriodicJob(river.PeriodicInterval(m.opt.CatalogInterval), job(KindCatalog),
			&river.PeriodicJobOpts{ID: "mirror.catalog", RunOnStart: true}),
		m.repricePeriodic(),
		m.serviceRequestPeriodic(),
	}
}

// dailyAt schedules once a day at a UTC hour.
type dailyAt struct{ hour int }

func (d dailyAt) Next(t time.Time) time.Time {
	t = t.UTC()
	n := time.Date(t.Year(), t.Month(), t.Day(), d.hour, 0, 0, 0, time.UTC)
	if !n.After(t) {
		n = n.AddDate(0, 0, 1)
	}
	return n
}
