package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/store"
)

// TestResellersPage: the staff list of indirect resellers: empty state,
// MPA status in words, pages of 50; the admin sets the partner mode under
// Defaults.
func TestResellersPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.createUser("staff", "staff@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "staff@example.com")

	p := e.get(c, "/resellers")
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "resellers-empty") || !hasTestID(p.body, "resellers-direct-mode") {
		t.Fatalf("empty list: status %d\n%s", p.StatusCode, p.body)
	}
	if hasTestID(p.body, "nav-resellers") {
		t.Error("a direct-bill partner's menu lists resellers")
	}

	if _, err := e.st.Pool.Exec(t.Context(), `INSERT INTO resellers (tenant_id, name, mpn_id, location, state, mpa_signed, mpa_code, mpa_description)
		SELECT gen_random_uuid(), 'Reseller ' || lpad(i::text, 3, '0'), (4800000 + i)::text, 'US', 'Active',
		       CASE WHEN i = 2 THEN false WHEN i = 3 THEN NULL ELSE true END,
		       CASE WHEN i = 2 THEN '2203' ELSE '' END, CASE WHEN i = 2 THEN 'MPN Id 4800002 has not signed the MPA' ELSE '' END
		FROM generate_series(1, 60) i`); err != nil {
		t.Fatal(err)
	}
	p = e.get(c, "/resellers")
	if n := strings.Count(p.body, `data-testid="reseller-row"`); n != 50 {
		t.Fatalf("first page: %d rows, want 50", n)
	}
	for _, want := range []string{"60 resellers", "Reseller 001", "MPN Id 4800002 has not signed the MPA", "not checked", `href="/resellers?page=2"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("first page lacks %q", want)
		}
	}
	p = e.get(c, "/resellers?page=2")
	if n := strings.Count(p.body, `data-testid="reseller-row"`); n != 10 || !strings.Contains(p.body, "Reseller 060") || strings.Contains(p.body, "Reseller 001") {
		t.Fatalf("second page: %d rows\n%s", n, p.body)
	}

	// The admin switches to indirect provider; a bad value is refused next
	// to the field; the hint reports what the mirror saw.
	a := e.client()
	e.login(a, "admin@example.com")
	if p := e.get(a, "/admin/settings"); !hasTestID(p.body, "partner-mode-hint") || !strings.Contains(p.body, "lists 60 indirect resellers") {
		t.Errorf("settings page has no partner mode hint")
	}
	form := url.Values{"default_country": {"US"}, "default_currency": {"USD"}, "default_language": {"en"}, "partner_mode": {"both"}}
	if p := e.post(a, "/admin/settings/defaults", form); p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-partner_mode") {
		t.Fatalf("bad mode: status %d", p.StatusCode)
	}
	form.Set("partner_mode", "indirect")
	if p := e.post(a, "/admin/settings/defaults", form); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("save mode: status %d\n%s", p.StatusCode, p.body)
	}
	st, err := e.st.Settings(t.Context())
	if err != nil || st.PartnerMode != "indirect" {
		t.Fatalf("partner mode = %q, %v", st.PartnerMode, err)
	}
	// A form without the field keeps the mode.
	form.Del("partner_mode")
	e.post(a, "/admin/settings/defaults", form)
	if st, _ := e.st.Settings(t.Context()); st.PartnerMode != "indirect" {
		t.Fatalf("defaults without a mode reset it to %q", st.PartnerMode)
	}
	if p := e.get(c, "/resellers"); hasTestID(p.body, "resellers-direct-mode") {
		t.Errorf("indirect mode still shows the direct-mode notice")
	}
	// The provider's staff and admins find the resellers in the menu.
	for _, who := range []*http.Client{c, a} {
		if p := e.get(who, "/"); !hasTestID(p.body, "nav-resellers") {
			t.Errorf("an indirect provider's menu lacks the resellers")
		}
	}
	if p := e.get(a, "/admin/settings"); !strings.Contains(p.body, `value="indirect" checked`) {
		t.Errorf("settings do not show the indirect mode chosen")
	}
}

// TestOnboardingForIndirectReseller: in indirect provider mode the wizard
// offers the resellers; the customer is created in Partner Center with the
// reseller's tenant id as associatedPartnerId; a reseller the mirror does
// not list is refused next to the field.
func TestOnboardingForIndirectReseller(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, true)
	const releCloud = "b01b1487-b36e-4e6d-9b5e-0b58974c4b28"
	if _, err := e.st.Pool.Exec(t.Context(), `UPDATE settings SET partner_mode = 'indirect';
		INSERT INTO resellers (tenant_id, name, mpn_id, mpa_signed) VALUES ('`+releCloud+`', 'ReleCloud', '4847433', true),
		('11111111-1111-1111-1111-111111111111', 'Gone Reselling', '1234567', true)`); err != nil {
		t.Fatal(err)
	}
	e.settle()
	c := e.client()
	e.login(c, "staff@example.com")
	p := e.get(c, "/customers/new")
	if !hasTestID(p.body, "field-reseller_tenant_id") || !strings.Contains(p.body, "ReleCloud (partner id 4847433)") {
		t.Fatalf("the wizard offers no reseller:\n%s", p.body)
	}
	p = e.post(c, "/customers/new", with(onboardingForm("x"), "step", "company", "reseller_tenant_id", "not-a-guid"))
	if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-reseller_tenant_id") {
		t.Fatalf("bad reseller id: %d", p.StatusCode)
	}
	if _, err := e.st.Pool.Exec(t.Context(), `UPDATE resellers SET gone_at = now() WHERE name = 'Gone Reselling'`); err != nil {
		t.Fatal(err)
	}
	p = e.post(c, "/customers/new/create", with(onboardingForm("gonecust"), "reseller_tenant_id", "11111111-1111-1111-1111-111111111111"))
	if p.StatusCode != http.StatusUnprocessableEntity || !hasTestID(p.body, "error-reseller_tenant_id") {
		t.Fatalf("gone reseller: %d\n%s", p.StatusCode, p.body)
	}
	p = e.post(c, "/customers/new/create", with(onboardingForm("relecust"), "reseller_tenant_id", releCloud))
	if p.StatusCode != http.StatusOK || !passwordRe.MatchString(p.body) {
		t.Fatalf("create for ReleCloud: %d\n%s", p.StatusCode, p.body)
	}
	pc, err := e.stack.PC.Client(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for cu, err := range pc.ListResellerCustomers(t.Context(), releCloud) {
		if err != nil {
			t.Fatal(err)
		}
		found = found || cu.CompanyProfile.Domain == "relecust.onmicrosoft.com"
	}
	if !found {
		t.Fatal("Partner Center does not list the new customer among ReleCloud's")
	}
}

// TestResellerUserSeesOnlyItsCustomers: reseller A's user lists and opens
// A's customers; B's customer and the provider's own are not found, and
// the staff pages are forbidden.
func TestResellerUserSeesOnlyItsCustomers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.completeSetup()
	now := time.Now()
	fa, fb, own := e.seedTenant("Alpha", now), e.seedTenant("Bravo", now), e.seedTenant("Own", now)
	const resA, resB = "484e548c-f5f3-4528-93a9-c16c6373cb59", "b01b1487-b36e-4e6d-9b5e-0b58974c4b28"
	for _, q := range []string{`INSERT INTO resellers (tenant_id, name, mpn_id) VALUES ('` + resA + `', 'First Up', '4847383'), ('` + resB + `', 'ReleCloud', '4847433')`,
		`UPDATE customers SET associated_partner_id = '` + resA + `' WHERE id = '` + fa.ID.String() + `'`,
		`UPDATE customers SET associated_partner_id = '` + resB + `' WHERE id = '` + fb.ID.String() + `'`} {
		if _, err := e.st.Pool.Exec(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	for email, res := range map[string]string{"ann@firstup.example": resA, "bob@relecloud.example": resB} {
		id := uuid.MustParse(res)
		if _, err := e.st.CreateUser(t.Context(), store.NewUser{Email: email, Role: store.RoleReseller, ResellerID: &id, PasswordHash: testHash()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.st.CreateUser(t.Context(), store.NewUser{Email: "nobody@example.com", Role: store.RoleReseller, PasswordHash: testHash()}); err == nil {
		t.Fatal("a reseller user without a reseller was created")
	}
	a := e.client()
	e.login(a, "ann@firstup.example")
	if p := e.get(a, "/"); p.StatusCode != http.StatusSeeOther || p.location() != "/reseller/customers" {
		t.Fatalf("home: %d %q", p.StatusCode, p.location())
	}
	p := e.get(a, "/reseller/customers")
	if p.StatusCode != http.StatusOK || strings.Count(p.body, `data-testid="reseller-customer-row"`) != 1 || !strings.Contains(p.body, "Alpha") ||
		strings.Contains(p.body, "Bravo") || strings.Contains(p.body, "Own") {
		t.Fatalf("A's list: %d\n%s", p.StatusCode, p.body)
	}
	if p := e.get(a, "/reseller/customers/"+fa.ID.String()); p.StatusCode != http.StatusOK || !strings.Contains(p.body, "Alpha") ||
		!hasTestID(p.body, "reseller-subscription-row") {
		t.Fatalf("A's customer: %d\n%s", p.StatusCode, p.body)
	}
	for _, id := range []uuid.UUID{fb.ID, own.ID, uuid.New()} {
		if p := e.get(a, "/reseller/customers/"+id.String()); p.StatusCode != http.StatusNotFound || strings.Contains(p.body, "Bravo") {
			t.Errorf("A's user opening %s: %d, want 404", id, p.StatusCode)
		}
	}
	for _, path := range []string{"/customers", "/customers/" + fa.ID.String(), "/resellers", "/catalog", "/my/subscriptions"} {
		if p := e.get(a, path); p.StatusCode != http.StatusForbidden {
			t.Errorf("A's user on %s: %d, want 403", path, p.StatusCode)
		}
	}
	b := e.client()
	e.login(b, "bob@relecloud.example")
	if p := e.get(b, "/reseller/customers"); !strings.Contains(p.body, "Bravo") || strings.Contains(p.body, "Alpha") {
		t.Errorf("B's list:\n%s", p.body)
	}
	if p := e.get(b, "/reseller/customers/"+fa.ID.String()); p.StatusCode != http.StatusNotFound {
		t.Errorf("B's user opening A's customer: %d, want 404", p.StatusCode)
	}
}
