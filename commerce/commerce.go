// Package commerce is the portal's write side: every change a staff user
// (or the system) makes to Partner Center is one function here, and each
// is one transaction that writes the command, its outbox row with a stable
// MS-RequestId, the audit entry and the River job that delivers it.
//
// Use cases: PlaceOrder, RetryPlacement, CancelPlacement (orders.go),
// AddCartLine, DeleteCartLine (cart.go), ChangeSubscription
// (subscriptions.go; with PlanChange, and PlanNextTerm, PlanClearNextTerm
// and PlanTransition for the lifecycle, lifecycle.go), CreateCustomer,
// AdvanceOnboarding, RetryAgreement (customers.go), QueueSync (sync.go),
// the renewal calendar's feeds and the customers' renewal prices
// (renewals.go). Handlers parse and validate a form,
// call one of them, and render.
//
// Delivery: a River job per command sends it with its MS-RequestId (a
// retry is never applied twice), hands PC's answer to the mirror
// (mirror.Apply*) and marks the command succeeded or failed in one
// transaction (deliver.go). A page that must show PC's answer at once
// holds the job back and delivers inline (DeliverNow, inline.go); if that
// fails or the process dies, the held job takes over. A delivered order is
// followed until PC provisions it (settle.go), and the add-on phase of a
// two-phase order is queued once its bases are active (placement.go).
package commerce

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
)

// Deps is everything the write side needs.
type Deps struct {
	Store  *store.Store
	PC     *pcconn.Conn
	Mirror *mirror.Mirror // applies PC's answers to the mirror
	Logger *slog.Logger
	// Metrics counts delivery outcomes (optional).
	Metrics *mirror.Metrics
	// Mail sends the mails of the use cases (invitations); nil sends none.
	Mail *mail.Service
	// Now is the portal's clock for the commerce rules (the sandbox's in
	// tests that move time) [time.Now].
	Now     func() time.Time
	Options Options
}

// Options tune the write side; zero values take the defaults in brackets.
type Options struct {
	// DeliveryMaxAttempts bounds retries of one command [12].
	DeliveryMaxAttempts int
	// InlineHold is how long a command delivered inline holds back its
	// River job [2m].
	InlineHold time.Duration
	// PlacementPoll is how often the add-on phase of an order looks in the
	// mirror whether its new bases are active [10s].
	PlacementPoll time.Duration
	// PlacementSweepInterval is the period of the sweep that re-queues
	// add-on phases never queued [1m].
	PlacementSweepInterval time.Duration
	// SettleBackoff is the first wait before a new order's subscriptions
	// are read again; it doubles after each read, up to 30s [1s].
	SettleBackoff time.Duration
}

func (o *Options) setDefaults() {
	o.DeliveryMaxAttempts = cmp.Or(o.DeliveryMaxAttempts, 12)
	o.InlineHold = cmp.Or(o.InlineHold, 2*time.Minute)
	o.PlacementPoll = cmp.Or(o.PlacementPoll, 10*time.Second)
	o.PlacementSweepInterval = cmp.Or(o.PlacementSweepInterval, time.Minute)
	o.SettleBackoff = cmp.Or(o.SettleBackoff, time.Second)
}

// Service runs the write use cases and their workers.
type Service struct {
	st      *store.Store
	pc      *pcconn.Conn
	mir     *mirror.Mirror
	log     *slog.Logger
	metrics *mirror.Metrics
	mail    *mail.Service
	now     func() time.Time
	opt     Options
	// river inserts jobs in the callers' transactions; the workers run in
	// the process's River client (package jobs).
	river *river.Client[pgx.Tx]
	// promos caches each market's running promotions (promotions.go).
	promos promoCache
}

// New validates d and returns a Service.
func New(d Deps) (*Service, error) {
	var errs []error
	if d.Store == nil {
		errs = append(errs, errors.New("deps: a Store is required"))
	}
	if d.PC == nil {
		errs = append(errs, errors.New("deps: a Partner Center connection (PC) is required"))
	}
	if d.Mirror == nil {
		errs = append(errs, errors.New("deps: a Mirror is required"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("commerce: %w", err)
	}
	s := &Service{st: d.Store, pc: d.PC, mir: d.Mirror, log: cmp.Or(d.Logger, slog.Default()), metrics: d.Metrics,
		mail: d.Mail, now: d.Now, opt: d.Options}
	if s.now == nil {
		s.now = time.Now
	}
	s.opt.setDefaults()
	rc, err := river.NewClient(riverpgxv5.New(d.Store.Pool), &river.Config{Logger: s.log.With("component", "river")})
	if err != nil {
		return nil, fmt.Errorf("commerce: river inserter: %w", err)
	}
	s.river = rc
	return s, nil
}

// AddWorkers registers the delivery, settle, add-on-phase, transition and
// seat-review workers.
func (s *Service) AddWorkers(ws *river.Workers) {
	river.AddWorker(ws, &deliverWorker{s: s})
	river.AddWorker(ws, &advancePlacementWorker{s: s})
	river.AddWorker(ws, &placementSweepWorker{s: s})
	river.AddWorker(ws, &settleOrderWorker{s: s})
	river.AddWorker(ws, &transitionWatchWorker{s: s})
	river.AddWorker(ws, &seatReviewWorker{s: s})
}

// PeriodicJobs is the sweep that re-queues add-on phases never queued.
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(s.opt.PlacementSweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return PlacementSweepArgs{}, nil },
			&river.PeriodicJobOpts{ID: "mirror.placement_sweep", RunOnStart: true}),
	}
}

// Actor is who asks for a change, as the audit trail names them.
type Actor = store.Actor

// System is the portal itself acting (jobs, sweeps).
var System = Actor{Label: "system"}
