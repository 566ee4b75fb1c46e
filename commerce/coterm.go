package commerce

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store/db"
)

// CartTermEnd is a custom term end date a new NCE subscription may have
// instead of a full term: Value is rules.TermEndValue.
type CartTermEnd struct {
	Value, Term, Label string
	End                time.Time
}

// termEnds asks PC which custom term end dates a purchase by customer of
// each of the terms may have, naming co-termed subscriptions from the
// mirror.
func (s *Service) termEnds(ctx context.Context, customer uuid.UUID, terms []string) ([]CartTermEnd, error) {
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return nil, err
	}
	type raw struct {
		term string
		d    pccclient.CustomTermEndDate
	}
	var all []raw
	var ids []string
	for _, term := range terms {
		for d, err := range pc.ListCustomTermEndDates(ctx, customer.String(), term, time.Time{}, "") {
			if err != nil {
				return nil, fmt.Errorf("custom term end dates (%s): %w", term, err)
			}
			all = append(all, raw{term, d})
			ids = append(ids, d.CotermSubscriptionIDs...)
		}
	}
	names := map[string]string{}
	if len(ids) > 0 {
		rows, err := s.st.Q.SubscriptionLabels(ctx, s.st.Pool, db.SubscriptionLabelsParams{CustomerID: customer, Ids: lowerAll(ids)})
		if err != nil {
			return nil, fmt.Errorf("co-termed subscriptions: %w", err)
		}
		for _, r := range rows {
			names[strings.ToLower(r.ID)] = r.Name
		}
	}
	out := make([]CartTermEnd, 0, len(all))
	for _, r := range all {
		end := r.d.Date.UTC().Truncate(24 * time.Hour)
		var subs []string
		for _, id := range r.d.CotermSubscriptionIDs {
			subs = append(subs, cmp.Or(names[strings.ToLower(id)], id))
		}
		out = append(out, CartTermEnd{Value: rules.TermEndValue(r.term, end), Term: r.term, End: end,
			Label: rules.TermEndLabel(r.term, end, strings.EqualFold(r.d.Type, pccclient.CustomTermEndCalendarMonth), subs)})
	}
	return out, nil
}

// checkTermEnd returns a problem for the term_end field unless value names
// a custom term end date PC allows for term; end is the date.
func (s *Service) checkTermEnd(ctx context.Context, customer uuid.UUID, term, value string) (time.Time, string, error) {
	t, end, ok := rules.SplitTermEnd(value)
	if !ok {
		return end, "Choose one of the listed end dates, or a full term.", nil
	}
	if t != term {
		return end, "This end date is for a " + rules.TermLabel(i18n.English, t) + " term; the plan chosen is " + cmp.Or(rules.TermLabel(i18n.English, term), "without a term") + ".", nil
	}
	ends, err := s.termEnds(ctx, customer, []string{term})
	if err != nil {
		return end, "Partner Center could not list the allowed end dates; try again or buy a full term. (" + err.Error() + ")", nil
	}
	if !slices.ContainsFunc(ends, func(e CartTermEnd) bool { return e.Value == value }) {
		return end, "Partner Center no longer allows this end date; choose again.", nil
	}
	return end, "", nil
}

// termsOf are the distinct term durations of an item's plans.
func termsOf(it rules.CartItem) []string {
	var out []string
	for _, t := range it.Terms {
		// A trial (billing cycle none) runs its month and cannot be co-termed.
		if t.Duration != "" && !strings.EqualFold(t.BillingCycle, "none") && !slices.Contains(out, t.Duration) {
			out = append(out, t.Duration)
		}
	}
	return out
}

func lowerAll(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strings.ToLower(id)
	}
	return out
}
