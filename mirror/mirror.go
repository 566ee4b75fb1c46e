// Package mirror keeps the portal's Postgres mirror of Partner Center (PC)
// true, and delivers the portal's changes to PC through an outbox.
//
// Everything runs as River jobs on the portal's own database, so several
// portal replicas share the work with no other infrastructure:
//
//   - full import: customers, then per customer its subscriptions, orders,
//     agreements and license usage; bounded concurrency, batched upserts,
//     checkpointed so a restart resumes where it stopped;
//   - incremental sync (periodic): PC audit records since the watermark,
//     re-fetching only what they touch; falls back to a full import or a
//     reconcile when the watermark is missing or older than PC's retention;
//   - reconcile (nightly): a full pass that also writes a drift report and
//     never overwrites rows with local commands still pending;
//   - catalog sync (daily) per configured country;
//   - command delivery: one job per outbox command (see Enqueue);
//   - settling an order (SettleOrderArgs): queued when an order is
//     delivered, it re-reads that order's subscriptions with a short
//     back-off until PC has activated them;
//   - the add-on phase of two-phase orders (AdvancePlacement), queued when
//     the base order is delivered, with a sweep every minute.
//
// Periodic jobs are inserted by River's elected leader only, are unique per
// kind while queued or running, and each run also holds a Postgres advisory
// lock, so two processes never run the same sync at once.
//
// # Changing Partner Center (the outbox)
//
// A handler never calls PC. It records the change in its own transaction:
//
//	err := st.InTx(ctx, func(tx pgx.Tx) error {
//		qty := 12
//		id, err := mirror.Enqueue(ctx, tx, mirror.Command{
//			Kind: mirror.CmdPatchSubscription, CustomerID: cust, TargetID: subID,
//			Payload:     mirror.PatchSubscriptionPayload{Quantity: &qty},
//			RequestedBy: &user.ID, RequestedByLabel: user.Email,
//		})
//		cmdID = id
//		return err
//	})
//
// Enqueue writes the audit-log entry, the commands row (with its stable
// MS-RequestId) and the River job in that transaction. The delivery worker
// sends it (retrying with the same request id, so PC applies it once),
// applies PC's answer to the mirror and marks the command succeeded or
// failed (with PC's error code and message) in one transaction; pages poll
// store.Command(ctx, cmdID). While a command on a subscription is pending,
// syncs do not overwrite that subscription.
//
// # Data
//
// Mirrored rows keep PC's id, synced_at, and gone_at (set when PC stops
// returning the row; rows are never deleted). Watermarks are in PC's time
// (Options.PCNow). Runs, their progress, counts, throttles and errors are
// in sync_runs; reconcile's drift report is in sync_drift.
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
	Logger *slog.Logger // nil = slog.Default()
	// PCConfig returns the Partner Center client configuration; it is called
	// at the start of every job, so a connection changed in the settings is
	// picked up without a restart. Use SettingsPCConfig in the binary.
	PCConfig func(ctx context.Context) (pccclient.Config, error)
	Metrics  *Metrics // optional (NewMetrics)
	Options  Options
}

// Options tune the mirror; zero values take the defaults in brackets.
type Options struct {
	IncrementalInterval time.Duration // period of the incremental sync [5m]
	ReconcileHour       int           // UTC hour of the nightly reconcile [3]
	CatalogInterval     time.Duration // period of the catalog sync [24h]
	NoPeriodic          bool          // do not schedule periodic jobs (tests, CLI)
	Countries           []string      // catalog countries [settings' default country]
	TargetViews         []string      // new-commerce product views to mirror [OnlineServices, Software, Azure]
	Concurrency         int           // concurrent PC fetches in a pass [8]
	Workers             int           // River workers for this process [4]
	BatchSize           int           // customers per write transaction [50]
	AuditOverlap        time.Duration // re-read audit records this far before the watermark [15m]
	AuditRetention      time.Duration // PC's audit retention [90 days]
	// PCNow is Partner Center's clock (watermarks are in PC time): the wall
	// clock for real PC, the sandbox's clock in tests [time.Now].
	PCNow func() time.Time
	// RescueStuckJobsAfter is how long a running job may go silent before
	// another process retries it (a killed process); River also waits for
	// the worker's timeout (deliveries 5m) [10m].
	RescueStuckJobsAfter time.Duration
	// DeliveryMaxAttempts bounds retries of one command [12].
	DeliveryMaxAttempts int
	// OnProgress, if set, receives progress of every run about once a second.
	OnProgress func(Progress)
	// HTTPTimeout bounds one PC request [60s].
	HTTPTimeout time.Duration
	// ClientTweak adjusts the PC client configuration (rate limits, back-off)
	// after PCConfig; tests and benchmarks use it.
	ClientTweak func(*pccclient.Config)
	// FetchCooldown is the least time between two fetches of jobs by
	// this process's River client; River's default (100ms) caps delivery
	// at Workers jobs per 100ms however fast PC answers [10ms].
	FetchCooldown time.Duration
	// PlacementPoll is how often the add-on phase of an order looks in the
	// mirror whether its new bases are active [10s].
	PlacementPoll time.Duration
	// PlacementSweepInterval is the period of the sweep that re-queues
	// add-on phases never queued [1m].
	PlacementSweepInterval time.Duration
	// SettleBackoff is the first wait before a new order's subscriptions
	// are read again (SettleOrderArgs); it doubles after each read, up to
	// 30s [1s].
	SettleBackoff time.Duration
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
	o.Concurrency = cmp.Or(o.Concurrency, 8)
	o.Workers = cmp.Or(o.Workers, 4)
	o.BatchSize = cmp.Or(o.BatchSize, 50)
	o.AuditOverlap = cmp.Or(o.AuditOverlap, 15*time.Minute)
	o.AuditRetention = cmp.Or(o.AuditRetention, 90*24*time.Hour)
	if o.PCNow == nil {
		o.PCNow = time.Now
	}
	o.DeliveryMaxAttempts = cmp.Or(o.DeliveryMaxAttempts, 12)
	o.HTTPTimeout = cmp.Or(o.HTTPTimeout, 60*time.Second)
	o.RescueStuckJobsAfter = cmp.Or(o.RescueStuckJobsAfter, 10*time.Minute)
	o.FetchCooldown = cmp.Or(o.FetchCooldown, 10*time.Millisecond)
	o.PlacementPoll = cmp.Or(o.PlacementPoll, 10*time.Second)
	o.PlacementSweepInterval = cmp.Or(o.PlacementSweepInterval, time.Minute)
	o.SettleBackoff = cmp.Or(o.SettleBackoff, time.Second)
}

// Mirror owns the River client and the sync and delivery workers.
type Mirror struct {
	st      *store.Store
	log     *slog.Logger
	opt     Options
	metrics *Metrics
	clients *clientCache
	river   *river.Client[pgx.Tx]
}

// New validates deps and builds the River client with every worker
// registered and the periodic jobs scheduled (unless NoPeriodic). Nothing
// runs until Start; Run works without Start (the CLI uses it).
func New(d Deps) (*Mirror, error) {
	var errs []error
	if d.Store == nil {
		errs = append(errs, errors.New("deps: a Store is required"))
	}
	if d.PCConfig == nil {
		errs = append(errs, errors.New("deps: a PCConfig func is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	m := &Mirror{st: d.Store, log: cmp.Or(d.Logger, slog.Default()), opt: d.Options, metrics: d.Metrics}
	m.opt.setDefaults()
	m.clients = &clientCache{build: d.PCConfig, tweak: m.opt.ClientTweak, metrics: d.Metrics, timeout: m.opt.HTTPTimeout}

	workers := river.NewWorkers()
	river.AddWorker(workers, &syncWorker{m: m})
	river.AddWorker(workers, &deliverWorker{m: m})
	river.AddWorker(workers, &advancePlacementWorker{m: m})
	river.AddWorker(workers, &placementSweepWorker{m: m})
	river.AddWorker(workers, &settleOrderWorker{m: m})
	cfg := &river.Config{
		Logger:               m.log.With("component", "river"),
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: m.opt.Workers}},
		Workers:              workers,
		RescueStuckJobsAfter: m.opt.RescueStuckJobsAfter,
		FetchCooldown:        m.opt.FetchCooldown,
		JobTimeout:           -1, // syncs take as long as PC needs; contexts carry cancellation
	}
	if !m.opt.NoPeriodic {
		cfg.PeriodicJobs = m.periodicJobs()
	}
	rc, err := river.NewClient(riverpgxv5.New(d.Store.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("mirror: river client: %w", err)
	}
	m.river = rc
	return m, nil
}

// Start starts working jobs (and, on the elected leader, scheduling the
// periodic ones). It returns once the client runs.
func (m *Mirror) Start(ctx context.Context) error {
	if err := m.river.Start(ctx); err != nil {
		return fmt.Errorf("mirror: start: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for running ones until ctx ends, then
// cancels them (a cancelled sync resumes from its checkpoint later).
func (m *Mirror) Stop(ctx context.Context) error {
	err := m.river.Stop(ctx)
	if err != nil && ctx.Err() != nil {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = m.river.StopAndCancel(stopCtx)
	}
	if err != nil {
		return fmt.Errorf("mirror: stop: %w", err)
	}
	return nil
}

// River returns the underlying River client (for tests and queue pages).
func (m *Mirror) River() *river.Client[pgx.Tx] { return m.river }

// Client returns the Partner Center client built from the current settings.
func (m *Mirror) Client(ctx context.Context) (*pccclient.Client, error) {
	return m.clients.get(ctx)
}

func (m *Mirror) periodicJobs() []*river.PeriodicJob {
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
		river.NewPeriodicJob(river.PeriodicInterval(m.opt.PlacementSweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return PlacementSweepArgs{}, nil },
			&river.PeriodicJobOpts{ID: "mirror.placement_sweep", RunOnStart: true}),
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
