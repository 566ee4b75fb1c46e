package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// The customer's own charges (customer view, /my/charges, and staff "view
// as customer" under /customers/{id}/view/charges): what the customer is
// billed each month at the reseller's sale price. Every query takes the
// scoped customer's id; Microsoft's cost is never read into these views.

// chargesList shows the months and, below, one month's charges (?invoice=,
// else the newest).
func (s *Server) chargesList(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	months, err := s.st.CustomerBillingMonths(r.Context(), sc.id)
	if err != nil {
		return err
	}
	base := sc.view.Base + "/charges"
	v := templates.ChargesView{Scope: sc.view}
	want := r.URL.Query().Get("invoice")
	var selected *store.CustomerBillingMonth
	var pts []templates.ChartPoint
	for i, m := range months {
		row := monthRow(r.Context(), m, base+"?invoice="+url.QueryEscape(m.InvoiceID), true)
		v.Months = append(v.Months, row)
		if m.InvoiceID == want || want == "" && selected == nil {
			selected = &months[i]
		}
		if m.Kind == "invoice" && len(pts) < 12 {
			pts = append(pts, templates.ChartPoint{Label: shortMonth(r.Context(), m.PeriodStart), Href: "#" + row.Anchor,
				Values: []decimal.Decimal{m.Sale}, Titles: []string{row.Month + " " + row.Sale}})
		}
	}
	if want != "" && selected == nil {
		return store.ErrNotFound
	}
	slices.Reverse(pts)
	v.Chart = templates.NewBarChart("chart-charges", i18n.T(r.Context(), "h.charges.chart_title"), i18n.Text(r.Context(), "What you were billed each month."),
		[]templates.ChartSeries{{Name: i18n.T(r.Context(), "h.billing.series_amount"), Class: "bar-sale"}}, pts)
	if selected != nil {
		page := pageParam(r.URL.Query().Get("page"))
		ch, err := s.st.CustomerCharges(r.Context(), selected.InvoiceID, store.BillingGroupFilter{CustomerID: &sc.id,
			Offset: (page - 1) * groupsPageSize, Limit: groupsPageSize})
		if err != nil {
			return err
		}
		groups, total := ch.Groups, ch.Total
		if len(groups) == 0 && total > 0 {
			// Past the last page (the lines changed since the link).
			redirect(w, r, firstPage(r.URL))
			return nil
		}
		v.Pager = pager(r.URL, page, groupsPageSize, total)
		cur := selected.Currency
		v.Selected, v.Amount = monthLabel(r.Context(), selected.PeriodStart), money(selected.Sale, cur)
		if selected.Kind == "unbilled" {
			v.Selected = i18n.T(r.Context(), "h.charges.so_far", v.Selected)
		}
		v.CSVHref = sc.view.Base + "/charges.csv?invoice=" + url.QueryEscape(selected.InvoiceID)
		for _, g := range groups {
			v.Groups = append(v.Groups, templates.ChargeGroupView{Product: g.ProductName, Charge: rules.ChargeLabel(g.ChargeType),
				Term: g.TermAndCycle, First: rules.Date(g.FirstCharge), Quantity: g.Quantity.String(), Amount: money(g.Sale, cur)})
		}
		if len(ch.UsageDays) > 0 {
			v.Usage, v.UsageChart = usageRows(r.Context(), ch.UsageDays, cur, true)
		}
	}
	return s.render(w, r, http.StatusOK, templates.ChargesPage(s.customerPage(r, sc, i18n.T(r.Context(), "h.charges.title")), v))
}

// chargesExport is one month's charges as CSV (?invoice=, else the newest
// month; only the header when nothing was billed yet), at sale price only.
func (s *Server) chargesExport(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.scopeOf(r)
	if err != nil {
		return err
	}
	inv := r.URL.Query().Get("invoice")
	if inv == "" {
		months, err := s.st.CustomerBillingMonths(r.Context(), sc.id)
		if err != nil {
			return err
		}
		if len(months) > 0 {
			inv = months[0].InvoiceID
		}
	}
	e := billing.Export{InvoiceID: inv, CustomerID: &sc.id, Audience: billing.ForCustomer}
	return s.writeExport(w, r, e, "csv", "charges-"+strings.ToLower(inv))
}
