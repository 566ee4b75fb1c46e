package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/shopspring/decimal"
)

// Billing: invoices, imports of their line items, the summaries pages read
// and the reconciliation findings (migrations/00090_billing.sql). The
// import pipeline (package billing) drives these; pages read
// billing_pages.go.

// BillingDB is a pool or a transaction.
type BillingDB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error)
}

// BillingInvoice is an invoice (or an open period's accrual) and what was
// imported of it.
type BillingInvoice struct {
	ID           string
	Kind         string // invoice | unbilled
	InvoiceDate  *time.Time
	PeriodStart  time.Time
	PeriodEnd    time.Time
	Currency     string
	Total        decimal.Decimal // PC's totalCharges
	Paid         decimal.Decimal
	DocumentType string
	NewCommerce  bool
	Lines        int64
	Customers    int64 // customers with lines on it
	Cost         decimal.Decimal
	Sale         decimal.Decimal
	Findings     int64      // reconciliation findings (not notes)
	ImportedAt   *time.Time // when an import last switched its lines
	SyncedAt     time.Time
}

// UpsertBillingInvoice records an invoice as PC lists it (keeping what was
// imported of it).
func (s *Store) UpsertBillingInvoice(ctx context.Context, q BillingDB, inv BillingInvoice, raw json.RawMessage) error {
	if raw == nil {
		raw = json.RawMessage("{}")
	}
	_, err := q.Exec(ctx, `INSERT INTO billing_invoices (id, kind, invoice_date, period_start, period_end, currency, total, paid,
	    document_type, new_commerce, raw, synced_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now())
	ON CONFLICT (id) DO UPDATE SET invoice_date = EXCLUDED.invoice_date, period_start = EXCLUDED.period_start,
	    period_end = EXCLUDED.period_end, currency = EXCLUDED.currency, total = EXCLUDED.total, paid = EXCLUDED.paid,
	    document_type = EXCLUDED.document_type, new_commerce = EXCLUDED.new_commerce, raw = EXCLUDED.raw, synced_at = now()`,
		inv.ID, inv.Kind, inv.InvoiceDate, inv.PeriodStart, inv.PeriodEnd, inv.Currency, inv.Total, inv.Paid, inv.DocumentType,
		inv.NewCommerce, raw)
	if err != nil {
		return fmt.Errorf("upsert invoice %s: %w", inv.ID, mapErr(err))
	}
	return nil
}

// BillingImport is one import of one dataset of an invoice.
type BillingImport struct {
	ID           int64
	InvoiceID    string
	Dataset      string // reconciliation | usage
	Source       string // graph | v1
	State        string
	OperationURL string
	ManifestURL  string
	Manifest     json.RawMessage
	ETag         string
	Continuation string
	Pages        int
	BlobsTotal   int
	BlobsDone    int
	Rows         int64
	Polls        int
	Attempts     int
	Error        string
	Trigger      string
	StartedAt    time.Time
	UpdatedAt    time.Time
	FinishedAt   *time.Time
	// Of its invoice:
	InvoiceKind string
	Currency    string
	PeriodStart time.Time
}

// Import states.
const (
	ImportQueued      = "queued"
	ImportExporting   = "exporting"
	ImportWaiting     = "waiting"
	ImportManifest    = "manifest"
	ImportDownloading = "downloading"
	ImportFinalizing  = "finalizing"
	ImportDone        = "done"
	ImportUnchanged   = "unchanged"
	ImportNoData      = "no_data"
	ImportFailed      = "failed"
	ImportSuperseded  = "superseded"
)

const importCols = `i.id, i.invoice_id, i.dataset, i.source, i.state, i.operation_url, i.manifest_url, i.manifest, i.etag,
	i.continuation, i.pages, i.blobs_total, i.blobs_done, i.rows, i.polls, i.attempts, i.error, i.trigger, i.started_at,
	i.updated_at, i.finished_at, v.kind, v.currency, v.period_start`

func scanImport(r pgx.Row) (BillingImport, error) {
	var i BillingImport
	err := r.Scan(&i.ID, &i.InvoiceID, &i.Dataset, &i.Source, &i.State, &i.OperationURL, &i.ManifestURL, &i.Manifest, &i.ETag,
		&i.Continuation, &i.Pages, &i.BlobsTotal, &i.BlobsDone, &i.Rows, &i.Polls, &i.Attempts, &i.Error, &i.Trigger, &i.StartedAt,
		&i.UpdatedAt, &i.FinishedAt, &i.InvoiceKind, &i.Currency, &i.PeriodStart)
	return i, err
}

// ErrImportOpen means an import of that invoice and dataset is under way.
var ErrImportOpen = errors.New("an import of this invoice is under way")

// CreateBillingImport starts an import (ErrImportOpen when one of the same
// invoice and dataset is open).
func (s *Store) CreateBillingImport(ctx context.Context, q BillingDB, invoiceID, dataset, source, trigger string, by *int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO billing_imports (invoice_id, dataset, source, trigger, requested_by)
	VALUES ($1, $2, $3, $4, $5)
	ON CONFLICT (invoice_id, dataset) WHERE state IN ('queued', 'exporting', 'waiting', 'manifest', 'downloading', 'finalizing')
	DO NOTHING RETURNING id`, invoiceID, dataset, source, trigger, by).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ErrImportOpen
	}
	if err != nil {
		return 0, fmt.Errorf("create import of %s %s: %w", invoiceID, dataset, mapErr(err))
	}
	return id, nil
}

// BillingImport reads an import.
func (s *Store) BillingImport(ctx context.Context, q BillingDB, id int64) (BillingImport, error) {
	i, err := scanImport(q.QueryRow(ctx, `SELECT `+importCols+` FROM billing_imports i JOIN billing_invoices v ON v.id = i.invoice_id
	WHERE i.id = $1`, id))
	if err != nil {
		return i, fmt.Errorf("import %d: %w", id, mapErr(err))
	}
	return i, nil
}

// BillingImportUpdate changes an import's progress; nil fields stay.
type BillingImportUpdate struct {
	State        *string
	OperationURL *string
	ManifestURL  *string
	Manifest     json.RawMessage
	ETag         *string
	BlobsTotal   *int
	Error        *string
	AddPolls     int
	AddAttempts  int
	Finished     bool
}

// UpdateBillingImport applies u to import id.
func (s *Store) UpdateBillingImport(ctx context.Context, q BillingDB, id int64, u BillingImportUpdate) error {
	var finished *time.Time
	if u.Finished {
		now := time.Now()
		finished = &now
	}
	_, err := q.Exec(ctx, `UPDATE billing_imports SET state = coalesce($2, state), operation_url = coalesce($3, operation_url),
	    manifest_url = coalesce($4, manifest_url), manifest = coalesce($5, manifest), etag = coalesce($6, etag),
	    blobs_total = coalesce($7, blobs_total), error = coalesce($8, error), polls = polls + $9, attempts = attempts + $10,
	    finished_at = coalesce($11, finished_at), updated_at = now()
	WHERE id = $1`, id, u.State, u.OperationURL, u.ManifestURL, []byte(u.Manifest), u.ETag, u.BlobsTotal, u.Error, u.AddPolls,
		u.AddAttempts, finished)
	if err != nil {
		return fmt.Errorf("update import %d: %w", id, mapErr(err))
	}
	return nil
}

// DoneBillingImportETag returns the eTag of the invoice's current import
// of dataset ("" when none).
func (s *Store) DoneBillingImportETag(ctx context.Context, q BillingDB, invoiceID, dataset string) (string, error) {
	var etag string
	err := q.QueryRow(ctx, `SELECT etag FROM billing_imports WHERE invoice_id = $1 AND dataset = $2 AND state = 'done'`,
		invoiceID, dataset).Scan(&etag)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return etag, mapErr(err)
}

// BillingImportParts returns the parts (blobs, pages) already loaded.
func (s *Store) BillingImportParts(ctx context.Context, q BillingDB, id int64) (map[int]bool, error) {
	rows, err := q.Query(ctx, `SELECT part FROM billing_import_parts WHERE import_id = $1`, id)
	if err != nil {
		return nil, mapErr(err)
	}
	parts, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, mapErr(err)
	}
	out := map[int]bool{}
	for _, p := range parts {
		out[int(p)] = true
	}
	return out, nil
}

// BillingLineColumns are the columns CopyBillingLines expects, in order.
var BillingLineColumns = []string{"import_id", "part", "line", "invoice_id", "kind", "pc_customer_id", "customer_id",
	"customer_name", "customer_domain", "subscription_id", "subscription_name", "order_id", "product_id", "sku_id",
	"availability_id", "product_name", "sku_name", "charge_type", "charge_start", "charge_end", "usage_date",
	"term_and_billing_cycle", "billing_frequency", "meter_name", "meter_category", "unit", "quantity", "unit_price",
	"effective_unit_price", "cost", "sale", "currency", "reference_id"}

// LoadBillingPart copies one part's lines (src yields rows of
// BillingLineColumns) and records the part as loaded, in q's transaction:
// a part is either loaded whole or not at all. next is the v1 continuation
// token after this part ("" for Graph blobs).
func (s *Store) LoadBillingPart(ctx context.Context, tx pgx.Tx, importID int64, part int, name string, src pgx.CopyFromSource, next *string) (int64, error) {
	n, err := tx.CopyFrom(ctx, pgx.Identifier{"billing_lines"}, BillingLineColumns, src)
	if err != nil {
		return 0, fmt.Errorf("copy lines of import %d part %d: %w", importID, part, mapErr(err))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO billing_import_parts (import_id, part, name, rows) VALUES ($1, $2, $3, $4)`,
		importID, part, name, n); err != nil {
		return 0, fmt.Errorf("record part %d of import %d: %w", part, importID, mapErr(err))
	}
	if _, err := tx.Exec(ctx, `UPDATE billing_imports SET rows = rows + $2, blobs_done = blobs_done + 1,
	    pages = pages + CASE WHEN source = 'v1' THEN 1 ELSE 0 END, continuation = coalesce($3, continuation), updated_at = now()
	WHERE id = $1`, importID, n, next); err != nil {
		return 0, fmt.Errorf("count part %d of import %d: %w", part, importID, mapErr(err))
	}
	return n, nil
}

// MirrorCustomerIDs is every mirrored customer's id (billing lines name
// customers by PC's id, which the mirror uses as its key).
func (s *Store) MirrorCustomerIDs(ctx context.Context) (map[uuid.UUID]bool, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id FROM customers`)
	if err != nil {
		return nil, mapErr(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, mapErr(err)
	}
	out := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// SwitchBillingImport makes import id its invoice's current one for its
// dataset, in tx: earlier imports are superseded and their lines deleted,
// the invoice's summaries (groups, customers, usage days, totals) are
// rebuilt from the current imports' lines, and the findings are dropped
// for the caller to write anew. For an accrual the period follows the
// lines' charge dates.
func (s *Store) SwitchBillingImport(ctx context.Context, tx pgx.Tx, id int64) error {
	stmts := []string{
		`WITH old AS (
		    UPDATE billing_imports o SET state = 'superseded', updated_at = now()
		    FROM billing_imports n WHERE n.id = $1 AND o.invoice_id = n.invoice_id AND o.dataset = n.dataset
		      AND o.state = 'done' AND o.id <> n.id RETURNING o.id)
		DELETE FROM billing_lines WHERE import_id IN (SELECT id FROM old)`,
		`UPDATE billing_imports SET state = 'done', finished_at = now(), updated_at = now() WHERE id = $1`,
		`DELETE FROM billing_invoice_groups WHERE invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1)`,
		`DELETE FROM billing_invoice_customers WHERE invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1)`,
		`DELETE FROM billing_usage_days WHERE invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1)`,
		`DELETE FROM billing_findings WHERE invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1)`,
		`INSERT INTO billing_invoice_groups (invoice_id, pc_customer_id, customer_id, subscription_id, subscription_name,
		    product_name, charge_type, kind, term_and_billing_cycle, lines, quantity, cost, sale, first_charge)
		SELECT l.invoice_id, l.pc_customer_id, min(l.customer_id::text)::uuid, l.subscription_id, max(l.subscription_name),
		    max(l.product_name), l.charge_type, l.kind, max(l.term_and_billing_cycle), count(*), sum(l.quantity), sum(l.cost),
		    sum(l.sale), min(coalesce(l.charge_start, l.usage_date))
		FROM billing_lines l JOIN billing_imports i ON i.id = l.import_id
		WHERE i.invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1) AND i.state = 'done'
		GROUP BY l.invoice_id, l.pc_customer_id, l.subscription_id, l.charge_type, l.kind`,
		`INSERT INTO billing_invoice_customers (invoice_id, pc_customer_id, customer_id, customer_name, customer_domain, lines, cost, sale)
		SELECT l.invoice_id, l.pc_customer_id, min(l.customer_id::text)::uuid, max(l.customer_name), max(l.customer_domain),
		    count(*), sum(l.cost), sum(l.sale)
		FROM billing_lines l JOIN billing_imports i ON i.id = l.import_id
		WHERE i.invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1) AND i.state = 'done'
		GROUP BY l.invoice_id, l.pc_customer_id`,
		// How many groups each customer has: its page's total without
		// counting them on every request.
		`UPDATE billing_invoice_customers c SET groups = g.n
		FROM (SELECT pc_customer_id, count(*) AS n FROM billing_invoice_groups
		      WHERE invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1) GROUP BY 1) g
		WHERE c.invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1) AND c.pc_customer_id = g.pc_customer_id`,
		`INSERT INTO billing_usage_days (invoice_id, pc_customer_id, customer_id, usage_date, cost, sale)
		SELECT l.invoice_id, l.pc_customer_id, min(l.customer_id::text)::uuid, l.usage_date, sum(l.cost), sum(l.sale)
		FROM billing_lines l JOIN billing_imports i ON i.id = l.import_id
		WHERE i.invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1) AND i.state = 'done' AND l.usage_date IS NOT NULL
		GROUP BY l.invoice_id, l.pc_customer_id, l.usage_date`,
		`UPDATE billing_invoices v SET lines = c.lines, customers = c.customers, cost = c.cost, sale = c.sale
		FROM (SELECT coalesce(sum(lines), 0) AS lines, count(*) AS customers, coalesce(sum(cost), 0) AS cost, coalesce(sum(sale), 0) AS sale
		      FROM billing_invoice_customers WHERE invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1)) c
		WHERE v.id = (SELECT invoice_id FROM billing_imports WHERE id = $1)`,
		`UPDATE billing_invoices v SET period_start = date_trunc('month', d.first)::date,
		    period_end = (date_trunc('month', d.first) + interval '1 month' - interval '1 day')::date
		FROM (SELECT min(first_charge) AS first FROM billing_invoice_groups
		      WHERE invoice_id = (SELECT invoice_id FROM billing_imports WHERE id = $1)) d
		WHERE v.id = (SELECT invoice_id FROM billing_imports WHERE id = $1) AND v.kind = 'unbilled' AND d.first IS NOT NULL`,
	}
	for _, q := range stmts {
		if _, err := tx.Exec(ctx, q, id); err != nil {
			return fmt.Errorf("switch import %d: %w", id, mapErr(err))
		}
	}
	return nil
}

const invoiceCols = `id, kind, invoice_date, period_start, period_end, currency, total, paid, document_type, new_commerce, lines,
	customers, cost, sale, findings, imported_at, synced_at`

func invoiceDest(i *BillingInvoice) []any {
	return []any{&i.ID, &i.Kind, &i.InvoiceDate, &i.PeriodStart, &i.PeriodEnd, &i.Currency, &i.Total, &i.Paid, &i.DocumentType,
		&i.NewCommerce, &i.Lines, &i.Customers, &i.Cost, &i.Sale, &i.Findings, &i.ImportedAt, &i.SyncedAt}
}

func scanInvoice(r pgx.Row) (BillingInvoice, error) {
	var i BillingInvoice
	err := r.Scan(invoiceDest(&i)...)
	return i, err
}

// invoiceByIDSQL reads invoice $1, scanned by invoiceDest.
const invoiceByIDSQL = `SELECT ` + invoiceCols + ` FROM billing_invoices WHERE id = $1`

// queueInvoice queues the read of invoice id on b into inv; an unknown
// invoice fails the batch with pgx.ErrNoRows.
func queueInvoice(b *pgx.Batch, id string, inv *BillingInvoice) {
	b.Queue(invoiceByIDSQL, id).QueryRow(func(r pgx.Row) error { return r.Scan(invoiceDest(inv)...) })
}

// BillingInvoiceTx reads an invoice in q.
func (s *Store) BillingInvoiceTx(ctx context.Context, q BillingDB, id string) (BillingInvoice, error) {
	i, err := scanInvoice(q.QueryRow(ctx, invoiceByIDSQL, id))
	if err != nil {
		return i, fmt.Errorf("invoice %s: %w", id, mapErr(err))
	}
	return i, nil
}

// UpsertUnbilledInvoice records the open period's accrual of a currency
// (its period follows the imported lines).
func (s *Store) UpsertUnbilledInvoice(ctx context.Context, q BillingDB, inv BillingInvoice) error {
	_, err := q.Exec(ctx, `INSERT INTO billing_invoices (id, kind, period_start, period_end, currency, document_type, new_commerce)
	VALUES ($1, 'unbilled', $2, $3, $4, $5, true) ON CONFLICT (id) DO UPDATE SET synced_at = now()`,
		inv.ID, inv.PeriodStart, inv.PeriodEnd, inv.Currency, inv.DocumentType)
	if err != nil {
		return fmt.Errorf("upsert accrual %s: %w", inv.ID, mapErr(err))
	}
	return nil
}

// BillingImportToQueue is an invoice's dataset with no import yet.
type BillingImportToQueue struct {
	Invoice BillingInvoice
	Dataset string
}

// BillingImportsToQueue lists the new-commerce invoices' datasets that
// were never imported, or whose last import failed.
func (s *Store) BillingImportsToQueue(ctx context.Context) ([]BillingImportToQueue, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+invoiceCols+`, d.dataset FROM billing_invoices v
	CROSS JOIN (VALUES ('reconciliation'), ('usage')) d (dataset)
	WHERE v.kind = 'invoice' AND v.new_commerce AND NOT EXISTS (SELECT 1 FROM billing_imports i
	    WHERE i.invoice_id = v.id AND i.dataset = d.dataset AND i.state NOT IN ('failed', 'superseded'))
	ORDER BY v.period_start, v.id, d.dataset`)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (BillingImportToQueue, error) {
		var t BillingImportToQueue
		err := r.Scan(append(invoiceDest(&t.Invoice), &t.Dataset)...)
		return t, err
	})
}

// BillingCurrencies are the currencies PC invoiced the partner in.
func (s *Store) BillingCurrencies(ctx context.Context) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT DISTINCT currency FROM billing_invoices WHERE kind = 'invoice' AND new_commerce ORDER BY 1`)
	if err != nil {
		return nil, mapErr(err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
