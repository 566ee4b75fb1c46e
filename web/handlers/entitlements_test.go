package handlers_test

import (
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/web/handlers"
)

// rowsOf splits an entitlements page into its rows by subscription id.
func entRowsOf(body string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`data-subscription="([^"]+)"`)
	parts := strings.Split(body, `data-testid="entitlement-row"`)
	for _, p := range parts[1:] {
		if m := re.FindStringSubmatch(p); m != nil {
			out[m[1]] = strings.SplitN(p, "</tr>", 2)[0]
		}
	}
	return out
}

func TestCustomerEntitlements(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, func(d *handlers.Deps) { d.Now = func() time.Time { return now } })
	e.completeSetup()
	a := e.seedTenant("Alpha", now)
	b := e.seedTenant("Bravo", now)
	e.createCustomerUser("ann@alpha.example", a.ID)
	c := e.client()
	e.login(c, "ann@alpha.example")

	p := e.get(c, "/my/subscriptions")
	if p.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", p.StatusCode, p.body)
	}
	rows := entRowsOf(p.body)
	if len(rows) != len(a.Subs) {
		t.Errorf("%d rows, want %d", len(rows), len(a.Subs))
	}
	if strings.Contains(p.body, "Bravo") {
		t.Error("customer A's page mentions customer B")
	}
	want := map[string]string{"base": "", "addon": "", "new": "", "suspended": rules.ReasonSuspended,
		"unpaid": rules.ReasonUnpaid, "expired": rules.ReasonExpired, "pending": rules.ReasonPending,
		"old": rules.ReasonReplaced, "trial": rules.ReasonTrial}
	for role, reason := range want {
		row, ok := rows[a.Subs[role]]
		if !ok {
			t.Errorf("%s subscription missing", role)
			continue
		}
		if reason == "" && !hasTestID(row, "entitled") {
			t.Errorf("%s: not shown as entitled: %s", role, row)
		}
		if reason != "" && (!hasTestID(row, "not-entitled") || !strings.Contains(row, ">"+reason+"<")) {
			t.Errorf("%s: want not entitled (%s): %s", role, reason, row)
		}
	}
	if !strings.Contains(rows[a.Subs["base"]], "7 / 10") {
		t.Errorf("base seats: %s", rows[a.Subs["base"]])
	}
	if !hasTestID(rows[a.Subs["addon"]], "entitlement-addon") || hasTestID(rows[a.Subs["base"]], "entitlement-addon") {
		t.Error("add-on not nested under its base")
	}
	if i, j := strings.Index(p.body, a.Subs["base"]), strings.Index(p.body, a.Subs["addon"]); i < 0 || j < i {
		t.Error("add-on is not listed after its base")
	}

	// Ids of another customer are not found, own ones are.
	for path, code := range map[string]int{
		"/my/subscriptions/" + a.Subs["addon"]: http.StatusOK,
		"/my/subscriptions/" + b.Subs["base"]:  http.StatusNotFound,
		"/my/orders/" + a.Orders[0]:            http.StatusOK,
		"/my/orders/" + b.Orders[0]:            http.StatusNotFound,
		"/my/orders":                           http.StatusOK,
		"/customers/" + a.ID.String():          http.StatusForbidden,
	} {
		if got := e.get(c, path); got.StatusCode != code {
			t.Errorf("GET %s: %d, want %d", path, got.StatusCode, code)
		}
	}
	orders := e.get(c, "/my/orders")
	if strings.Count(orders.body, `data-testid="order-row"`) != len(a.Orders) || strings.Contains(orders.body, b.Orders[0]) {
		t.Errorf("order history is not exactly A's orders")
	}
	// The heading names the customer, read with the session; a rename
	// shows on the next page.
	if title := testIDText(orders.body, "orders-title"); !strings.Contains(title, "Alpha") {
		t.Errorf("orders title %q does not name Alpha", title)
	}
	if _, err := e.st.Pool.Exec(t.Context(), `UPDATE customers SET company_name = 'Alpha Renamed' WHERE id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if title := testIDText(e.get(c, "/my/subscriptions").body, "entitlements-title"); !strings.Contains(title, "Alpha Renamed") {
		t.Errorf("after the rename the title is %q", title)
	}
	detail := e.get(c, "/my/subscriptions/"+a.Subs["base"])
	if !hasTestID(detail.body, "subscription-addons") || !strings.Contains(detail.body, a.Subs["addon"]) {
		t.Error("subscription page does not list its add-on")
	}
}

func TestCustomerEntitlementsCSVAndPrint(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, func(d *handlers.Deps) { d.Now = func() time.Time { return now } })
	e.completeSetup()
	a := e.seedTenant("Alpha", now)
	e.seedTenant("=Bravo", now)
	e.createCustomerUser("ann@alpha.example", a.ID)
	c := e.client()
	e.login(c, "ann@alpha.example")

	p := e.get(c, "/my/subscriptions.csv")
	if p.StatusCode != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(p.Header.Get("Content-Disposition"), `attachment; filename="entitlements-2026-11-25.csv"`) {
		t.Fatalf("csv: %d %v", p.StatusCode, p.Header)
	}
	body, bom := strings.CutPrefix(p.body, "\uFEFF")
	if !bom {
		t.Error("the CSV has no UTF-8 BOM (Excel would garble Chinese names)")
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+len(a.Subs) {
		t.Fatalf("%d csv records, want %d", len(recs), 1+len(a.Subs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	byID := map[string][]string{}
	for i, r := range recs[1:] {
		byID[r[0]] = r
		if !strings.HasPrefix(r[col["product"]], "Alpha ") {
			t.Errorf("record %d is not Alpha's: %v", i, r)
		}
	}
	base, addon, old := byID[a.Subs["base"]], byID[a.Subs["addon"]], byID[a.Subs["old"]]
	if base == nil || addon == nil || old == nil {
		t.Fatalf("records missing: %v", byID)
	}
	if base[col["seats_assigned"]] != "7" || base[col["seats_purchased"]] != "10" || base[col["entitled"]] != "true" || base[col["renewal_date"]] != "2027-06-13" {
		t.Errorf("base record %v", base)
	}
	if addon[col["base_subscription_id"]] != a.Subs["base"] {
		t.Errorf("add-on record %v", addon)
	}
	if old[col["entitled"]] != "false" || old[col["reason"]] != rules.ReasonReplaced {
		t.Errorf("replaced record %v", old)
	}

	// A formula-looking name is neutralised in the view of its own customer.
	pr := e.get(c, "/my/subscriptions?print=1")
	if pr.StatusCode != http.StatusOK || hasTestID(pr.body, "nav") || !strings.Contains(pr.body, `media="print"`) ||
		!strings.Contains(pr.body, "/static/css/print.") {
		t.Errorf("print version: %d nav=%t", pr.StatusCode, hasTestID(pr.body, "nav"))
	}
	if full := e.get(c, "/my/subscriptions"); !hasTestID(full.body, "nav") {
		t.Error("normal version has no navigation")
	}
}

func TestCSVFormulaNeutralised(t *testing.T) {
	t.Parallel()
	now := time.Now()
	e := newEnv(t)
	e.completeSetup()
	a := e.seedTenant("=cmd|calc", now)
	e.createCustomerUser("x@evil.example", a.ID)
	c := e.client()
	e.login(c, "x@evil.example")
	p := e.get(c, "/my/subscriptions.csv")
	recs, err := csv.NewReader(strings.NewReader(p.body)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("csv: %v %d", err, len(recs))
	}
	for _, r := range recs[1:] {
		if strings.HasPrefix(r[2], "=") {
			t.Errorf("cell starts with '=': %q", r[2])
		}
	}
}
