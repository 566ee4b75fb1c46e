package pccclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// The v1 invoice line items on the Partner Center host (learn.microsoft.com
// "Get invoice line items", "Get invoice unbilled reconciliation line
// items"): still the way to older billing periods (line items before
// February 2024, daily usage before September 2022) and to clouds without
// Graph billing. Pages hold at most 2,000 items; the next page is the same
// request with seekOperation=Next and the page's continuation token in the
// MS-ContinuationToken header.

// MaxInvoiceLinePage is the largest page PC returns.
const MaxInvoiceLinePage = 2000

// Invoice line item types.
const (
	BillingLineItems = "billinglineitems"
	UsageLineItems   = "usagelineitems"
)

// InvoiceLinesRequest selects an invoice's line items.
type InvoiceLinesRequest struct {
	// InvoiceID is the invoice, or "unbilled" for the open period (then
	// Currency and Period, current or previous, are required).
	InvoiceID string
	Provider  string // "" = onetime (new commerce)
	Type      string // BillingLineItems or UsageLineItems
	Currency  string
	Period    string
	Size      int // "" = MaxInvoiceLinePage
}

// InvoiceLinePage is one page: the items as PC sent them (decode with
// DecodeReconLine or DecodeUsageLine) and the token of the next page ("" on
// the last).
type InvoiceLinePage struct {
	Items             []json.RawMessage
	ContinuationToken string
}

type linePageWire struct {
	TotalCount        int               `json:"totalCount"`
	Items             []json.RawMessage `json:"items"`
	ContinuationToken string            `json:"continuationToken"`
	Links             map[string]Link   `json:"links"`
}

// InvoiceLineItemsPage reads one page: the first when continuation is "",
// else the page after the one that returned it.
func (c *Client) InvoiceLineItemsPage(ctx context.Context, r InvoiceLinesRequest, continuation string) (*InvoiceLinePage, error) {
	const op = "list-invoice-line-items"
	if r.Provider == "" {
		r.Provider = "onetime"
	}
	if r.Size <= 0 || r.Size > MaxInvoiceLinePage {
		r.Size = MaxInvoiceLinePage
	}
	a := check(op).required("invoiceID", r.InvoiceID).
		check(r.Type == BillingLineItems || r.Type == UsageLineItems, "type", fmt.Sprintf("%q is not %s or %s", r.Type, BillingLineItems, UsageLineItems))
	unbilled := strings.EqualFold(r.InvoiceID, "unbilled")
	if unbilled {
		a.check(len(r.Currency) == 3, "currency", fmt.Sprintf("%q is not an ISO 4217 code", r.Currency)).
			check(r.Period == "current" || r.Period == "previous", "period", fmt.Sprintf("%q is not current or previous", r.Period))
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	q := url.Values{"provider": {r.Provider}, "invoicelineitemtype": {r.Type}, "size": {itoa(r.Size)}}
	if unbilled {
		q.Set("currencycode", strings.ToUpper(r.Currency))
		q.Set("period", r.Period)
	}
	h := http.Header{}
	if continuation != "" {
		q.Set("seekOperation", "Next")
		h.Set("MS-ContinuationToken", continuation)
	}
	var w linePageWire
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/invoices/" + esc(r.InvoiceID) + "/lineitems",
		query: q, header: h, out: &w}); err != nil {
		return nil, err
	}
	p := &InvoiceLinePage{Items: w.Items, ContinuationToken: w.ContinuationToken}
	if p.ContinuationToken == "" {
		// Some answers carry the token only in the next link's headers.
		if next, ok := w.Links["next"]; ok {
			for _, kv := range next.Headers {
				if strings.EqualFold(kv.Key, "MS-ContinuationToken") {
					p.ContinuationToken = kv.Value
				}
			}
		}
	}
	return p, nil
}

// GetInvoiceStatement opens an invoice's statement (a PDF); close it.
func (c *Client) GetInvoiceStatement(ctx context.Context, invoiceID string) (io.ReadCloser, error) {
	const op = "get-invoice-statement"
	if err := check(op).required("invoiceID", invoiceID).done(); err != nil {
		return nil, err
	}
	res, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodGet, path: "/invoices/" + esc(invoiceID) + "/documents/statement",
		header: http.Header{"Accept": {"application/pdf"}}, stream: true})
	if err != nil {
		return nil, err
	}
	return res.body, nil
}
