// Package prices brings Partner Center's price sheets into the portal and
// turns costs into sale prices: a River job per market, view and timeline
// streams the sheet (pccclient.OpenPriceSheet, CSV or zip) into Postgres
// with COPY in chunks, so a sheet of any size is never held in memory and
// its progress is visible while it loads; a finished import replaces the
// month's earlier sheet and rebuilds the market's price list. The markup
// rules (admin use cases here, the arithmetic in rules/) price every line
// for the customers, and Pricer plugs both into billing (SalePricer,
// PriceChecker) and the mirror (NextTermPricer).
package prices

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// View is the sheet the portal imports: new-commerce license-based products.
const View = string(pccclient.ViewUpdatedLicenseBased)

// Deps is everything prices needs.
type Deps struct {
	Store  *store.Store
	PC     *pcconn.Conn
	Logger *slog.Logger
	// Mirror, when set, prices every renewal again after a sheet loads.
	Mirror *mirror.Mirror
	// Pricer is the pricer shared with the mirror [a new one].
	Pricer *Pricer
	// Now is the clock that picks the month [time.Now].
	Now     func() time.Time
	Options Options
}

// Options tune prices; zero values take the defaults in brackets.
type Options struct {
	// RefreshInterval is how often the sheets are checked: a market's
	// current sheet is imported once a month, the future sheet daily [1h].
	RefreshInterval time.Duration
	// ChunkRows is how many rows one COPY transaction loads [10000].
	ChunkRows int
	// DefaultMarket is imported when no customer names a country yet [US].
	DefaultMarket string
}

// Service runs the price sheet imports and the markup rules' use cases.
type Service struct {
	st     *store.Store
	pc     *pcconn.Conn
	log    *slog.Logger
	mirror *mirror.Mirror
	now    func() time.Time
	opt    Options
	river  *river.Client[pgx.Tx]
	pricer *Pricer
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
		return nil, fmt.Errorf("prices: %w", err)
	}
	s := &Service{st: d.Store, pc: d.PC, log: cmp.Or(d.Logger, slog.Default()), mirror: d.Mirror, now: d.Now, opt: d.Options}
	if s.now == nil {
		s.now = time.Now
	}
	s.opt.RefreshInterval = cmp.Or(s.opt.RefreshInterval, time.Hour)
	s.opt.ChunkRows = cmp.Or(s.opt.ChunkRows, 10000)
	s.opt.DefaultMarket = strings.ToUpper(cmp.Or(s.opt.DefaultMarket, "US"))
	rc, err := river.NewClient(riverpgxv5.New(d.Store.Pool), &river.Config{Logger: s.log.With("component", "river")})
	if err != nil {
		return nil, fmt.Errorf("prices: river inserter: %w", err)
	}
	s.river = rc
	s.pricer = d.Pricer
	if s.pricer == nil {
		s.pricer = NewPricer(d.Store)
	}
	return s, nil
}

// Pricer is the service's pricer (markup rules cached briefly).
func (s *Service) Pricer() *Pricer { return s.pricer }

// ImportArgs is the job that loads one price sheet import.
type ImportArgs struct {
	ImportID int64 `json:"import_id"`
}

// Kind is River's job kind.
func (ImportArgs) Kind() string { return "prices.import" }

var waitingOrRunning = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}

// InsertOpts keeps one job per import.
func (ImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waitingOrRunning}}
}

// RefreshArgs is the periodic job that queues the sheets each market needs.
type RefreshArgs struct{}

// Kind is River's job kind.
func (RefreshArgs) Kind() string { return "prices.refresh" }

// InsertOpts keeps one refresh waiting or running.
func (RefreshArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByState: waitingOrRunning}}
}

// AddWorkers registers the import and refresh workers.
func (s *Service) AddWorkers(ws *river.Workers) {
	river.AddWorker(ws, &importWorker{s: s})
	river.AddWorker(ws, &refreshWorker{s: s})
}

// PeriodicJobs checks the sheets every RefreshInterval (and at start, so a
// new install prices its catalog without a manual step).
func (s *Service) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(s.opt.RefreshInterval),
		func() (river.JobArgs, *river.InsertOpts) { return RefreshArgs{}, nil },
		&river.PeriodicJobOpts{ID: "prices.refresh", RunOnStart: true})}
}

// monthOf is the first day of t's month (UTC).
func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// QueueImport imports the current and the future sheet of each market
// (every customer country when markets is empty), for the workers: one
// transaction with the imports, their jobs and the audit entry. A sheet
// whose import is already under way is left to it.
func (s *Service) QueueImport(ctx context.Context, by store.Actor, markets []string) (int, error) {
	if !pcconn.Profile(ctx, s.st).Has(rules.CapPriceSheets) {
		return 0, nil // nothing to download in this cloud (the prices page says so)
	}
	if len(markets) == 0 {
		var err error
		if markets, err = s.markets(ctx); err != nil {
			return 0, err
		}
	}
	n := 0
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		n = 0
		for _, m := range markets {
			for _, tl := range []string{"current", "future"} {
				ok, err := s.queue(ctx, tx, m, tl, "manual", by.UserID)
				if err != nil {
					return err
				}
				if ok {
					n++
				}
			}
		}
		_, err := s.st.Q.InsertAudit(ctx, tx, db.InsertAuditParams{ActorUserID: by.UserID, Actor: by.Label, Action: "prices.import_queued",
			TargetType: "price_sheet", TargetID: strings.Join(markets, ","), Outcome: "ok", Detail: fmt.Sprintf("%d sheets queued", n)})
		return err
	})
	return n, err
}

func (s *Service) markets(ctx context.Context) ([]string, error) {
	ms, err := s.st.PriceMarkets(ctx)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		ms = []string{s.opt.DefaultMarket}
	}
	return ms, nil
}

// queue creates an import of market's sheet on timeline and its job in tx;
// false when one is already under way.
func (s *Service) queue(ctx context.Context, tx pgx.Tx, market, timeline, trigger string, by *int64) (bool, error) {
	month := monthOf(s.now())
	if timeline == "future" {
		month = month.AddDate(0, 1, 0)
	}
	id, err := s.st.CreatePriceSheetImport(ctx, tx, strings.ToUpper(market), View, timeline, month, trigger, by)
	if errors.Is(err, store.ErrSheetImportOpen) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if _, err := s.river.InsertTx(ctx, tx, ImportArgs{ImportID: id}, nil); err != nil {
		return false, fmt.Errorf("queue price sheet import %d: %w", id, err)
	}
	return true, nil
}

// QueueRefresh queues a refresh now rather than at the next hour: a new
// partner admin sign-in makes the sheets downloadable (a refresh already
// waiting is enough).
func (s *Service) QueueRefresh(ctx context.Context) error {
	if _, err := s.river.Insert(ctx, RefreshArgs{}, nil); err != nil {
		return fmt.Errorf("queue price refresh: %w", err)
	}
	return nil
}

// Refresh queues what the schedule needs: a market's current sheet when
// this month's is not loaded, its future sheet when not checked today (a
// check that failed or lacked the partner admin's sign-in does not count,
// so the sheets follow a new connection within the hour).
func (s *Service) Refresh(ctx context.Context) (int, error) {
	if !pcconn.Profile(ctx, s.st).Has(rules.CapPriceSheets) {
		return 0, nil // 21Vianet has no price sheet downloads (the prices page says so)
	}
	markets, err := s.markets(ctx)
	if err != nil {
		return 0, err
	}
	recent, err := s.st.PriceSheetImports(ctx, 500)
	if err != nil {
		return 0, err
	}
	now := s.now()
	month := monthOf(now)
	n := 0
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		for _, m := range markets {
			needCur, needFut := true, true
			for _, i := range recent {
				if i.Market != m || i.View != View {
					continue
				}
				switch {
				case i.Timeline == "current" && i.Month.Equal(month) && (i.State == "done" || i.State == "queued" || i.State == "loading"):
					needCur = false
				case i.Timeline == "future" && i.State != "failed" && i.State != "consent_required" && now.Sub(i.CreatedAt) < 24*time.Hour:
					needFut = false
				}
			}
			for tl, need := range map[string]bool{"current": needCur, "future": needFut} {
				if !need {
					continue
				}
				ok, err := s.queue(ctx, tx, m, tl, "schedule", nil)
				if err != nil {
					return err
				}
				if ok {
					n++
				}
			}
		}
		return nil
	})
	return n, err
}

type refreshWorker struct {
	river.WorkerDefaults[RefreshArgs]
	s *Service
}

func (w *refreshWorker) Timeout(*river.Job[RefreshArgs]) time.Duration { return time.Minute }

func (w *refreshWorker) Work(ctx context.Context, _ *river.Job[RefreshArgs]) error {
	_, err := w.s.Refresh(ctx)
	return err
}

type importWorker struct {
	river.WorkerDefaults[ImportArgs]
	s *Service
}

func (w *importWorker) Timeout(*river.Job[ImportArgs]) time.Duration { return 45 * time.Minute }

func (w *importWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	err := w.s.Import(ctx, job.Args.ImportID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		if e := w.s.st.EndPriceSheetImport(context.WithoutCancel(ctx), job.Args.ImportID, "failed", err.Error()); e != nil {
			w.s.log.Error("end price sheet import", "id", job.Args.ImportID, "err", e)
		}
	}
	return err
}

// Import loads one import's sheet in the calling goroutine: it streams the
// sheet from PC in chunks of ChunkRows rows, each chunk one COPY
// transaction with the progress count, then finishes it (the month's
// earlier sheet replaced, the price list rebuilt) and prices the renewals
// again. Without a partner admin's sign-in it ends as consent_required
// (no retry loop: the page says to reconnect); a future sheet PC has no
// change for ends as no_change.
func (s *Service) Import(ctx context.Context, id int64) error {
	imp, err := s.st.PriceSheetImport(ctx, id)
	if err != nil {
		return err
	}
	if imp.State != "queued" && imp.State != "loading" {
		return nil
	}
	pc, err := s.pc.Client(ctx)
	if errors.Is(err, pcconn.ErrNotConfigured) {
		return s.st.EndPriceSheetImport(ctx, id, "failed", "Partner Center is not connected yet.")
	}
	if err != nil {
		return err
	}
	if err := s.st.StartPriceSheetImport(ctx, id); err != nil {
		return err
	}
	req := pccclient.PriceSheetRequest{Market: imp.Market, View: pccclient.PriceSheetView(imp.View),
		Timeline: pccclient.PriceSheetTimeline(imp.Timeline)}
	sheet, err := pc.OpenPriceSheet(ctx, req)
	var ce *pccclient.ConsentError
	if errors.As(err, &ce) {
		return s.st.EndPriceSheetImport(ctx, id, "consent_required", "This needs a partner admin's sign-in: "+ce.Error())
	}
	if err != nil {
		return fmt.Errorf("open price sheet %s %s: %w", imp.Market, imp.Timeline, err)
	}
	defer sheet.Close()
	if sheet.NoPlannedChange {
		return s.st.EndPriceSheetImport(ctx, id, "no_change", "Partner Center has no price change planned for next month.")
	}
	src := &chunk{sheet: sheet, importID: id, market: imp.Market, max: s.opt.ChunkRows}
	for !src.eof {
		src.n = 0
		if _, err := s.st.LoadPriceSheetRows(ctx, id, src); err != nil {
			return err
		}
		if src.err != nil {
			return src.err
		}
	}
	if err := sheet.Err(); err != nil {
		return err
	}
	if err := s.st.FinishPriceSheetImport(ctx, id, s.now()); err != nil {
		return err
	}
	s.pricer.Forget()
	if s.mirror != nil {
		if n, err := s.mirror.RepriceRenewals(ctx); err != nil {
			s.log.Warn("reprice renewals after a price sheet", "err", err)
		} else {
			s.log.Info("renewals repriced", "subscriptions", n)
		}
	}
	return nil
}

// chunk is a pgx.CopyFromSource over at most max rows of a sheet.
type chunk struct {
	sheet    *pccclient.PriceSheet
	importID int64
	market   string
	max, n   int
	eof      bool
	err      error
	vals     []any
}

func (c *chunk) Next() bool {
	if c.eof || c.n >= c.max {
		return false
	}
	if !c.sheet.Next() {
		c.eof = true
		return false
	}
	c.n++
	r := c.sheet.Row()
	var erp, tier any
	if r.ERPPrice.Valid {
		erp = r.ERPPrice.Decimal
	}
	if r.PricingTierRangeMin.Valid {
		tier = r.PricingTierRangeMin.Decimal
	}
	var start, end any
	if !r.EffectiveStartDate.IsZero() {
		start = r.EffectiveStartDate
	}
	if !r.EffectiveEndDate.IsZero() {
		end = r.EffectiveEndDate
	}
	c.vals = append(c.vals[:0], c.importID, int32(r.Line), cmp.Or(strings.ToUpper(r.Market), c.market), r.ProductID, r.SkuID,
		r.ProductTitle, r.SkuTitle, r.TermDuration, strings.ToLower(r.BillingPlan), strings.ToUpper(r.Currency), r.UnitPrice,
		erp, tier, start, end, r.Segment)
	return true
}

func (c *chunk) Values() ([]any, error) { return c.vals, nil }
func (c *chunk) Err() error             { return c.err }
