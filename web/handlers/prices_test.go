package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestMarkupRuleFormValidatesAndAudits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "ada@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "ada@example.com")
	if p := e.get(c, "/admin/prices"); !hasTestID(p.body, "markup-empty") || !hasTestID(p.body, "prices-no-imports") {
		t.Fatalf("no empty states:\n%s", p.body)
	}
	// a negative margin without the below-cost flag is refused next to the field
	bad := url.Values{"kind": {"percent"}, "amount": {"-5"}, "rounding": {"cents"}}
	if p := e.post(c, "/admin/prices/rules", bad); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-amount") {
		t.Fatalf("bad rule: status %d\n%s", p.StatusCode, p.body)
	}
	if p := e.post(c, "/admin/prices/rules", url.Values{"kind": {"percent"}, "amount": {"abc"}, "rounding": {"cents"}}); !hasTestID(p.body, "error-amount") {
		t.Fatal("not a number: no message")
	}
	if p := e.post(c, "/admin/prices/rules", url.Values{"kind": {"percent"}, "amount": {"15"}, "rounding": {"cents"}, "customer": {"nobody"}}); !hasTestID(p.body, "error-customer") {
		t.Fatal("unknown customer: no message")
	}
	good := url.Values{"kind": {"percent"}, "amount": {"15"}, "rounding": {"cents"}}
	if p := e.post(c, "/admin/prices/rules", good); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("good rule: status %d\n%s", p.StatusCode, p.body)
	}
	// the same scope again replaces it
	good.Set("amount", "20")
	e.post(c, "/admin/prices/rules", good)
	p := e.get(c, "/admin/prices")
	if strings.Count(p.body, `data-testid="markup-rule-markup"`) != 1 || !strings.Contains(p.body, "+20%") {
		t.Fatalf("want one default rule at +20%%:\n%s", p.body)
	}
	var n int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'prices.markup_saved' AND actor = 'ada@example.com'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("audit entries = %d (%v), want 2", n, err)
	}
	var id string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT id::text FROM markup_rules`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if p := e.post(c, "/admin/prices/rules/"+id+"/delete", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", p.StatusCode)
	}
	if p := e.get(c, "/admin/prices"); !hasTestID(p.body, "markup-empty") {
		t.Fatal("rule not deleted")
	}
}

func TestCustomerSeesSalePricesNeverCost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "ada@example.com")
	e.completeSetup()
	a := e.seedTenant("Contoso", time.Now())
	ctx := t.Context()
	// PC's price for the order's lines (the cost): 10.37 a unit, 10 units each
	if _, err := e.st.Pool.Exec(ctx, `UPDATE order_line_items SET unit_price = 10.37 WHERE order_id = $1`, a.Orders[0]); err != nil {
		t.Fatal(err)
	}
	admin := e.client()
	e.login(admin, "ada@example.com")
	if p := e.post(admin, "/admin/prices/rules", url.Values{"kind": {"percent"}, "amount": {"20"}, "rounding": {"x99"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("rule: %d", p.StatusCode)
	}
	e.createCustomerUser("cu@contoso.example", a.ID)
	c := e.client()
	e.login(c, "cu@contoso.example")
	for _, path := range []string{"/my/orders", "/my/orders/" + a.Orders[0]} {
		p := e.get(c, path)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, p.StatusCode)
		}
		// 10.37 + 20% = 12.444 -> 12.99 a unit; eight lines of 10 units
		if strings.Contains(p.body, "10.37") || strings.Contains(p.body, "120.50") || strings.Contains(p.body, "829.60") {
			t.Errorf("%s shows a cost:\n%s", path, p.body)
		}
		if !strings.Contains(p.body, "€1,039.20") {
			t.Errorf("%s: no sale total €1,039.20:\n%s", path, p.body)
		}
	}
	if p := e.get(c, "/my/orders/"+a.Orders[0]); !strings.Contains(p.body, "€12.99") {
		t.Error("no sale unit price on the order's lines")
	}
}
