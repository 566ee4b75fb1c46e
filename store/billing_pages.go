package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// The billing pages' reads: from the invoices and their summaries, never
// the lines in bulk (an invoice may hold a million), except the exports,
// which stream one customer's lines.

// BillingInvoiceRow is an invoice on the billing page.
type BillingInvoiceRow struct {
	BillingInvoice
	// Imports is the latest import of each dataset ("reconciliation:done").
	Imports []string
}

// BillingOverview is what the billing page lists: every invoice and
// accrual, newest period first, and the latest imports.
type BillingOverview struct {
	Invoices []BillingInvoiceRow
	Imports  []BillingImport
}

// billingInvoicesSQL lists the invoices and accruals, newest period first,
// each with the latest import of each dataset.
const billingInvoicesSQL = `SELECT ` + invoiceCols + `,
	coalesce((SELECT array_agg(dataset || ':' || state ORDER BY dataset) FROM (SELECT DISTINCT ON (dataset) dataset, state
	    FROM billing_imports i WHERE i.invoice_id = v.id ORDER BY dataset, id DESC) s), '{}')
	FROM billing_invoices v ORDER BY v.period_start DESC, v.kind, v.currency, v.id`

// recentImportsSQL is the latest $1 imports, most recently updated first.
const recentImportsSQL = `SELECT ` + importCols + ` FROM billing_imports i JOIN billing_invoices v ON v.id = i.invoice_id
	ORDER BY i.updated_at DESC, i.id DESC LIMIT $1`

// BillingOverview reads the invoices and the latest imports (at most
// imports) in one round trip.
func (s *Store) BillingOverview(ctx context.Context, imports int) (BillingOverview, error) {
	var o BillingOverview
	b := &pgx.Batch{}
	b.Queue(billingInvoicesSQL).Query(func(rows pgx.Rows) (err error) {
		o.Invoices, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (BillingInvoiceRow, error) {
			var i BillingInvoiceRow
			err := r.Scan(append(invoiceDest(&i.BillingInvoice), &i.Imports)...)
			return i, err
		})
		return err
	})
	b.Queue(recentImportsSQL, imports).Query(func(rows pgx.Rows) (err error) {
		o.Imports, err = collectImports(rows)
		return err
	})
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return BillingOverview{}, fmt.Errorf("billing overview: %w", mapErr(err))
	}
	return o, nil
}

// BillingInvoice reads an invoice (ErrNotFound when unknown).
func (s *Store) BillingInvoice(ctx context.Context, id string) (BillingInvoice, error) {
	return s.BillingInvoiceTx(ctx, s.Pool, id)
}

// BillingCustomerRow is one customer's part of an invoice.
type BillingCustomerRow struct {
	PCCustomerID string
	CustomerID   *uuid.UUID
	Name         string
	Domain       string
	Lines        int64
	Cost         decimal.Decimal
	Sale         decimal.Decimal
	Findings     int64
	// Groups is how many groups (a subscription's lines of one charge
	// type) the customer has on the invoice.
	Groups int
}

// billingCustomerCols are the columns scanBillingCustomer reads.
const billingCustomerCols = `c.pc_customer_id, c.customer_id, c.customer_name, c.customer_domain, c.lines, c.cost, c.sale, c.findings, c.groups`

// BillingCustomerFilter selects a page of an invoice's customers, most
// charged first (then by PC's id, descending).
type BillingCustomerFilter struct {
	Q      string // part of the name or domain, or PC's id; counted and paged by offset
	Offset int
	Limit  int
	// After and Before (PC's customer ids) page by keyset when Q is
	// empty: the rows after (or the last Limit rows before) that
	// customer, so a page's cost does not grow with its number.
	After, Before string
}

// BillingInvoiceCustomers pages through an invoice's customers as f
// says. It returns the number of matches when f.Q is set; the unfiltered
// total is the invoice's Customers.
func (s *Store) BillingInvoiceCustomers(ctx context.Context, invoiceID string, f BillingCustomerFilter) ([]BillingCustomerRow, int, error) {
	if f.Q != "" {
		return s.searchBillingCustomers(ctx, invoiceID, f.Q, f.Offset, f.Limit)
	}
	var rows pgx.Rows
	var err error
	switch {
	case f.After != "":
		rows, err = s.Pool.Query(ctx, `SELECT `+billingCustomerCols+` FROM billing_invoice_customers c WHERE c.invoice_id = $1
		    AND (c.cost, c.pc_customer_id) < (SELECT k.cost, k.pc_customer_id FROM billing_invoice_customers k
		        WHERE k.invoice_id = $1 AND k.pc_customer_id = $2)
		ORDER BY c.cost DESC, c.pc_customer_id DESC LIMIT $3`, invoiceID, f.After, f.Limit)
	case f.Before != "":
		rows, err = s.Pool.Query(ctx, `SELECT * FROM (SELECT `+billingCustomerCols+` FROM billing_invoice_customers c WHERE c.invoice_id = $1
		    AND (c.cost, c.pc_customer_id) > (SELECT k.cost, k.pc_customer_id FROM billing_invoice_customers k
		        WHERE k.invoice_id = $1 AND k.pc_customer_id = $2)
		ORDER BY c.cost, c.pc_customer_id LIMIT $3) c ORDER BY c.cost DESC, c.pc_customer_id DESC`, invoiceID, f.Before, f.Limit)
	default:
		rows, err = s.Pool.Query(ctx, `SELECT `+billingCustomerCols+` FROM billing_invoice_customers c WHERE c.invoice_id = $1
		ORDER BY c.cost DESC, c.pc_customer_id DESC OFFSET $2 LIMIT $3`, invoiceID, max(f.Offset, 0), f.Limit)
	}
	if err != nil {
		return nil, 0, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, scanBillingCustomer)
	return out, 0, mapErr(err)
}

// searchBillingCustomers is a page of the invoice's customers matching q,
// by offset, with the number of matches.
func (s *Store) searchBillingCustomers(ctx context.Context, invoiceID, q string, offset, limit int) ([]BillingCustomerRow, int, error) {
	// The page and, past the last one, the count alone select the same rows.
	const matching = `FROM billing_invoice_customers c WHERE c.invoice_id = $1
	    AND (c.customer_name ILIKE $2 OR c.customer_domain ILIKE $2 OR c.pc_customer_id ILIKE $2)`
	like := "%" + likeEscape(q) + "%"
	rows, err := s.Pool.Query(ctx, `SELECT `+billingCustomerCols+`, count(*) OVER () `+matching+`
	ORDER BY c.cost DESC, c.pc_customer_id DESC OFFSET $3 LIMIT $4`, invoiceID, like, max(offset, 0), limit)
	if err != nil {
		return nil, 0, mapErr(err)
	}
	total := 0
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (BillingCustomerRow, error) {
		var c BillingCustomerRow
		err := r.Scan(&c.PCCustomerID, &c.CustomerID, &c.Name, &c.Domain, &c.Lines, &c.Cost, &c.Sale, &c.Findings, &c.Groups, &total)
		return c, err
	})
	if err == nil && len(out) == 0 && offset > 0 {
		// Past the last page: the window count came with no row.
		err = s.Pool.QueryRow(ctx, `SELECT count(*) `+matching, invoiceID, like).Scan(&total)
	}
	return out, total, mapErr(err)
}

func scanBillingCustomer(r pgx.CollectableRow) (BillingCustomerRow, error) {
	var c BillingCustomerRow
	err := r.Scan(&c.PCCustomerID, &c.CustomerID, &c.Name, &c.Domain, &c.Lines, &c.Cost, &c.Sale, &c.Findings, &c.Groups)
	return c, err
}

// BillingInvoiceCustomer is one customer's part of an invoice, by PC's
// customer id (ErrNotFound when the invoice has no lines for it).
func (s *Store) BillingInvoiceCustomer(ctx context.Context, invoiceID, pcCustomerID string) (BillingCustomerRow, error) {
	rows, err := s.Pool.Query(ctx, billingCustomerSQL, invoiceID, pcCustomerID)
	if err != nil {
		return BillingCustomerRow{}, mapErr(err)
	}
	c, err := pgx.CollectExactlyOneRow(rows, scanBillingCustomer)
	return c, mapErr(err)
}

const billingCustomerSQL = `SELECT ` + billingCustomerCols + ` FROM billing_invoice_customers c WHERE c.invoice_id = $1 AND c.pc_customer_id = $2`

// BillingGroup is an invoice's lines of one subscription and charge type.
type BillingGroup struct {
	SubscriptionID   string
	SubscriptionName string
	ProductName      string
	ChargeType       string
	Kind             string
	TermAndCycle     string
	Lines            int64
	Quantity         decimal.Decimal
	Cost             decimal.Decimal
	Sale             decimal.Decimal
	FirstCharge      *time.Time
}

// BillingGroupFilter selects groups: by PC's customer id (staff) or by
// the mirrored customer (the customer's own view), matching Q (product,
// subscription, charge type).
type BillingGroupFilter struct {
	PCCustomerID string
	CustomerID   *uuid.UUID
	Q            string
	// Offset and Limit page the groups (Limit 0: all of them).
	Offset, Limit int
}

// groupsRead is a page of a customer's groups of an invoice, queued on a
// caller's batch (queue), then completed (finish).
type groupsRead struct {
	groups []BillingGroup
	total  int
	// count is the statement counting the matches, and args its
	// arguments, for a page past the last, whose count came with no row.
	count  string
	args   []any
	offset int
	// all: every group of the customer matches, so the total is the
	// customer's number of groups, which the caller reads (not counted).
	all bool
}

// queue adds the page's query to b; the rows are read when b's results
// are.
func (g *groupsRead) queue(b *pgx.Batch, invoiceID string, f BillingGroupFilter) error {
	if f.PCCustomerID == "" && f.CustomerID == nil {
		return fmt.Errorf("billing groups of %s: no customer given", invoiceID)
	}
	if f.CustomerID != nil {
		// Mirrored customers are keyed by PC's id: use the index.
		f.PCCustomerID = strings.ToLower(f.CustomerID.String())
	}
	var limit *int
	if f.Limit > 0 {
		limit = &f.Limit
	}
	// pc_customer_id is always given, so every plan, generic ones
	// included, reads the customer's groups from the primary key.
	// The page and, past the last one, the count alone select the same rows.
	const matching = `FROM billing_invoice_groups WHERE invoice_id = $1 AND pc_customer_id = $2 AND ($3::uuid IS NULL OR customer_id = $3)
	    AND ($4 = '' OR product_name ILIKE $5 OR subscription_name ILIKE $5 OR subscription_id ILIKE $5 OR charge_type ILIKE $5)`
	g.args = []any{invoiceID, f.PCCustomerID, f.CustomerID, f.Q, "%" + likeEscape(f.Q) + "%"}
	g.count, g.offset = `SELECT count(*) `+matching, f.Offset
	// Unfiltered, a page is read in order from billing_invoice_groups_order_idx
	// (migration 00268), up to its last row, and not counted.
	total := "count(*) OVER ()"
	if g.all = f.Q == "" && f.CustomerID == nil; g.all {
		total = "0::bigint"
	}
	b.Queue(`SELECT subscription_id, subscription_name, product_name, charge_type, kind, term_and_billing_cycle,
	    lines, quantity, cost, sale, first_charge, `+total+` `+matching+`
	ORDER BY product_name, subscription_id, first_charge, charge_type OFFSET $6 LIMIT $7`, append(g.args, max(f.Offset, 0), limit)...).Query(
		func(rows pgx.Rows) (err error) {
			g.groups, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (BillingGroup, error) {
				var x BillingGroup
				err := r.Scan(&x.SubscriptionID, &x.SubscriptionName, &x.ProductName, &x.ChargeType, &x.Kind, &x.TermAndCycle, &x.Lines,
					&x.Quantity, &x.Cost, &x.Sale, &x.FirstCharge, &g.total)
				return x, err
			})
			return err
		})
	return nil
}

// finish counts the matches of a page past the last; when g.all, the
// total is groups, how many the customer has.
func (g *groupsRead) finish(ctx context.Context, s *Store, groups int) ([]BillingGroup, int, error) {
	if g.all {
		return g.groups, groups, nil
	}
	if len(g.groups) == 0 && g.offset > 0 {
		if err := s.Pool.QueryRow(ctx, g.count, g.args...).Scan(&g.total); err != nil {
			return nil, 0, mapErr(err)
		}
	}
	return g.groups, g.total, nil
}

// BillingCustomerPage is what an invoice's page of one customer shows.
type BillingCustomerPage struct {
	Invoice  BillingInvoice
	Customer BillingCustomerRow
	Groups   []BillingGroup
	Total    int // the groups f matches
}

// BillingCustomerPage reads an invoice, one customer's part of it (by PC's
// customer id) and the page of its groups f asks for in one round trip
// (ErrNotFound when the invoice or the customer's part is not there).
func (s *Store) BillingCustomerPage(ctx context.Context, invoiceID string, f BillingGroupFilter) (BillingCustomerPage, error) {
	var p BillingCustomerPage
	var g groupsRead
	b := &pgx.Batch{}
	queueInvoice(b, invoiceID, &p.Invoice)
	b.Queue(billingCustomerSQL, invoiceID, f.PCCustomerID).Query(func(rows pgx.Rows) (err error) {
		p.Customer, err = pgx.CollectExactlyOneRow(rows, scanBillingCustomer)
		return err
	})
	if err := g.queue(b, invoiceID, f); err != nil {
		return p, err
	}
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return p, fmt.Errorf("invoice %s, customer %s: %w", invoiceID, f.PCCustomerID, mapErr(err))
	}
	var err error
	p.Groups, p.Total, err = g.finish(ctx, s, p.Customer.Groups)
	return p, err
}

// CustomerCharges is one invoice's page of a mirrored customer's charges.
type CustomerCharges struct {
	Groups    []BillingGroup
	Total     int // the groups f matches
	UsageDays []BillingUsageDay
}

// CustomerCharges reads the page of a mirrored customer's groups of an
// invoice that f asks for (f.CustomerID) and its Azure usage per day in
// one round trip.
func (s *Store) CustomerCharges(ctx context.Context, invoiceID string, f BillingGroupFilter) (CustomerCharges, error) {
	var c CustomerCharges
	if f.CustomerID == nil {
		return c, fmt.Errorf("charges of %s: no customer given", invoiceID)
	}
	var g groupsRead
	b := &pgx.Batch{}
	if err := g.queue(b, invoiceID, f); err != nil {
		return c, err
	}
	b.Queue(usageDaysSQL, *f.CustomerID, invoiceID).Query(func(rows pgx.Rows) (err error) {
		c.UsageDays, err = collectUsageDays(rows)
		return err
	})
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return c, fmt.Errorf("charges of %s: %w", invoiceID, mapErr(err))
	}
	var err error
	c.Groups, c.Total, err = g.finish(ctx, s, 0) // a customer given: counted
	return c, err
}

// BillingFindingRow is a finding as the reconciliation page lists it.
type BillingFindingRow struct {
	ID int64
	BillingFinding
}

// BillingFindingsFilter selects findings: the first Limit of each check
// (Check empty), or a page of one check by offset.
type BillingFindingsFilter struct {
	Check  string
	Offset int
	Limit  int
}

// BillingFindingsPage is an invoice with the findings a page of its
// reconciliation shows.
type BillingFindingsPage struct {
	Invoice  BillingInvoice
	Findings []BillingFindingRow
	// Totals is how many findings each check has.
	Totals map[string]int
}

// BillingFindings reads an invoice (ErrNotFound when unknown) and its
// findings as f selects them, in one round trip: each check in the order
// customer, subscription, charge start (notes last), and how many
// findings each check has. A page shows at most f.Limit of a check, so it
// stays small however many findings an invoice has.
func (s *Store) BillingFindings(ctx context.Context, invoiceID string, f BillingFindingsFilter) (BillingFindingsPage, error) {
	const cols = `id, check_name, pc_customer_id, customer_id, customer_name, subscription_id, charge_type, charge_start, amount, reason`
	// One check's findings: its page and, past the last one, its count.
	const checkFindings = `FROM billing_findings WHERE invoice_id = $1 AND check_name = $2`
	p := BillingFindingsPage{Totals: map[string]int{}}
	b := &pgx.Batch{}
	queueInvoice(b, invoiceID, &p.Invoice)
	// Both read billing_findings_page_idx in the page's order: the counts
	// from the index alone, then each check's rows.
	var q *pgx.QueuedQuery
	if f.Check == "" {
		q = b.Queue(`SELECT f.*, c.n FROM (SELECT check_name, count(*) AS n FROM billing_findings
		    WHERE invoice_id = $1 GROUP BY check_name) c
		CROSS JOIN LATERAL (SELECT `+cols+` FROM billing_findings WHERE invoice_id = $1 AND check_name = c.check_name
		    ORDER BY customer_name, subscription_id, charge_start, id LIMIT $2) f
		ORDER BY f.check_name = 'note', f.check_name, f.customer_name, f.subscription_id, f.charge_start, f.id`, invoiceID, f.Limit)
	} else {
		q = b.Queue(`SELECT f.*, c.n FROM (SELECT count(*) AS n `+checkFindings+`) c
		CROSS JOIN LATERAL (SELECT `+cols+` `+checkFindings+`
		    ORDER BY customer_name, subscription_id, charge_start, id OFFSET $3 LIMIT $4) f`, invoiceID, f.Check, max(f.Offset, 0), f.Limit)
	}
	q.Query(func(rows pgx.Rows) (err error) {
		p.Findings, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (BillingFindingRow, error) {
			var x BillingFindingRow
			var total int
			err := r.Scan(&x.ID, &x.Check, &x.PCCustomerID, &x.CustomerID, &x.CustomerName, &x.SubscriptionID, &x.ChargeType,
				&x.ChargeStart, &x.Amount, &x.Reason, &total)
			p.Totals[x.Check] = total
			return x, err
		})
		return err
	})
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return BillingFindingsPage{}, fmt.Errorf("findings of %s: %w", invoiceID, mapErr(err))
	}
	if f.Check != "" && len(p.Findings) == 0 && f.Offset > 0 {
		// Past the last page: the count came with no row.
		var n int
		if err := s.Pool.QueryRow(ctx, `SELECT count(*) `+checkFindings, invoiceID, f.Check).Scan(&n); err != nil {
			return BillingFindingsPage{}, mapErr(err)
		}
		if n > 0 {
			p.Totals[f.Check] = n
		}
	}
	return p, nil
}

// CustomerBillingMonth is a mirrored customer's part of one invoice.
type CustomerBillingMonth struct {
	InvoiceID   string
	Kind        string
	PeriodStart time.Time
	Currency    string
	Lines       int64
	Cost        decimal.Decimal
	Sale        decimal.Decimal
}

// CustomerBillingMonths lists a mirrored customer's invoices, newest first.
func (s *Store) CustomerBillingMonths(ctx context.Context, customerID uuid.UUID) ([]CustomerBillingMonth, error) {
	rows, err := s.Pool.Query(ctx, `SELECT v.id, v.kind, v.period_start, v.currency, sum(c.lines), sum(c.cost), sum(c.sale)
	FROM billing_invoice_customers c JOIN billing_invoices v ON v.id = c.invoice_id
	WHERE c.customer_id = $1 GROUP BY v.id ORDER BY v.period_start DESC, v.kind, v.currency`, customerID)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CustomerBillingMonth, error) {
		var m CustomerBillingMonth
		err := r.Scan(&m.InvoiceID, &m.Kind, &m.PeriodStart, &m.Currency, &m.Lines, &m.Cost, &m.Sale)
		return m, err
	})
	return out, mapErr(err)
}

// BillingUsageDay is a customer's Azure usage on one day.
type BillingUsageDay struct {
	Day  time.Time
	Cost decimal.Decimal
	Sale decimal.Decimal
}

// CustomerUsageDays is a mirrored customer's Azure usage per day on an invoice.
func (s *Store) CustomerUsageDays(ctx context.Context, customerID uuid.UUID, invoiceID string) ([]BillingUsageDay, error) {
	rows, err := s.Pool.Query(ctx, usageDaysSQL, customerID, invoiceID)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := collectUsageDays(rows)
	return out, mapErr(err)
}

const usageDaysSQL = `SELECT usage_date, sum(cost), sum(sale) FROM billing_usage_days
	WHERE customer_id = $1 AND invoice_id = $2 GROUP BY usage_date ORDER BY usage_date`

func collectUsageDays(rows pgx.Rows) ([]BillingUsageDay, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (BillingUsageDay, error) {
		var u BillingUsageDay
		err := r.Scan(&u.Day, &u.Cost, &u.Sale)
		return u, err
	})
}

// BillingLine is one line as the exports write it.
type BillingLine struct {
	CustomerName     string
	CustomerDomain   string
	SubscriptionID   string
	SubscriptionName string
	OrderID          string
	ProductID        string
	SkuID            string
	ProductName      string
	SkuName          string
	ChargeType       string
	ChargeStart      *time.Time
	ChargeEnd        *time.Time
	UsageDate        *time.Time
	TermAndCycle     string
	BillingFrequency string
	MeterName        string
	Unit             string
	Quantity         decimal.Decimal
	UnitPrice        decimal.Decimal
	Cost             decimal.Decimal
	Sale             decimal.Decimal
	Currency         string
	Kind             string
}

// BillingLines streams an invoice's current lines of one customer to fn
// (by PC's customer id for staff, by the mirrored id for the customer).
func (s *Store) BillingLines(ctx context.Context, invoiceID string, f BillingGroupFilter, fn func(BillingLine) error) error {
	if f.PCCustomerID == "" && f.CustomerID == nil {
		return fmt.Errorf("billing lines of %s: no customer given", invoiceID)
	}
	if f.CustomerID != nil {
		f.PCCustomerID = strings.ToLower(f.CustomerID.String())
	}
	// Naming PC's customer id always lets every plan read the customer's
	// lines from billing_lines_customer_idx, not the invoice's lines.
	rows, err := s.Pool.Query(ctx, `SELECT l.customer_name, l.customer_domain, l.subscription_id, l.subscription_name, l.order_id,
	    l.product_id, l.sku_id, l.product_name, l.sku_name, l.charge_type, l.charge_start, l.charge_end, l.usage_date,
	    l.term_and_billing_cycle, l.billing_frequency, l.meter_name, l.unit, l.quantity, l.unit_price, l.cost, l.sale, l.currency, l.kind
	FROM billing_lines l JOIN billing_imports i ON i.id = l.import_id AND i.state = 'done' AND i.invoice_id = $1
	WHERE l.pc_customer_id = $2 AND ($3::uuid IS NULL OR l.customer_id = $3)
	ORDER BY l.kind, l.product_name, l.subscription_id, coalesce(l.charge_start, l.usage_date), l.charge_type, l.part, l.line`,
		invoiceID, f.PCCustomerID, f.CustomerID)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var l BillingLine
		if err := rows.Scan(&l.CustomerName, &l.CustomerDomain, &l.SubscriptionID, &l.SubscriptionName, &l.OrderID, &l.ProductID,
			&l.SkuID, &l.ProductName, &l.SkuName, &l.ChargeType, &l.ChargeStart, &l.ChargeEnd, &l.UsageDate, &l.TermAndCycle,
			&l.BillingFrequency, &l.MeterName, &l.Unit, &l.Quantity, &l.UnitPrice, &l.Cost, &l.Sale, &l.Currency, &l.Kind); err != nil {
			return mapErr(err)
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return mapErr(rows.Err())
}

// RecentBillingImports are the latest imports, for the sync page.
func (s *Store) RecentBillingImports(ctx context.Context, n int) ([]BillingImport, error) {
	rows, err := s.Pool.Query(ctx, recentImportsSQL, n)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := collectImports(rows)
	return out, mapErr(err)
}

func collectImports(rows pgx.Rows) ([]BillingImport, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (BillingImport, error) { return scanImport(r) })
}

// BillingInvoiceImports are an invoice's imports, newest first.
func (s *Store) BillingInvoiceImports(ctx context.Context, invoiceID string) ([]BillingImport, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+importCols+` FROM billing_imports i JOIN billing_invoices v ON v.id = i.invoice_id
	WHERE i.invoice_id = $1 ORDER BY i.id DESC LIMIT 10`, invoiceID)
	if err != nil {
		return nil, mapErr(err)
	}
	out, err := collectImports(rows)
	return out, mapErr(err)
}
