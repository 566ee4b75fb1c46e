package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/web/templates"
)

// Helpers the pages share to present values: paging, dates, durations and
// labels.

// pager builds the page links of a list at u, keeping its other parameters.
func pager(u *url.URL, page, size, total int) templates.Pager {
	pages := max((total+size-1)/size, 1)
	pg := templates.Pager{Page: page, Pages: pages, Total: total, From: min((page-1)*size+1, total), To: min(page*size, total)}
	link := func(n int) string {
		if n == 1 {
			return firstPage(u)
		}
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		return u.Path + "?" + q.Encode()
	}
	if page > 1 {
		pg.PrevHref = link(min(page-1, pages))
	}
	if page < pages {
		pg.NextHref = link(page + 1)
	}
	return pg
}

// firstPage is the list at u from its first page, its other parameters
// kept: where a link past the last page (the list shrank since it was
// made) sends the reader.
func firstPage(u *url.URL) string {
	q := u.Query()
	q.Del("page")
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Encode()
}

// termsLabel says terms in words, comma separated.
func termsLabel(ctx context.Context, ts []string) string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, termLabel(ctx, t))
	}
	return strings.Join(out, ", ")
}

// csvSafe neutralises cells a spreadsheet would run as a formula.
func csvSafe(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// noDash leaves a CSV cell empty where the page shows a dash.
func noDash(s string) string {
	if s == "—" {
		return ""
	}
	return s
}

// renewalDate is a subscription's commitment end as pages show it: "—"
// when unknown, and for an Azure plan (no term), whose commitment end
// Partner Center gives in year 9999.
func renewalDate(t *time.Time) string {
	if t != nil && t.Year() >= 9999 {
		return "—"
	}
	return rules.Date(t)
}

// ago renders a duration for people: "12 seconds", "5 minutes", "3 hours".
func ago(ctx context.Context, d time.Duration) string {
	switch {
	case d < time.Minute:
		return i18n.T(ctx, "h.ago.seconds", strconv.Itoa(int(d.Seconds())))
	case d < time.Hour:
		return i18n.T(ctx, "h.ago.minutes", strconv.Itoa(int(d.Minutes())))
	case d < 48*time.Hour:
		return i18n.T(ctx, "h.ago.hours", strconv.Itoa(int(d.Hours())))
	}
	return i18n.T(ctx, "h.ago.days", strconv.Itoa(int(d.Hours()/24)))
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func ptrTo[T any](v T) *T { return &v }

// serveConsentError answers a request that hit a *pccclient.ConsentError:
// 409 with the plain-words message (and, for admins, the reconnect link),
// never PC's raw 401.
func (s *Server) serveConsentError(w http.ResponseWriter, r *http.Request, err error) {
	ctx := r.Context()
	s.log.InfoContext(ctx, "partner center needs a partner admin's sign-in", "request_id", requestID(ctx), "err", err)
	n := consentNotice(ctx, consentText(ctx, err))
	p := s.basePage(r, "Partner admin sign-in needed", "")
	p.Width = "medium"
	if rerr := s.render(w, r, http.StatusConflict, templates.ConsentRequiredPage(p, n)); rerr != nil {
		http.Error(w, n.Message, http.StatusConflict)
	}
}
