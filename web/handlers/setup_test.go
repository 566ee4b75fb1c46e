package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// setupToken returns the token from PrepareSetup's link.
func (e *env) setupToken() string {
	e.t.Helper()
	link, err := e.srv.PrepareSetup(e.t.Context())
	if err != nil {
		e.t.Fatal(err)
	}
	if !strings.HasPrefix(link, e.ts.URL+"/setup?token=") {
		e.t.Fatalf("setup link %q", link)
	}
	u, _ := url.Parse(link)
	return u.Query().Get("token")
}

func TestSetupGateAndToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	token := e.setupToken()
	c := e.client()

	// Every page leads to /setup while no admin exists.
	for _, path := range []string{"/", "/login", "/admin/settings", "/customers"} {
		if p := e.get(c, path); p.StatusCode != http.StatusSeeOther || p.location() != "/setup" {
			t.Errorf("GET %s: %d -> %q, want 303 -> /setup", path, p.StatusCode, p.location())
		}
	}
	// /setup asks for the token.
	p := e.get(c, "/setup")
	if !hasTestID(p.body, "setup-token-page") {
		t.Fatalf("GET /setup without token: no token page\n%s", p.body)
	}
	// A wrong token is refused, and does not open step 1.
	p = e.post(c, "/setup/token", url.Values{"token": {"wrong-" + token}})
	if p.StatusCode != http.StatusForbidden || !hasTestID(p.body, "error-token") {
		t.Fatalf("wrong token: status %d", p.StatusCode)
	}
	p = e.post(c, "/setup/admin", url.Values{"email": {"a@example.com"}, "display_name": {"A"},
		"password": {testPassword}, "password_confirm": {testPassword}})
	if hasTestID(p.body, "setup-pc") || p.location() == "/setup" {
		t.Fatal("admin created without the setup token")
	}
	if n, _ := e.st.CountAdmins(t.Context()); n != 0 {
		t.Fatalf("%d admins created without the setup token", n)
	}
	// The token from the link works (via the URL), and is not needed again.
	p = e.get(c, "/setup?token="+url.QueryEscape(token))
	if p.StatusCode != http.StatusSeeOther || p.location() != "/setup" {
		t.Fatalf("token link: %d -> %q", p.StatusCode, p.location())
	}
	if p := e.get(c, "/setup"); !hasTestID(p.body, "setup-admin") {
		t.Fatal("step 1 not shown after the token")
	}
	// Another browser without the token still gets the token page.
	if p := e.get(e.client(), "/setup"); !hasTestID(p.body, "setup-token-page") {
		t.Fatal("second browser reached step 1 without the token")
	}
	// Rotating the token invalidates the old one.
	_ = e.setupToken()
	if p := e.post(e.client(), "/setup/token", url.Values{"token": {token}}); p.StatusCode != http.StatusForbidden {
		t.Fatalf("rotated token: status %d, want 403", p.StatusCode)
	}
	if strings.Contains(e.logs.String(), token) {
		t.Fatal("the setup token appears in the log")
	}
}

func TestSetupWizardValidationAndClose(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	e.get(c, "/setup?token="+url.QueryEscape(e.setupToken()))

	// Step 1 validation: messages next to each field.
	p := e.post(c, "/setup/admin", url.Values{"email": {"not-an-email"}, "display_name": {""},
		"password": {"short"}, "password_confirm": {"other"}})
	if p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid admin: status %d", p.StatusCode)
	}
	for _, f := range []string{"email", "display_name", "password", "password_confirm"} {
		if !hasTestID(p.body, "error-"+f) {
			t.Errorf("no error next to %s", f)
		}
	}
	if strings.Contains(p.body, "short") && strings.Contains(p.body, `value="short"`) {
		t.Error("password echoed back into the form")
	}
	// Creating the admin signs them in and renews the session.
	before := sessionCookie(c, e.ts.URL)
	p = e.post(c, "/setup/admin", url.Values{"email": {"admin@example.com"}, "display_name": {"Ada Admin"},
		"password": {testPassword}, "password_confirm": {testPassword}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("create admin: %d\n%s", p.StatusCode, p.body)
	}
	after := sessionCookie(c, e.ts.URL)
	if before == nil || after == nil || before.Value == after.Value {
		t.Fatal("session token not renewed when the admin was created")
	}
	if p := e.get(c, "/setup"); !hasTestID(p.body, "setup-pc") {
		t.Fatalf("step 2 not shown:\n%s", p.body)
	}
	// Step 2 validation.
	p = e.post(c, "/setup/pc", url.Values{"pc_tenant_id": {"nope"}, "pc_client_id": {""}, "pc_client_secret": {""},
		"pc_api_url": {"ftp://x"}, "pc_token_url": {""}})
	for _, f := range []string{"pc_tenant_id", "pc_client_id", "pc_client_secret", "pc_api_url", "pc_token_url"} {
		if !hasTestID(p.body, "error-"+f) {
			t.Errorf("no error next to %s", f)
		}
	}
	const secret = "pc-secret-value-9f8e7d"
	p = e.post(c, "/setup/pc", url.Values{"pc_tenant_id": {"6e1b3f5a-0000-4000-8000-00000000cafe"},
		"pc_client_id": {"0b1c2d3e-0000-4000-8000-000000000001"}, "pc_client_secret": {secret},
		"pc_api_url": {"https://api.partnercenter.microsoft.com"}, "pc_token_url": {"https://login.microsoftonline.com/{tenant}/oauth2/token"}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("save pc: %d\n%s", p.StatusCode, p.body)
	}
	st, _ := e.st.Settings(t.Context())
	if got, err := e.box.Open(st.PcClientSecretEnc); err != nil || got != secret {
		t.Fatalf("stored secret = %q, %v", got, err)
	}
	// Resumable: a new browser signing in as the admin lands on step 3.
	c2 := e.client()
	e.login(c2, "admin@example.com")
	if p := e.get(c2, "/setup"); !hasTestID(p.body, "setup-oidc") {
		t.Fatal("wizard did not resume at step 3")
	}
	// Step 2 can be revisited: the secret is not rendered, only "stored".
	p = e.get(c2, "/setup?step=2")
	if !hasTestID(p.body, "stored-pc_client_secret") || strings.Contains(p.body, secret) {
		t.Fatal("step 2 revisit: secret rendered or not marked stored")
	}
	// Skip OIDC; defaults with validation.
	if p := e.post(c2, "/setup/oidc", url.Values{"skip": {"1"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("skip oidc: %d", p.StatusCode)
	}
	p = e.post(c2, "/setup/defaults", url.Values{"default_country": {"USA"}, "default_currency": {"US"}, "default_language": {"!"}})
	for _, f := range []string{"default_country", "default_currency", "default_language"} {
		if !hasTestID(p.body, "error-"+f) {
			t.Errorf("no error next to %s", f)
		}
	}
	e.post(c2, "/setup/defaults", url.Values{"default_country": {"de"}, "default_currency": {"eur"}, "default_language": {"de-DE"}})
	if p := e.get(c2, "/setup"); !hasTestID(p.body, "import-placeholder") {
		t.Fatal("import placeholder not shown")
	}
	if p := e.post(c2, "/setup/finish", nil); p.StatusCode != http.StatusSeeOther || p.location() != "/sync" {
		t.Fatalf("finish: %d -> %q", p.StatusCode, p.location())
	}
	var queued int
	if err := e.st.Pool.QueryRow(t.Context(), "SELECT count(*) FROM river_job WHERE kind = 'mirror.sync' AND args->>'trigger' = 'wizard'").Scan(&queued); err != nil {
		t.Fatal(err)
	}
	if queued != 1 {
		t.Fatalf("%d initial import jobs queued, want 1", queued)
	}
	if p := e.get(c2, "/sync"); !hasTestID(p.body, "sync-title") || !hasTestID(p.body, "flash") {
		t.Fatal("no sync page with the flash after finishing")
	}
	st, _ = e.st.Settings(t.Context())
	if st.DefaultCountry != "DE" || st.DefaultCurrency != "EUR" || st.SetupCompletedAt == nil || st.SetupTokenHash != nil {
		t.Fatalf("settings after finish: %+v", st)
	}
	// Closed for good: every wizard route is 404, and no new token is issued.
	for _, path := range []string{"/setup", "/setup?token=x"} {
		if p := e.get(c2, path); p.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s after setup: %d", path, p.StatusCode)
		}
	}
	for _, path := range []string{"/setup/token", "/setup/admin", "/setup/pc", "/setup/oidc", "/setup/defaults", "/setup/finish"} {
		if p := e.post(c2, path, url.Values{"token": {"x"}}); p.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s after setup: %d", path, p.StatusCode)
		}
	}
	if link, err := e.srv.PrepareSetup(t.Context()); err != nil || link != "" {
		t.Fatalf("PrepareSetup after setup = %q, %v", link, err)
	}
	if p := e.get(c2, "/"); !hasTestID(p.body, "dashboard") {
		t.Fatal("no dashboard after setup")
	}
	if strings.Contains(e.logs.String(), secret) || strings.Contains(e.logs.String(), testPassword) {
		t.Fatal("a secret appears in the log")
	}
}
