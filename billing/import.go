package billing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"golang.org/x/sync/errgroup"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// ImportArgs is the River job that walks one import to its end.
type ImportArgs struct {
	ImportID int64 `json:"import_id" river:"unique"`
}

// Kind is River's job kind.
func (ImportArgs) Kind() string { return "billing.import" }

// InsertOpts makes the job unique per import; a failing step is retried
// with River's back-off, from the step it reached.
func (ImportArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 12, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type importWorker struct {
	river.WorkerDefaults[ImportArgs]
	s *Service
}

// importTimeout bounds one run of an import job (a million-line invoice
// loads in minutes); River rescues a job of a dead process only with one.
const importTimeout = 2 * time.Hour

func (w *importWorker) Timeout(*river.Job[ImportArgs]) time.Duration { return importTimeout }

func (w *importWorker) Work(ctx context.Context, job *river.Job[ImportArgs]) error {
	wait, err := w.s.RunImport(ctx, job.Args.ImportID)
	switch {
	case errors.Is(err, pcconn.ErrNotConfigured):
		return nil
	case err != nil:
		w.s.noteError(job.Args.ImportID, err)
		return err
	case wait > 0:
		return river.JobSnooze(wait)
	}
	return nil
}

// noteError records the last error on the import (for the sync page).
func (s *Service) noteError(id int64, err error) {
	msg := err.Error()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.st.UpdateBillingImport(ctx, s.st.Pool, id, store.BillingImportUpdate{Error: &msg})
}

// finished states end an import.
func finished(state string) bool {
	switch state {
	case store.ImportDone, store.ImportUnchanged, store.ImportNoData, store.ImportFailed, store.ImportSuperseded:
		return true
	}
	return false
}

// RunImport advances import id step by step until it finishes, has to
// wait (the wait before polling again is returned), or a step fails (the
// step is tried again on the next run).
func (s *Service) RunImport(ctx context.Context, id int64) (time.Duration, error) {
	for {
		imp, err := s.st.BillingImport(ctx, s.st.Pool, id)
		if err != nil {
			return 0, err
		}
		if finished(imp.State) {
			return 0, nil
		}
		pc, err := s.pc.Client(ctx)
		if err != nil {
			return 0, err
		}
		var state string
		var wait time.Duration
		began := time.Now()
		if imp.Source == rules.SourceV1 {
			state, err = s.stepV1(ctx, pc, imp)
		} else {
			state, wait, err = s.stepGraph(ctx, pc, imp)
		}
		if err != nil || wait > 0 {
			return wait, err
		}
		s.log.Info("billing import step", "import", id, "invoice", imp.InvoiceID, "dataset", imp.Dataset, "from", imp.State,
			"to", state, "took", time.Since(began).Round(time.Millisecond))
		if s.afterStep != nil {
			if err := s.afterStep(id, state); err != nil {
				return 0, err
			}
		}
	}
}

func (s *Service) set(ctx context.Context, id int64, state string, u store.BillingImportUpdate) (string, error) {
	u.State = &state
	u.Finished = u.Finished || finished(state)
	return state, s.st.UpdateBillingImport(ctx, s.st.Pool, id, u)
}

func strp(v string) *string { return &v }

// exportRequest is the Graph export an import asks for.
func exportRequest(imp store.BillingImport) pccclient.ExportRequest {
	r := pccclient.ExportRequest{Attributes: pccclient.AttributesFull}
	unbilled := imp.InvoiceKind == "unbilled"
	switch {
	case imp.Dataset == rules.DatasetUsage && unbilled:
		r.Dataset = pccclient.UnbilledUsage
	case imp.Dataset == rules.DatasetUsage:
		r.Dataset = pccclient.BilledUsage
	case unbilled:
		r.Dataset = pccclient.UnbilledReconciliation
	default:
		r.Dataset = pccclient.BilledReconciliation
	}
	if unbilled {
		r.Currency, r.Period = imp.Currency, pccclient.PeriodCurrent
	} else {
		r.InvoiceID = imp.InvoiceID
	}
	return r
}

// stepGraph runs one step of a Graph import and returns the state it left.
func (s *Service) stepGraph(ctx context.Context, pc *pccclient.Client, imp store.BillingImport) (string, time.Duration, error) {
	switch imp.State {
	case store.ImportQueued, store.ImportExporting:
		if imp.Attempts >= s.opt.MaxExports {
			st, err := s.set(ctx, imp.ID, store.ImportFailed, store.BillingImportUpdate{
				Error: strp(fmt.Sprintf("gave up after %d exports: %s", imp.Attempts, imp.Error))})
			return st, 0, err
		}
		loc, err := pc.StartBillingExport(ctx, exportRequest(imp))
		if err != nil {
			return "", 0, err
		}
		st, err := s.set(ctx, imp.ID, store.ImportWaiting, store.BillingImportUpdate{OperationURL: &loc, AddAttempts: 1})
		return st, 0, err
	case store.ImportWaiting:
		op, err := pc.GetBillingOperation(ctx, imp.OperationURL)
		if pccclient.IsNotFound(err) {
			st, err := s.set(ctx, imp.ID, store.ImportQueued, store.BillingImportUpdate{Error: strp("the export operation is gone; exporting again")})
			return st, 0, err
		}
		if err != nil {
			return "", 0, err
		}
		switch {
		case op.Succeeded():
			st, err := s.set(ctx, imp.ID, store.ImportManifest, store.BillingImportUpdate{ManifestURL: &op.ManifestURL})
			return st, 0, err
		case op.Failed() && op.Error.NoData():
			st, err := s.set(ctx, imp.ID, store.ImportNoData, store.BillingImportUpdate{
				Error: strp("Microsoft has no data for it (No data available)")})
			return st, 0, err
		case op.Failed():
			msg := "the export failed"
			if op.Error != nil {
				msg += ": " + op.Error.Code + " " + op.Error.Message
			}
			st, err := s.set(ctx, imp.ID, store.ImportQueued, store.BillingImportUpdate{Error: &msg})
			return st, 0, err
		}
		wait := min(max(op.RetryAfter, s.opt.PollMin), s.opt.PollMax)
		err = s.st.UpdateBillingImport(ctx, s.st.Pool, imp.ID, store.BillingImportUpdate{AddPolls: 1})
		return store.ImportWaiting, wait, err
	case store.ImportManifest:
		m, err := pc.GetBillingManifest(ctx, imp.ManifestURL)
		if pccclient.IsNotFound(err) {
			st, err := s.set(ctx, imp.ID, store.ImportQueued, store.BillingImportUpdate{Error: strp("the manifest is gone; exporting again")})
			return st, 0, err
		}
		if err != nil {
			return "", 0, err
		}
		cur, err := s.st.DoneBillingImportETag(ctx, s.st.Pool, imp.InvoiceID, imp.Dataset)
		if err != nil {
			return "", 0, err
		}
		if cur != "" && cur == m.ETag {
			st, err := s.set(ctx, imp.ID, store.ImportUnchanged, store.BillingImportUpdate{ETag: &m.ETag})
			return st, 0, err
		}
		raw, _ := json.Marshal(m)
		n := len(m.Blobs)
		st, err := s.set(ctx, imp.ID, store.ImportDownloading, store.BillingImportUpdate{Manifest: raw, ETag: &m.ETag, BlobsTotal: &n})
		return st, 0, err
	case store.ImportDownloading:
		st, err := s.download(ctx, pc, imp)
		return st, 0, err
	case store.ImportFinalizing:
		st, err := s.finalize(ctx, pc, imp)
		return st, 0, err
	}
	return "", 0, fmt.Errorf("import %d: unknown state %q", imp.ID, imp.State)
}

// download loads the manifest's blobs not loaded yet, Parallel at a time.
func (s *Service) download(ctx context.Context, pc *pccclient.Client, imp store.BillingImport) (string, error) {
	m, err := manifestOf(imp.Manifest)
	if err != nil {
		return "", err
	}
	done, err := s.st.BillingImportParts(ctx, s.st.Pool, imp.ID)
	if err != nil {
		return "", err
	}
	customers, err := s.st.MirrorCustomerIDs(ctx)
	if err != nil {
		return "", err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opt.Parallel)
	for i, b := range m.Blobs {
		if done[i] {
			continue
		}
		g.Go(func() error {
			lines, err := pc.OpenBillingBlob(gctx, m, b)
			if err != nil {
				return err
			}
			defer lines.Close()
			src := s.newSource(gctx, imp, i, customers, lines.Next, lines.Bytes, lines.Err)
			return s.st.InTx(gctx, func(tx pgx.Tx) error {
				_, err := s.st.LoadBillingPart(gctx, tx, imp.ID, i, b.Name, src, nil)
				return err
			})
		})
	}
	if err := g.Wait(); err != nil {
		if pccclient.IsBlobAccessRefused(err) {
			// The SAS token expired: the manifest is stale, ask again.
			return s.set(ctx, imp.ID, store.ImportQueued, store.BillingImportUpdate{Error: strp("blob access refused (" + err.Error() + "); exporting again")})
		}
		return "", err
	}
	return s.set(ctx, imp.ID, store.ImportFinalizing, store.BillingImportUpdate{})
}

// stepV1 loads the next page of v1 line items (or finalizes).
func (s *Service) stepV1(ctx context.Context, pc *pccclient.Client, imp store.BillingImport) (string, error) {
	if imp.State == store.ImportFinalizing {
		return s.finalize(ctx, pc, imp)
	}
	if imp.Pages > 0 && imp.Continuation == "" {
		return s.set(ctx, imp.ID, store.ImportFinalizing, store.BillingImportUpdate{})
	}
	if imp.State != store.ImportDownloading {
		if _, err := s.set(ctx, imp.ID, store.ImportDownloading, store.BillingImportUpdate{AddAttempts: 1}); err != nil {
			return "", err
		}
	}
	req := pccclient.InvoiceLinesRequest{InvoiceID: imp.InvoiceID, Type: pccclient.BillingLineItems}
	if imp.Dataset == rules.DatasetUsage {
		req.Type = pccclient.UsageLineItems
	}
	if imp.InvoiceKind == "unbilled" {
		req.InvoiceID, req.Currency, req.Period = "unbilled", imp.Currency, "current"
	}
	page, err := pc.InvoiceLineItemsPage(ctx, req, imp.Continuation)
	if err != nil {
		return "", err
	}
	customers, err := s.st.MirrorCustomerIDs(ctx)
	if err != nil {
		return "", err
	}
	i := -1
	next := func() bool { i++; return i < len(page.Items) }
	cur := func() []byte { return page.Items[i] }
	src := s.newSource(ctx, imp, imp.Pages, customers, next, cur, func() error { return nil })
	tok := page.ContinuationToken
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		_, err := s.st.LoadBillingPart(ctx, tx, imp.ID, imp.Pages, "page "+strconv.Itoa(imp.Pages+1), src, &tok)
		return err
	})
	if err != nil {
		return "", err
	}
	return store.ImportDownloading, nil
}

// finalize switches the invoice to this import and reconciles it, in one
// transaction (after bringing the period's audit history into the mirror).
func (s *Service) finalize(ctx context.Context, pc *pccclient.Client, imp store.BillingImport) (string, error) {
	inv, err := s.st.BillingInvoiceTx(ctx, s.st.Pool, imp.InvoiceID)
	if err != nil {
		return "", err
	}
	note, err := s.backfillAudit(ctx, pc, inv)
	if err != nil {
		return "", err
	}
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		if err := s.st.SwitchBillingImport(ctx, tx, imp.ID); err != nil {
			return err
		}
		inv, err := s.st.BillingInvoiceTx(ctx, tx, imp.InvoiceID)
		if err != nil {
			return err
		}
		fs, err := s.reconcile(ctx, tx, inv)
		if err != nil {
			return fmt.Errorf("reconcile %s: %w", inv.ID, err)
		}
		if note != "" {
			fs = append(fs, store.BillingFinding{Check: CheckNote, Reason: note})
		}
		return s.st.AddBillingFindings(ctx, tx, inv.ID, fs)
	})
	if err != nil {
		return "", err
	}
	s.pages.clear()
	return store.ImportDone, nil
}

// customerOf maps PC's customer id to the mirrored customer, if any.
func customerOf(pcID string, known map[uuid.UUID]bool) *uuid.UUID {
	id, err := uuid.Parse(pcID)
	if err != nil || !known[id] {
		return nil
	}
	return &id
}
