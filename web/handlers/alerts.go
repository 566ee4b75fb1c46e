package handlers

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/cspportal/portal/attention"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// alertsShow is the alert settings page.
func (s *Server) alertsShow(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.st.AlertRules(r.Context())
	if err != nil {
		return err
	}
	return s.renderAlerts(w, r, http.StatusOK, rules, rulesForm(rules), templates.NewForm())
}

// rulesForm fills the rules form from the stored rules.
func rulesForm(rules []store.AlertRule) templates.Form {
	f := templates.NewForm()
	for _, ru := range rules {
		f.Values[ru.Kind+".enabled"], f.Values[ru.Kind+".staff"] = onOff(ru.Enabled), onOff(ru.ToStaff)
		f.Values[ru.Kind+".lead"] = joinDays(ru.LeadDays)
		f.Values[ru.Kind+".emails"] = strings.Join(ru.ToEmails, ", ")
	}
	return f
}

func (s *Server) renderAlerts(w http.ResponseWriter, r *http.Request, status int, rules []store.AlertRule, f, of templates.Form) error {
	ctx := r.Context()
	opts, err := s.st.AlertOptOuts(ctx)
	if err != nil {
		return err
	}
	st, err := s.st.Settings(ctx)
	if err != nil {
		return err
	}
	v := templates.AlertsView{Form: f, OptOutForm: of, MailReady: st.SmtpHost != ""}
	for _, k := range alertKinds(rules) {
		v.Rules = append(v.Rules, templates.AlertRuleRow{Kind: k.Kind, Title: attention.Title(k.Kind), Immediate: k.Immediate})
	}
	for _, o := range opts {
		title := i18n.T(ctx, "h2.alerts.every_event")
		if o.Kind != store.AllAlerts {
			title = attention.Title(o.Kind)
		}
		v.OptOuts = append(v.OptOuts, templates.AlertOptOutRow{CustomerID: o.CustomerID.String(), Customer: o.CustomerName, Kind: o.Kind, Title: title})
	}
	return s.render(w, r, status, templates.AlertsPage(s.page(r, "Alerts", "/admin/settings"), v))
}

// alertKinds orders the rules as attention.Kinds lists them.
func alertKinds(rules []store.AlertRule) []store.AlertRule {
	out := slices.Clone(rules)
	slices.SortStableFunc(out, func(a, b store.AlertRule) int {
		return slices.Index(attention.Kinds, a.Kind) - slices.Index(attention.Kinds, b.Kind)
	})
	return out
}

// alertsSave stores the rules, or shows each field's error.
func (s *Server) alertsSave(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return err
	}
	rules, err := s.st.AlertRules(ctx)
	if err != nil {
		return err
	}
	f, parsed := parseAlertRules(ctx, r, rules)
	if len(f.Errors) > 0 {
		f.Errors["_form"] = "Some rules need fixing; see the messages below."
		return s.renderAlerts(w, r, http.StatusUnprocessableEntity, rules, f, templates.NewForm())
	}
	if err := s.st.SaveAlertRules(ctx, parsed, actorOf(r)); err != nil {
		return err
	}
	s.flash(ctx, "success", "Alert rules saved.")
	redirect(w, r, "/admin/alerts")
	return nil
}

// maxLeadDays bounds a lead time: nothing is flagged further ahead.
const maxLeadDays = int(attention.Horizon / (24 * 60 * 60 * 1e9))

// parseAlertRules reads every rule of the form.
func parseAlertRules(ctx context.Context, r *http.Request, rules []store.AlertRule) (templates.Form, []store.AlertRule) {
	f := templates.NewForm()
	out := make([]store.AlertRule, 0, len(rules))
	for _, ru := range rules {
		k := ru.Kind
		f.Values[k+".enabled"], f.Values[k+".staff"] = onOff(r.PostForm.Get(k+".enabled") == "on"), onOff(r.PostForm.Get(k+".staff") == "on")
		f.Values[k+".lead"] = strings.TrimSpace(r.PostForm.Get(k + ".lead"))
		f.Values[k+".emails"] = strings.TrimSpace(r.PostForm.Get(k + ".emails"))
		ru.Enabled, ru.ToStaff = f.Get(k+".enabled") == "on", f.Get(k+".staff") == "on"
		days, msg := parseDays(ctx, f.Get(k+".lead"))
		if msg != "" {
			f.Errors[k+".lead"] = msg
		}
		emails, msg := parseEmails(ctx, f.Get(k+".emails"))
		if msg != "" {
			f.Errors[k+".emails"] = msg
		}
		if ru.Enabled && !ru.ToStaff && len(emails) == 0 && msg == "" {
			f.Errors[k+".emails"] = "Nobody would receive it: mail staff or enter an address."
		}
		ru.LeadDays, ru.ToEmails = days, emails
		out = append(out, ru)
	}
	return f, out
}

// parseDays reads "30, 7, 1" into distinct days, largest first.
func parseDays(ctx context.Context, s string) ([]int32, string) {
	var days []int32
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 || n > maxLeadDays {
			return nil, i18n.T(ctx, "h2.alerts.days_range", strconv.Itoa(maxLeadDays))
		}
		if !slices.Contains(days, int32(n)) {
			days = append(days, int32(n))
		}
	}
	if len(days) == 0 {
		return nil, "Enter at least one number of days, e.g. 7."
	}
	slices.SortFunc(days, func(a, b int32) int { return int(b - a) })
	return days, ""
}

// parseEmails reads comma- or space-separated addresses.
func parseEmails(ctx context.Context, s string) ([]string, string) {
	out := []string{}
	for _, e := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }) {
		if !validEmail(e) {
			return nil, i18n.T(ctx, "h2.alerts.not_email", strconv.Quote(e))
		}
		if e = strings.ToLower(e); !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, ""
}

func joinDays(days []int32) string {
	parts := make([]string, len(days))
	for i, d := range days {
		parts[i] = strconv.Itoa(int(d))
	}
	return strings.Join(parts, ", ")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// alertOptOutAdd stops mailing a customer's events of a kind.
func (s *Server) alertOptOutAdd(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return err
	}
	rules, err := s.st.AlertRules(ctx)
	if err != nil {
		return err
	}
	of := templates.NewForm()
	of.Values["customer"], of.Values["kind"] = strings.TrimSpace(r.PostForm.Get("customer")), r.PostForm.Get("kind")
	kind := of.Get("kind")
	if kind != store.AllAlerts && !slices.ContainsFunc(rules, func(ru store.AlertRule) bool { return ru.Kind == kind }) {
		of.Errors["kind"] = "Choose an event."
	}
	var id uuid.UUID
	if q := of.Get("customer"); q == "" {
		of.Errors["customer"] = "Enter the customer's name or domain."
	} else {
		matches, err := s.st.CustomersNamed(ctx, nil, q, 2)
		switch {
		case err != nil:
			return err
		case len(matches) == 0:
			of.Errors["customer"] = "No customer has that name or domain."
		case len(matches) > 1:
			of.Errors["customer"] = "Several customers match; enter more of the name or the domain."
		default:
			id = matches[0]
		}
	}
	if len(of.Errors) > 0 {
		return s.renderAlerts(w, r, http.StatusUnprocessableEntity, rules, rulesForm(rules), of)
	}
	if err := s.st.SetAlertOptOut(ctx, id, kind, true, actorOf(r)); err != nil {
		return err
	}
	s.flash(ctx, "success", "That customer's events are no longer mailed.")
	redirect(w, r, "/admin/alerts")
	return nil
}

// alertOptOutRemove mails a customer's events again.
func (s *Server) alertOptOutRemove(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return err
	}
	id, err := uuid.Parse(r.PostForm.Get("customer_id"))
	if err != nil {
		return store.ErrNotFound
	}
	if err := s.st.SetAlertOptOut(ctx, id, r.PostForm.Get("kind"), false, actorOf(r)); err != nil {
		return err
	}
	s.flash(ctx, "success", "That customer's events are mailed again.")
	redirect(w, r, "/admin/alerts")
	return nil
}
