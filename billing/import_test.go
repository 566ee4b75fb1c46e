package billing_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// month buys and changes seats for two customers in one month and moves
// the clock to the invoice's day; the mirror is synced.
func (f *fixture) month() sandbox.BillingInvoice {
	f.t.Helper()
	c1 := f.env.NewCustomer(true)
	a := f.buy(c1, nceBasic, 10, "P1Y", "monthly")
	f.buy(c1, nceStandard, 3, "P1Y", "annual")
	f.env.SB.Advance(3 * 24 * time.Hour)
	f.change(c1, a, func(s *pccclient.Subscription) { s.Quantity = 15 })
	c2 := f.env.NewCustomer(true)
	f.buy(c2, nceBasic, 4, "P1M", "monthly")
	f.toInvoiceDay()
	f.env.Run("full")
	return f.invoice()
}

// TestImportWalksEveryState: export -> running (Retry-After) -> succeeded
// -> manifest -> blobs (one 500s once) -> COPY -> done, with the totals
// of the sandbox's invoice; a second import of the same eTag is unchanged.
func TestImportWalksEveryState(t *testing.T) {
	t.Parallel()
	f := newFixture(t, billing.Options{})
	inv := f.month()
	f.env.SB.SetBillingConfig(sandbox.BillingConfig{ExportDelay: 3 * time.Minute, BlobRows: 2, FailBlobOnce: true})
	imps := f.sync()
	if len(imps) != 2 || imps[0].Source != rules.SourceGraph || imps[0].State != store.ImportQueued {
		t.Fatalf("imports %+v", imps)
	}
	recon := imps[0]
	var seen []string
	f.s.SetAfterStep(func(id int64, state string) error {
		if id == recon.ID {
			seen = append(seen, state)
		}
		return nil
	})
	polls, err := f.run(recon.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"waiting", "manifest", "downloading", "finalizing", "done"}
	if polls != 3 || !equal(seen, want) {
		t.Fatalf("polls %d, states %v, want 3 polls and %v", polls, seen, want)
	}
	got := f.imp(recon.ID)
	if got.BlobsTotal != (inv.Lines+1)/2 || got.BlobsDone != got.BlobsTotal || got.Rows != int64(inv.Lines) || got.ETag == "" {
		t.Fatalf("import %+v, sandbox invoice %+v", got, inv)
	}
	if n := f.env.SB.BillingCalls("blob-get"); n != got.BlobsTotal+1 {
		t.Fatalf("blob reads %d for %d blobs: the failing one was not retried once", n, got.BlobsTotal)
	}
	// The usage dataset: this month had no Azure usage.
	if _, err := f.run(imps[1].ID); err != nil {
		t.Fatal(err)
	}
	if u := f.imp(imps[1].ID); u.State != store.ImportNoData {
		t.Fatalf("usage import %+v", u)
	}
	row := f.invoiceRow(inv.ID)
	if !row.Cost.Equal(inv.Total) || row.Lines != int64(inv.Lines) || !row.Sale.Equal(row.Cost) {
		t.Fatalf("portal invoice cost %s (%d lines, sale %s), sandbox total %s (%d lines)", row.Cost, row.Lines, row.Sale, inv.Total, inv.Lines)
	}
	// The invoice page's total of customers is kept with the invoice.
	if n := f.count(`SELECT count(DISTINCT pc_customer_id) FROM billing_lines WHERE invoice_id = $1`, inv.ID); n == 0 || row.Customers != int64(n) {
		t.Fatalf("invoice keeps %d customers, its lines name %d", row.Customers, n)
	}
	// And each customer's number of groups, its page's total.
	if n := f.count(`SELECT count(*) FROM billing_invoice_customers c WHERE c.invoice_id = $1 AND c.groups <> (SELECT count(*)
		FROM (SELECT DISTINCT subscription_id, charge_type, kind FROM billing_lines l WHERE l.invoice_id = c.invoice_id AND l.pc_customer_id = c.pc_customer_id) g)`, inv.ID); n != 0 {
		t.Fatalf("%d customers keep another number of groups than their lines make", n)
	}
	if n := f.count(`SELECT count(*) FROM billing_invoice_customers WHERE invoice_id = $1 AND groups > 0`, inv.ID); int64(n) != row.Customers {
		t.Fatalf("%d of %d customers have groups", n, row.Customers)
	}

	// Importing again: the same eTag is not loaded twice.
	if err := f.s.QueueReimport(f.ctx, store.Actor{Label: "test"}, inv.ID); err != nil {
		t.Fatal(err)
	}
	again := f.imports(inv.ID)
	if _, err := f.run(again[len(again)-2].ID); err != nil {
		t.Fatal(err)
	}
	if st := f.imp(again[len(again)-2].ID).State; st != store.ImportUnchanged {
		t.Fatalf("re-import of the same eTag: %s", st)
	}
	if n := f.count(`SELECT count(*) FROM billing_lines WHERE invoice_id = $1`, inv.ID); n != inv.Lines {
		t.Fatalf("%d lines stored, invoice has %d", n, inv.Lines)
	}
}

// TestImportResumesAfterACrashAtEveryStep stops the import after each
// persisted step (and once inside a blob's COPY), then runs it again as
// River would: it finishes with every line once.
func TestImportResumesAfterACrashAtEveryStep(t *testing.T) {
	t.Parallel()
	f := newFixture(t, billing.Options{Parallel: 1})
	inv := f.month()
	f.env.SB.SetBillingConfig(sandbox.BillingConfig{ExportDelay: time.Minute, BlobRows: 1})
	recon := f.sync()[0]
	crashAfter := func(at string) {
		t.Helper()
		crashed := false
		f.s.SetAfterStep(func(id int64, state string) error {
			if state == at && !crashed {
				crashed = true
				return errCrash
			}
			return nil
		})
		if _, err := f.run(recon.ID); err != errCrash {
			t.Fatalf("crash after %s: %v", at, err)
		}
		if st := f.imp(recon.ID).State; st != at {
			t.Fatalf("after a crash at %s the import is %s", at, st)
		}
	}
	for _, at := range []string{"waiting", "manifest", "downloading"} {
		crashAfter(at)
	}
	// A crash inside a blob's COPY: the sale pricer fails on the second blob.
	f.s.SetAfterStep(nil)
	f.s.SetSale(&failingPricer{failAt: 2})
	if _, err := f.run(recon.ID); err == nil {
		t.Fatal("the failing pricer did not stop the import")
	}
	mid := f.imp(recon.ID)
	if mid.State != store.ImportDownloading || mid.BlobsDone != 1 || mid.Rows != 1 {
		t.Fatalf("after a failed COPY: %+v", mid)
	}
	f.s.SetSale(billing.CostPricer{})
	crashAfter("finalizing")
	f.s.SetAfterStep(nil)
	if _, err := f.run(recon.ID); err != nil {
		t.Fatal(err)
	}
	done := f.imp(recon.ID)
	if done.State != store.ImportDone || done.Rows != int64(inv.Lines) || done.Attempts != 1 {
		t.Fatalf("resumed import %+v", done)
	}
	if n := f.count(`SELECT count(*) FROM billing_lines WHERE import_id = $1`, recon.ID); n != inv.Lines {
		t.Fatalf("%d lines, want %d", n, inv.Lines)
	}
	if row := f.invoiceRow(inv.ID); !row.Cost.Equal(inv.Total) {
		t.Fatalf("cost %s, invoice %s", row.Cost, inv.Total)
	}
}

// TestImportV1PagesResumeFromTheContinuationToken reads the invoice from
// the v1 API, 2,000 lines a page, crashing after the second page.
func TestImportV1PagesResumeFromTheContinuationToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t, billing.Options{})
	f.env.SB.SetBillingConfig(sandbox.BillingConfig{BulkLines: 4500})
	inv := f.month()
	f.sync()
	// This test reads the v1 API instead of the Graph imports the sync queued.
	if _, err := f.env.Store.Pool.Exec(f.ctx, `UPDATE billing_imports SET state = 'failed'`); err != nil {
		t.Fatal(err)
	}
	id, err := f.env.Store.CreateBillingImport(f.ctx, f.env.Store.Pool, inv.ID, rules.DatasetReconciliation, rules.SourceV1, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	f.s.SetAfterStep(func(_ int64, state string) error {
		if state == store.ImportDownloading {
			if pages++; pages == 2 {
				return errCrash
			}
		}
		return nil
	})
	if _, err := f.run(id); err != errCrash {
		t.Fatalf("crash: %v", err)
	}
	if mid := f.imp(id); mid.Pages != 2 || mid.Rows != 4000 || mid.Continuation == "" {
		t.Fatalf("after two pages %+v", mid)
	}
	f.s.SetAfterStep(nil)
	if _, err := f.run(id); err != nil {
		t.Fatal(err)
	}
	done := f.imp(id)
	if done.State != store.ImportDone || done.Pages != 3 || done.Rows != int64(inv.Lines) {
		t.Fatalf("import %+v, want %d lines in 3 pages", done, inv.Lines)
	}
	if row := f.invoiceRow(inv.ID); !row.Cost.Equal(inv.Total) {
		t.Fatalf("cost %s, invoice %s", row.Cost, inv.Total)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// failingPricer fails once, on its failAt-th line (a crash mid-COPY).
type failingPricer struct {
	n, failAt int
}

func (p *failingPricer) Sale(_ context.Context, _ uuid.UUID, l billing.LineItem) (decimal.Decimal, error) {
	p.n++
	if p.n == p.failAt {
		return decimal.Zero, errCrash
	}
	return l.Cost, nil
}

// TestAccrualOfTheOpenPeriod imports the month so far per currency: the
// cycle charges of the new month, before its invoice exists.
func TestAccrualOfTheOpenPeriod(t *testing.T) {
	t.Parallel()
	f := newFixture(t, billing.Options{})
	inv := f.month()
	f.env.SB.SetBillingConfig(sandbox.BillingConfig{})
	f.sync()
	f.runAll()
	f.env.SB.Advance(2 * 24 * time.Hour) // past the subscriptions' monthly anniversary
	if err := f.s.Sync(f.ctx, billing.SyncArgs{Unbilled: true}); err != nil {
		t.Fatal(err)
	}
	f.runAll()
	acc := f.invoiceRow(billing.UnbilledID("USD"))
	if acc.Kind != "unbilled" || acc.Lines == 0 || !acc.Cost.IsPositive() || !acc.PeriodStart.After(inv.Month) {
		t.Fatalf("accrual %+v (invoice month %s)", acc, inv.Month)
	}
	if n := f.count(`SELECT count(*) FROM billing_lines WHERE invoice_id = $1 AND charge_type <> 'cycleCharge'`, acc.ID); n != 0 {
		t.Fatalf("%d lines of the open period are not cycle charges", n)
	}
}
