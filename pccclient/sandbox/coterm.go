package sandbox

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Custom term end dates (learn.microsoft.com "Get custom term end dates"):
// a new NCE licence subscription may end with the calendar month or on the
// same day as an existing subscription of the customer (co-terming) instead
// of a full term after its start. GET
// /customers/{id}/subscriptions/customTermEndDates?term_duration=P1Y
// [&term_start_date=][&target_coterm_subscription_id=] lists the allowed
// dates; an order or cart line's customTermEndDate must be one of them, and
// only for new purchases (renewals keep their term).

// customTermEndWire is one AllowedCustomTermEndDate.
type customTermEndWire struct {
	Type                  string   `json:"allowedCustomTermEndDateType"`
	Date                  pcDate   `json:"allowedCustomTermEndDate"`
	CotermSubscriptionIDs []string `json:"cotermSubscriptionIds,omitempty"`
}

// pcDate is PC's date-time without a zone (2023-07-31T00:00:00).
type pcDate time.Time

func (d pcDate) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(d).UTC().Format("2006-01-02T15:04:05") + `"`), nil
}

// UnmarshalJSON accepts the date with or without a zone, or a bare date.
func (d *pcDate) UnmarshalJSON(b []byte) error {
	v := strings.Trim(string(b), `"`)
	t, err := parsePCDate(v)
	if err != nil {
		return err
	}
	*d = pcDate(t)
	return nil
}

// timeOf is the date a request named, or nil.
func (d *pcDate) timeOf() *time.Time {
	if d == nil {
		return nil
	}
	t := time.Time(*d)
	return &t
}

// standardTermEnd is the last day of a full term of duration from start.
func standardTermEnd(start time.Time, duration string) time.Time {
	return addDuration(day(start), duration).Add(-24 * time.Hour)
}

// calendarMonthEnd is the month-aligned end of a term: the last day of the
// month before the one the term's day after its end falls in (a P1M bought
// on 15 July ends 31 July; one bought on 1 July ends 31 July as well).
func calendarMonthEnd(start time.Time, duration string) time.Time {
	next := standardTermEnd(start, duration).Add(24 * time.Hour)
	return time.Date(next.Year(), next.Month(), 1, 0, 0, 0, 0, time.UTC).Add(-24 * time.Hour)
}

// allowedTermEnds lists the custom term end dates of a purchase of
// duration starting at start for cust; target narrows co-terming to one
// subscription.
func (s *Sandbox) allowedTermEnds(cust *customer, duration string, start time.Time, target string) []customTermEndWire {
	start = day(start)
	last := standardTermEnd(start, duration)
	out := []customTermEndWire{}
	if target == "" {
		if ce := calendarMonthEnd(start, duration); !ce.Before(start) && ce.Before(last) {
			out = append(out, customTermEndWire{Type: "calendarMonthAligned", Date: pcDate(ce)})
		}
	}
	// Co-terming: active NCE licence subscriptions whose term ends within
	// the new one, grouped by end date.
	byDate := map[time.Time][]string{}
	for _, id := range cust.SubIDs {
		sub := s.st.Subs[id]
		if !sub.NCE || sub.W.Status != "active" || sub.W.BillingType != "license" {
			continue
		}
		if target != "" && !strings.EqualFold(sub.W.ID, target) {
			continue
		}
		end := day(sub.W.CommitmentEndDate)
		if end.Before(start) || end.After(last) {
			continue
		}
		byDate[end] = append(byDate[end], sub.W.ID)
	}
	var dates []time.Time
	for d := range byDate {
		dates = append(dates, d)
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return a.Compare(b) })
	for _, d := range dates {
		ids := byDate[d]
		slices.Sort(ids)
		out = append(out, customTermEndWire{Type: "subscriptionAligned", Date: pcDate(d), CotermSubscriptionIDs: ids})
	}
	return out
}

// customTermEndDates is GET /customers/{cid}/subscriptions/customTermEndDates.
func (s *Sandbox) customTermEndDates(c *call) (int, any) {
	cust, e := s.customerLocked(c.pv("cid"))
	if e != nil {
		return 0, e
	}
	duration := strings.ToUpper(c.qi("term_duration"))
	if !slices.Contains([]string{"P1M", "P1Y", "P3Y"}, duration) {
		return 0, errBadInput("term_duration must be P1M, P1Y or P3Y, not %q", c.qi("term_duration"))
	}
	start := c.now
	if v := c.qi("term_start_date"); v != "" {
		t, err := parsePCDate(v)
		if err != nil {
			return 0, errBadInput("term_start_date %q is not a date", v)
		}
		if day(t).Before(day(c.now)) {
			return 0, errBadInput("term_start_date %s is in the past", v)
		}
		start = t
	}
	target := c.qi("target_coterm_subscription_id")
	if target != "" {
		sub := s.st.Subs[key(target)]
		if sub == nil || sub.CustomerID != cust.W.ID {
			return 0, errSubNotFound(target)
		}
	}
	items := s.allowedTermEnds(cust, duration, start, target)
	return 200, &collection{TotalCount: len(items), Items: items, Attributes: attrs{ObjectType: "Collection"}}
}

// parsePCDate reads a date as PC's query strings and bodies write it.
func parsePCDate(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Parse(time.DateOnly, v)
}

// checkCustomTermEnd refuses a purchase line's custom term end date unless
// it is one of the allowed dates (PC's cart error InvalidCustomTermEndDate,
// 10017, and InvalidCustomTermEndDateProduct, 10016, for an item that
// cannot have one).
func (s *Sandbox) checkCustomTermEnd(cust *customer, pl *purchaseLine, now time.Time) *pcError {
	if pl.customTermEnd == nil {
		return nil
	}
	if !pl.item.NCE || pl.item.Billing != "license" || pl.item.Trial {
		return newErr(http.StatusBadRequest, "10016", "A custom term end date is not supported for %s", pl.item.ID)
	}
	want := day(*pl.customTermEnd)
	for _, a := range s.allowedTermEnds(cust, pl.termDuration, now, "") {
		if time.Time(a.Date).Equal(want) {
			return nil
		}
	}
	return newErr(http.StatusBadRequest, "10017", "The custom term end date %s is not allowed for a %s term starting %s",
		want.Format(time.DateOnly), pl.termDuration, day(now).Format(time.DateOnly))
}
