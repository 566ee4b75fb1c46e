package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

var statusRe = func(key string) *regexp.Regexp {
	return regexp.MustCompile(`data-testid="pc-health-` + key + `" data-status="([a-z-]+)"`)
}

func healthStatus(t *testing.T, body, key string) string {
	t.Helper()
	m := statusRe(key).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s row on the health panel:\n%s", key, body)
	}
	return m[1]
}

// signInAtSandbox follows the portal's redirect to the sandbox's sign-in
// page and signs in there; it returns the sandbox's redirect back to the
// portal (path and query).
func signInAtSandbox(t *testing.T, e *pcEnv, authorize, user, password string) string {
	t.Helper()
	u, err := url.Parse(authorize)
	if err != nil || !strings.HasPrefix(authorize, e.sbURL) || !strings.Contains(u.Path, "/oauth2/v2.0/authorize") {
		t.Fatalf("connect redirected to %q, want the sandbox's authorize endpoint", authorize)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" {
		t.Fatalf("authorize request without PKCE or state: %s", authorize)
	}
	sb := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := sb.Get(authorize)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in page: %v %v", err, resp)
	}
	resp.Body.Close()
	form := url.Values{}
	for k, v := range q {
		form[k] = v
	}
	form.Set("username", user)
	form.Set("password", password)
	form.Set("action", "signin")
	resp, err = sb.PostForm(e.sbURL+u.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || back.Path != "/admin/settings/partner-center/callback" {
		t.Fatalf("sign-in answered %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return back.RequestURI()
}

func TestPartnerAdminConsentConnectsAndHealthTurnsGreen(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, true)
	if err := e.st.DisconnectPCUser(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.createUser("admin", "admin@example.com")
	c := e.client()
	e.login(c, "admin@example.com")

	p := e.get(c, "/admin/settings/partner-center/health")
	if p.StatusCode != http.StatusOK || healthStatus(t, p.body, "app-only") != "ok" || healthStatus(t, p.body, "app-user") != "not-connected" ||
		hasTestID(p.body, "pc-health-green") {
		t.Fatalf("health before consent: %d\n%s", p.StatusCode, p.body)
	}
	// No customer synced yet: the license section says so rather than "0 and 0".
	if !hasTestID(p.body, "pc-health-license-none") || hasTestID(p.body, "pc-health-license-readable") {
		t.Errorf("health panel without customers has no empty state:\n%s", p.body)
	}
	if p := e.get(c, "/customers"); !hasTestID(p.body, "customers-empty") || !strings.Contains(p.body, "No customers yet") {
		t.Errorf("customer list without customers has no empty state:\n%s", p.body)
	}
	if p = e.get(c, "/admin/settings"); !hasTestID(p.body, "pc-user-not-connected") || !hasTestID(p.body, "pc-connect-user") {
		t.Fatalf("settings page has no connect button / status:\n%s", p.body)
	}

	// A callback that does not belong to this session is refused.
	if p = e.get(c, "/admin/settings/partner-center/callback?code=x&state=forged"); p.StatusCode != http.StatusBadRequest || !hasTestID(p.body, "pc-consent-failed") {
		t.Fatalf("forged callback: %d", p.StatusCode)
	}
	// Cancelling on the sign-in page says so and stores nothing.
	p = e.get(c, "/admin/settings/partner-center/connect")
	if p.StatusCode != http.StatusFound {
		t.Fatalf("connect: %d", p.StatusCode)
	}
	au, _ := url.Parse(p.location())
	cancelled := "/admin/settings/partner-center/callback?error=access_denied&error_description=AADSTS65004&state=" + url.QueryEscape(au.Query().Get("state"))
	if p = e.get(c, cancelled); !hasTestID(p.body, "pc-consent-failed") || !strings.Contains(p.body, "access_denied") {
		t.Fatalf("cancelled consent:\n%s", p.body)
	}

	// The real flow: connect, sign in at the sandbox, back to the portal.
	p = e.get(c, "/admin/settings/partner-center/connect")
	back := signInAtSandbox(t, e, p.location(), "admin@sandbox.test", "sandbox-admin")
	if p = e.get(c, back); p.StatusCode != http.StatusSeeOther || p.location() != "/admin/settings/partner-center/health" {
		t.Fatalf("callback: %d %q\n%s", p.StatusCode, p.location(), p.body)
	}
	// The code is single-use and the session's state is spent.
	if p2 := e.get(c, back); p2.StatusCode != http.StatusBadRequest {
		t.Fatalf("callback replayed: %d", p2.StatusCode)
	}
	st, _ := e.st.Settings(t.Context())
	if len(st.PcRefreshTokenEnc) == 0 || st.PcUser != "admin@sandbox.test" || !st.PcUserMfa || st.PcConnectedAt == nil {
		t.Fatalf("stored consent: user %q mfa %v token %d bytes", st.PcUser, st.PcUserMfa, len(st.PcRefreshTokenEnc))
	}
	if strings.HasPrefix(string(st.PcRefreshTokenEnc), "sbx-") {
		t.Fatal("refresh token stored in clear")
	}
	p = e.get(c, "/admin/settings/partner-center/health")
	if healthStatus(t, p.body, "app-user") != "ok" || !hasTestID(p.body, "pc-health-green") || !strings.Contains(p.body, "admin@sandbox.test") ||
		!hasTestID(p.body, "pc-health-expires") {
		t.Fatalf("health after consent:\n%s", p.body)
	}
	var n int
	e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'pc.connect'`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d pc.connect audit entries", n)
	}
	// The price sheets need this sign-in: a refresh is queued at once.
	e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = 'prices.refresh'`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d price refreshes queued after consent, want 1", n)
	}

	// Revoked at Entra: the panel says so in plain words, not a raw 401.
	e.sb.RevokeUserTokens("admin@sandbox.test")
	e.sb.RevokeTokens()
	p = e.get(c, "/admin/settings/partner-center/health")
	if healthStatus(t, p.body, "app-user") != "failed" || !strings.Contains(p.body, "expired or was revoked") || strings.Contains(p.body, "401") {
		t.Fatalf("health after revocation:\n%s", p.body)
	}

	// Disconnect asks first, then forgets the token.
	if p = e.get(c, "/admin/settings/partner-center/disconnect"); !hasTestID(p.body, "pc-disconnect-confirm") {
		t.Fatalf("disconnect confirmation:\n%s", p.body)
	}
	if p = e.post(c, "/admin/settings/partner-center/disconnect", url.Values{"confirm": {"yes"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("disconnect: %d", p.StatusCode)
	}
	if st, _ = e.st.Settings(t.Context()); len(st.PcRefreshTokenEnc) != 0 || st.PcUser != "" {
		t.Fatal("disconnect kept the token")
	}
}

// A sign-in without MFA is stored but flagged: PC refuses it for app+user
// operations, and the panel says why.
func TestPartnerAdminWithoutMFAIsFlagged(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, true)
	e.createUser("admin", "admin@example.com")
	c := e.client()
	e.login(c, "admin@example.com")
	p := e.get(c, "/admin/settings/partner-center/connect")
	back := signInAtSandbox(t, e, p.location(), "nomfa@sandbox.test", "sandbox-nomfa")
	e.get(c, back)
	p = e.get(c, "/admin/settings/partner-center/health")
	if s := healthStatus(t, p.body, "app-user"); s == "ok" || hasTestID(p.body, "pc-health-green") || !strings.Contains(p.body, "without</strong> MFA") {
		t.Fatalf("no-MFA consent shown as %s:\n%s", s, p.body)
	}
	if p = e.get(c, "/admin/settings"); !hasTestID(p.body, "pc-user-no-mfa") {
		t.Fatal("settings page does not flag the missing MFA")
	}
}

// Without a partner admin, the agreement step of onboarding (app+user
// only at PC) fails with the portal's message, never PC's raw 401; the
// customer is created, the agreement stays retryable, and after an admin
// connects, the retry records it.
func TestAppOnlyCredentialOnAppUserOperationShowsClearMessage(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, true)
	if err := e.st.DisconnectPCUser(t.Context()); err != nil {
		t.Fatal(err)
	}
	e.createUser("admin", "admin@example.com")
	staff, admin := e.client(), e.client()
	e.login(staff, "staff@example.com")
	e.login(admin, "admin@example.com")

	p := e.post(staff, "/customers/new/create", onboardingForm("noconsentco"))
	if p.StatusCode != http.StatusOK || !strings.Contains(p.body, `data-testid="progress-create-state" data-state="succeeded">done`) ||
		!strings.Contains(p.body, `data-testid="progress-agreement-state" data-state="failed">failed`) || !hasTestID(p.body, "consent-required") {
		t.Fatalf("onboarding without a partner admin: %d\n%s", p.StatusCode, p.body)
	}
	for _, raw := range []string{"401", "Unauthorized", "Access denied"} {
		if strings.Contains(p.body, raw) {
			t.Errorf("the onboarding page shows PC's raw %q", raw)
		}
	}
	if !strings.Contains(p.body, "This needs a partner admin&#39;s sign-in") && !strings.Contains(p.body, "This needs a partner admin's sign-in") {
		t.Errorf("no plain-words message:\n%s", p.body)
	}
	if hasTestID(p.body, "consent-reconnect") {
		t.Error("staff get the admin's reconnect link")
	}
	var id, code string
	e.st.Pool.QueryRow(t.Context(), `SELECT id::text FROM customers WHERE domain = 'noconsentco.onmicrosoft.com'`).Scan(&id)
	e.st.Pool.QueryRow(t.Context(), `SELECT pc_error_code FROM commands WHERE kind = 'accept_agreement'`).Scan(&code)
	if id == "" || code != "consent_required" {
		t.Fatalf("customer %q, agreement command code %q", id, code)
	}
	// The customer page: pending, with the message, a retry, and for an
	// admin the reconnect link.
	if p = e.get(admin, "/customers/"+id); !hasTestID(p.body, "agreement-pending") || !hasTestID(p.body, "consent-required") ||
		!hasTestID(p.body, "consent-reconnect") || !hasTestID(p.body, "agreement-retry") {
		t.Fatalf("customer page:\n%s", p.body)
	}
	// A sync without the partner admin carries on and the sync page says
	// what it skipped.
	e.sync("full")
	if p = e.get(admin, "/sync"); !hasTestID(p.body, "consent-required") || !hasTestID(p.body, "consent-reconnect") {
		t.Fatalf("sync page after a sync without a partner admin:\n%s", p.body)
	}
	// An admin connects a partner admin; the retry then goes through.
	rt, err := e.sb.IssueRefreshToken("admin@sandbox.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.ConnectPCUser(t.Context(), store.PCUserGrant{RefreshTokenEnc: e.box.Seal(rt), User: "admin@sandbox.test", MFA: true, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if p = e.post(staff, "/customers/"+id+"/agreement/retry", nil); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry: %d", p.StatusCode)
	}
	if p = e.get(staff, "/customers/"+id); !hasTestID(p.body, "agreement-accepted") {
		t.Fatalf("agreement after connecting and retrying:\n%s", p.body)
	}
}

// PC shows a new customer only after a while (read-after-create delay):
// the agreement step waits with back-off, shows that it waits, and
// succeeds.
func TestOnboardingSucceedsThroughReadAfterCreateDelay(t *testing.T) {
	t.Parallel()
	e := startPCEnv(t, sandbox.Options{Seed: 3, NoSeed: true, RealTime: true, ReadAfterCreateDelay: 3 * time.Second}, false)
	c := e.client()
	e.login(c, "staff@example.com")
	p := e.post(c, "/customers/new/create", onboardingForm("slowco"))
	if p.StatusCode != http.StatusOK || !strings.Contains(p.body, `data-testid="progress-create-state" data-state="succeeded">done`) ||
		strings.Contains(p.body, `data-testid="progress-agreement-state" data-state="failed">failed`) {
		t.Fatalf("create: %d\n%s", p.StatusCode, p.body)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 45*time.Second)
	defer cancel()
	e.stack.Start()
	var token string
	e.st.Pool.QueryRow(ctx, `SELECT token::text FROM onboardings`).Scan(&token)
	sawWaiting := hasTestID(p.body, "progress-agreement-waiting")
	for {
		p = e.get(c, "/customers/onboarding/"+token+"/status")
		sawWaiting = sawWaiting || hasTestID(p.body, "progress-agreement-waiting")
		if strings.Contains(p.body, `data-testid="progress-agreement-state" data-state="succeeded">done`) {
			break
		}
		if strings.Contains(p.body, `data-testid="progress-agreement-state" data-state="failed">failed`) || ctx.Err() != nil {
			t.Fatalf("agreement did not get through the delay:\n%s", p.body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !sawWaiting {
		t.Error("the progress never said it was waiting for Partner Center")
	}
	var attempts int
	e.st.Pool.QueryRow(t.Context(), `SELECT attempts FROM commands WHERE kind = 'accept_agreement'`).Scan(&attempts)
	if attempts < 2 || e.sb.Calls(sandbox.OpCreateAgreement) < 2 {
		t.Fatalf("agreement attempts %d, PC calls %d: the delay was not exercised", attempts, e.sb.Calls(sandbox.OpCreateAgreement))
	}
}
