package pccclient

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// DefaultAuditPageSize is the page size ListAuditRecords asks for.
const DefaultAuditPageSize = 500

// ListAuditRecords iterates over the partner's audit records between start
// and end (dates, UTC; PC keeps 90 days and refuses older start dates with
// 400), optionally filtered (Field CompanyName | CustomerId | ResourceType),
// following seek paging. A zero end leaves the end date to PC (today).
func (c *Client) ListAuditRecords(ctx context.Context, start, end time.Time, filter *SearchFilter) iter.Seq2[AuditRecord, error] {
	const op = "list-audit-records"
	a := check(op).check(!start.IsZero(), "start", "is zero")
	a.check(end.IsZero() || !end.Before(start), "end", "is before start")
	if filter != nil {
		a.required("filter.Field", filter.Field).check(filter.Operator != "", "filter.Operator", "is empty")
	}
	if err := a.done(); err != nil {
		return errSeq[AuditRecord](err)
	}
	q := url.Values{"startDate": {start.UTC().Format(time.DateOnly)}, "size": {c.pageSize(DefaultAuditPageSize)}}
	if !end.IsZero() {
		q.Set("endDate", end.UTC().Format(time.DateOnly))
	}
	if filter != nil {
		q.Set("filter", filter.encode())
	}
	return pages[AuditRecord](ctx, c, &call{op: op, class: ClassAudit, method: http.MethodGet, path: "/auditrecords", query: q}, false)
}

// ListInvoices iterates over the partner's invoices (offset paging).
func (c *Client) ListInvoices(ctx context.Context) iter.Seq2[Invoice, error] {
	return pages[Invoice](ctx, c, &call{op: "list-invoices", class: ClassRead, method: http.MethodGet, path: "/invoices",
		query: url.Values{"size": {c.pageSize(offerPageSize)}, "offset": {"0"}}}, true)
}

// GetInvoice returns an invoice.
func (c *Client) GetInvoice(ctx context.Context, invoiceID string) (*Invoice, error) {
	const op = "get-invoice"
	if err := check(op).required("invoiceID", invoiceID).done(); err != nil {
		return nil, err
	}
	var out Invoice
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/invoices/" + esc(invoiceID), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}
