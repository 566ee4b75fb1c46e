package sandbox_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestCustomTermEndDates: the allowed custom term end dates of a new
// purchase are the calendar month's end and the end dates of the
// customer's active NCE licence subscriptions inside the new term; an
// order line's customTermEndDate must be one of them and sets the new
// subscription's commitment end date.
func TestCustomTermEndDates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("coterm", true)
	bp := e.catalogItem("Microsoft 365 Business Premium")
	old := e.buyNCE(cid, bp, 3, "P1Y", "monthly")
	oldEnd := e.sub(cid, old).str("commitmentEndDate")[:10]
	e.advance(40 * 24 * time.Hour)

	path := "/v1/customers/" + cid + "/subscriptions/customTermEndDates"
	r := e.do("GET", path+"?term_duration=P1Y", nil)
	want(t, r, 200, "")
	if r.str("attributes.objectType") != "Collection" {
		t.Fatalf("shape: %s", r.raw)
	}
	var month, aligned string
	var coterm []any
	for _, it := range r.items() {
		switch it["allowedCustomTermEndDateType"] {
		case "calendarMonthAligned":
			month = it["allowedCustomTermEndDate"].(string)
		case "subscriptionAligned":
			aligned = it["allowedCustomTermEndDate"].(string)
			coterm, _ = it["cotermSubscriptionIds"].([]any)
		}
	}
	if aligned[:10] != oldEnd || len(coterm) != 1 || !strings.EqualFold(coterm[0].(string), old) {
		t.Fatalf("co-term with %s ending %s: got %s %v\n%s", old, oldEnd, aligned, coterm, r.raw)
	}
	me, err := time.Parse("2006-01-02T15:04:05", month)
	if err != nil || me.AddDate(0, 0, 1).Day() != 1 {
		t.Fatalf("calendar-aligned end %q is not a month's last day (%v)", month, err)
	}
	// A P1M term cannot co-term with a subscription ending in ten months.
	for _, it := range e.do("GET", path+"?term_duration=P1M", nil).items() {
		if it["allowedCustomTermEndDateType"] == "subscriptionAligned" {
			t.Fatalf("P1M offered co-terming with a subscription ending %s", it["allowedCustomTermEndDate"])
		}
	}
	// Narrowed to one subscription, and PC's errors.
	if n := e.do("GET", path+"?term_duration=P1Y&target_coterm_subscription_id="+old, nil).num("totalCount"); n != 1 {
		t.Fatalf("targeted co-term dates: %d, want 1", n)
	}
	want(t, e.do("GET", path, nil), 400, "800002")
	want(t, e.do("GET", path+"?term_duration=P2Y", nil), 400, "800002")
	want(t, e.do("GET", path+"?term_duration=P1Y&term_start_date=2020-01-01", nil), 400, "800002")
	want(t, e.do("GET", path+"?term_duration=P1Y&target_coterm_subscription_id=3f1f0a9e-0000-4000-8000-000000000000", nil), 404, "20003")

	// An order co-termed with the old subscription ends when it does.
	o := e.order(cid, li(bp, 2, "termDuration", "P1Y", "customTermEndDate", aligned))
	want(t, o, 201, "")
	e.settle()
	sid := o.str("lineItems.0.subscriptionId")
	if got := e.sub(cid, sid).str("commitmentEndDate")[:10]; got != oldEnd {
		t.Fatalf("co-termed subscription ends %s, want %s", got, oldEnd)
	}
	// A date that is not allowed, and a product that cannot have one.
	want(t, e.order(cid, li(bp, 1, "termDuration", "P1Y", "customTermEndDate", "2027-02-13T00:00:00")), 400, "10017")
	trial := e.catalogItem("Microsoft 365 Business Premium Trial")
	o = e.do("POST", "/v1/customers/"+cid+"/orders", map[string]any{"billingCycle": "none", "lineItems": []any{
		li(trial, 1, "lineItemNumber", 0, "termDuration", "P1M", "customTermEndDate", month)}})
	want(t, o, 400, "10016")
}
