package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/cspportal/portal/attention"
	"github.com/cspportal/portal/mail"
	"github.com/cspportal/portal/web/handlers"
)

// attentionEnv is a portal whose attention service the test can run.
func attentionEnv(t *testing.T) (*env, *attention.Service) {
	t.Helper()
	var att *attention.Service
	e := newEnv(t, func(d *handlers.Deps) {
		m, err := mail.New(mail.Deps{Store: d.Store, Box: d.SecretBox, Logger: d.Logger})
		if err != nil {
			t.Fatal(err)
		}
		if att, err = attention.New(attention.Deps{Store: d.Store, Mail: m, BaseURL: d.BaseURL, Logger: d.Logger}); err != nil {
			t.Fatal(err)
		}
		d.Attention = att
	})
	return e, att
}

func TestDashboardListsWhatNeedsAttentionAndDismisses(t *testing.T) {
	t.Parallel()
	e, att := attentionEnv(t)
	sam := e.createUser("staff", "sam@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "sam@example.com")
	if p := e.get(c, "/"); !hasTestID(p.body, "attention-empty") || hasTestID(p.body, "attention-item") {
		t.Fatal("nothing to do: no empty state")
	}
	ctx := t.Context()
	cust := uuid.New()
	for _, q := range []string{
		`INSERT INTO customers (id, company_name) VALUES ('` + cust.String() + `', 'Contoso')`,
		`INSERT INTO subscriptions (id, customer_id, offer_name, status, quantity, auto_renew_enabled, commitment_end_date)
			VALUES ('s-end', '` + cust.String() + `', 'Teams', 'active', 3, false, now() + interval '12 days'),
			       ('s-roll', '` + cust.String() + `', 'Exchange', 'active', 3, true, now() + interval '5 days')`,
	} {
		if _, err := e.st.Pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := att.Evaluate(ctx); err != nil {
		t.Fatal(err)
	}
	p := e.get(c, "/")
	if strings.Count(p.body, `data-testid="attention-item"`) != 1 {
		t.Fatalf("want one item (the renewing roll-over needs nothing):\n%s", p.body)
	}
	for _, want := range []string{"Subscription ending (auto-renew off)", `href="/customers/` + cust.String() + `">Contoso</a>`,
		`href="/customers/` + cust.String() + `/subscriptions/s-end"`, "auto-renew is off, so it does not renew"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	d, err := e.st.Dashboard(ctx, att.Due(), 10)
	items := d.Attention
	if err != nil || len(items) != 1 {
		t.Fatalf("open: %v %v", items, err)
	}
	path := "/attention/" + itoa(items[0].ID) + "/dismiss"
	if r := e.post(c, path, url.Values{}); r.StatusCode != http.StatusSeeOther || r.location() != "/" {
		t.Fatalf("dismiss: %d %s", r.StatusCode, r.location())
	}
	if p := e.get(c, "/"); !strings.Contains(p.body, "Dismissed. It comes back if its deadline changes.") || hasTestID(p.body, "attention-item") {
		t.Fatal("dismissed item still listed, or no confirmation")
	}
	var n int
	if err := e.st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'attention.dismissed' AND actor_user_id = $1`, sam.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("dismissal audited %d times (%v)", n, err)
	}
	if r := e.post(c, path, url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("dismissing again: %d", r.StatusCode)
	}
	if p := e.get(c, "/"); !strings.Contains(p.body, "already dismissed or resolved") {
		t.Fatal("dismissing twice says nothing")
	}
	if r := e.post(c, "/attention/nope/dismiss", url.Values{}); r.StatusCode != http.StatusNotFound {
		t.Fatalf("bad id: %d", r.StatusCode)
	}
}

func TestAlertRulesValidateAndSave(t *testing.T) {
	t.Parallel()
	e, _ := attentionEnv(t)
	e.createUser("admin", "ada@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "ada@example.com")
	p := e.get(c, "/admin/alerts")
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "alert-rule-renewal_unassigned") || !hasTestID(p.body, "alerts-no-mail") {
		t.Fatalf("alerts page: %d", p.StatusCode)
	}
	if !strings.Contains(p.body, `name="renewal_unassigned.lead" value="30, 7, 1"`) {
		t.Fatal("default lead times not shown")
	}
	form := url.Values{}
	for _, k := range attention.Kinds {
		form.Set(k+".enabled", "on")
		form.Set(k+".staff", "on")
		form.Set(k+".lead", "7")
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("ending.lead", "30, soon")
	bad.Del("suspended.staff")
	bad.Set("sync_failed.emails", "ops@reseller.example, not-an-address")
	r := e.post(c, "/admin/alerts", bad)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad rules: %d", r.StatusCode)
	}
	for _, id := range []string{"error-ending.lead", "error-suspended.emails", "error-sync_failed.emails", "form-error"} {
		if !hasTestID(r.body, id) {
			t.Errorf("no %s next to its field", id)
		}
	}
	if !strings.Contains(r.body, `value="30, soon"`) {
		t.Error("the typed value was not kept")
	}
	form.Set("renewal_unassigned.lead", "1, 30,14, 30")
	form.Set("renewal_unassigned.emails", "Licences@Reseller.example")
	form.Del("drift.enabled")
	if r := e.post(c, "/admin/alerts", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("good rules: %d\n%s", r.StatusCode, r.body)
	}
	rules, err := e.st.AlertRules(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, ru := range rules {
		switch ru.Kind {
		case "renewal_unassigned":
			if len(ru.LeadDays) != 3 || ru.LeadDays[0] != 30 || ru.LeadDays[2] != 1 || len(ru.ToEmails) != 1 || ru.ToEmails[0] != "licences@reseller.example" {
				t.Errorf("renewal rule: %+v", ru)
			}
		case "drift":
			if ru.Enabled {
				t.Error("drift still mailed")
			}
		}
	}
	var audited int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'settings.alerts_updated'`).Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("rules saved with %d audit entries (%v)", audited, err)
	}

	// Opt-outs: by name or domain, one match only.
	for _, q := range []string{`INSERT INTO customers (id, company_name, domain) VALUES (gen_random_uuid(), 'Contoso', 'contoso.example'),
		(gen_random_uuid(), 'Contoso Pharma', 'contosopharma.example'), (gen_random_uuid(), 'Fabrikam', 'fabrikam.example')`} {
		if _, err := e.st.Pool.Exec(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	for q, msg := range map[string]string{"Northwind": "No customer has that name", "contoso ph": "", "Con": "Several customers match", "": "Enter the customer"} {
		r := e.post(c, "/admin/alerts/optouts", url.Values{"customer": {q}, "kind": {"*"}})
		if msg == "" {
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("opt out %q: %d", q, r.StatusCode)
			}
			continue
		}
		if r.StatusCode != http.StatusUnprocessableEntity || !hasTestID(r.body, "error-customer") || !strings.Contains(r.body, msg) {
			t.Errorf("opt out %q: %d, want %q", q, r.StatusCode, msg)
		}
	}
	if r := e.post(c, "/admin/alerts/optouts", url.Values{"customer": {"contoso"}, "kind": {"window_closing"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("exact name among several partial matches: %d", r.StatusCode)
	}
	p = e.get(c, "/admin/alerts")
	if strings.Count(p.body, `data-testid="optout"`) != 2 || !strings.Contains(p.body, "Contoso Pharma</a> · Every event") ||
		!strings.Contains(p.body, "Contoso</a> · Seat reduction window closing") {
		t.Fatalf("opt-outs not listed:\n%s", p.body)
	}
	opts, _ := e.st.AlertOptOuts(t.Context())
	if r := e.post(c, "/admin/alerts/optouts/delete", url.Values{"customer_id": {opts[0].CustomerID.String()}, "kind": {opts[0].Kind}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove opt-out: %d", r.StatusCode)
	}
	if p := e.get(c, "/admin/alerts"); strings.Count(p.body, `data-testid="optout"`) != 1 {
		t.Fatal("opt-out not removed")
	}
}
