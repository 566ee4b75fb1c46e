package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/pccclient"
)

var termEndRe = regexp.MustCompile(`<input type="radio" name="term_end" id="f-term_end-\d+" value="([^"]+)"[^>]*>\s*([^<]+)`)

// TestCartCoTermWithExistingSubscription: the configurator offers the end
// dates PC allows for the first term (the calendar month's end, and the end
// of the customer's NCE subscriptions inside the term), refuses an end date
// for another term or one PC does not list, and the order carries the date
// so the new subscription at PC ends on it.
func TestCartCoTermWithExistingSubscription(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	e.workers(commerce.Options{SettleBackoff: 50 * time.Millisecond})
	c := e.client()
	e.login(c, "staff@example.com")
	cust, _ := e.subID("Contoso Ltd", "Office 365 E3")
	cart := "/customers/" + cust + "/cart"
	item := e.nceItem("Microsoft 365 Business Premium", "P1Y")
	// An existing one-year subscription bought 40 days ago (at PC, then
	// mirrored): the new one can end when it does.
	pc, err := e.pcClientForTest()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.CreateOrder(t.Context(), uuid.NewString(), cust, pccclient.Order{BillingCycle: pccclient.BillingCycleMonthly,
		LineItems: []pccclient.OrderLineItem{{OfferID: item, Quantity: 3, TermDuration: "P1Y", FriendlyName: "Sales team"}}}); err != nil {
		t.Fatal(err)
	}
	e.sb.Advance(40 * 24 * time.Hour)
	e.sync("full")

	p := e.get(c, cart+"?"+url.Values{"item": {item}}.Encode())
	if !hasTestID(p.body, "cart-term-ends") {
		t.Fatalf("no term end choice\n%s", p.body)
	}
	var monthEnd, coterm string
	for _, m := range termEndRe.FindAllStringSubmatch(p.body, -1) {
		label := strings.TrimSpace(m[2])
		switch {
		case strings.HasPrefix(m[1], "P1Y|") && strings.Contains(label, "calendar month"):
			monthEnd = m[1]
		case strings.HasPrefix(m[1], "P1Y|") && strings.Contains(label, "co-term with"):
			if strings.Contains(label, "co-term with Sales team") {
				coterm = m[1]
			}
		}
	}
	if monthEnd == "" || coterm == "" {
		t.Fatalf("want a 1-year calendar month end and co-terming with Sales team offered\n%s", p.body)
	}

	if bad := e.post(c, cart+"/lines", url.Values{"item_id": {item}, "quantity": {"2"}, "plan": {"P1M|monthly"}, "term_end": {monthEnd}}); bad.StatusCode != http.StatusUnprocessableEntity ||
		!hasTestID(bad.body, "error-term_end") || !strings.Contains(bad.body, "is for a 1 year term") {
		t.Fatalf("a 1-year end date on a monthly term: %d\n%s", bad.StatusCode, bad.body)
	}
	if bad := e.post(c, cart+"/lines", url.Values{"item_id": {item}, "quantity": {"2"}, "plan": {"P1Y|monthly"}, "term_end": {"P1Y|2027-02-13"}}); bad.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(bad.body, "no longer allows this end date") {
		t.Fatalf("an end date PC does not list: %d\n%s", bad.StatusCode, bad.body)
	}
	if n := e.countRows("cart_lines"); n != 0 {
		t.Fatalf("refused lines were written: %d", n)
	}
	if p := e.post(c, cart+"/lines", url.Values{"item_id": {item}, "quantity": {"2"}, "plan": {"P1Y|monthly"}, "term_end": {coterm}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("add co-termed: %d\n%s", p.StatusCode, p.body)
	}
	want, _ := time.Parse(time.DateOnly, strings.TrimPrefix(coterm, "P1Y|"))
	rv := e.get(c, cart+"/review")
	if !hasTestID(rv.body, "cart-line-term-end") || !strings.Contains(rv.body, want.Format("2 Jan 2006")) {
		t.Fatalf("the review does not show the end date\n%s", rv.body)
	}
	tk := tokenRe.FindStringSubmatch(rv.body)
	placed := e.post(c, "/customers/"+cust+"/orders", url.Values{"token": {tk[1]}})
	if placed.StatusCode != http.StatusSeeOther {
		t.Fatalf("place: %d\n%s", placed.StatusCode, placed.body)
	}
	done := e.pollOrder(c, placed.location(), func(b string) bool { return strings.Contains(b, `data-done="true"`) })
	if !hasTestID(done.body, "order-line-term-end") || !strings.Contains(done.body, `data-status="succeeded"`) {
		t.Fatalf("the order page does not show the end date or did not succeed\n%s", done.body)
	}
	var sub string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT c.result->'lineItems'->0->>'subscriptionId' FROM order_placements p
		JOIN commands c ON c.id = p.base_command_id`).Scan(&sub); err != nil || sub == "" {
		t.Fatalf("no subscription from the order (err %v)", err)
	}
	got, err := pc.GetSubscription(t.Context(), cust, sub)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CommitmentEndDate.UTC().Truncate(24 * time.Hour).Equal(want) {
		t.Fatalf("subscription %s ends %s at PC, want %s", sub, got.CommitmentEndDate, want)
	}
}

// nceItem is the US catalog item id of a purchasable NCE SKU sold with term.
func (e *pcEnv) nceItem(title, term string) string {
	e.t.Helper()
	var item string
	if err := e.st.Pool.QueryRow(e.t.Context(), `SELECT a.catalog_item_id FROM availabilities a JOIN skus k
		ON k.country = a.country AND k.product_id = a.product_id AND k.id = a.sku_id
		WHERE a.country = 'US' AND a.is_purchasable AND k.title = $1 AND a.terms::text LIKE '%' || $2 || '%'
		ORDER BY a.catalog_item_id LIMIT 1`, title, term).Scan(&item); err != nil {
		e.t.Fatalf("no %s sold for %s in the sandbox: %v", title, term, err)
	}
	return item
}
