package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// offerIDs finds a legacy base offer and an add-on of it in the US catalog.
func (e *pcEnv) offerIDs(baseName, addOnPattern string) (base, addOn string) {
	e.t.Helper()
	if err := e.st.Pool.QueryRow(e.t.Context(), `SELECT b.id, a.id FROM offers b JOIN offers a ON a.country = b.country
		WHERE b.country = 'US' AND b.name = $1 AND a.name ILIKE $2`, baseName, addOnPattern).Scan(&base, &addOn); err != nil {
		e.t.Fatalf("offers %s / %s: %v", baseName, addOnPattern, err)
	}
	return base, addOn
}

func (e *pcEnv) countRows(table string) int {
	e.t.Helper()
	var n int
	if err := e.st.Pool.QueryRow(e.t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

var cartLineIDRe = func(body string) string {
	i := strings.Index(body, `value="line:`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`value="`):]
	return rest[:strings.Index(rest, `"`)]
}

// pollOrder reloads the order page until it is done or the deadline.
func (e *pcEnv) pollOrder(c *http.Client, href string, until func(body string) bool) page {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		p := e.get(c, href)
		if p.StatusCode != http.StatusOK {
			e.t.Fatalf("GET %s: %d\n%s", href, p.StatusCode, p.body)
		}
		if until(p.body) {
			return p
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("order never reached the state\n%s", p.body)
		}
		e.sb.Advance(3 * time.Second) // PC completes orders after 5s of its clock
		time.Sleep(20 * time.Millisecond)
	}
}

func TestOrderBaseWithAddOnTwoPhases(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	e.workers(commerce.Options{SettleBackoff: 50 * time.Millisecond}) // the order's settle jobs keep the mirror current
	c := e.client()
	e.login(c, "staff@example.com")
	cust, _ := e.subID("Contoso Ltd", "Office 365 E3")
	base, addOn := e.offerIDs("Office 365 E3", "%Archiving%")
	cart := "/customers/" + cust + "/cart"

	if p := e.get(c, cart); p.StatusCode != http.StatusOK || !hasTestID(p.body, "cart-empty") {
		t.Fatalf("empty cart: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.post(c, cart+"/lines", url.Values{"item_id": {base}, "quantity": {"5"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("add base: %d\n%s", p.StatusCode, p.body)
	}
	// Configuring the add-on offers the base line as its parent.
	p := e.get(c, cart+"?"+url.Values{"item": {addOn}}.Encode())
	lineRef := cartLineIDRe(p.body)
	if lineRef == "" || !hasTestID(p.body, "cart-configurator") {
		t.Fatalf("the base line is not offered as a parent\n%s", p.body)
	}
	if p := e.post(c, cart+"/lines", url.Values{"item_id": {addOn}, "quantity": {"5"}, "parent": {lineRef}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("add add-on: %d\n%s", p.StatusCode, p.body)
	}
	rv := e.get(c, cart+"/review")
	if !hasTestID(rv.body, "review-phases") || strings.Count(rv.body, `data-testid="cart-line"`) != 2 {
		t.Fatalf("review\n%s", rv.body)
	}
	tk := tokenRe.FindStringSubmatch(rv.body)
	if tk == nil {
		t.Fatal("no token on the review page")
	}
	// A double-clicked submit places one order.
	var wg sync.WaitGroup
	pages := make([]page, 3)
	for i := range pages {
		wg.Go(func() { pages[i] = e.post(c, "/customers/"+cust+"/orders", url.Values{"token": {tk[1]}}) })
	}
	wg.Wait()
	for i, p := range pages {
		if p.StatusCode != http.StatusSeeOther || p.location() != pages[0].location() {
			t.Fatalf("submit %d: %d %q\n%s", i, p.StatusCode, p.location(), p.body)
		}
	}
	if n := e.countRows("order_placements"); n != 1 {
		t.Fatalf("%d placements for one double-clicked order", n)
	}
	if n := e.countRows("cart_lines"); n != 0 {
		t.Fatalf("cart not emptied: %d lines", n)
	}
	href := pages[0].location()
	first := e.get(c, href)
	if !strings.Contains(first.body, `data-testid="order-addons" data-status="waiting"`) {
		t.Fatalf("phase 2 must wait for the base\n%s", first.body)
	}
	done := e.pollOrder(c, href, func(b string) bool { return strings.Contains(b, `data-done="true"`) })
	if !strings.Contains(done.body, `data-testid="order-base" data-status="succeeded" data-completed="true"`) ||
		!strings.Contains(done.body, `data-testid="order-addons" data-status="succeeded" data-completed="true"`) {
		t.Fatalf("want both phases completed\n%s", done.body)
	}
	if cp := e.get(c, cart); !hasTestID(cp.body, "cart-recent-order") || !strings.Contains(cp.body, href) {
		t.Fatalf("the cart page does not list the placed order\n%s", cp.body)
	}
	if got := e.sb.Calls(sandbox.OpCreateOrder); got != 2 {
		t.Fatalf("%d create-order calls, want 2 (base, then add-on)", got)
	}
	var parentOK bool
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT (c2.payload->'order'->'lineItems'->0->>'parentSubscriptionId') =
			(c1.result->'lineItems'->0->>'subscriptionId') FROM order_placements p
		JOIN commands c1 ON c1.id = p.base_command_id JOIN commands c2 ON c2.id = p.addon_command_id`).Scan(&parentOK); err != nil || !parentOK {
		t.Fatalf("the add-on order does not name the new base subscription (err %v)", err)
	}
}

func TestOrderCartBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, e3 := e.subID("Contoso Ltd", "Office 365 E3")
	_, powerBI := e.subID("Contoso Ltd", "Power BI%")
	_, wingtipSub := e.subID("Wingtip Toys Ltd", "Office 365 E1")
	base, addOn := e.offerIDs("Office 365 E3", "%Archiving%")
	cart := "/customers/" + cust + "/cart/lines"
	cases := []struct {
		name  string
		form  url.Values
		field string
		want  string
	}{
		{"unknown offer", url.Values{"item_id": {"not-an-offer"}, "quantity": {"1"}}, "item_id", "Unknown offer"},
		{"unknown catalog item", url.Values{"item_id": {"A:B:C"}, "quantity": {"1"}}, "item_id", "Unknown offer"},
		{"zero", url.Values{"item_id": {base}, "quantity": {"0"}}, "quantity", "at least 1"},
		{"too many", url.Values{"item_id": {base}, "quantity": {"999999999"}}, "quantity", "at most"},
		{"not a number", url.Values{"item_id": {base}, "quantity": {"five"}}, "quantity", "whole number"},
		{"bad cycle", url.Values{"item_id": {base}, "quantity": {"1"}, "billing_cycle": {"weekly"}}, "plan", "billed"},
		{"bad plan", url.Values{"item_id": {base}, "quantity": {"1"}, "plan": {"|weekly"}}, "plan", "billed"},
		{"add-on without parent", url.Values{"item_id": {addOn}, "quantity": {"1"}}, "parent", "is an add-on"},
		{"add-on on the wrong base", url.Values{"item_id": {addOn}, "quantity": {"1"}, "parent": {"sub:" + powerBI}}, "parent", "cannot be added"},
		{"add-on on another customer's subscription", url.Values{"item_id": {addOn}, "quantity": {"1"}, "parent": {"sub:" + wingtipSub}}, "parent", "does not belong"},
		{"add-on on a line not in the cart", url.Values{"item_id": {addOn}, "quantity": {"1"}, "parent": {"line:999999"}}, "parent", "not in your cart"},
		{"base with a parent", url.Values{"item_id": {base}, "quantity": {"1"}, "parent": {"sub:" + e3}}, "parent", "not an add-on"},
	}
	for _, tc := range cases {
		p := e.post(c, cart, tc.form)
		if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-"+tc.field) || !strings.Contains(p.body, tc.want) {
			t.Errorf("%s: %d, want 422 with %s error %q\n%.2500s", tc.name, p.StatusCode, tc.field, tc.want, p.body)
		}
	}
	if p := e.post(c, "/customers/"+cust+"/orders", url.Values{"token": {"not-a-token"}}); p.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("submit with a bad token: %d", p.StatusCode)
	}
	if p := e.post(c, "/customers/00000000-0000-0000-0000-000000000001/cart/lines", url.Values{"item_id": {base}, "quantity": {"1"}}); p.StatusCode != http.StatusNotFound {
		t.Errorf("unknown customer: %d", p.StatusCode)
	}
	for _, table := range []string{"cart_lines", "commands", "order_placements"} {
		if n := e.countRows(table); n != 0 {
			t.Errorf("bad input wrote %d row(s) to %s", n, table)
		}
	}
	// An add-on on an existing subscription of its base is fine, and goes
	// in the first (only) phase.
	if p := e.post(c, cart, url.Values{"item_id": {addOn}, "quantity": {"2"}, "parent": {"sub:" + e3}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("add-on on the existing E3: %d\n%s", p.StatusCode, p.body)
	}
	// The order fails in PC once: its message and a retry show.
	e.workers(commerce.Options{SettleBackoff: 50 * time.Millisecond})
	e.sb.FailNext(sandbox.OpCreateOrder, 1, http.StatusBadRequest)
	rv := e.get(c, "/customers/"+cust+"/cart/review")
	if hasTestID(rv.body, "review-phases") {
		t.Fatal("no second phase expected")
	}
	tk := tokenRe.FindStringSubmatch(rv.body)
	p := e.post(c, "/customers/"+cust+"/orders", url.Values{"token": {tk[1]}})
	r := e.get(c, p.location())
	if !hasTestID(r.body, "order-base-error") || !hasTestID(r.body, "order-retry") || !hasTestID(r.body, "order-cancel") {
		t.Fatalf("want PC's refusal with retry and cancel\n%s", r.body)
	}
	if rr := e.post(c, p.location()+"/retry", nil); rr.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry: %d", rr.StatusCode)
	}
	done := e.pollOrder(c, p.location(), func(b string) bool { return strings.Contains(b, `data-done="true"`) })
	if !strings.Contains(done.body, `data-testid="order-base" data-status="succeeded" data-completed="true"`) {
		t.Fatalf("after the retry: want completed\n%s", done.body)
	}
	// Another customer's URL for this order: not found.
	_, _ = wingtipSub, powerBI
	other, _ := e.subID("Wingtip Toys Ltd", "Office 365 E1")
	if g := e.get(c, strings.Replace(p.location(), cust, other, 1)); g.StatusCode != http.StatusNotFound {
		t.Fatalf("order under another customer: %d", g.StatusCode)
	}
}

// The order page renders from the mirror: PC is not asked for the new
// subscriptions on any load or poll (the settle jobs keep the mirror
// current), and the phases complete as the mirror shows them active.
func TestOrderPageReadsTheMirror(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	e.workers(commerce.Options{SettleBackoff: 50 * time.Millisecond})
	c := e.client()
	e.login(c, "staff@example.com")
	reads := func() int {
		return e.sb.Calls(sandbox.OpGetSubscription) + e.sb.Calls(sandbox.OpListSubscriptions) + e.sb.Calls(sandbox.OpGetOrder)
	}
	cust, href := e.placeBaseWithAddOn(c)
	done := e.pollOrder(c, href, func(b string) bool { return strings.Contains(b, `data-done="true"`) })
	if !strings.Contains(done.body, `data-testid="order-base" data-status="succeeded" data-completed="true"`) ||
		!strings.Contains(done.body, `data-testid="order-addons" data-status="succeeded" data-completed="true"`) {
		t.Fatalf("want both phases completed\n%s", done.body)
	}
	if got := e.sb.Calls(sandbox.OpGetSubscription); got != 0 {
		t.Errorf("%d get-subscription calls reached PC while the order was placed and watched, want 0", got)
	}
	// Once settled, page loads reach PC not at all.
	before := reads()
	for range 5 {
		if p := e.get(c, href); p.StatusCode != http.StatusOK || !strings.Contains(p.body, `data-done="true"`) {
			t.Fatalf("order page: %d\n%s", p.StatusCode, p.body)
		}
	}
	if got := reads(); got != before {
		t.Errorf("5 loads of a settled order page made %d subscription/order reads in PC, want 0", got-before)
	}
	// The status shown is the mirror's.
	_, addOnSub, _ := e.waitAddOnPhase(cust)
	if _, err := e.st.Pool.Exec(t.Context(), `UPDATE subscriptions SET status = 'pending' WHERE id = $1`, addOnSub); err != nil {
		t.Fatal(err)
	}
	if p := e.get(c, href); !strings.Contains(p.body, `data-testid="order-addons" data-status="succeeded" data-completed="false"`) {
		t.Fatalf("the add-on phase does not follow the mirror's status\n%s", p.body)
	}
}

// The cart's configurator: a search narrows the products, names are not
// doubled, and a chosen NCE item offers its terms and billing cycles in
// words; the chosen plan becomes the line's term and cycle.
func TestCartConfiguratorPlansInWords(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, _ := e.subID("Contoso Ltd", "Office 365 E3")
	cart := "/customers/" + cust + "/cart"
	p := e.get(c, cart+"?find=business+premium")
	if strings.Contains(p.body, "Microsoft 365 Business Premium Microsoft 365 Business Premium") || !strings.Contains(p.body, "Microsoft 365 Business Premium") ||
		strings.Contains(p.body, ">Visio Plan 2<") {
		t.Fatalf("search for business premium\n%s", p.body)
	}
	var item string
	var terms []byte
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT a.catalog_item_id, a.terms FROM availabilities a JOIN skus k
		ON k.country = a.country AND k.product_id = a.product_id AND k.id = a.sku_id
		WHERE a.country = 'US' AND a.is_purchasable AND k.title = 'Microsoft 365 Business Premium' AND a.terms::text LIKE '%P3Y%'
		ORDER BY a.catalog_item_id LIMIT 1`).Scan(&item, &terms); err != nil {
		t.Fatalf("no Business Premium sold for 3 years in the sandbox: %v", err)
	}
	p = e.get(c, cart+"?"+url.Values{"item": {item}}.Encode())
	if !hasTestID(p.body, "cart-configurator") || !strings.Contains(p.body, "1 year, billed monthly") || !strings.Contains(p.body, "3 years, billed annually") {
		t.Fatalf("configurator for %s (terms %s)\n%s", item, terms, p.body)
	}
	if p := e.post(c, cart+"/lines", url.Values{"item_id": {item}, "quantity": {"3"}, "plan": {"P3Y|annual"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("add with the 3-year plan: %d\n%s", p.StatusCode, p.body)
	}
	var term, cycle string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT term_duration, billing_cycle FROM cart_lines WHERE item_id = $1`, item).Scan(&term, &cycle); err != nil {
		t.Fatal(err)
	}
	if term != "P3Y" || cycle != "annual" {
		t.Fatalf("the line is %s %s, want P3Y annual", term, cycle)
	}
}
