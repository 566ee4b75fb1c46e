package handlers

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/rules"
)

// Terms and billing cycles in the reader's language: rules says them in
// English; the pages say them through the catalogs.

// termLabel is rules.TermLabel in the reader's language ("1 year").
func termLabel(ctx context.Context, duration string) string {
	return rules.TermLabel(i18n.From(ctx), duration)
}

// cycleLabel is rules.CycleLabel in the reader's language ("monthly").
func cycleLabel(ctx context.Context, cycle string) string {
	return rules.CycleLabel(i18n.From(ctx), cycle)
}

// termChoiceLabel is rules.TermChoiceLabel in the reader's language ("1
// year, billed monthly").
func termChoiceLabel(ctx context.Context, t rules.Term) string {
	return i18n.T(ctx, "h.term.billed", termLabel(ctx, t.Duration), cycleLabel(ctx, t.BillingCycle))
}

var removedKeys = map[string]string{mirror.RemovedAtRenewal: "h.removed.at_renewal", mirror.RemovedSuspension: "h.removed.suspension",
	mirror.RemovedAutoRenew: "h.removed.autorenew", mirror.RemovedMidTerm: "h.removed.mid_term", mirror.RemovedCleared: "h.removed.cleared",
	mirror.RemovedEnded: "h.removed.ended"}

// removedReason is why a scheduled change was removed (mirror.Removed*),
// in the reader's language.
func removedReason(ctx context.Context, reason string) string {
	if k, ok := removedKeys[reason]; ok {
		return i18n.T(ctx, k)
	}
	return reason
}

var planKeys = map[string]string{"monthly": "h.plan.monthly", "annual": "h.plan.annual", "triennial": "h.plan.triennial",
	"none": "h.plan.none", "onetime": "h.plan.onetime"}

// planLabel is rules.PlanLabel in the reader's language ("1 year, billed
// monthly"; "Billed monthly" for a legacy offer, whose term is "").
func planLabel(ctx context.Context, term, cycle string) string {
	cycle = strings.ToLower(cycle)
	var billed string
	if k, ok := planKeys[cycle]; ok {
		billed = i18n.T(ctx, k)
	} else {
		billed = i18n.T(ctx, "h.plan.other", cycle)
	}
	if term == "" {
		r, n := utf8.DecodeRuneInString(billed)
		return string(unicode.ToUpper(r)) + billed[n:]
	}
	return i18n.T(ctx, "h.plan.term", termLabel(ctx, term), billed)
}

// csvHeader is a download's header row in the reader's language: each
// column's label is the message "h.csv.<column>", whose English text is the
// column's name. The column order never changes.
func csvHeader(ctx context.Context, cols ...string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = i18n.T(ctx, "h.csv."+c)
	}
	return out
}

var supportStatusKeys = map[string]string{rules.SupportOpen: "h.support.st_open", rules.SupportInProgress: "h.support.st_in_progress",
	rules.SupportWaitingCustomer: "h.support.st_waiting_customer", rules.SupportApproved: "h.support.st_approved",
	rules.SupportRejected: "h.support.st_rejected", rules.SupportClosed: "h.support.st_closed"}

// supportStatusLabel is rules.SupportStatusLabel in the reader's language.
func supportStatusLabel(ctx context.Context, status string) string {
	if k, ok := supportStatusKeys[status]; ok {
		return i18n.T(ctx, k)
	}
	return rules.SupportStatusLabel(status)
}
