package handlers

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// The staff billing pages: invoices by month, an invoice's customers, a
// customer's lines of an invoice (with the CSV and JSON exports), the
// reconciliation findings, and a customer's months.

const billingPageSize = 50

// findingsPerCheck is how many findings of each check the reconciliation
// page shows, findingsPageSize how many a check's own page does: an
// invoice at the design size has about a thousand. The overview is a
// summary of four checks: 20 each is a screen or two, and rendering 200
// rows was half of its CPU.
const (
	findingsPerCheck = 20
	findingsPageSize = 100
)

// groupsPageSize is how many of a customer's lines (by subscription and
// charge) an invoice's customer page and the customer's charges show at
// once: a customer of 500 subscriptions has about 530.
const groupsPageSize = 100

func money(d decimal.Decimal, cur string) string { return templates.Money(d, cur) }

// monthLabel is a billing month in the reader's language ("April 2026").
func monthLabel(ctx context.Context, t time.Time) string { return i18n.Month(i18n.From(ctx), t) }

// count renders a number of things with thousands separators: 1,000,000.
func count(n int64) string {
	return templates.Count(n)
}

// importView renders an import for the pages.
func importView(ctx context.Context, i store.BillingImport) templates.BillingImportView {
	v := templates.BillingImportView{ID: i.ID, Invoice: i.InvoiceID, Href: "/billing/invoices/" + url.PathEscape(i.InvoiceID),
		Dataset: i.Dataset, Source: i.Source, State: strings.ReplaceAll(i.State, "_", " "), Polls: i.Polls, Error: i.Error,
		Updated: i.UpdatedAt.Local().Format("2006-01-02 15:04:05"), Finished: i.FinishedAt != nil, Succeeded: i.State == store.ImportDone}
	if i.Source == rules.SourceV1 {
		v.Progress = i18n.T(ctx, "h.billing.import_pages", strconv.Itoa(i.Pages), count(i.Rows))
	} else {
		v.Progress = i18n.T(ctx, "h.billing.import_blobs", strconv.Itoa(i.BlobsDone), strconv.Itoa(i.BlobsTotal), count(i.Rows))
	}
	if v.Succeeded {
		v.Error = ""
	}
	return v
}

// billingList is the billing page: invoices by month with totals per
// currency, a chart per currency, the latest imports.
func (s *Server) billingList(w http.ResponseWriter, r *http.Request) error {
	o, err := s.st.BillingOverview(r.Context(), 10)
	if err != nil {
		return err
	}
	v := templates.BillingView{}
	for _, i := range o.Imports {
		v.Imports = append(v.Imports, importView(r.Context(), i))
	}
	type key struct {
		month   string
		cur     string
		accrual bool
	}
	idx := map[key]int{}
	var starts []time.Time           // each month's first day, for the charts
	var cost, sale []decimal.Decimal // each month's totals, added as its invoices come
	for _, inv := range o.Invoices {
		k := key{inv.PeriodStart.Format("2006-01"), inv.Currency, inv.Kind == "unbilled"}
		i, ok := idx[k]
		if !ok {
			anchor := "m-" + k.month + "-" + k.cur
			if k.accrual {
				anchor += "-accrual"
			}
			v.Months = append(v.Months, templates.BillingMonthView{Anchor: anchor, Month: monthLabel(r.Context(), inv.PeriodStart), Currency: inv.Currency,
				Accrual: k.accrual})
			starts, cost, sale = append(starts, inv.PeriodStart), append(cost, decimal.Zero), append(sale, decimal.Zero)
			i = len(v.Months) - 1
			idx[k] = i
		}
		v.Months[i].Invoices = append(v.Months[i].Invoices, invoiceRowView(r.Context(), inv))
		cost[i], sale[i] = cost[i].Add(inv.Cost), sale[i].Add(inv.Sale)
	}
	// Totals per month and currency, and a chart per currency (last 12 months).
	byCur := map[string][]templates.ChartPoint{}
	var curs []string
	for i := range v.Months {
		m := &v.Months[i]
		margin := sale[i].Sub(cost[i])
		m.Cost, m.Sale, m.Margin = money(cost[i], m.Currency), money(sale[i], m.Currency), money(margin, m.Currency)
		if m.Accrual {
			continue
		}
		if _, ok := byCur[m.Currency]; !ok {
			curs = append(curs, m.Currency)
		}
		if len(byCur[m.Currency]) < 12 {
			byCur[m.Currency] = append(byCur[m.Currency], templates.ChartPoint{Label: shortMonth(r.Context(), starts[i]), Href: "#" + m.Anchor,
				Values: []decimal.Decimal{cost[i], sale[i], margin},
				Titles: barTitles(r.Context(), m.Month, m.Cost, m.Sale, m.Margin)})
		}
	}
	slices.Sort(curs)
	for _, c := range curs {
		pts := byCur[c]
		slices.Reverse(pts)
		v.Charts = append(v.Charts, templates.NewBarChart("chart-"+strings.ToLower(c), i18n.T(r.Context(), "h.billing.chart_title_cur", c),
			i18n.T(r.Context(), "h.billing.chart_desc_cur", c), costSaleMargin(r.Context()), pts))
	}
	p := s.page(r, "Billing", "/billing")
	p.Unavailable = s.missing(r.Context(), rules.CapGraphBilling)
	return s.render(w, r, http.StatusOK, templates.BillingPage(p, v))
}

// costSaleMargin are the series of a cost, sale and margin chart.
func costSaleMargin(ctx context.Context) []templates.ChartSeries {
	return []templates.ChartSeries{{Name: i18n.T(ctx, "h.billing.series_cost"), Class: "bar-cost"},
		{Name: i18n.T(ctx, "h.billing.series_sale"), Class: "bar-sale"}, {Name: i18n.T(ctx, "h.billing.series_margin"), Class: "bar-margin"}}
}

// barTitles are the bar titles of a month of a cost, sale and margin chart.
func barTitles(ctx context.Context, label, cost, sale, margin string) []string {
	return []string{i18n.T(ctx, "h.billing.bar_cost", label, cost), i18n.T(ctx, "h.billing.bar_sale", label, sale),
		i18n.T(ctx, "h.billing.bar_margin", label, margin)}
}

// shortMonth is a chart's month in the reader's language ("Apr 26").
func shortMonth(ctx context.Context, t time.Time) string { return i18n.ShortMonth(i18n.From(ctx), t) }

func invoiceRowView(ctx context.Context, inv store.BillingInvoiceRow) templates.BillingInvoiceView {
	v := templates.BillingInvoiceView{ID: inv.ID, Href: "/billing/invoices/" + url.PathEscape(inv.ID), Accrual: inv.Kind == "unbilled",
		Legacy: !inv.NewCommerce, Cost: money(inv.Cost, inv.Currency), Sale: money(inv.Sale, inv.Currency),
		Margin: money(inv.Sale.Sub(inv.Cost), inv.Currency), Lines: count(inv.Lines), Findings: int(inv.Findings)}
	if inv.Kind == "unbilled" {
		v.PCTotal, v.Date = "—", i18n.T(ctx, "h.billing.accrual_refreshed", inv.SyncedAt.Local().Format("2006-01-02 15:04"))
	} else {
		v.PCTotal = money(inv.Total, inv.Currency)
		if inv.InvoiceDate != nil {
			v.Date = inv.InvoiceDate.Format(time.DateOnly)
		}
	}
	var st []string
	for _, s := range inv.Imports {
		ds, state, _ := strings.Cut(s, ":")
		st = append(st, ds+" "+strings.ReplaceAll(state, "_", " "))
	}
	switch {
	case !inv.NewCommerce:
		v.Status = i18n.T(ctx, "h.billing.legacy_invoice")
	case len(st) == 0:
		v.Status = i18n.T(ctx, "h.billing.not_imported")
	default:
		v.Status = strings.Join(st, " · ")
	}
	return v
}

// billingSync queues the invoice import.
func (s *Server) billingSync(w http.ResponseWriter, r *http.Request) error {
	if err := s.bil.QueueSync(r.Context(), actorOf(r)); err != nil {
		return err
	}
	s.flash(r.Context(), "success", "The invoices are being imported; progress appears below.")
	redirect(w, r, "/billing")
	return nil
}

// billingInvoiceShow is an invoice: totals, imports and its customers.
func (s *Server) billingInvoiceShow(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "invoice")
	q := searchTerms(r.URL.Query().Get("q"))
	page := pageParam(r.URL.Query().Get("page"))
	f := store.BillingCustomerFilter{Q: q, Offset: (page - 1) * billingPageSize, Limit: billingPageSize}
	if q == "" {
		// The pager's links name the customer a page starts after or ends
		// before; a bare ?page=N (an old link) goes by offset.
		f.After, f.Before = r.URL.Query().Get("after"), r.URL.Query().Get("before")
	}
	data, err := s.bil.InvoicePage(r.Context(), id, f)
	if err != nil {
		return err
	}
	inv, rows, total, imps := data.Invoice, data.Customers, data.Total, data.Imports
	page = data.Offset/billingPageSize + 1
	base := "/billing/invoices/" + url.PathEscape(id)
	cur := inv.Currency
	v := templates.BillingInvoicePageView{ID: id, Title: i18n.T(r.Context(), "h.billing.invoice_title", id), Period: monthLabel(r.Context(), inv.PeriodStart), Currency: cur,
		Accrual: inv.Kind == "unbilled", PCTotal: money(inv.Total, cur), Cost: money(inv.Cost, cur), Sale: money(inv.Sale, cur),
		Margin: money(inv.Sale.Sub(inv.Cost), cur), Lines: count(inv.Lines), FindingsHref: base + "/reconciliation",
		ReimportHref: base + "/reimport", Q: q, Findings: int(inv.Findings)}
	if v.Accrual {
		v.Title, v.PCTotal = i18n.T(r.Context(), "h.billing.unbilled_title", monthLabel(r.Context(), inv.PeriodStart)), i18n.T(r.Context(), "h.billing.not_invoiced")
	} else {
		v.StatementHref = base + "/statement"
		v.Differs = inv.Lines > 0 && !inv.Cost.Round(2).Equal(inv.Total.Round(2))
	}
	for _, i := range imps {
		v.Imports = append(v.Imports, importView(r.Context(), i))
	}
	for _, c := range rows {
		cv := templates.BillingCustomerView{Name: cmp.Or(c.Name, c.PCCustomerID), Domain: c.Domain,
			Href: base + "/customers/" + url.PathEscape(c.PCCustomerID), Unknown: c.CustomerID == nil, Lines: count(c.Lines),
			Cost: money(c.Cost, cur), Sale: money(c.Sale, cur), Margin: money(c.Sale.Sub(c.Cost), cur), Findings: int(c.Findings)}
		if c.CustomerID != nil {
			cv.Billing = "/billing/customers/" + c.CustomerID.String()
		}
		v.Customers = append(v.Customers, cv)
	}
	from := data.Offset + 1
	v.Shown = i18n.T(r.Context(), "h.billing.shown", strconv.Itoa(min(from, total)), strconv.Itoa(min(from+len(rows)-1, total)), count(int64(total)))
	link := func(p int, key, pc string) string {
		qs := url.Values{"page": {strconv.Itoa(p)}}
		if q != "" {
			qs.Set("q", q)
		} else if p > 1 {
			qs.Set(key, pc)
		}
		return base + "?" + qs.Encode()
	}
	if page > 1 && len(rows) > 0 {
		v.PrevHref = link(page-1, "before", rows[0].PCCustomerID)
	}
	if data.Offset+len(rows) < total && len(rows) > 0 {
		v.NextHref = link(page+1, "after", rows[len(rows)-1].PCCustomerID)
	}
	return s.render(w, r, http.StatusOK, templates.BillingInvoicePage(s.page(r, v.Title, "/billing"), v))
}

// billingReimport imports an invoice again.
func (s *Server) billingReimport(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "invoice")
	if err := s.bil.QueueReimport(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	s.flash(r.Context(), "success", "The invoice is being imported again.")
	redirect(w, r, "/billing/invoices/"+url.PathEscape(id))
	return nil
}

// billingStatement streams the invoice's statement PDF from Partner Center.
func (s *Server) billingStatement(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "invoice")
	pdf, err := s.bil.Statement(r.Context(), id)
	if err != nil {
		return err
	}
	defer pdf.Close()
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeName(id)+`.pdf"`)
	_, err = io.Copy(w, pdf)
	return err
}

// safeName keeps letters, digits, dots and dashes of a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, s)
}

// billingInvoiceCustomer is one customer's lines of an invoice.
func (s *Server) billingInvoiceCustomer(w http.ResponseWriter, r *http.Request) error {
	id, pc := chi.URLParam(r, "invoice"), chi.URLParam(r, "pc")
	q := searchTerms(r.URL.Query().Get("q"))
	page := pageParam(r.URL.Query().Get("page"))
	p, err := s.st.BillingCustomerPage(r.Context(), id, store.BillingGroupFilter{PCCustomerID: pc, Q: q,
		Offset: (page - 1) * groupsPageSize, Limit: groupsPageSize})
	if err != nil {
		return err
	}
	inv, c, groups, total := p.Invoice, p.Customer, p.Groups, p.Total
	if len(groups) == 0 && total > 0 {
		// Past the last page (the lines changed since the link).
		redirect(w, r, firstPage(r.URL))
		return nil
	}
	cur := inv.Currency
	base := "/billing/invoices/" + url.PathEscape(id)
	self := base + "/customers/" + url.PathEscape(pc)
	v := templates.BillingInvoiceCustomerView{InvoiceID: id, InvoiceHref: base, Period: monthLabel(r.Context(), inv.PeriodStart),
		Name: cmp.Or(c.Name, pc), Domain: c.Domain, Q: q, Action: self, Cost: money(c.Cost, cur), Sale: money(c.Sale, cur),
		Margin: money(c.Sale.Sub(c.Cost), cur), CSVHref: self + "/export.csv", JSONHref: self + "/export.json",
		FindingsHref: base + "/reconciliation", Findings: int(c.Findings)}
	if c.CustomerID != nil {
		v.Billing = "/billing/customers/" + c.CustomerID.String()
	}
	for _, g := range groups {
		gv := templates.BillingGroupView{Subscription: cmp.Or(g.SubscriptionName, g.SubscriptionID), Product: g.ProductName,
			Charge: rules.ChargeLabel(g.ChargeType), ChargeType: g.ChargeType, Term: g.TermAndCycle, First: rules.Date(g.FirstCharge),
			Lines: count(g.Lines), Quantity: g.Quantity.String(), Cost: money(g.Cost, cur), Sale: money(g.Sale, cur),
			Margin: money(g.Sale.Sub(g.Cost), cur)}
		if c.CustomerID != nil && g.Kind == "license" {
			gv.SubscriptionHref = "/customers/" + c.CustomerID.String() + "/subscriptions/" + url.PathEscape(g.SubscriptionID)
		}
		v.Groups = append(v.Groups, gv)
	}
	v.Pager = pager(r.URL, page, groupsPageSize, total)
	return s.render(w, r, http.StatusOK, templates.BillingInvoiceCustomerPage(s.page(r, v.Name+" · "+id, "/billing"), v))
}

// billingExportCSV is a customer's lines of an invoice as CSV (staff:
// cost, sale and margin).
func (s *Server) billingExportCSV(w http.ResponseWriter, r *http.Request) error {
	return s.billingExport(w, r, "csv")
}

// billingExportJSON is the same as JSON.
func (s *Server) billingExportJSON(w http.ResponseWriter, r *http.Request) error {
	return s.billingExport(w, r, "json")
}

func (s *Server) billingExport(w http.ResponseWriter, r *http.Request, format string) error {
	id, pc := chi.URLParam(r, "invoice"), chi.URLParam(r, "pc")
	e := billing.Export{InvoiceID: id, PCCustomerID: pc, Audience: billing.ForStaff}
	return s.writeExport(w, r, e, format, id+"-"+pc)
}

// writeExport sets the download headers and writes the export; an unknown
// invoice or customer is a 404 before anything is written.
func (s *Server) writeExport(w http.ResponseWriter, r *http.Request, e billing.Export, format, name string) error {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if format == "json" {
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="`+safeName(name)+`.json"`)
		return s.bil.WriteJSON(r.Context(), w, e)
	}
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+safeName(name)+`.csv"`)
	return s.bil.WriteCSV(r.Context(), w, e)
}

// findingTitles are the message keys of the reconciliation checks' titles.
var findingTitles = map[string]string{
	billing.CheckUnmatched: "h.billing.finding_unmatched",
	billing.CheckSeats:     "h.billing.finding_seats",
	billing.CheckStatus:    "h.billing.finding_status",
	billing.CheckPrice:     "h.billing.finding_price",
}

// billingFindings is an invoice's reconciliation findings.
func (s *Server) billingFindings(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "invoice")
	// The overview shows the first findings of each check; a check's own
	// pages go through all of its findings.
	check := r.URL.Query().Get("check")
	page := pageParam(r.URL.Query().Get("page"))
	f := store.BillingFindingsFilter{Limit: findingsPerCheck}
	if check != "" {
		f = store.BillingFindingsFilter{Check: check, Offset: (page - 1) * findingsPageSize, Limit: findingsPageSize}
	}
	fp, err := s.st.BillingFindings(r.Context(), id, f)
	if err != nil {
		return err
	}
	inv, fs, totals := fp.Invoice, fp.Findings, fp.Totals
	base := "/billing/invoices/" + url.PathEscape(id)
	self := base + "/reconciliation"
	if check != "" && len(fs) == 0 && totals[check] > 0 {
		// Past the last page (the findings changed since the link).
		redirect(w, r, firstPage(r.URL))
		return nil
	}
	v := templates.BillingFindingsView{InvoiceID: id, InvoiceHref: base, Period: monthLabel(r.Context(), inv.PeriodStart)}
	if check != "" {
		v.BackHref = self
	}
	idx := map[string]int{}
	for _, f := range fs {
		if f.Check == billing.CheckNote {
			v.Notes = append(v.Notes, f.Reason)
			continue
		}
		i, ok := idx[f.Check]
		if !ok {
			title := f.Check
			if key, ok := findingTitles[f.Check]; ok {
				title = i18n.T(r.Context(), key)
			}
			v.Groups = append(v.Groups, templates.BillingFindingGroup{Check: f.Check, Title: title, Total: totals[f.Check]})
			i = len(v.Groups) - 1
			idx[f.Check] = i
		}
		fv := templates.BillingFindingView{Customer: cmp.Or(f.CustomerName, f.PCCustomerID), Subscription: f.SubscriptionID,
			Charge: rules.ChargeLabel(f.ChargeType), Start: rules.Date(f.ChargeStart), Amount: money(f.Amount, inv.Currency), Reason: f.Reason}
		if f.CustomerID != nil {
			fv.CustomerHref = "/billing/customers/" + f.CustomerID.String()
		}
		if f.CustomerID != nil && f.Check != billing.CheckUnmatched {
			fv.SubscriptionHref = "/customers/" + f.CustomerID.String() + "/subscriptions/" + url.PathEscape(f.SubscriptionID)
		} else if f.PCCustomerID != "" {
			fv.SubscriptionHref = base + "/customers/" + url.PathEscape(f.PCCustomerID) + "?q=" + url.QueryEscape(f.SubscriptionID)
		}
		v.Groups[i].Items = append(v.Groups[i].Items, fv)
	}
	for i := range v.Groups {
		g := &v.Groups[i]
		if len(g.Items) == g.Total {
			continue
		}
		g.Shown = i18n.T(r.Context(), "billing.findings_shown", count(int64(f.Offset+1)), count(int64(f.Offset+len(g.Items))), count(int64(g.Total)))
		if check == "" {
			g.AllHref = self + "?" + url.Values{"check": {g.Check}, "page": {"1"}}.Encode()
			continue
		}
		// A check's own pages: the lists' pager, which keeps ?check=.
		pg := pager(r.URL, page, findingsPageSize, g.Total)
		g.PrevHref, g.NextHref = pg.PrevHref, pg.NextHref
	}
	return s.render(w, r, http.StatusOK, templates.BillingFindingsPage(s.page(r, i18n.T(r.Context(), "h.billing.reconciliation_title", id), "/billing"), v))
}

// billingCustomer is a mirrored customer's billing over the months.
func (s *Server) billingCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.ErrNotFound
	}
	c, err := s.st.CustomerHeader(r.Context(), id)
	if err != nil {
		return err
	}
	months, err := s.st.CustomerBillingMonths(r.Context(), id)
	if err != nil {
		return err
	}
	v := templates.BillingCustomerPageView{Name: cmp.Or(c.CompanyName, c.Domain), CustomerRef: "/customers/" + id.String()}
	var pts []templates.ChartPoint
	for _, m := range months {
		row := monthRow(r.Context(), m, "/billing/invoices/"+url.PathEscape(m.InvoiceID)+"/customers/"+url.PathEscape(strings.ToLower(id.String())), false)
		v.Months = append(v.Months, row)
		if m.Kind == "invoice" && len(pts) < 12 {
			pts = append(pts, templates.ChartPoint{Label: shortMonth(r.Context(), m.PeriodStart) + " " + m.Currency, Href: "#" + row.Anchor,
				Values: []decimal.Decimal{m.Cost, m.Sale, m.Sale.Sub(m.Cost)},
				Titles: barTitles(r.Context(), row.Month, row.Cost, row.Sale, row.Margin)})
		}
	}
	slices.Reverse(pts)
	v.Chart = templates.NewBarChart("chart-customer", i18n.T(r.Context(), "h.billing.chart_title"),
		i18n.Text(r.Context(), "The customer's cost, sale and margin of each invoiced month."), costSaleMargin(r.Context()), pts)
	for _, m := range months[:min(len(months), 3)] {
		days, err := s.st.CustomerUsageDays(r.Context(), id, m.InvoiceID)
		if err != nil {
			return err
		}
		if len(days) > 0 {
			v.UsageMonth = monthLabel(r.Context(), m.PeriodStart)
			v.Usage, v.UsageChart = usageRows(r.Context(), days, m.Currency, false)
			break
		}
	}
	return s.render(w, r, http.StatusOK, templates.BillingCustomerPage(s.page(r, i18n.T(r.Context(), "h.billing.customer_title", v.Name), "/billing"), v))
}

// monthRow is a customer's month; saleOnly leaves cost and margin out.
func monthRow(ctx context.Context, m store.CustomerBillingMonth, href string, saleOnly bool) templates.BillingMonthRow {
	anchor := "m-" + m.PeriodStart.Format("2006-01") + "-" + strings.ToLower(m.Currency)
	if m.Kind == "unbilled" {
		anchor += "-accrual"
	}
	row := templates.BillingMonthRow{Anchor: anchor, Month: monthLabel(ctx, m.PeriodStart), Href: href, Invoice: m.InvoiceID,
		Accrual: m.Kind == "unbilled", Lines: count(m.Lines), Sale: money(m.Sale, m.Currency)}
	if !saleOnly {
		row.Cost, row.Margin = money(m.Cost, m.Currency), money(m.Sale.Sub(m.Cost), m.Currency)
	}
	return row
}

// usageRows are Azure usage days and their chart; saleOnly charts the sale
// alone and leaves cost out of the rows.
func usageRows(ctx context.Context, days []store.BillingUsageDay, cur string, saleOnly bool) ([]templates.UsageDayRow, templates.BarChart) {
	var rows []templates.UsageDayRow
	var pts []templates.ChartPoint
	series := []templates.ChartSeries{{Name: i18n.T(ctx, "h.billing.series_cost"), Class: "bar-cost"}, {Name: i18n.T(ctx, "h.billing.series_sale"), Class: "bar-usage"}}
	if saleOnly {
		series = []templates.ChartSeries{{Name: i18n.T(ctx, "h.billing.series_amount"), Class: "bar-usage"}}
	}
	for _, d := range days {
		row := templates.UsageDayRow{Anchor: "d-" + d.Day.Format(time.DateOnly), Day: d.Day.Format(time.DateOnly), Sale: money(d.Sale, cur)}
		p := templates.ChartPoint{Label: d.Day.Format("2"), Href: "#" + row.Anchor}
		if saleOnly {
			p.Values, p.Titles = []decimal.Decimal{d.Sale}, []string{row.Day + " " + row.Sale}
		} else {
			row.Cost = money(d.Cost, cur)
			p.Values, p.Titles = []decimal.Decimal{d.Cost, d.Sale}, []string{i18n.T(ctx, "h.billing.bar_cost", row.Day, row.Cost), i18n.T(ctx, "h.billing.bar_sale", row.Day, row.Sale)}
		}
		rows = append(rows, row)
		pts = append(pts, p)
	}
	return rows, templates.NewBarChart("chart-usage", i18n.T(ctx, "h.billing.usage_title"), i18n.Text(ctx, "Azure usage of each day of the month."), series, pts)
}
