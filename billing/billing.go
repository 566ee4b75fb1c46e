// Package billing brings Partner Center's invoices into the portal and
// answers what each customer owes: River jobs import every invoice's line
// items (Microsoft Graph's reconciliation exports, or the v1 invoice API
// for older periods and clouds without Graph billing) and the open
// period's accrual, summarise them per customer, subscription and charge
// type, price them for the customers (SalePricer), and reconcile them with
// the mirror (every line's subscription mirrored, seats billed against
// seats held, charges for suspended or cancelled subscriptions, prices
// against the price sheet).
//
// An import is a state machine in billing_imports, every step persisted:
// queued -> exporting (POST export) -> waiting (poll the operation with
// its Retry-After) -> manifest -> downloading (blobs in parallel, each
// streamed through gzip into one COPY transaction with its "loaded" mark)
// -> finalizing (one transaction: supersede the previous import, rebuild
// the summaries, write the findings) -> done. A crash at any step resumes
// at that step; a manifest whose eTag is already imported ends as
// unchanged, so an invoice is imported once per version.
package billing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// LineItem is what a SalePricer and a PriceChecker see of a line.
type LineItem struct {
	Kind           string // license | usage
	CustomerID     uuid.UUID
	SubscriptionID string
	ProductID      string
	SkuID          string
	AvailabilityID string
	ProductName    string
	ChargeType     string
	ChargeStart    time.Time
	BillingCycle   string // Monthly, Annual, Triennial, "" (usage)
	Quantity       decimal.Decimal
	UnitPrice      decimal.Decimal
	Cost           decimal.Decimal // Microsoft's charge
	Currency       string
}

// SalePricer turns a line's cost into what the customer is billed (the
// markup rules). customer is uuid.Nil when the mirror does not know it.
type SalePricer interface {
	Sale(ctx context.Context, customer uuid.UUID, line LineItem) (decimal.Decimal, error)
}

// CostPricer bills customers at cost: the default until markup rules are
// wired in.
type CostPricer struct{}

// Sale returns the line's cost.
func (CostPricer) Sale(_ context.Context, _ uuid.UUID, line LineItem) (decimal.Decimal, error) {
	return line.Cost, nil
}

// ErrNoPriceSheet means no price sheet for the line's month was imported.
var ErrNoPriceSheet = errors.New("no price sheet imported")

// PriceChecker says what a line's unit price should be by the price sheet
// of its month.
// It reads through q, the caller's transaction.
type PriceChecker interface {
	ExpectedPrice(ctx context.Context, q store.BillingDB, line LineItem) (decimal.Decimal, error)
}

// NoPriceSheet is the PriceChecker without price sheets: every check is
// skipped with ErrNoPriceSheet.
type NoPriceSheet struct{}

// ExpectedPrice returns ErrNoPriceSheet.
func (NoPriceSheet) ExpectedPrice(context.Context, store.BillingDB, LineItem) (decimal.Decimal, error) {
	return decimal.Zero, ErrNoPriceSheet
}

// Deps is everything billing needs.
type Deps struct {
	Store  *store.Store
	PC     *pcconn.Conn
	Logger *slog.Logger
	// Sale prices lines for the customers [CostPricer].
	Sale SalePricer
	// Prices checks lines against the price sheet [NoPriceSheet].
	Prices  PriceChecker
	Options Options
}

// Options tune billing; zero values take the defaults in brackets.
type Options struct {
	// SyncInterval is how often invoices are listed and new ones imported [6h].
	SyncInterval time.Duration
	// UnbilledInterval is how often the open period's accrual is refreshed [6h].
	UnbilledInterval time.Duration
	// PollMin and PollMax bound the wait between polls of an export, which
	// otherwise follows Graph's Retry-After [5s, 5m].
	PollMin, PollMax time.Duration
	// Parallel is how many blobs load at once [3].
	Parallel int
	// MaxExports is how many exports an import asks for before it gives
	// up (a failed operation or an expired SAS token asks again) [3].
	MaxExports int
	// PageCacheTTL is how old an invoice page may be (InvoicePage); a
	// negative value turns the cache off [2s].
	PageCacheTTL time.Duration
}

func (o *Options) setDefaults() {
	o.SyncInterval = cmp.Or(o.SyncInterval, 6*time.Hour)
	o.UnbilledInterval = cmp.Or(o.UnbilledInterval, 6*time.Hour)
	o.PollMin = cmp.Or(o.PollMin, 5*time.Second)
	o.PollMax = cmp.Or(o.PollMax, 5*time.Minute)
	o.Parallel = cmp.Or(o.Parallel, 3)
	o.MaxExports = cmp.Or(o.MaxExports, 3)
	o.PageCacheTTL = cmp.Or(o.PageCacheTTL, 2*time.Second)
}

// Service runs the billing use cases and jobs.
type Service struct {
	st     *store.Store
	pc     *pcconn.Conn
	log    *slog.Logger
	sale   SalePricer
	prices PriceChecker
	opt    Options
	river  *river.Client[pgx.Tx]
	pages  pageCache
	// afterStep, in tests, runs after each persisted step; an error stops
	// the import there as a crash would.
	afterStep func(importID int64, state string) error
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
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("billing: %w", err)
	}
	s := &Service{st: d.Store, pc: d.PC, log: cmp.Or(d.Logger, slog.Default()), sale: d.Sale, prices: d.Prices, opt: d.Options}
	if s.sale == nil {
		s.sale = CostPricer{}
	}
	if s.prices == nil {
		s.prices = NoPriceSheet{}
	}
	s.opt.setDefaults()
	s.pages.ttl = s.opt.PageCacheTTL
	rc, err := river.NewClient(riverpgxv5.New(d.Store.Pool), &river.Config{Logger: s.log.With("component", "river")})
	if err != nil {
		return nil, fmt.Errorf("billing: river inserter: %w", err)
	}
	s.river = rc
	return s, nil
}

// AddWorkers registers the sync and import workers.
func (s *Service) AddWorkers(ws *river.Workers) {
	river.AddWorker(ws, &syncWorker{s: s})
	river.AddWorker(ws, &importWorker{s: s})
}

// PeriodicJobs lists the invoices (and imports new ones) and refreshes the
// open period's accrual.
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(s.opt.SyncInterval),
			func() (river.JobArgs, *river.InsertOpts) { return SyncArgs{Invoices: true}, nil },
			&river.PeriodicJobOpts{ID: "billing.sync_invoices", RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(s.opt.UnbilledInterval),
			func() (river.JobArgs, *river.InsertOpts) { return SyncArgs{Unbilled: true}, nil },
			&river.PeriodicJobOpts{ID: "billing.sync_unbilled"}),
	}
}

// QueueSync lists the invoices, imports the new ones and refreshes the
// accrual, for the workers (the "Import now" button): one transaction with
// the job and the audit entry.
func (s *Service) QueueSync(ctx context.Context, by store.Actor) error {
	return s.st.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := s.river.InsertTx(ctx, tx, SyncArgs{Invoices: true, Unbilled: true, Trigger: "manual", RequestedBy: by.UserID}, nil); err != nil {
			return fmt.Errorf("queue billing sync: %w", err)
		}
		_, err := s.st.Q.InsertAudit(ctx, tx, db.InsertAuditParams{ActorUserID: by.UserID, Actor: by.Label, Action: "billing.sync_queued",
			TargetType: "billing", Outcome: "ok"})
		return err
	})
}

// QueueReimport imports an invoice again (a new export), e.g. after
// Microsoft corrected it: one transaction with the import, its job and the
// audit entry. An import already under way is left to finish.
func (s *Service) QueueReimport(ctx context.Context, by store.Actor, invoiceID string) error {
	return s.st.InTx(ctx, func(tx pgx.Tx) error {
		inv, err := s.st.BillingInvoiceTx(ctx, tx, invoiceID)
		if err != nil {
			return err
		}
		src, err := s.sourceFor(ctx, inv)
		if err != nil {
			return err
		}
		for _, ds := range datasets {
			if err := s.queueImport(ctx, tx, inv, ds, src(ds), "manual", by.UserID); err != nil && !errors.Is(err, store.ErrImportOpen) {
				return err
			}
		}
		_, err = s.st.Q.InsertAudit(ctx, tx, db.InsertAuditParams{ActorUserID: by.UserID, Actor: by.Label, Action: "billing.reimport_queued",
			TargetType: "invoice", TargetID: invoiceID, Outcome: "ok"})
		return err
	})
}

// queueImport creates an import and its job in tx.
func (s *Service) queueImport(ctx context.Context, tx pgx.Tx, inv store.BillingInvoice, dataset, source, trigger string, by *int64) error {
	id, err := s.st.CreateBillingImport(ctx, tx, inv.ID, dataset, source, trigger, by)
	if err != nil {
		return err
	}
	if _, err := s.river.InsertTx(ctx, tx, ImportArgs{ImportID: id}, nil); err != nil {
		return fmt.Errorf("queue import %d: %w", id, err)
	}
	return nil
}
