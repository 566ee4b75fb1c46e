package pccclient

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// CustomTermEndDate is one AllowedCustomTermEndDate ("Get custom term end
// dates"): a date a new NCE licence subscription may end on instead of a
// full term after its start, aligned with the calendar month's end or with
// existing subscriptions of the customer (co-terming).
type CustomTermEndDate struct {
	Type                  string      `json:"allowedCustomTermEndDateType"` // CustomTermEndCalendarMonth or CustomTermEndSubscription
	Date                  BillingTime `json:"allowedCustomTermEndDate"`
	CotermSubscriptionIDs []string    `json:"cotermSubscriptionIds,omitempty"`
}

// The allowedCustomTermEndDateType values.
const (
	CustomTermEndCalendarMonth = "calendarMonthAligned"
	CustomTermEndSubscription  = "subscriptionAligned"
)

// ListCustomTermEndDates lists the custom term end dates a purchase of
// termDuration (P1M, P1Y, P3Y) for the customer may have (GET
// /customers/{id}/subscriptions/customTermEndDates). start (zero: today)
// is when the term starts; target ("" for all) narrows co-terming to one
// subscription. PC computes them for new purchases only, not renewals.
func (c *Client) ListCustomTermEndDates(ctx context.Context, customerID, termDuration string, start time.Time, target string) iter.Seq2[CustomTermEndDate, error] {
	const op = "get-custom-term-end-dates"
	a := check(op).guid("customerID", customerID).required("termDuration", termDuration)
	if target != "" {
		a.guid("target", target)
	}
	if err := a.done(); err != nil {
		return errSeq[CustomTermEndDate](err)
	}
	q := url.Values{"term_duration": {termDuration}}
	if !start.IsZero() {
		q.Set("term_start_date", start.UTC().Format(time.DateOnly))
	}
	if target != "" {
		q.Set("target_coterm_subscription_id", target)
	}
	return pages[CustomTermEndDate](ctx, c, &call{op: op, class: ClassRead, method: http.MethodGet,
		path: "/customers/" + customerID + "/subscriptions/customTermEndDates", query: q}, false)
}
