package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// The subscription lifecycle on the staff pages: the tranches' countdown,
// the next term and its editor, upgrades, the post-term path. Changes go
// through subscriptionChange (one form handler for every subscription
// change) and commerce.ChangeSubscription.

// lifecycleView builds the lifecycle part of the subscription page.
func lifecycleView(ctx context.Context, sub store.SubscriptionForChange, life store.SubscriptionLifecycle, now time.Time, version, token string) templates.LifecycleView {
	href := subscriptionHref(ctx, sub)
	rs := commerce.SubscriptionRules(sub, life)
	l := commerce.LifecycleOf(life)
	v := templates.LifecycleView{Href: href, Version: version, Token: token, Known: life.Known, NCE: rs.NCE(), Status: sub.Status,
		Tranches: tranchesView(ctx, sub, life, now), Path: rules.PostTermPath(sub.Status, rs.NCE(), l, now),
		NextTermHref: href + "/next-term", UpgradeHref: href + "/upgrade",
		CalendarHref: "/customers/" + sub.CustomerID.String() + "/renewals"}
	cur := commerce.CurrentTerm(sub)
	sched := commerce.ScheduledOf(life)
	if sub.Status == "active" || sub.Status == "suspended" {
		next := rules.NextTermOf(i18n.From(ctx), cur, sched)
		v.NextTerm = templates.NextTermView{Summary: commerce.NextTermSummary(i18n.From(ctx), next.TermSpec), Scheduled: next.Scheduled, Changes: next.Changes}
		if !l.RenewsAt.IsZero() || sched != nil {
			v.NextTerm.Price = unitPrice(ctx, life.Row.NextUnitPrice, life.Row.Currency, next.BillingCycle)
		}
		v.NextTerm.Current = unitPrice(ctx, life.Row.CurrentUnitPrice, life.Row.Currency, cur.BillingCycle)
		if life.Row.PriceChanges != nil && *life.Row.PriceChanges {
			v.NextTerm.PriceChange = priceChange(ctx, life.Row.CurrentUnitPrice.Decimal, life.Row.NextUnitPrice.Decimal, life.Row.Currency)
		}
		if v.NextTerm.Price != "" || v.NextTerm.Current != "" {
			v.NextTerm.PriceSource = life.Row.PriceSource
		}
	}
	switch {
	case !rs.NCE():
		v.ScheduleWhy = i18n.Text(ctx, "Legacy subscriptions take no scheduled changes: change them now instead.")
	case sub.Status != "active":
		v.ScheduleWhy = i18n.Text(ctx, "Changes can be scheduled while the subscription is active.")
	case !sub.AutoRenewEnabled:
		v.ScheduleWhy = i18n.Text(ctx, "Scheduled changes apply at renewal: turn auto-renew on to schedule one.")
	case sub.BillingType == "usage":
		v.ScheduleWhy = i18n.Text(ctx, "Usage-based subscriptions do not renew.")
	default:
		v.CanSchedule = true
	}
	if sc := life.Scheduled; sc != nil && sc.RemovedAt != nil {
		gone := rules.NextTermOf(i18n.From(ctx), cur, &rules.Scheduled{TermSpec: rules.TermSpec{ItemID: sc.CatalogItemID, Title: sc.Title,
			Quantity: int(sc.Quantity), TermDuration: sc.TermDuration, BillingCycle: sc.BillingCycle}})
		v.ScheduledGone = i18n.T(ctx, "h.life.scheduled_gone", commerce.NextTermSummary(i18n.From(ctx), gone.TermSpec),
			removedReason(ctx, sc.RemovedReason), sc.RemovedAt.UTC().Format("2006-01-02 15:04 UTC"))
		if life.Row.ReactivatedAt != nil && sc.RemovedReason == mirror.RemovedSuspension {
			v.LostSchedule = commerce.NextTermSummary(i18n.From(ctx), gone.TermSpec)
			v.RecreateHref = href + "/next-term?" + url.Values{"item_id": {gone.ItemID}, "quantity": {strconv.Itoa(gone.Quantity)},
				"term": {rules.TermValue(rules.Term{Duration: gone.TermDuration, BillingCycle: gone.BillingCycle})}}.Encode()
		}
	}
	v.Reactivated = sub.Status == "active" && life.Row.ReactivatedAt != nil && !sub.AutoRenewEnabled && rs.NCE()
	v.CanUpgrade = rs.NCE() && sub.Status == "active" && sub.BillingType != "usage"
	for _, t := range life.Transitions {
		line := templates.TransitionLine{To: t.ToCatalogItemID, Quantity: strconv.Itoa(int(t.Quantity)), Status: t.Status, Errors: t.Errors,
			Kind: i18n.T(ctx, map[bool]string{true: "h.life.moved", false: "h.life.kept"}[t.TransitionType == rules.TransitionWithLicenseTransfer])}
		if t.StartedAt != nil {
			line.When = t.StartedAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		v.Transitions = append(v.Transitions, line)
	}
	for _, t := range life.Terms {
		line := templates.TermLine{Quantity: strconv.Itoa(int(t.Quantity)), Renewal: t.Renewal,
			Term:  termChoiceLabel(ctx, rules.Term{Duration: t.TermDuration, BillingCycle: t.BillingCycle}),
			Price: cmp.Or(unitPrice(ctx, t.UnitPrice, t.Currency, t.BillingCycle), "—")}
		start := "?"
		if t.TermStart != nil {
			start = rules.Day(*t.TermStart)
		}
		line.Period = start + " → " + rules.Day(t.CommitmentEndDate)
		v.Terms = append(v.Terms, line)
	}
	return v
}

// tranchesView is the countdown of sub's tranches at now.
func tranchesView(ctx context.Context, sub store.SubscriptionForChange, life store.SubscriptionLifecycle, now time.Time) templates.TranchesView {
	rs := commerce.SubscriptionRules(sub, life)
	v := templates.TranchesView{Href: subscriptionHref(ctx, sub) + "/tranches", NCE: rs.NCE() && sub.BillingType != "usage"}
	d := rules.SeatDecrease(i18n.From(ctx), rs, now)
	for _, t := range d.Open {
		v.Lines = append(v.Lines, templates.TrancheLine{Quantity: t.Quantity, Sentence: rules.TrancheSentence(i18n.From(ctx), t, now)})
	}
	if len(v.Lines) == 0 && sub.Status == "active" {
		v.Closed = i18n.Text(ctx, "No seats can be removed now: every purchase, renewal and seat increase of this term is past its 7-day window.")
	}
	return v
}

// unitPrice says a unit price per billing period ("$7.25 per licence,
// billed annually"), "" when unknown.
func unitPrice(ctx context.Context, p decimal.NullDecimal, currency, cycle string) string {
	if !p.Valid {
		return ""
	}
	return i18n.T(ctx, "h.price.per_licence", templates.Money(p.Decimal, currency), cycleLabel(ctx, cycle))
}

// priceChange says a price change at renewal ("(+20.8 %): $6.00 → $7.25").
func priceChange(ctx context.Context, cur, next decimal.Decimal, currency string) string {
	if cur.IsZero() {
		return i18n.T(ctx, "h.price.change", templates.Money(cur, currency), templates.Money(next, currency))
	}
	pct := next.Sub(cur).Div(cur).Mul(decimal.NewFromInt(100)).StringFixed(1)
	if !strings.HasPrefix(pct, "-") {
		pct = "+" + pct
	}
	return i18n.T(ctx, "h.price.change_pct", pct, templates.Money(cur, currency), templates.Money(next, currency))
}

// subscriptionTranches is the tranches' countdown alone (refreshed by htmx).
func (s *Server) subscriptionTranches(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.subscriptionFromURL(r)
	if err != nil {
		return err
	}
	life, err := s.st.SubscriptionLifecycle(r.Context(), sub.CustomerID, sub.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.TranchesFragment(tranchesView(r.Context(), sub, life, s.now())))
}

// targetsProblem says why PC's targets could not be read.
func targetsProblem(ctx context.Context, err error) string {
	switch {
	case errors.Is(err, pcconn.ErrNotConfigured):
		return i18n.Text(ctx, "Partner Center is not connected: an admin sets the connection up in the settings.")
	case pccclient.IsConsentRequired(err):
		return i18n.Text(ctx, "This needs a partner admin's sign-in: an admin reconnects Partner Center in the settings.")
	case pccclient.IsNotFound(err):
		return i18n.Text(ctx, "Partner Center does not know this subscription (any more): the next sync updates the portal.")
	}
	return i18n.T(ctx, "h.life.pc_no_answer", pcRefusal(ctx, err.Error(), ""))
}

// targetLines presents PC's targets.
func targetLines(ctx context.Context, ts []commerce.Target) []templates.TargetLine {
	out := make([]templates.TargetLine, 0, len(ts))
	for _, t := range ts {
		terms := make([]string, len(t.Terms))
		for i, x := range t.Terms {
			terms[i] = termChoiceLabel(ctx, x)
		}
		out = append(out, templates.TargetLine{ItemID: t.ItemID, Title: t.Title, Eligible: t.Eligible, Problems: t.Problems,
			Terms: strings.Join(terms, "; "), LicenseEligible: t.LicenseTransfer.Eligible, LicenseProblems: t.LicenseTransfer.Problems})
	}
	return out
}

// subscriptionNextTerm is the scheduled-change editor.
func (s *Server) subscriptionNextTerm(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.subscriptionFromURL(r)
	if err != nil {
		return err
	}
	life, err := s.st.SubscriptionLifecycle(r.Context(), sub.CustomerID, sub.ID)
	if err != nil {
		return err
	}
	// A link may carry the change to schedule again (after a reactivation).
	f := templates.NewForm()
	for _, k := range []string{"item_id", "quantity", "term"} {
		if v := r.URL.Query().Get(k); v != "" {
			f.Values[k] = v
		}
	}
	return s.renderNextTerm(w, r, http.StatusOK, sub, life, f, "")
}

func (s *Server) renderNextTerm(w http.ResponseWriter, r *http.Request, status int, sub store.SubscriptionForChange, life store.SubscriptionLifecycle, f templates.Form, token string) error {
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	cur := commerce.CurrentTerm(sub)
	next := rules.NextTermOf(i18n.From(ctx), cur, commerce.ScheduledOf(life))
	v := templates.NextTermEditView{Href: subscriptionHref(ctx, sub), Name: cmp.Or(sub.FriendlyName, sub.OfferName),
		Current: commerce.NextTermSummary(i18n.From(ctx), cur), Renews: rules.PostTermPath(sub.Status, true, commerce.LifecycleOf(life), s.now()),
		Version: commerce.SubscriptionVersion(sub), Token: cmp.Or(token, newToken()), Form: f}
	if v.Form.Values == nil {
		v.Form = templates.NewForm()
	}
	defaults := map[string]string{"item_id": next.ItemID, "quantity": strconv.Itoa(next.Quantity),
		"term": rules.TermValue(rules.Term{Duration: next.TermDuration, BillingCycle: next.BillingCycle})}
	for k, d := range defaults {
		if v.Form.Get(k) == "" {
			v.Form.Values[k] = d
		}
	}
	if !sub.AutoRenewEnabled || sub.Status != "active" {
		v.Problem = i18n.Text(ctx, "Scheduled changes apply at renewal: the subscription must be active with auto-renew on.")
		return s.render(w, r, status, templates.NextTermPage(s.page(r, "Change the next term", "/customers"), v))
	}
	targets, err := s.com.Targets(ctx, sub, true)
	if err != nil {
		v.Problem = targetsProblem(r.Context(), err)
		return s.render(w, r, status, templates.NextTermPage(s.page(r, "Change the next term", "/customers"), v))
	}
	v.Targets = targetLines(r.Context(), targets)
	seen := map[string]bool{}
	for _, t := range targets {
		if t.Eligible {
			v.Items = append(v.Items, templates.Choice{Value: t.ItemID, Label: t.Title})
		}
		for _, x := range t.Terms {
			if val := rules.TermValue(x); !seen[val] {
				seen[val] = true
				v.Terms = append(v.Terms, templates.Choice{Value: val, Label: termChoiceLabel(ctx, x)})
			}
		}
	}
	return s.render(w, r, status, templates.NextTermPage(s.page(r, "Change the next term", "/customers"), v))
}

// subscriptionUpgrade is the upgrade page.
func (s *Server) subscriptionUpgrade(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.subscriptionFromURL(r)
	if err != nil {
		return err
	}
	life, err := s.st.SubscriptionLifecycle(r.Context(), sub.CustomerID, sub.ID)
	if err != nil {
		return err
	}
	return s.renderUpgrade(w, r, http.StatusOK, sub, life, templates.NewForm(), "")
}

func (s *Server) renderUpgrade(w http.ResponseWriter, r *http.Request, status int, sub store.SubscriptionForChange, life store.SubscriptionLifecycle, f templates.Form, token string) error {
	ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
	defer cancel()
	v := templates.UpgradeView{Href: subscriptionHref(ctx, sub), Name: cmp.Or(sub.FriendlyName, sub.OfferName),
		Current: commerce.NextTermSummary(i18n.From(ctx), commerce.CurrentTerm(sub)), Quantity: int(sub.Quantity),
		Version: commerce.SubscriptionVersion(sub), Token: cmp.Or(token, newToken()), Form: f}
	if v.Form.Values == nil {
		v.Form = templates.NewForm()
	}
	if sched := commerce.ScheduledOf(life); sched != nil {
		v.Warning = i18n.T(ctx, "h.life.upgrade_warning", commerce.NextTermSummary(i18n.From(ctx), rules.NextTermOf(i18n.From(ctx), commerce.CurrentTerm(sub), sched).TermSpec))
	}
	targets, err := s.com.Targets(ctx, sub, false)
	if err != nil {
		v.Problem = targetsProblem(r.Context(), err)
		return s.render(w, r, status, templates.UpgradePage(s.page(r, "Upgrade", "/customers"), v))
	}
	v.Targets = targetLines(r.Context(), targets)
	for _, t := range targets {
		if t.Eligible || t.LicenseTransfer.Eligible {
			v.Items = append(v.Items, templates.Choice{Value: t.ItemID, Label: t.Title})
		}
	}
	return s.render(w, r, status, templates.UpgradePage(s.page(r, "Upgrade", "/customers"), v))
}

// planLifecycle plans a lifecycle change (next_term, next_term_clear,
// transition) of f's form against the targets PC offers now.
func (s *Server) planLifecycle(ctx context.Context, sub store.SubscriptionForChange, life store.SubscriptionLifecycle, f templates.Form) (commerce.Plan, map[string]string) {
	if f.Get("action") == "next_term_clear" {
		return commerce.PlanClearNextTerm(i18n.From(ctx), sub, life)
	}
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	scheduled := f.Get("action") == "next_term"
	targets, err := s.com.Targets(tctx, sub, scheduled)
	if err != nil {
		return commerce.Plan{}, map[string]string{"_form": targetsProblem(ctx, err)}
	}
	if scheduled {
		return commerce.PlanNextTerm(i18n.From(ctx), sub, life, targets, rules.NextTermRequest{ItemID: f.Get("item_id"), Quantity: f.Get("quantity"), Term: f.Get("term")})
	}
	return commerce.PlanTransition(i18n.From(ctx), sub, life, targets, rules.TransitionRequest{ItemID: f.Get("item_id"), Quantity: f.Get("quantity"), Type: f.Get("type")})
}

func newToken() string { return uuid.NewString() }

// isLifecycleAction reports the actions planLifecycle plans.
func isLifecycleAction(a string) bool {
	return a == "next_term" || a == "next_term_clear" || a == "transition"
}
