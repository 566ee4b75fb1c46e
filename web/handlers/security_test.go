package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/web/handlers"
)

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, path := range []string{"/setup", "/healthz", "/nope"} {
		p := e.get(e.client(), path)
		csp := p.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows unsafe-inline", path)
		}
		if p.Header.Get("X-Content-Type-Options") != "nosniff" || p.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: nosniff/referrer policy missing", path)
		}
		if len(p.Header.Get("X-Request-Id")) != 16 {
			t.Errorf("%s: X-Request-Id %q", path, p.Header.Get("X-Request-Id"))
		}
	}
	// No inline script or style anywhere in the rendered pages.
	p := e.get(e.client(), "/setup")
	for _, bad := range []string{"<script>", "style=", "<style", "onclick=", "onsubmit=", "javascript:"} {
		if strings.Contains(p.body, bad) {
			t.Errorf("page contains inline %q", bad)
		}
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "admin@example.com")
	form := url.Values{"default_country": {"FR"}, "default_currency": {"EUR"}, "default_language": {"fr"}}
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Origin", "https://evil.example.com"},
	} {
		p := e.post(c, "/admin/settings/defaults", form, h...)
		if p.StatusCode != http.StatusForbidden {
			t.Errorf("POST with %s: %s: status %d, want 403", h[0], h[1], p.StatusCode)
		}
	}
	// The login form too (login CSRF).
	if p := e.post(e.client(), "/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}},
		"Sec-Fetch-Site", "cross-site"); p.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site login: %d", p.StatusCode)
	}
	st, _ := e.st.Settings(t.Context())
	if st.DefaultCountry == "FR" {
		t.Fatal("a cross-origin POST changed the settings")
	}
	// Same-origin requests pass.
	p := e.post(c, "/admin/settings/defaults", form, "Sec-Fetch-Site", "same-origin", "Origin", e.ts.URL)
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin POST: %d", p.StatusCode)
	}
	// Cross-site GETs (links) are fine.
	req, _ := http.NewRequest(http.MethodGet, e.ts.URL+"/", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if p := e.do(c, req); p.StatusCode != http.StatusOK {
		t.Fatalf("cross-site GET: %d", p.StatusCode)
	}
}

func TestCookieFlags(t *testing.T) {
	t.Parallel()
	for _, secure := range []bool{false, true} {
		e := newEnv(t, func(d *handlers.Deps) { d.SecureCookies = secure })
		e.createUser("admin", "admin@example.com")
		p := e.post(e.client(), "/login", url.Values{"email": {"admin@example.com"}, "password": {testPassword}})
		var ck *http.Cookie
		for _, c := range p.Cookies() {
			if c.Name == "portal_session" {
				ck = c
			}
		}
		if ck == nil {
			t.Fatal("no session cookie set on login")
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != secure || ck.Path != "/" {
			t.Errorf("secure=%t: cookie HttpOnly=%t SameSite=%v Secure=%t Path=%q", secure, ck.HttpOnly, ck.SameSite, ck.Secure, ck.Path)
		}
		// The cookie lives no longer than the idle timeout (30 min): scs
		// moves it forward on activity, up to the 12 h absolute lifetime.
		if left := time.Until(ck.Expires); left <= 25*time.Minute || left > 31*time.Minute {
			t.Errorf("cookie expires in %v, want about 30 minutes", left)
		}
		if secure && p.Header.Get("Strict-Transport-Security") == "" {
			t.Error("no HSTS behind https")
		}
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	big := url.Values{"email": {"admin@example.com"}, "password": {strings.Repeat("x", 2<<20)}}
	p := e.post(e.client(), "/login", big)
	if p.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB body: status %d, want 413", p.StatusCode)
	}
}

func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "admin@example.com")
	const pcSecret, oidcSecret = "PC-s3cret-a1b2c3d4e5", "OIDC-s3cret-f6e5d4c3"
	bodies := []string{}
	p := e.post(c, "/admin/settings/pc", url.Values{"pc_tenant_id": {"6e1b3f5a-0000-4000-8000-00000000cafe"},
		"pc_client_id": {"0b1c2d3e-0000-4000-8000-000000000001"}, "pc_client_secret": {pcSecret},
		"pc_api_url": {"https://api.partnercenter.microsoft.com"}, "pc_token_url": {"https://login.microsoftonline.com/{tenant}/oauth2/token"}})
	bodies = append(bodies, p.body)
	// An invalid submission re-renders the form: the secret must not come back.
	p = e.post(c, "/admin/settings/oidc", url.Values{"oidc_enabled": {"on"}, "oidc_issuer": {"bad"}, "oidc_client_id": {"x"}, "oidc_client_secret": {oidcSecret}})
	if p.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid oidc: %d", p.StatusCode)
	}
	bodies = append(bodies, p.body)
	p = e.post(c, "/admin/settings/oidc", url.Values{"oidc_enabled": {"on"}, "oidc_issuer": {"https://login.microsoftonline.com/organizations/v2.0"},
		"oidc_client_id": {"portal"}, "oidc_client_secret": {oidcSecret}})
	bodies = append(bodies, p.body)
	// A bad password attempt re-renders the login form.
	p = e.post(e.client(), "/login", url.Values{"email": {"admin@example.com"}, "password": {"wrong " + testPassword}})
	bodies = append(bodies, p.body)
	p = e.get(c, "/admin/settings")
	bodies = append(bodies, p.body)
	if !hasTestID(p.body, "stored-pc_client_secret") || !hasTestID(p.body, "stored-oidc_client_secret") {
		t.Fatal("settings page does not say the secrets are stored")
	}
	// Saving with an empty secret field keeps the stored secret.
	e.post(c, "/admin/settings/pc", url.Values{"pc_tenant_id": {"6e1b3f5a-0000-4000-8000-00000000cafe"},
		"pc_client_id": {"0b1c2d3e-0000-4000-8000-000000000002"}, "pc_client_secret": {""},
		"pc_api_url": {"https://api.partnercenter.microsoft.com"}, "pc_token_url": {"https://login.microsoftonline.com/{tenant}/oauth2/token"}})
	st, _ := e.st.Settings(t.Context())
	if got, _ := e.box.Open(st.PcClientSecretEnc); got != pcSecret || st.PcClientID != "0b1c2d3e-0000-4000-8000-000000000002" {
		t.Fatalf("after save with empty secret: secret kept=%t client=%s", got == pcSecret, st.PcClientID)
	}
	// Audit entries hold no secrets either.
	var audit string
	if err := e.st.Pool.QueryRow(t.Context(), "SELECT coalesce(string_agg(after::text, ' '), '') FROM audit_log").Scan(&audit); err != nil {
		t.Fatal(err)
	}
	bodies = append(bodies, audit, e.logs.String())
	for i, b := range bodies {
		for _, sec := range []string{pcSecret, oidcSecret, testPassword} {
			if strings.Contains(b, sec) {
				t.Errorf("output %d contains a secret (%s...)", i, sec[:4])
			}
		}
	}
	if !strings.Contains(audit, "secret_changed") {
		t.Fatal("audit log not written")
	}
}
