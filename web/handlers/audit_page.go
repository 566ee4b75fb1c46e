package handlers

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// auditPageSize is the number of audit entries per page.
const auditPageSize = 50

// auditCSVMax bounds one CSV export.
const auditCSVMax = 100000

// auditFilter reads the audit page's filters from the URL; problems are
// field errors in f.
func auditFilter(q url.Values) (store.AuditFilter, templates.Form) {
	f := templates.NewForm()
	var p store.AuditFilter
	for _, k := range []string{"user", "customer", "action", "from", "to"} {
		f.Values[k] = strings.TrimSpace(q.Get(k))
	}
	if v := f.Get("user"); v != "" {
		p.Actor = &v
	}
	if v := f.Get("action"); v != "" {
		p.Action = &v
	}
	if v := f.Get("customer"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			f.Errors["customer"] = "Enter a customer id (a GUID)."
		} else {
			p.CustomerID = &id
		}
	}
	if v := f.Get("from"); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			f.Errors["from"] = "Enter a date as YYYY-MM-DD."
		} else {
			p.FromAt = &t
		}
	}
	if v := f.Get("to"); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			f.Errors["to"] = "Enter a date as YYYY-MM-DD."
		} else {
			end := t.AddDate(0, 0, 1) // the whole day
			p.ToAt = &end
		}
	}
	if p.FromAt != nil && p.ToAt != nil && !p.FromAt.Before(*p.ToAt) {
		f.Errors["to"] = "The end date is before the start date."
	}
	return p, f
}

// auditList is the audit page: every staff action with who, what, before
// and after, the PC request id and the outcome, filtered and paged.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, f := auditFilter(r.URL.Query())
	page := max(atoiDefault(r.URL.Query().Get("page"), 1), 1)
	v := templates.AuditPageView{Form: f}
	if f.Valid() {
		total, err := s.st.AuditCount(ctx, p)
		if err != nil {
			return err
		}
		rows, err := s.st.AuditSearch(ctx, p, (page-1)*auditPageSize, auditPageSize)
		if err != nil {
			return err
		}
		v.Total = total
		v.Pager = pager(r.URL, page, auditPageSize, total)
		for _, a := range rows {
			v.Rows = append(v.Rows, auditRowView(a))
		}
		csvQ := r.URL.Query()
		csvQ.Del("page")
		v.CSVHref = "/audit.csv"
		if enc := csvQ.Encode(); enc != "" {
			v.CSVHref += "?" + enc
		}
	}
	actions, err := s.st.AuditActions(ctx)
	if err != nil {
		return err
	}
	v.Actions = actions
	status := http.StatusOK
	if !f.Valid() {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, templates.AuditPage(s.page(r, "Audit trail", "/audit"), v))
}

func auditRowView(a store.AuditRow) templates.AuditRow {
	row := templates.AuditRow{At: a.At.UTC().Format("2006-01-02 15:04:05 UTC"), Actor: a.Actor, Action: a.Action,
		Target: strings.TrimSpace(a.TargetType + " " + a.TargetID), Customer: a.CustomerName, Outcome: a.Outcome, Detail: a.Detail,
		Before: string(a.Before), After: string(a.After)}
	if a.CustomerID != nil {
		row.CustomerHref = "/customers/" + a.CustomerID.String()
		row.Customer = cmp.Or(a.CustomerName, a.CustomerID.String())
		if a.TargetType == "subscription" && a.TargetID != "" {
			row.TargetHref = row.CustomerHref + "/subscriptions/" + a.TargetID
		}
	}
	if a.PcRequestID != nil {
		row.RequestID = a.PcRequestID.String()
	}
	return row
}

// auditExport is the filtered audit trail as CSV.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, f := auditFilter(r.URL.Query())
	if !f.Valid() {
		return &httpError{status: http.StatusBadRequest, msg: "The filters are not valid: fix them on the audit page."}
	}
	rows, err := s.st.AuditSearch(ctx, p, 0, auditCSVMax)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+s.now().UTC().Format("20060102-150405")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"at", "actor", "action", "target_type", "target_id", "customer_id", "customer", "outcome", "detail", "pc_request_id", "before", "after"})
	for _, a := range rows {
		cust, req := "", ""
		if a.CustomerID != nil {
			cust = a.CustomerID.String()
		}
		if a.PcRequestID != nil {
			req = a.PcRequestID.String()
		}
		if err := cw.Write(csvSafe(a.At.UTC().Format(time.RFC3339), a.Actor, a.Action, a.TargetType, a.TargetID, cust,
			a.CustomerName, a.Outcome, a.Detail, req, string(a.Before), string(a.After))); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}
