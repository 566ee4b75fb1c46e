package handlers

import (
	"cmp"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// auditPageSize is the number of actions per page.
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
	p.Actor, p.Action = f.Get("user"), f.Get("action")
	if v := f.Get("customer"); v != "" {
		if id, err := uuid.Parse(v); err == nil {
			p.CustomerID = &id
		} else {
			p.Customer = v
		}
	}
	day := func(k string) *time.Time {
		v := f.Get(k)
		if v == "" {
			return nil
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			f.Errors[k] = "Enter a date as YYYY-MM-DD."
			return nil
		}
		return &t
	}
	p.FromAt = day("from")
	if to := day("to"); to != nil {
		end := to.AddDate(0, 0, 1) // the whole day
		p.ToAt = &end
	}
	if p.FromAt != nil && p.ToAt != nil && !p.FromAt.Before(*p.ToAt) {
		f.Errors["to"] = "The end date is before the start date: choose a range that ends on or after " + f.Get("from") + "."
	}
	return p, f
}

// auditCursor reads ?older= or ?newer= (at in Unix nanoseconds, a dot,
// the id): the direction and position to page from.
func auditCursor(q url.Values) (int, store.AuditCursor) {
	for _, c := range []struct {
		key string
		dir int
	}{{"older", store.AuditOlder}, {"newer", store.AuditNewer}} {
		ns, id, ok := strings.Cut(q.Get(c.key), ".")
		if !ok {
			continue
		}
		n, err1 := strconv.ParseInt(ns, 10, 64)
		i, err2 := strconv.ParseInt(id, 10, 64)
		if err1 == nil && err2 == nil {
			return c.dir, store.AuditCursor{At: time.Unix(0, n), ID: i}
		}
	}
	return store.AuditFirst, store.AuditCursor{}
}

func cursorLink(u *url.URL, key string, c *store.AuditCursor) string {
	if c == nil {
		return ""
	}
	q := u.Query()
	q.Del("older")
	q.Del("newer")
	q.Set(key, strconv.FormatInt(c.At.UnixNano(), 10)+"."+strconv.FormatInt(c.ID, 10))
	return u.Path + "?" + q.Encode()
}

// auditList is the audit page: every action with who, what, the fields it
// changed, the Partner Center request id and the outcome, newest first,
// paged by position (newer/older) rather than by page number.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, f := auditFilter(r.URL.Query())
	v := templates.AuditPageView{Form: f, Actions: auditActionOptions(ctx)}
	status := http.StatusOK
	if f.Valid() {
		dir, cur := auditCursor(r.URL.Query())
		page, err := s.st.AuditSearch(ctx, p, dir, cur, auditPageSize)
		if err != nil {
			return err
		}
		for _, a := range page.Rows {
			v.Rows = append(v.Rows, auditRowView(ctx, a))
		}
		v.NewerHref, v.OlderHref = cursorLink(r.URL, "newer", page.Newer), cursorLink(r.URL, "older", page.Older)
		csvQ := r.URL.Query()
		csvQ.Del("older")
		csvQ.Del("newer")
		v.CSVHref = "/audit.csv"
		if enc := csvQ.Encode(); enc != "" {
			v.CSVHref += "?" + enc
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, templates.AuditPage(s.page(r, "Audit trail", "/audit"), v))
}

func auditRowView(ctx context.Context, a store.AuditRow) templates.AuditRow {
	row := templates.AuditRow{At: a.At.UTC().Format("2006-01-02 15:04:05 UTC"), Actor: a.Actor, Action: auditLabel(ctx, a.Action, a.Detail),
		Code: a.Action, Target: strings.TrimSpace(a.TargetType + " " + a.TargetID), Customer: a.CustomerName,
		Status: auditStatus(a.Outcome), Detail: a.Detail, Diff: auditDiff(a.Before, a.After)}
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

// auditExport is the filtered audit trail as CSV (UTF-8 with a byte order
// mark, so spreadsheet programs read non-Latin names; ISO 8601 times).
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, f := auditFilter(r.URL.Query())
	if !f.Valid() {
		return &httpError{status: http.StatusBadRequest, msg: "The filters are not valid: fix them on the audit page."}
	}
	page, err := s.st.AuditSearch(ctx, p, store.AuditFirst, store.AuditCursor{}, auditCSVMax)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="audit-`+s.now().UTC().Format("20060102-150405")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader(ctx, "at", "actor", "action", "what", "target_type", "target_id", "customer_id", "customer", "status", "detail",
		"pc_request_id", "before", "after"))
	for _, a := range page.Rows {
		cust, req := "", ""
		if a.CustomerID != nil {
			cust = a.CustomerID.String()
		}
		if a.PcRequestID != nil {
			req = a.PcRequestID.String()
		}
		if err := cw.Write(csvSafe(a.At.UTC().Format(time.RFC3339), a.Actor, a.Action, auditLabel(ctx, a.Action, a.Detail), a.TargetType,
			a.TargetID, cust, a.CustomerName, auditStatusText(ctx, a.Outcome), a.Detail, req, string(a.Before), string(a.After))); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
