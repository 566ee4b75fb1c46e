package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// pricePair seeds the lifecycle prices (the partner's cost per unit and
// billing period) of f's subscriptions: the base at 8.37 a month renewing
// at 8.62 (the future sheet), the add-on at 24.00 a year unchanged, both
// renewing on renews. The other subscriptions have no price.
func (e *env) seedLifecyclePrices(f tenantFixture, renews time.Time) {
	e.t.Helper()
	for _, x := range []struct {
		role, cycle, cur, next, source string
	}{
		{"base", "monthly", "8.37", "8.62", "price sheet from January 2027"},
		{"addon", "annual", "24.00", "24.00", "price list"},
	} {
		if _, err := e.st.Pool.Exec(e.t.Context(), `UPDATE subscriptions SET billing_cycle = $2 WHERE id = $1`, f.Subs[x.role], x.cycle); err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.st.Pool.Exec(e.t.Context(), `INSERT INTO subscription_lifecycle (subscription_id, customer_id, status, nce, auto_renew,
			commitment_end_date, term_end, renews_at, next_item_id, next_title, next_quantity, next_term_duration, next_billing_cycle,
			currency, current_unit_price, next_unit_price, price_source)
			VALUES ($1, $2, 'active', true, true, $3, $3, $3, 'offer-' || $4, $4, 10, 'P1Y', $5, 'EUR', $6, $7, $8)`,
			f.Subs[x.role], f.ID, renews, x.role, x.cycle, x.cur, x.next, x.source); err != nil {
			e.t.Fatal(err)
		}
	}
}

// costs are the amounts only staff may see for the fixture above with a
// 15 % markup: unit costs, monthly costs and margins.
var staffOnlyAmounts = []string{"8.37", "8.62", "24.00", "83.70", "€20.00", "103.70", "12.60", "15.60", "margin", "Margin"}

func TestCustomerPageRunRateAndRenewalAtSale(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "ada@example.com")
	e.completeSetup()
	a := e.seedTenant("Contoso", time.Now())
	renews := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	e.seedLifecyclePrices(a, renews)
	admin := e.client()
	e.login(admin, "ada@example.com")
	if p := e.post(admin, "/admin/prices/rules", url.Values{"kind": {"percent"}, "amount": {"15"}, "rounding": {"cents"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("rule: %d", p.StatusCode)
	}
	p := e.get(admin, "/customers/"+a.ID.String())
	if p.StatusCode != http.StatusOK {
		t.Fatalf("customer page: %d", p.StatusCode)
	}
	// base: 10 x 8.37 = 83.70 cost, 10 x 9.63 = 96.30 sale a month;
	// add-on: 10 x 24.00 / 12 = 20.00 cost, 10 x 27.60 / 12 = 23.00 sale.
	for _, want := range []string{"€103.70", "€119.30", "€15.60 (13.1 %)", "€83.70", "€96.30", "€12.60 (13.1 %)",
		"renews at €9.91 per licence, billed monthly on 2027-01-15", "renews at €27.60 per licence, billed annual on 2027-01-15",
		"not in the run rate: no price known", "/customers/" + a.ID.String() + "/prices.csv?cost=1"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("customer page lacks %q", want)
		}
	}
	if strings.Count(p.body, `data-testid="run-rate-total"`) != 1 {
		t.Errorf("one currency, want one total")
	}
	if strings.Count(p.body, `data-testid="subscription-renews-at"`) != 2 || !hasTestID(p.body, "run-rate-after") {
		t.Errorf("want two renewal lines and the run rate after renewals:\n%s", p.body)
	}
	if t.Failed() {
		t.Logf("%s", p.body)
	}
	// a subscription billed in USD has its own total: currencies are never summed
	if _, err := e.st.Pool.Exec(t.Context(), `INSERT INTO subscription_lifecycle (subscription_id, customer_id, status, nce, auto_renew,
		currency, current_unit_price) VALUES ($1, $2, 'active', true, false, 'USD', 5)`, a.Subs["trial"], a.ID); err != nil {
		t.Fatal(err)
	}
	p = e.get(admin, "/customers/"+a.ID.String())
	for _, want := range []string{`data-currency="EUR"`, `data-currency="USD"`, "€119.30", "$50.00", "$57.50"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("two currencies: customer page lacks %q", want)
		}
	}
	if strings.Contains(p.body, "169.30") || strings.Contains(p.body, "176.80") {
		t.Error("EUR and USD summed")
	}
}

func TestCustomerViewShowsSaleNeverCost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "ada@example.com")
	e.completeSetup()
	a := e.seedTenant("Contoso", time.Now())
	e.seedLifecyclePrices(a, time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC))
	if _, err := e.st.Pool.Exec(t.Context(), `INSERT INTO customer_settings (customer_id, show_renewal_prices) VALUES ($1, true)`, a.ID); err != nil {
		t.Fatal(err)
	}
	admin := e.client()
	e.login(admin, "ada@example.com")
	if p := e.post(admin, "/admin/prices/rules", url.Values{"kind": {"percent"}, "amount": {"15"}, "rounding": {"cents"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("rule: %d", p.StatusCode)
	}
	e.createCustomerUser("cu@contoso.example", a.ID)
	c := e.client()
	e.login(c, "cu@contoso.example")
	check := func(who, path string, cl *http.Client, want ...string) {
		t.Helper()
		p := e.get(cl, path)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d", who, path, p.StatusCode)
		}
		for _, cost := range staffOnlyAmounts {
			if strings.Contains(p.body, cost) {
				t.Errorf("%s %s shows the cost %q", who, path, cost)
			}
		}
		for _, w := range want {
			if !strings.Contains(p.body, w) {
				t.Errorf("%s %s lacks %q", who, path, w)
			}
		}
	}
	base := a.Subs["base"]
	check("customer", "/my/subscriptions", c, "€9.63 per licence, billed monthly", "€96.30", "€119.30 a month")
	check("customer", "/my/subscriptions/"+base, c, "€9.63 per licence", "Price from then: €9.91 per licence")
	view := "/customers/" + a.ID.String() + "/view"
	check("staff as customer", view+"/subscriptions", admin, "€119.30 a month")
	check("staff as customer", view+"/subscriptions/"+base, admin, "€9.91")
}

func TestRenewalPriceChangesListed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "ada@example.com")
	e.completeSetup()
	admin := e.client()
	e.login(admin, "ada@example.com")
	if p := e.get(admin, "/renewals/price-changes"); p.StatusCode != http.StatusOK || !hasTestID(p.body, "price-changes-empty") {
		t.Fatalf("empty state: %d\n%s", p.StatusCode, p.body)
	}
	a := e.seedTenant("Contoso", time.Now())
	renews := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	e.seedLifecyclePrices(a, renews)
	if p := e.post(admin, "/admin/prices/rules", url.Values{"kind": {"percent"}, "amount": {"15"}, "rounding": {"cents"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("rule: %d", p.StatusCode)
	}
	p := e.get(admin, "/renewals/price-changes")
	// the base renews at 9.91 instead of 9.63: +0.28 a licence a month, 10
	// licences; the add-on keeps its price and is not listed
	if n := strings.Count(p.body, `data-testid="price-change-row"`); n != 1 {
		t.Fatalf("rows = %d, want 1\n%s", n, p.body)
	}
	for _, want := range []string{"2027-01-15", "€9.63 per licence, billed monthly", "€9.91 per licence, billed monthly", "+€2.80", "+2.9 %",
		"/customers/" + a.ID.String() + "/subscriptions/" + a.Subs["base"]} {
		if !strings.Contains(p.body, want) {
			t.Errorf("price changes lack %q", want)
		}
	}
	if hasTestID(p.body, "price-changes-pager") {
		t.Error("one row has pages")
	}
	// 55 more changes (10.00 -> 11.50 billed annually, later renewals) page at 50
	if _, err := e.st.Pool.Exec(t.Context(), `INSERT INTO subscriptions (id, customer_id, offer_id, offer_name, status, quantity, term_duration, billing_cycle)
		SELECT 'many-' || g, $1, 'offer-many', 'Many ' || g, 'active', 2, 'P1Y', 'annual' FROM generate_series(1, 55) g`, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Pool.Exec(t.Context(), `INSERT INTO subscription_lifecycle (subscription_id, customer_id, status, nce, auto_renew,
		term_end, renews_at, next_item_id, next_quantity, next_term_duration, next_billing_cycle, currency, current_unit_price, next_unit_price)
		SELECT 'many-' || g, $1, 'active', true, true, $2::timestamptz + g * interval '1 day', $2::timestamptz + g * interval '1 day',
		       'offer-many', 2, 'P1Y', 'annual', 'EUR', 10, 11.5 FROM generate_series(1, 55) g`, a.ID, renews); err != nil {
		t.Fatal(err)
	}
	first := e.get(admin, "/renewals/price-changes")
	if n := strings.Count(first.body, `data-testid="price-change-row"`); n != 50 || !hasTestID(first.body, "price-changes-next") {
		t.Fatalf("first page: %d rows, next link %v", n, hasTestID(first.body, "price-changes-next"))
	}
	i := strings.Index(first.body, `data-testid="price-changes-next"`)
	j := strings.LastIndex(first.body[:i], `href="`)
	next := strings.ReplaceAll(first.body[j+6:strings.Index(first.body[j+6:], `"`)+j+6], "&amp;", "&")
	second := e.get(admin, next)
	if n := strings.Count(second.body, `data-testid="price-change-row"`); n != 6 || hasTestID(second.body, "price-changes-next") ||
		!hasTestID(second.body, "price-changes-first") {
		t.Fatalf("second page (%s): %d rows\n%s", next, n, second.body)
	}
	// 11.50 x 1.15 = 13.23 vs 11.50 a year: (13.23 - 11.50) / 12 x 2 seats
	if !strings.Contains(second.body, "Many 55") || strings.Contains(second.body, "Many 49<") || !strings.Contains(second.body, "+€0.29") {
		t.Errorf("second page rows:\n%s", second.body)
	}
	// staff only
	e.createCustomerUser("cu@contoso.example", a.ID)
	c := e.client()
	e.login(c, "cu@contoso.example")
	if p := e.get(c, "/renewals/price-changes"); p.StatusCode != http.StatusForbidden {
		t.Fatalf("customer user: %d", p.StatusCode)
	}
}
