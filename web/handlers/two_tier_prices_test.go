package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTwoTierPrices: an indirect provider prices its resellers (a rule
// for reseller A, the default for the rest), reseller A's user prices its
// customers on top of that; each party sees only its own cost, margin and
// rules, and the customer sees its reseller's price.
func TestTwoTierPrices(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "ada@example.com")
	e.completeSetup()
	renews := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	alpha, bravo := e.seedTenant("Alpha", time.Now()), e.seedTenant("Bravo", time.Now())
	e.seedLifecyclePrices(alpha, renews)
	e.seedLifecyclePrices(bravo, renews)
	e.apiResellers(alpha.ID, bravo.ID)
	if _, err := e.st.Pool.Exec(t.Context(), `UPDATE settings SET partner_mode = 'indirect'`); err != nil {
		t.Fatal(err)
	}
	e.settle()
	admin, ann, bob := e.client(), e.client(), e.client()
	e.login(admin, "ada@example.com")
	e.login(ann, "ann@firstup.example")
	e.login(bob, "bob@relecloud.example")
	e.createCustomerUser("cu@alpha.example", alpha.ID)
	cu := e.client()
	e.login(cu, "cu@alpha.example")

	// The provider: 15 % for everyone, 10 % for reseller A.
	for _, f := range []url.Values{{"amount": {"15"}}, {"amount": {"10"}, "reseller": {apiResellerA}}} {
		f.Set("kind", "percent")
		f.Set("rounding", "cents")
		if p := e.post(admin, "/admin/prices/rules", f); p.StatusCode != http.StatusSeeOther {
			t.Fatalf("provider rule %v: %d\n%s", f, p.StatusCode, p.body)
		}
	}
	if p := e.post(admin, "/admin/prices/rules", url.Values{"kind": {"percent"}, "amount": {"5"}, "rounding": {"cents"},
		"reseller": {"not-a-reseller"}}); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-reseller") {
		t.Errorf("a bad reseller: %d", p.StatusCode)
	}
	// Reseller A: 20 % on its cost. B may not name A's customer.
	if p := e.post(ann, "/reseller/prices/rules", url.Values{"kind": {"percent"}, "amount": {"20"}, "rounding": {"cents"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("reseller rule: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.post(bob, "/reseller/prices/rules", url.Values{"customer": {"Alpha"}, "kind": {"percent"}, "amount": {"50"},
		"rounding": {"cents"}}); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-customer") {
		t.Errorf("B names A's customer: %d", p.StatusCode)
	}
	annRule := e.count(`SELECT id FROM markup_rules WHERE by_reseller AND reseller_id = '` + apiResellerA + `'`)
	if n := e.count(`SELECT count(*) FROM markup_rules`); n != 3 {
		t.Fatalf("%d rules stored, want 3", n)
	}
	if n := e.count(`SELECT count(*) FROM audit_log WHERE action = 'prices.markup_saved' AND actor = 'ann@firstup.example'`); n != 1 {
		t.Errorf("%d audit entries by ann", n)
	}
	// B cannot delete A's rule: not found, still there.
	if p := e.post(bob, "/reseller/prices/rules/"+strconv.Itoa(annRule)+"/delete", nil); p.StatusCode != http.StatusNotFound {
		t.Errorf("B deletes A's rule: %d", p.StatusCode)
	}
	if p := e.post(admin, "/admin/prices/rules/"+strconv.Itoa(annRule)+"/delete", nil); p.StatusCode != http.StatusNotFound {
		t.Errorf("the provider deletes A's rule: %d", p.StatusCode)
	}
	if n := e.count(`SELECT count(*) FROM markup_rules WHERE id = $1`, annRule); n != 1 {
		t.Fatal("A's rule was deleted by another party")
	}

	check := func(who string, c *http.Client, path string, want, never []string) {
		t.Helper()
		p := e.get(c, path)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d", who, path, p.StatusCode)
		}
		for _, w := range want {
			if !strings.Contains(p.body, w) {
				t.Errorf("%s %s lacks %q", who, path, w)
			}
		}
		for _, n := range never {
			if strings.Contains(p.body, n) {
				t.Errorf("%s %s shows %q", who, path, n)
			}
		}
	}
	// Alpha's base: Microsoft 8.37, A pays 8.37 + 10 % = 9.21, Alpha pays
	// 9.21 + 20 % = 11.05 (10 seats: 83.70, 92.10, 110.50 a month).
	check("provider", admin, "/admin/prices", []string{"First Up", "+10%", "+15%", "<td>Reseller</td>"}, []string{"+20%"})
	check("provider", admin, "/customers/"+alpha.ID.String(), []string{"€8.37", "€9.21", "€83.70", "€92.10"}, []string{"€11.05", "€110.50"})
	check("reseller A", ann, "/reseller/prices", []string{"+20%", "<td>Default</td>"}, []string{"+10%", "+15%", "Reseller ×", "<td>Reseller</td>"})
	check("reseller A", ann, "/reseller/customers/"+alpha.ID.String(), []string{"€9.21", "€11.05", "€92.10", "€110.50", "€18.40 (16.7 %)"},
		[]string{"8.37", "83.70"})
	check("customer of A", cu, "/my/subscriptions", []string{"€11.05 per licence", "€110.50"}, []string{"8.37", "9.21", "92.10"})
	// Bravo's reseller has no rule of its own: Bravo pays B's cost, the
	// provider's default 15 % (9.63).
	check("reseller B", bob, "/reseller/prices", []string{`data-testid="markup-empty"`}, []string{"+20%", "+10%", "+15%"})
	check("reseller B", bob, "/reseller/customers/"+bravo.ID.String(), []string{"€9.63", "€0.00 (0.0 %)"}, []string{"8.37", "11.05"})
	if p := e.get(bob, "/reseller/customers/"+alpha.ID.String()); p.StatusCode != http.StatusNotFound {
		t.Errorf("B reads A's customer: %d", p.StatusCode)
	}
	// A's user may delete its own rule: Alpha then pays A's cost.
	if p := e.post(ann, "/reseller/prices/rules/"+strconv.Itoa(annRule)+"/delete", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("A deletes its rule: %d", p.StatusCode)
	}
	check("customer of A", cu, "/my/subscriptions", []string{"€9.21 per licence"}, []string{"11.05", "8.37"})
}
