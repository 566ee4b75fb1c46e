package commerce

import (
	"context"
	"strconv"
	"strings"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// The subscription lifecycle's changes: scheduling the next term (PATCH
// with scheduledNextTermInstructions, learn.microsoft.com "Schedule changes
// for a new commerce subscription") and upgrading now (POST .../transitions,
// "Transition a new commerce subscription"). Both are planned here against
// the targets PC offers (transitionEligibilities) and queued by
// ChangeSubscription like every other subscription change.

// SubscriptionRules is what the commerce rules need of a mirrored
// subscription and its lifecycle rows.
func SubscriptionRules(sub store.SubscriptionForChange, life store.SubscriptionLifecycle) rules.Subscription {
	r := rules.Subscription{OfferID: sub.OfferID, ProductType: sub.ProductType, Status: sub.Status, Quantity: int(sub.Quantity),
		Min: int(sub.MinQuantity), Max: int(sub.MaxQuantity), BillingType: sub.BillingType, IsAddOn: sub.ParentSubscriptionID != "",
		WindowEnd: sub.CancellationAllowedUntil, TranchesKnown: life.Known}
	for _, t := range life.Tranches {
		r.Tranches = append(r.Tranches, rules.Tranche{Quantity: int(t.Quantity), Until: t.AllowedUntil.UTC()})
	}
	return r
}

// CurrentTerm is the term sub is in.
func CurrentTerm(sub store.SubscriptionForChange) rules.TermSpec {
	return rules.TermSpec{ItemID: sub.OfferID, Title: sub.OfferName, Quantity: int(sub.Quantity), TermDuration: sub.TermDuration,
		BillingCycle: strings.ToLower(sub.BillingCycle)}
}

// LifecycleOf is the calendar stored for a subscription, as the rules see it.
func LifecycleOf(life store.SubscriptionLifecycle) rules.Lifecycle {
	r := life.Row
	var l rules.Lifecycle
	if r.TermEnd != nil {
		l.TermEnd = r.TermEnd.UTC()
	}
	if r.RenewsAt != nil {
		l.RenewsAt = r.RenewsAt.UTC()
	}
	if r.BilledUntil != nil {
		l.BilledUntil = r.BilledUntil.UTC()
	}
	if r.ExpiresAt != nil {
		l.ExpiresAt = r.ExpiresAt.UTC()
	}
	if r.DisabledAt != nil {
		l.DisabledAt = r.DisabledAt.UTC()
	}
	if r.DeletesAt != nil {
		l.DeletesAt = r.DeletesAt.UTC()
	}
	l.DeletesApprox, l.Path = r.DeletesApprox, r.Path
	return l
}

// ScheduledOf is a subscription's live scheduled change as the rules see
// it (nil when none).
func ScheduledOf(life store.SubscriptionLifecycle) *rules.Scheduled {
	sc := life.Scheduled
	if sc == nil || sc.RemovedAt != nil {
		return nil
	}
	return &rules.Scheduled{TermSpec: rules.TermSpec{ItemID: sc.CatalogItemID, Title: sc.Title, Quantity: int(sc.Quantity),
		TermDuration: sc.TermDuration, BillingCycle: sc.BillingCycle}, CustomTermEnd: sc.CustomTermEndDate}
}

// Target is a catalog item a subscription can move to, as PC answered
// transitionEligibilities, with its terms from the mirrored catalog:
// Target's own eligibility is transition_only's (or the scheduled one's),
// LicenseTransfer transition_with_license_transfer's.
type Target struct {
	rules.Target
	LicenseTransfer rules.Target
}

// Targets asks PC which catalog items sub can move to: for the next term
// (scheduled) or now (an upgrade). A person waits, so PC is asked once or
// twice (pcconn.Interactive).
func (s *Service) Targets(ctx context.Context, sub store.SubscriptionForChange, scheduled bool) ([]Target, error) {
	ctx = pcconn.Interactive(ctx)
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return nil, err
	}
	typ := pccclient.EligibilityImmediate
	if scheduled {
		typ = pccclient.EligibilityScheduled
	}
	els, err := pc.GetTransitionEligibilities(ctx, sub.CustomerID.String(), sub.ID, typ)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(els))
	for i, e := range els {
		ids[i] = e.CatalogItemID
	}
	country := ""
	if c, err := s.st.CartCustomer(ctx, sub.CustomerID); err == nil {
		country = c.Country
	}
	items, err := s.st.TargetItems(ctx, country, ids)
	if err != nil {
		return nil, err
	}
	out := make([]Target, 0, len(els))
	for _, e := range els {
		it := items[strings.ToUpper(e.CatalogItemID)]
		base := rules.Target{ItemID: e.CatalogItemID, Title: firstNonEmpty(it.Title, e.Title, e.CatalogItemID), Min: it.Min, Max: it.Max}
		for _, t := range it.Terms {
			base.Terms = append(base.Terms, rules.Term{Duration: t.Duration, BillingCycle: t.BillingCycle})
		}
		t := Target{Target: base, LicenseTransfer: base}
		t.Target.Eligible, t.Target.Problems = eligibility(e, pccclient.TransitionOnly, sub.Status)
		t.LicenseTransfer.Eligible, t.LicenseTransfer.Problems = eligibility(e, pccclient.TransitionWithLicenseTransfer, sub.Status)
		out = append(out, t)
	}
	return out, nil
}

// eligibility is whether e allows typ and PC's reasons in plain words.
func eligibility(e pccclient.TransitionEligibility, typ pccclient.TransitionType, status string) (bool, []string) {
	for _, d := range e.Eligibilities {
		if !d.TransitionType.Is(typ) {
			continue
		}
		var why []string
		for _, te := range d.Errors {
			why = append(why, rules.ExplainTransitionError(int(te.Code), te.Description, status))
		}
		return d.IsEligible, why
	}
	return false, []string{"Partner Center did not say this kind of upgrade is possible."}
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// ruleTargets are the rules' view of targets.
func ruleTargets(ts []Target) []rules.Target {
	out := make([]rules.Target, len(ts))
	for i, t := range ts {
		out[i] = t.Target
	}
	return out
}

// NextTermSummary says a next term in a few words in l ("12 seats of
// Microsoft 365 Business Basic, 1 year, billed monthly"); the stored
// change and the audit trail keep it in English.
func NextTermSummary(l i18n.Lang, t rules.TermSpec) string {
	return i18n.In(l, "r.next_term_summary", rules.Seats(l, t.Quantity), t.Title, rules.TermLabel(l, t.TermDuration), rules.CycleLabel(l, t.BillingCycle))
}

// PlanNextTerm checks a scheduled change of sub against the scheduled
// targets PC offers; the plan's title and effect are in l (the stored
// before and after stay English).
func PlanNextTerm(l i18n.Lang, sub store.SubscriptionForChange, life store.SubscriptionLifecycle, targets []Target, req rules.NextTermRequest) (Plan, map[string]string) {
	p := Plan{Action: "next_term"}
	cur := CurrentTerm(sub)
	sched, errs := rules.CheckNextTerm(SubscriptionRules(sub, life), sub.AutoRenewEnabled, cur, ruleTargets(targets), req)
	if len(errs) > 0 {
		return p, errs
	}
	parts := strings.SplitN(sched.ItemID, ":", 3)
	if len(parts) != 3 {
		return p, map[string]string{"item_id": "Choose a product this subscription can renew into."}
	}
	p.patch.ScheduledNextTerm = &pccclient.ScheduledNextTermInstructions{Quantity: sched.Quantity, Product: &pccclient.NextTermProduct{
		ProductID: parts[0], SkuID: parts[1], AvailabilityID: parts[2], TermDuration: sched.TermDuration,
		BillingCycle: pccclient.BillingCycle(sched.BillingCycle)}}
	next := rules.NextTermOf(l, cur, &sched)
	before, after := "as it is", NextTermSummary(i18n.English, next.TermSpec)
	if old := ScheduledOf(life); old != nil {
		before = NextTermSummary(i18n.English, rules.NextTermOf(i18n.English, cur, old).TermSpec)
	}
	p.Before.NextTerm, p.After.NextTerm = &before, &after
	p.Title = i18n.In(l, "r.title_next_term")
	changes := strings.Join(next.Changes, i18n.In(l, "rules.list_sep"))
	if r := LifecycleOf(life); !r.TermEnd.IsZero() {
		p.Effect = i18n.In(l, "r.effect_next_term_on", rules.Day(r.TermEnd), NextTermSummary(l, next.TermSpec), changes)
	} else {
		p.Effect = i18n.In(l, "r.effect_next_term", NextTermSummary(l, next.TermSpec), changes)
	}
	return p, nil
}

// PlanClearNextTerm removes sub's scheduled change; the plan's title and
// effect are in l.
func PlanClearNextTerm(l i18n.Lang, sub store.SubscriptionForChange, life store.SubscriptionLifecycle) (Plan, map[string]string) {
	p := Plan{Action: "next_term_clear"}
	old := ScheduledOf(life)
	if old == nil {
		return p, map[string]string{"_form": "No change is scheduled for the next term."}
	}
	if sub.Status != "active" {
		return p, map[string]string{"_form": "Scheduled changes can only be removed while the subscription is active (it is " + sub.Status + ")."}
	}
	oldTerm := rules.NextTermOf(l, CurrentTerm(sub), old).TermSpec
	before, after := NextTermSummary(i18n.English, oldTerm), "as it is"
	p.Before.NextTerm, p.After.NextTerm = &before, &after
	p.patch.ClearScheduled = true
	p.Title = i18n.In(l, "r.title_next_term_clear")
	p.Effect = i18n.In(l, "r.effect_next_term_clear", NextTermSummary(l, CurrentTerm(sub)), NextTermSummary(l, oldTerm))
	return p, nil
}

// PlanTransition checks an upgrade of sub against the immediate targets
// PC offers; the plan's title, effect and warning are in l.
func PlanTransition(l i18n.Lang, sub store.SubscriptionForChange, life store.SubscriptionLifecycle, targets []Target, req rules.TransitionRequest) (Plan, map[string]string) {
	p := Plan{Action: "transition"}
	byID := map[string]map[string]rules.Target{}
	for _, t := range targets {
		byID[strings.ToUpper(t.ItemID)] = map[string]rules.Target{rules.TransitionOnly: t.Target, rules.TransitionWithLicenseTransfer: t.LicenseTransfer}
	}
	c, errs := rules.CheckTransition(SubscriptionRules(sub, life), byID, req)
	if len(errs) > 0 {
		return p, errs
	}
	p.transition = &pccclient.Transition{FromSubscriptionID: sub.ID, ToCatalogItemID: c.ItemID, Quantity: c.Quantity,
		TransitionType: pccclient.TransitionType(c.Type)}
	before := sub.OfferName
	after := c.Title + " (" + rules.Seats(i18n.English, c.Quantity) + ")"
	p.Before.Upgrade, p.After.Upgrade = &before, &after
	p.Title = i18n.In(l, "r.title_upgrade", c.Title)
	moved := i18n.In(l, "r.upgrade_whole", c.Title)
	if c.Quantity < int(sub.Quantity) {
		moved = i18n.In(l, "r.upgrade_part", rules.Seats(l, c.Quantity), c.Title, strconv.Itoa(int(sub.Quantity)-c.Quantity), sub.OfferName)
	}
	lic := i18n.In(l, "r.upgrade_keep_licences")
	if c.Type == rules.TransitionWithLicenseTransfer {
		lic = i18n.In(l, "r.upgrade_move_licences")
	}
	p.Effect = i18n.In(l, "r.upgrade_effect", moved, lic)
	p.Warning = scheduledWarning(l, &p, sub, life)
	return p, nil
}

// scheduledWarning says which scheduled change a plan deletes in l (""
// none).
func scheduledWarning(l i18n.Lang, plan *Plan, sub store.SubscriptionForChange, life store.SubscriptionLifecycle) string {
	old := ScheduledOf(life)
	if old == nil {
		return ""
	}
	on := plan.After.AutoRenew != nil && *plan.After.AutoRenew
	if !rules.DeletesScheduled(plan.Action, on) {
		return ""
	}
	return i18n.In(l, "r.scheduled_warning", NextTermSummary(l, rules.NextTermOf(l, CurrentTerm(sub), old).TermSpec))
}
