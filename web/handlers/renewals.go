package handlers

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// The renewal calendar (staff): /renewals for every customer,
// /customers/{id}/renewals for one, both as CSV too; the per-user secret
// iCalendar feed of the same events (calendar.go).

// renewalPageSize is a calendar page, as long as the other lists': each
// row costs three index probes and a tenth of a millisecond of rendering,
// and at 100 rows most were below the fold; "Later" pages on by keyset.
// renewalExportMax caps the CSV.
const (
	renewalPageSize  = 50
	renewalExportMax = 100_000
	renewalRange     = 366 * 24 * time.Hour
)

// renewalFilters are the calendar's filter checkboxes (label: a message
// key).
var renewalFilters = []struct{ name, label string }{
	{"autorenew_off", "h.renewals.f_autorenew_off"},
	{"scheduled", "h.renewals.f_scheduled"},
	{"unassigned", "h.renewals.f_unassigned"},
	{"price", "h.renewals.f_price"},
	{"window", "h.renewals.f_window"},
}

// renewalFilterOf reads the calendar's filter from q at now; problems are
// by field. customer scopes it to one customer.
func renewalFilterOf(q url.Values, now time.Time, customer *uuid.UUID) (store.RenewalFilter, templates.Form) {
	f := templates.NewForm()
	day := now.UTC().Truncate(24 * time.Hour)
	rf := store.RenewalFilter{Customer: customer, From: day, To: day.Add(renewalRange), Now: now, Limit: renewalPageSize}
	parse := func(name string, dst *time.Time) {
		v := strings.TrimSpace(q.Get(name))
		if v == "" {
			return
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			f.Errors[name] = "Enter a date (YYYY-MM-DD)."
			return
		}
		*dst = t.UTC()
	}
	parse("from", &rf.From)
	parse("to", &rf.To)
	if !rf.To.After(rf.From) {
		f.Errors["to"] = "The end must be after the start."
		rf.To = rf.From.Add(renewalRange)
	}
	if rf.To.Sub(rf.From) > 3*366*24*time.Hour {
		f.Errors["to"] = "Show at most three years at a time."
		rf.To = rf.From.Add(renewalRange)
	}
	f.Values["from"], f.Values["to"] = rules.Day(rf.From), rules.Day(rf.To)
	on := func(n string) bool { return q.Get(n) == "1" }
	rf.AutoRenewOff, rf.Scheduled, rf.Unassigned, rf.PriceChanges, rf.WindowOpen = on("autorenew_off"), on("scheduled"), on("unassigned"), on("price"), on("window")
	if a := q.Get("after"); a != "" {
		if ts, id, ok := strings.Cut(a, "|"); ok {
			if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
				rf.After = &store.RenewalCursor{TermEnd: t, ID: id}
			}
		}
	}
	return rf, f
}

// renewalLine presents a calendar row.
func renewalLine(ctx context.Context, r store.RenewalRow, now time.Time) templates.RenewalLine {
	l := templates.RenewalLine{Date: rules.Day(r.TermEnd), CustomerName: r.CustomerName, CustomerHref: "/customers/" + r.CustomerID,
		Name: r.Name, SubHref: "/customers/" + r.CustomerID + "/subscriptions/" + r.SubscriptionID, Status: r.Status,
		AutoRenew: r.AutoRenew, Scheduled: r.Scheduled, PriceChanges: r.PriceChanges, Quantity: strconv.Itoa(r.Quantity),
		CurrentPrice: nullMoney(r.CurrentPrice, r.Currency), NextPrice: nullMoney(r.NextPrice, r.Currency)}
	switch {
	case r.Status != "active" || !r.AutoRenew:
		l.Next = i18n.T(ctx, "h.renewals.no_renewal")
	default:
		l.Next = strconv.Itoa(r.NextQuantity) + " · " + termLabel(ctx, r.NextTermDuration) + " · " + cycleLabel(ctx, r.NextBillingCycle)
		if r.NextTitle != "" && r.NextTitle != r.OfferName {
			l.Next = r.NextTitle + " · " + l.Next
		}
	}
	if r.OpenSeats > 0 && r.WindowClosesAt != nil {
		l.Window = i18n.T(ctx, "h.renewals.window", r.OpenSeats, strconv.Itoa(r.OpenSeats), rules.Moment(i18n.From(ctx), now, *r.WindowClosesAt))
	}
	if r.HasUsage {
		l.Usage = i18n.T(ctx, "h.renewals.usage", strconv.Itoa(r.Assigned), strconv.Itoa(r.Purchased))
		l.Unassigned = r.Purchased > r.Assigned
	}
	return l
}

// nullMoney is an amount with its currency, "—" when unknown.
func nullMoney(d decimal.NullDecimal, currency string) string {
	if !d.Valid {
		return "—"
	}
	return money(d.Decimal, currency)
}

// renewalList is the global calendar.
func (s *Server) renewalList(w http.ResponseWriter, r *http.Request) error {
	return s.renderRenewals(w, r, nil, "")
}

// customerRenewalList is one customer's calendar.
func (s *Server) customerRenewalList(w http.ResponseWriter, r *http.Request) error {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.ErrNotFound
	}
	return s.renderRenewals(w, r, &id, "")
}

func (s *Server) renderRenewals(w http.ResponseWriter, r *http.Request, customer *uuid.UUID, feedURL string) error {
	ctx := r.Context()
	now := s.now()
	rf, f := renewalFilterOf(r.URL.Query(), now, customer)
	v := templates.RenewalsView{Title: i18n.T(ctx, "h.renewals.title"), Action: "/renewals", Now: rules.Moment(i18n.From(ctx), now, now), Form: f}
	if customer != nil {
		c, err := s.st.CustomerHeader(ctx, *customer)
		if err != nil {
			return err
		}
		v.CustomerName, v.CustomerHref = cmp.Or(c.CompanyName, c.Domain), "/customers/"+c.ID.String()
		v.Title = i18n.T(ctx, "h.renewals.title_of", v.CustomerName)
		v.Action = v.CustomerHref + "/renewals"
		v.PricesAction = v.CustomerHref + "/renewal-prices"
		if v.ShowPrices, err = s.st.ShowsRenewalPrices(ctx, *customer); err != nil {
			return err
		}
	}
	for _, x := range renewalFilters {
		v.Filters = append(v.Filters, templates.RenewalFilterOption{Name: x.name, Label: i18n.T(ctx, x.label), On: r.URL.Query().Get(x.name) == "1"})
	}
	// The viewer's calendar feed comes with the page, unless the page
	// shows a feed just made (feedURL).
	var feedUser int64
	if u := auth.UserFrom(ctx); u != nil && feedURL == "" {
		feedUser = u.ID
	}
	rp, err := s.st.RenewalPage(ctx, rf, feedUser)
	if err != nil {
		return err
	}
	rows := rp.Rows
	for _, row := range rows {
		v.Rows = append(v.Rows, renewalLine(ctx, row, now))
	}
	q := r.URL.Query()
	q.Del("after")
	v.CSVHref = v.Action + ".csv"
	if len(q) > 0 {
		v.CSVHref += "?" + q.Encode()
	}
	if len(rows) == rf.Limit {
		last := rows[len(rows)-1]
		q.Set("after", last.TermEnd.UTC().Format(time.RFC3339Nano)+"|"+last.SubscriptionID)
		v.NextHref = v.Action + "?" + q.Encode()
	}
	v.Feed.URL = feedURL
	if fd := rp.Feed; fd != nil {
		v.Feed.Has, v.Feed.Created, v.Feed.LastUsed = true, rules.Moment(i18n.From(ctx), now, fd.CreatedAt), i18n.T(ctx, "h.sync.never")
		if fd.LastUsedAt != nil {
			v.Feed.LastUsed = rules.Moment(i18n.From(ctx), now, *fd.LastUsedAt)
		}
	}
	return s.render(w, r, http.StatusOK, templates.RenewalsPage(s.page(r, v.Title, "/renewals"), v))
}

// renewalExport is the calendar as CSV (UTF-8 with a byte order mark, so
// spreadsheet programs read accents right), all pages of the filter.
func (s *Server) renewalExport(w http.ResponseWriter, r *http.Request) error {
	var customer *uuid.UUID
	if chi.URLParam(r, "id") != "" {
		id, err := uuid.Parse(chi.URLParam(r, "id"))
		if err != nil {
			return store.ErrNotFound
		}
		if _, err := s.st.CustomerHeader(r.Context(), id); err != nil {
			return err
		}
		customer = &id
	}
	now := s.now()
	rf, f := renewalFilterOf(r.URL.Query(), now, customer)
	if len(f.Errors) > 0 {
		return &httpError{status: http.StatusUnprocessableEntity, msg: "Check the dates of the filter."}
	}
	rf.Limit = 1000
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	cw := csv.NewWriter(&b)
	_ = cw.Write(csvHeader(r.Context(), "renewal_date", "customer_id", "customer", "subscription_id", "subscription", "status", "auto_renew",
		"quantity", "next_quantity", "next_product", "next_term", "next_billing_cycle", "scheduled_change", "currency",
		"current_unit_price", "next_unit_price", "price_changes", "seats_removable_now", "removable_until", "seats_assigned", "seats_purchased"))
	n := 0
	for n < renewalExportMax {
		rows, err := s.st.RenewalCalendar(r.Context(), rf)
		if err != nil {
			return err
		}
		for _, x := range rows {
			dec := func(d decimal.NullDecimal) string {
				if !d.Valid {
					return ""
				}
				return d.Decimal.StringFixed(2)
			}
			until, assigned, purchased := "", "", ""
			if x.WindowClosesAt != nil && x.OpenSeats > 0 {
				until = x.WindowClosesAt.UTC().Format(time.RFC3339)
			}
			if x.HasUsage {
				assigned, purchased = strconv.Itoa(x.Assigned), strconv.Itoa(x.Purchased)
			}
			_ = cw.Write(csvSafe(rules.Day(x.TermEnd), x.CustomerID, x.CustomerName, x.SubscriptionID, x.Name, x.Status,
				strconv.FormatBool(x.AutoRenew), strconv.Itoa(x.Quantity), strconv.Itoa(x.NextQuantity), x.NextTitle, x.NextTermDuration,
				x.NextBillingCycle, strconv.FormatBool(x.Scheduled), x.Currency, dec(x.CurrentPrice), dec(x.NextPrice),
				strconv.FormatBool(x.PriceChanges), strconv.Itoa(x.OpenSeats), until, assigned, purchased))
		}
		n += len(rows)
		if len(rows) < rf.Limit {
			break
		}
		c := rows[len(rows)-1].Cursor()
		rf.After = &c
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="renewals-`+rules.Day(rf.From)+`.csv"`)
	_, err := w.Write(b.Bytes())
	return err
}

// customerRenewalPrices turns the next-term prices in a customer's view on
// or off.
func (s *Server) customerRenewalPrices(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.ErrNotFound
	}
	if _, err := s.st.CustomerHeader(r.Context(), id); err != nil {
		return err
	}
	show := r.PostForm.Get("show") == "on"
	if err := s.com.SetRenewalPrices(r.Context(), actorOf(r), id, show); err != nil {
		return err
	}
	msg := "The customer's view no longer shows next-term prices."
	if show {
		msg = "The customer's view now shows next-term prices."
	}
	s.flash(r.Context(), "success", msg)
	redirect(w, r, "/customers/"+id.String()+"/renewals")
	return nil
}

// renewalFeedCreate makes the signed-in user's secret feed address and
// shows it once (in this response only: it is stored nowhere).
func (s *Server) renewalFeedCreate(w http.ResponseWriter, r *http.Request) error {
	token, err := s.com.CreateCalendarFeed(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return s.renderRenewals(w, r, nil, strings.TrimRight(s.d.BaseURL, "/")+"/calendar/"+token+".ics")
}

// renewalFeedRevoke revokes the signed-in user's feed.
func (s *Server) renewalFeedRevoke(w http.ResponseWriter, r *http.Request) error {
	switch err := s.com.RevokeCalendarFeed(r.Context(), actorOf(r)); {
	case errors.Is(err, store.ErrNotFound):
		s.flash(r.Context(), "info", "You have no calendar feed.")
	case err != nil:
		return err
	default:
		s.flash(r.Context(), "success", "Your calendar feed is revoked: its address no longer works.")
	}
	redirect(w, r, "/renewals")
	return nil
}
