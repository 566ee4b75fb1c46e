package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/web/handlers"
)

// newSandbox serves a Partner Center sandbox and returns it with its URL.
func newSandbox(t *testing.T) (*sandbox.Sandbox, string) {
	t.Helper()
	p := sandboxtest.New(t, sandbox.Options{Seed: 1, NoSeed: true})
	return p.SB, p.URL
}

func TestPCTestConnection(t *testing.T) {
	t.Parallel()
	sb, sbURL := newSandbox(t)
	creds := sb.Credentials()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "admin@example.com")
	form := func(secret string) url.Values {
		return url.Values{"pc_tenant_id": {creds.TenantID}, "pc_client_id": {creds.ClientID}, "pc_client_secret": {secret},
			"pc_api_url": {sbURL}, "pc_token_url": {sbURL + "/{tenant}/oauth2/token"}}
	}

	// Success, as a plain POST (full page) and as htmx (fragment only).
	p := e.post(c, "/admin/settings/pc/test", form(creds.ClientSecret))
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "pc-test-ok") || !hasTestID(p.body, "settings-title") {
		t.Fatalf("test connection: %d\n%s", p.StatusCode, p.body)
	}
	if v := `value="` + creds.TenantID + `"`; !strings.Contains(p.body, v) {
		t.Error("submitted values not kept in the re-rendered form")
	}
	p = e.post(c, "/admin/settings/pc/test", form(creds.ClientSecret), "HX-Request", "true")
	if !hasTestID(p.body, "pc-test-ok") || strings.Contains(p.body, "<html") {
		t.Fatalf("htmx test connection: not a success fragment\n%s", p.body)
	}
	if sb.Calls("token") == 0 || sb.Calls("list-customers") != 2 {
		t.Fatalf("sandbox calls: token %d, customer list %d", sb.Calls("token"), sb.Calls("list-customers"))
	}

	// A wrong secret: PC's exact error code and text, and no secret echoed.
	const wrong = "definitely-wrong-secret-123"
	p = e.post(c, "/admin/settings/pc/test", form(wrong), "HX-Request", "true")
	if !hasTestID(p.body, "pc-test-failed") || !strings.Contains(p.body, "invalid_client") || !strings.Contains(p.body, "AADSTS") {
		t.Fatalf("wrong secret: %s", p.body)
	}
	if strings.Contains(p.body, wrong) || strings.Contains(p.body, creds.ClientSecret) {
		t.Fatal("a secret appears in the test result")
	}

	// PC refusing the read (a 5xx here) shows PC's code.
	sb.FailNext("list-customers", 1, http.StatusServiceUnavailable)
	p = e.post(c, "/admin/settings/pc/test", form(creds.ClientSecret), "HX-Request", "true")
	if !hasTestID(p.body, "pc-test-failed") || !strings.Contains(p.body, "Error 503:") || !strings.Contains(p.body, "temporarily unavailable") {
		t.Fatalf("PC failure: %s", p.body)
	}

	// An empty secret field tests with the stored secret.
	if p := e.post(c, "/admin/settings/pc", form(creds.ClientSecret)); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", p.StatusCode)
	}
	p = e.post(c, "/admin/settings/pc/test", form(""), "HX-Request", "true")
	if !hasTestID(p.body, "pc-test-ok") {
		t.Fatalf("test with stored secret: %s", p.body)
	}
	// Invalid fields are reported instead of calling PC.
	bad := form("")
	bad.Set("pc_tenant_id", "not-a-guid")
	p = e.post(c, "/admin/settings/pc/test", bad, "HX-Request", "true")
	if !hasTestID(p.body, "pc-test-failed") || !strings.Contains(p.body, "GUID") {
		t.Fatalf("invalid fields: %s", p.body)
	}
	if strings.Contains(e.logs.String(), creds.ClientSecret) || strings.Contains(e.logs.String(), wrong) {
		t.Fatal("a secret appears in the log")
	}
}

func TestSetupPCDevDefaults(t *testing.T) {
	t.Parallel()
	sb, sbURL := newSandbox(t)
	creds := sb.Credentials()
	e := newEnv(t, func(d *handlers.Deps) {
		d.Dev = true
		d.PCDefaults = handlers.PCDefaults{TenantID: creds.TenantID, ClientID: creds.ClientID, ClientSecret: creds.ClientSecret,
			APIURL: sbURL, TokenURL: sbURL + "/{tenant}/oauth2/token"}
	})
	c := e.client()
	e.get(c, "/setup?token="+url.QueryEscape(e.setupToken()))
	e.post(c, "/setup/admin", url.Values{"email": {"admin@example.com"}, "display_name": {"Ada"},
		"password": {testPassword}, "password_confirm": {testPassword}})
	p := e.get(c, "/setup")
	if !strings.Contains(p.body, `value="`+creds.TenantID+`"`) || !strings.Contains(p.body, `value="`+sbURL+`"`) {
		t.Fatal("dev mode did not pre-fill the sandbox")
	}
	if strings.Contains(p.body, creds.ClientSecret) {
		t.Fatal("the sandbox secret is rendered")
	}
	if !hasTestID(p.body, "dev-mode") {
		t.Error("no development mode badge")
	}
	// The pre-filled form tests and saves as is (empty secret = the sandbox's).
	vals := url.Values{"pc_tenant_id": {creds.TenantID}, "pc_client_id": {creds.ClientID}, "pc_client_secret": {""},
		"pc_api_url": {sbURL}, "pc_token_url": {sbURL + "/{tenant}/oauth2/token"}}
	if p := e.post(c, "/setup/pc/test", vals); !hasTestID(p.body, "pc-test-ok") || !hasTestID(p.body, "setup-pc") {
		t.Fatalf("dev test connection:\n%s", p.body)
	}
	if p := e.post(c, "/setup/pc", vals); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("dev save: %d\n%s", p.StatusCode, p.body)
	}
	st, _ := e.st.Settings(t.Context())
	if got, _ := e.box.Open(st.PcClientSecretEnc); got != creds.ClientSecret {
		t.Fatal("dev mode did not store the sandbox secret")
	}
}

// "Connect a partner admin account" on the settings page saves the form
// first, exactly as Save does (validation, audit), then continues to the
// sign-in page.
func TestSettingsConnectSavesFormLikeSave(t *testing.T) {
	t.Parallel()
	sb, sbURL := newSandbox(t)
	creds := sb.Credentials()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "admin@example.com")
	form := url.Values{"pc_tenant_id": {"not-a-guid"}, "pc_client_id": {creds.ClientID}, "pc_client_secret": {creds.ClientSecret},
		"pc_api_url": {sbURL}, "pc_token_url": {sbURL + "/{tenant}/oauth2/token"}}
	audits := func() (n int) {
		e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'settings.pc_updated'`).Scan(&n)
		return n
	}
	p := e.post(c, "/admin/settings/pc/connect", form)
	if p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.body, "GUID") {
		t.Fatalf("invalid form: %d, want 422 with the field's message\n%s", p.StatusCode, p.body)
	}
	if st, _ := e.st.Settings(t.Context()); st.PcTenantID != "" || audits() != 0 {
		t.Fatal("an invalid form was saved or audited")
	}
	form.Set("pc_tenant_id", creds.TenantID)
	p = e.post(c, "/admin/settings/pc/connect", form)
	if p.StatusCode >= 400 || !strings.Contains(p.body, "oauth2/v2.0/authorize") {
		t.Fatalf("valid form: %d, want the continue page to the sign-in\n%s", p.StatusCode, p.body)
	}
	if st, _ := e.st.Settings(t.Context()); st.PcTenantID != creds.TenantID || audits() != 1 {
		t.Fatalf("connect did not save (tenant %q) and audit (%d entries) the form", st.PcTenantID, audits())
	}
}

// "Test connection" calls PC (a token and a read) each time: a user gets
// pcTestsPerMinute a minute, then a plain message with Retry-After and no
// call to PC; another user is not affected.
func TestPCTestConnectionRateLimited(t *testing.T) {
	t.Parallel()
	sb, sbURL := newSandbox(t)
	creds := sb.Credentials()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.createUser("admin", "admin2@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "admin@example.com")
	form := url.Values{"pc_tenant_id": {creds.TenantID}, "pc_client_id": {creds.ClientID}, "pc_client_secret": {creds.ClientSecret},
		"pc_api_url": {sbURL}, "pc_token_url": {sbURL + "/{tenant}/oauth2/token"}}
	for i := range 6 {
		if p := e.post(c, "/admin/settings/pc/test", form, "HX-Request", "true"); !hasTestID(p.body, "pc-test-ok") {
			t.Fatalf("test %d of 6 in a minute: %d\n%s", i+1, p.StatusCode, p.body)
		}
	}
	calls := sb.Calls("list-customers")
	p := e.post(c, "/admin/settings/pc/test", form, "HX-Request", "true")
	retry, err := strconv.Atoi(p.Header.Get("Retry-After"))
	if !hasTestID(p.body, "pc-test-limited") || !strings.Contains(p.body, "Too many connection tests") || err != nil || retry < 1 || retry > 60 {
		t.Fatalf("7th test in a minute: %d, Retry-After %q\n%s", p.StatusCode, p.Header.Get("Retry-After"), p.body)
	}
	if !strings.Contains(p.body, "Try again in "+strconv.Itoa(retry)+" seconds") {
		t.Fatalf("the message does not say when to try again (Retry-After %d)\n%s", retry, p.body)
	}
	p = e.post(c, "/admin/settings/pc/test", form)
	if p.StatusCode != http.StatusTooManyRequests || p.Header.Get("Retry-After") == "" || !hasTestID(p.body, "pc-test-limited") ||
		!hasTestID(p.body, "settings-title") {
		t.Fatalf("limited plain POST: %d, Retry-After %q\n%s", p.StatusCode, p.Header.Get("Retry-After"), p.body)
	}
	if got := sb.Calls("list-customers"); got != calls {
		t.Fatalf("PC was called %d more times past the limit", got-calls)
	}
	other := e.client()
	e.login(other, "admin2@example.com")
	if p := e.post(other, "/admin/settings/pc/test", form, "HX-Request", "true"); !hasTestID(p.body, "pc-test-ok") {
		t.Fatalf("another admin is limited too: %d\n%s", p.StatusCode, p.body)
	}
}
