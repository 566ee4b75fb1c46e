package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The v1 invoice surface on the Partner Center host (learn.microsoft.com
// "Get invoices", "Get invoice line items", "Get invoice statement"),
// which older billing periods and clouds without Graph billing still use:
// GET /v1/invoices (offset paging, newest first), /v1/invoices/{id},
// /v1/invoices/{id}/lineitems?provider=onetime&invoicelineitemtype=
// billinglineitems|usagelineitems&size=N (at most 2,000 per page; the next
// page is the same request with seekOperation=Next and the
// MS-ContinuationToken header), /v1/invoices/unbilled/lineitems (with
// currencycode and period=current|previous) and the statement PDF at
// /v1/invoices/{id}/documents/statement.

// maxLinePage is the largest page of invoice line items PC returns.
const maxLinePage = 2000

// billingRoutes registers the v1 invoice surface and /_sandbox/billing.
func (s *Sandbox) billingRoutes() {
	s.handle("GET /v1/invoices", OpListInvoices, lockWrite, true, s.listBillingInvoices)
	s.handle("GET /v1/invoices/{id}", OpGetInvoice, lockWrite, true, s.getBillingInvoice)
	s.handle("GET /v1/invoices/{id}/lineitems", "list-invoice-line-items", lockWrite, true, s.listInvoiceLineItems)
	// The statement is a PDF, not JSON: served outside the JSON pipeline.
	s.mux.HandleFunc("GET /v1/invoices/{id}/documents/statement", s.invoiceStatement)
	s.mux.HandleFunc("GET /_sandbox/billing", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, billingAdminOf(s.BillingConfig()))
	})
	s.mux.HandleFunc("POST /_sandbox/billing", func(w http.ResponseWriter, r *http.Request) {
		in := billingAdminOf(s.BillingConfig())
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeJSON(w, http.StatusBadRequest, errBadInput("admin body: %v", err))
			return
		}
		s.SetBillingConfig(BillingConfig{ExportDelay: time.Duration(in.ExportDelaySeconds * float64(time.Second)),
			BulkLines: in.BulkLines, BlobRows: in.BlobRows, NoData: in.NoData, FailBlobOnce: in.FailBlobOnce})
		writeJSON(w, http.StatusOK, billingAdminOf(s.BillingConfig()))
	})
}

// billingAdmin is /_sandbox/billing's body.
type billingAdmin struct {
	ExportDelaySeconds float64 `json:"exportDelaySeconds"`
	BulkLines          int     `json:"bulkLines"`
	BlobRows           int     `json:"blobRows"`
	NoData             bool    `json:"noData"`
	FailBlobOnce       bool    `json:"failBlobOnce"`
}

func billingAdminOf(c BillingConfig) billingAdmin {
	return billingAdmin{ExportDelaySeconds: c.ExportDelay.Seconds(), BulkLines: c.BulkLines, BlobRows: c.BlobRows,
		NoData: c.NoData, FailBlobOnce: c.FailBlobOnce}
}

// allInvoicesLocked is every invoice, newest first: the seeded legacy
// invoices and the closed new-commerce months.
func (s *Sandbox) allInvoicesLocked(now time.Time) []invoiceEntry {
	s.closeInvoicesLocked(now)
	var items []invoiceEntry
	for _, w := range s.st.Invoices {
		items = append(items, invoiceEntry{w: w, v: w})
	}
	for _, inv := range s.billing().Invoices {
		if inv.ID != "" {
			w := inv.wire()
			items = append(items, invoiceEntry{w: &w.invoiceWire, v: w})
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].w.InvoiceDate.After(items[j].w.InvoiceDate) })
	return items
}

// invoiceEntry is an invoice of either kind and its rendering.
type invoiceEntry struct {
	w *invoiceWire
	v any
}

func (s *Sandbox) listBillingInvoices(c *call) (int, any) {
	all := s.allInvoicesLocked(c.now)
	items := make([]any, len(all))
	for i, e := range all {
		items[i] = e.v
	}
	off, _ := strconv.Atoi(c.qi("offset"))
	size, _ := strconv.Atoi(c.qi("size"))
	if size <= 0 {
		size = 200
	}
	off = min(max(off, 0), len(items))
	to := min(off+size, len(items))
	col := newCollection(items[off:to], len(items), "/invoices?size="+strconv.Itoa(size)+"&offset="+strconv.Itoa(off))
	if to < len(items) {
		col.Links.Next = getLink("/invoices?size=" + strconv.Itoa(size) + "&offset=" + strconv.Itoa(to))
	}
	return 200, col
}

func (s *Sandbox) getBillingInvoice(c *call) (int, any) {
	id := c.pv("id")
	if _, rest, ok := strings.Cut(id, "-"); ok {
		id = rest // accept "Recurring-D0..." as in the self links
	}
	for _, inv := range s.allInvoicesLocked(c.now) {
		if strings.EqualFold(inv.w.ID, id) {
			return 200, inv.v
		}
	}
	return 0, newErr(404, "1000", "Invoice %s not found", c.pv("id"))
}

// lineToken is the state a continuation token carries.
type lineToken struct {
	Invoice string `json:"i"`
	Type    string `json:"t"`
	Offset  int    `json:"o"`
}

func (s *Sandbox) listInvoiceLineItems(c *call) (int, any) {
	id := c.pv("id")
	provider := strings.ToLower(c.qi("provider"))
	typ := strings.ToLower(c.qi("invoicelineitemtype"))
	if provider != "onetime" && provider != "all" {
		return 0, errBadInput("provider %q is not supported for this invoice: use onetime", c.qi("provider"))
	}
	if typ != "billinglineitems" && typ != "usagelineitems" {
		return 0, errBadInput("invoicelineitemtype must be billinglineitems or usagelineitems")
	}
	size := maxLinePage
	if v := c.qi("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, errBadInput("size must be a positive number")
		}
		size = min(n, maxLinePage)
	}
	offset := 0
	if strings.EqualFold(c.qi("seekOperation"), "next") {
		var tok lineToken
		b, err := base64.RawURLEncoding.DecodeString(c.r.Header.Get("MS-ContinuationToken"))
		if err != nil || json.Unmarshal(b, &tok) != nil || !strings.EqualFold(tok.Invoice, id) || tok.Type != typ || tok.Offset < 0 {
			return 0, errBadInput("MS-ContinuationToken header is missing or invalid")
		}
		offset = tok.Offset
	}
	s.closeInvoicesLocked(c.now)
	var n int
	var row func(int) any
	if strings.EqualFold(id, "unbilled") {
		cur := strings.ToUpper(c.qi("currencycode"))
		period := strings.ToLower(c.qi("period"))
		if len(cur) != 3 || (period != "current" && period != "previous") {
			return 0, errBadInput("unbilled line items need currencycode and period (current or previous)")
		}
		m := monthStart(c.now)
		if period == "previous" {
			m = m.AddDate(0, -1, 0)
		}
		lines, usage := s.monthRowsLocked(m, m.AddDate(0, 1, 0), c.now, true)
		var ls []reconRow
		var us []usageRow
		for _, l := range lines {
			if l.Currency == cur {
				ls = append(ls, l)
			}
		}
		for _, u := range usage {
			if u.Currency == cur {
				us = append(us, u)
			}
		}
		if typ == "usagelineitems" {
			n, row = len(us), func(i int) any { return us[i].v1("") }
		} else {
			n, row = len(ls), func(i int) any { return ls[i].v1("") }
		}
	} else {
		inv := s.invoiceLocked(id)
		if inv == nil {
			for _, legacy := range s.st.Invoices {
				if strings.EqualFold(legacy.ID, id) {
					return 0, errBadInput("invoice %s has no new-commerce line items: use provider office or azure", id)
				}
			}
			return 0, newErr(404, "1000", "Invoice %s not found", id)
		}
		if typ == "usagelineitems" {
			n, row = len(inv.Usage), func(i int) any { return inv.Usage[i].v1(inv.ID) }
		} else {
			n, row = len(inv.Lines)+inv.Bulk, func(i int) any {
				if i < len(inv.Lines) {
					return inv.Lines[i].v1(inv.ID)
				}
				r := bulkRow(i-len(inv.Lines), inv.Month, "USD")
				return r.v1(inv.ID)
			}
		}
	}
	from, to := min(offset, n), min(offset+size, n)
	items := make([]any, 0, to-from)
	for i := from; i < to; i++ {
		items = append(items, row(i))
	}
	self := "/invoices/" + id + "/lineitems?provider=" + provider + "&invoicelineitemtype=" + typ + "&size=" + strconv.Itoa(size)
	col := newCollection(items, len(items), self)
	if to < n {
		b, _ := json.Marshal(lineToken{Invoice: id, Type: typ, Offset: to})
		tok := base64.RawURLEncoding.EncodeToString(b)
		col.ContinuationToken = tok
		col.Links.Next = &link{URI: self + "&seekOperation=Next", Method: "GET", Headers: []header{{Key: "MS-ContinuationToken", Value: tok}}}
	}
	return 200, col
}

// invoiceStatement answers the invoice's statement as a PDF.
func (s *Sandbox) invoiceStatement(w http.ResponseWriter, r *http.Request) {
	s.billingCall("get-invoice-statement")
	if _, e := s.checkToken(r); e != nil {
		writeJSON(w, e.Status, e)
		return
	}
	id := r.PathValue("id")
	s.mu.Lock()
	var inv *invoiceWire
	for _, x := range s.allInvoicesLocked(s.clock.Now()) {
		if strings.EqualFold(x.w.ID, id) {
			inv = x.w
		}
	}
	s.mu.Unlock()
	if inv == nil {
		writeJSON(w, http.StatusNotFound, newErr(404, "1000", "Invoice %s not found", id))
		return
	}
	lines := []string{"Microsoft Partner Center - invoice statement", "", "Invoice " + inv.ID,
		"Invoice date " + inv.InvoiceDate.Format("2006-01-02"),
		"Billing period " + inv.BillingPeriodStartDate.Format("2006-01-02") + " to " + inv.BillingPeriodEndDate.Format("2006-01-02"),
		"Billed to " + PartnerName + " (" + PartnerID + ")",
		"Total charges " + strconv.FormatFloat(inv.TotalCharges, 'f', 2, 64) + " " + inv.CurrencyCode}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", "attachment; filename="+inv.ID+".pdf")
	w.Write(simplePDF(lines))
}

// simplePDF renders lines of text as a one-page PDF (Helvetica 11pt).
func simplePDF(lines []string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 11 Tf 56 780 Td 14 TL\n")
	for _, l := range lines {
		l = strings.NewReplacer("\\", "\\\\", "(", "\\(", ")", "\\)").Replace(l)
		content.WriteString("(" + l + ") Tj T*\n")
	}
	content.WriteString("ET\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Length " + strconv.Itoa(content.Len()) + " >>\nstream\n" + content.String() + "endstream",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		b.WriteString(strconv.Itoa(i+1) + " 0 obj\n" + o + "\nendobj\n")
	}
	xref := b.Len()
	b.WriteString("xref\n0 " + strconv.Itoa(len(objs)+1) + "\n0000000000 65535 f \n")
	for _, off := range offsets {
		s := strconv.Itoa(off)
		b.WriteString(strings.Repeat("0", 10-len(s)) + s + " 00000 n \n")
	}
	b.WriteString("trailer\n<< /Size " + strconv.Itoa(len(objs)+1) + " /Root 1 0 R >>\nstartxref\n" + strconv.Itoa(xref) + "\n%%EOF\n")
	return []byte(b.String())
}
