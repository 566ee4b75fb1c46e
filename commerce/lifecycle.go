package commerce

import (
	"context"
	"fmt"
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

// NextTermSummary says a next term in a few words ("12 seats of Microsoft
// 365 Business Basic, 1 year, billed monthly").
func NextTermSummary(t rules.TermSpec) string {
	return fmt.Sprintf("%s of %s, %s, billed %s", rules.Seats(i18n.English, t.Quantity), t.Title, rules.TermLabel(t.TermDuration), rules.CycleLabel(t.BillingCycle))
}

// PlanNextTerm checks a scheduled change of sub against the scheduled
// targets PC offers.
func PlanNextTerm(sub store.SubscriptionForChange, life store.SubscriptionLifecycle, targets []Target, req rules.NextTermRequest) (Plan, map[string]string) {
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
	next := rules.NextTermOf(cur, &sched)
	before, after := "as it is", NextTermSummary(next.TermSpec)
	if old := ScheduledOf(life); old != nil {
		before = NextTermSummary(rules.NextTermOf(cur, old).TermSpec)
	}
	p.Before.NextTerm, p.After.NextTerm = &before, &after
	renews := "at the renewal"
	if r := LifecycleOf(life); !r.TermEnd.IsZero() {
		renews = "at the renewal on " + rules.Day(r.TermEnd)
	}
	p.Title = "Schedule a change for the next term"
	p.Effect = fmt.Sprintf("%s the subscription renews as %s (%s). Nothing changes before then; any mid-term change (seats, suspension, an upgrade, auto-renew off) deletes this scheduled change.",
		upper(renews), after, strings.Join(next.Changes, "; "))
	return p, nil
}

// PlanClearNextTerm removes sub's scheduled change.
func PlanClearNextTerm(sub store.SubscriptionForChange, life store.SubscriptionLifecycle) (Plan, map[string]string) {
	p := Plan{Action: "next_term_clear"}
	old := ScheduledOf(life)
	if old == nil {
		return p, map[string]string{"_form": "No change is scheduled for the next term."}
	}
	if sub.Status != "active" {
		return p, map[string]string{"_form": "Scheduled changes can only be removed while the subscription is active (it is " + sub.Status + ")."}
	}
	before, after := NextTermSummary(rules.NextTermOf(CurrentTerm(sub), old).TermSpec), "as it is"
	p.Before.NextTerm, p.After.NextTerm = &before, &after
	p.patch.ClearScheduled = true
	p.Title = "Remove the scheduled change"
	p.Effect = "The subscription renews as it is now (" + NextTermSummary(CurrentTerm(sub)) + ") instead of " + before + "."
	return p, nil
}

// PlanTransition checks an upgrade of sub against the immediate targets
// PC offers.
func PlanTransition(sub store.SubscriptionForChange, life store.SubscriptionLifecycle, targets []Target, req rules.TransitionRequest) (Plan, map[string]string) {
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
	after := fmt.Sprintf("%s (%s)", c.Title, rules.Seats(i18n.English, c.Quantity))
	p.Before.Upgrade, p.After.Upgrade = &before, &after
	p.Title = "Upgrade to " + c.Title
	moved := "The whole subscription becomes " + c.Title + " (same subscription id)."
	if c.Quantity < int(sub.Quantity) {
		moved = fmt.Sprintf("%s move to a new %s subscription; %d stay on %s.", rules.Seats(i18n.English, c.Quantity), c.Title, int(sub.Quantity)-c.Quantity, sub.OfferName)
	}
	lic := " Users keep their current licences: reassign them in the admin center."
	if c.Type == rules.TransitionWithLicenseTransfer {
		lic = " The users' licences move to the new product."
	}
	p.Effect = moved + lic + " Partner Center bills the new product from today, prorated to the term end; the upgrade finishes within minutes."
	p.Warning = scheduledWarning(&p, sub, life)
	return p, nil
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// scheduledWarning says which scheduled change a plan deletes ("" none).
func scheduledWarning(plan *Plan, sub store.SubscriptionForChange, life store.SubscriptionLifecycle) string {
	old := ScheduledOf(life)
	if old == nil {
		return ""
	}
	on := plan.After.AutoRenew != nil && *plan.After.AutoRenew
	if !rules.DeletesScheduled(plan.Action, on) {
		return ""
	}
	return "This deletes the change scheduled for the next term (" + NextTermSummary(rules.NextTermOf(CurrentTerm(sub), old).TermSpec) +
		"): Partner Center deletes scheduled changes on any mid-term change. Schedule it again afterwards if it still applies."
}
