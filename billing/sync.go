package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// datasets are imported for every invoice: license-based line items and
// Azure daily rated usage.
var datasets = []string{rules.DatasetReconciliation, rules.DatasetUsage}

// SyncArgs is the River job that lists the invoices (importing the new
// ones) and, with Unbilled, refreshes the open period's accrual.
type SyncArgs struct {
	Invoices    bool   `json:"invoices" river:"unique"`
	Unbilled    bool   `json:"unbilled" river:"unique"`
	Trigger     string `json:"trigger,omitempty"`
	RequestedBy *int64 `json:"requested_by,omitempty"`
}

// Kind is River's job kind.
func (SyncArgs) Kind() string { return "billing.sync" }

// InsertOpts makes the job unique while it waits or runs.
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type syncWorker struct {
	river.WorkerDefaults[SyncArgs]
	s *Service
}

func (w *syncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return 30 * time.Minute }

func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncArgs]) error {
	err := w.s.Sync(ctx, job.Args)
	if errors.Is(err, pcconn.ErrNotConfigured) {
		w.s.log.Info("billing sync skipped: partner center not configured")
		return nil
	}
	return err
}

// Sync lists the invoices and queues the imports they need (Invoices), and
// queues the accrual's imports (Unbilled), in the calling goroutine.
func (s *Service) Sync(ctx context.Context, a SyncArgs) error {
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return err
	}
	trigger := a.Trigger
	if trigger == "" {
		trigger = "schedule"
	}
	if a.Invoices {
		if err := s.syncInvoices(ctx, pc, trigger, a.RequestedBy); err != nil {
			return err
		}
	}
	if a.Unbilled {
		return s.syncUnbilled(ctx, pc, trigger, a.RequestedBy)
	}
	return nil
}

// syncInvoices records every invoice PC lists and queues the imports of
// those not imported yet (a failed import is tried again).
func (s *Service) syncInvoices(ctx context.Context, pc *pccclient.Client, trigger string, by *int64) error {
	for inv, err := range pc.ListInvoices(ctx) {
		if err != nil {
			return fmt.Errorf("list invoices: %w", err)
		}
		bi, err := invoiceOf(inv)
		if err != nil {
			return err
		}
		if err := s.st.UpsertBillingInvoice(ctx, s.st.Pool, bi, rawJSON(inv)); err != nil {
			return err
		}
	}
	todo, err := s.st.BillingImportsToQueue(ctx)
	if err != nil {
		return err
	}
	graph := pc.Cloud().GraphBilling()
	for _, t := range todo {
		src := rules.BillingSource(graph, t.Dataset, t.Invoice.PeriodStart)
		err := s.st.InTx(ctx, func(tx pgx.Tx) error { return s.queueImport(ctx, tx, t.Invoice, t.Dataset, src, trigger, by) })
		if err != nil && !errors.Is(err, store.ErrImportOpen) {
			return err
		}
	}
	return nil
}

// syncUnbilled queues a fresh import of the open period in every billing
// currency seen on an invoice.
func (s *Service) syncUnbilled(ctx context.Context, pc *pccclient.Client, trigger string, by *int64) error {
	curs, err := s.st.BillingCurrencies(ctx)
	if err != nil {
		return err
	}
	graph := pc.Cloud().GraphBilling()
	now := time.Now().UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, cur := range curs {
		inv := store.BillingInvoice{ID: UnbilledID(cur), Kind: "unbilled", PeriodStart: start, PeriodEnd: start.AddDate(0, 1, -1),
			Currency: cur, DocumentType: "accrual", NewCommerce: true}
		err := s.st.InTx(ctx, func(tx pgx.Tx) error {
			if err := s.st.UpsertUnbilledInvoice(ctx, tx, inv); err != nil {
				return err
			}
			for _, ds := range datasets {
				src := rules.SourceV1
				if graph {
					src = rules.SourceGraph
				}
				if err := s.queueImport(ctx, tx, inv, ds, src, trigger, by); err != nil && !errors.Is(err, store.ErrImportOpen) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// UnbilledID is the id of the open period's accrual in currency.
func UnbilledID(currency string) string { return "unbilled-" + strings.ToUpper(currency) }

// sourceFor returns where each dataset of inv comes from.
func (s *Service) sourceFor(ctx context.Context, inv store.BillingInvoice) (func(string) string, error) {
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return nil, err
	}
	graph := pc.Cloud().GraphBilling()
	return func(ds string) string {
		if inv.Kind == "unbilled" {
			if graph {
				return rules.SourceGraph
			}
			return rules.SourceV1
		}
		return rules.BillingSource(graph, ds, inv.PeriodStart)
	}, nil
}

// invoiceOf converts PC's invoice; new commerce has onetime line items.
func invoiceOf(inv pccclient.Invoice) (store.BillingInvoice, error) {
	total, err := pccclient.Decimal(inv.TotalCharges)
	if err != nil {
		return store.BillingInvoice{}, fmt.Errorf("invoice %s: %w", inv.ID, err)
	}
	paid, err := pccclient.Decimal(inv.PaidAmount)
	if err != nil {
		return store.BillingInvoice{}, fmt.Errorf("invoice %s: %w", inv.ID, err)
	}
	bi := store.BillingInvoice{ID: inv.ID, Kind: "invoice", PeriodStart: inv.BillingPeriodStartDate.UTC().Truncate(24 * time.Hour),
		PeriodEnd: inv.BillingPeriodEndDate.UTC().Truncate(24 * time.Hour), Currency: inv.CurrencyCode, Total: total, Paid: paid,
		DocumentType: inv.DocumentType}
	if !inv.InvoiceDate.IsZero() {
		d := inv.InvoiceDate
		bi.InvoiceDate = &d
	}
	for _, d := range inv.InvoiceDetails {
		switch strings.ToLower(strings.ReplaceAll(d.BillingProvider, "_", "")) {
		case "onetime", "all":
			bi.NewCommerce = true
		}
	}
	return bi, nil
}

// manifestOf reads a stored manifest.
func manifestOf(raw json.RawMessage) (*pccclient.BillingManifest, error) {
	var m pccclient.BillingManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("stored manifest: %w", err)
	}
	return &m, nil
}

// rawJSON is v as JSON (PC's resource as it came), {} if it does not encode.
func rawJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("{}")
	}
	return b
}
