package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/auth/oidctest"
	"github.com/cspportal/portal/web/handlers"
)

func TestLoginLogoutAndSessionRenewal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("staff", "sam@example.com")
	e.completeSetup()
	c := e.client()
	if p := e.get(c, "/login"); !hasTestID(p.body, "login-form") {
		t.Fatal("no login form")
	}
	// Wrong password: generic message, no session.
	p := e.post(c, "/login", url.Values{"email": {"sam@example.com"}, "password": {"nope nope nope"}})
	if p.StatusCode != http.StatusUnauthorized || !strings.Contains(p.body, "Email or password is incorrect.") {
		t.Fatalf("wrong password: %d", p.StatusCode)
	}
	// Unknown account: the same answer.
	p2 := e.post(c, "/login", url.Values{"email": {"nobody@example.com"}, "password": {"nope nope nope"}})
	if p2.StatusCode != p.StatusCode || !strings.Contains(p2.body, "Email or password is incorrect.") {
		t.Fatalf("unknown account: %d", p2.StatusCode)
	}
	// The session token changes on every sign-in (no fixation): sign in,
	// then sign in again from the same browser.
	e.login(c, "sam@example.com")
	before := sessionCookie(c, e.ts.URL)
	e.login(c, "sam@example.com")
	after := sessionCookie(c, e.ts.URL)
	if before == nil || after == nil || before.Value == after.Value {
		t.Fatal("session token not renewed on sign-in")
	}
	if p := e.get(c, "/"); !hasTestID(p.body, "dashboard") || !strings.Contains(p.body, "sam") {
		t.Fatal("no dashboard after sign-in")
	}
	// Signing out ends the session for good: the old cookie no longer works.
	old := after.Value
	p = e.post(c, "/logout", nil)
	if p.location() != "/login?signed_out=1" {
		t.Fatalf("logout -> %q", p.location())
	}
	replay := e.client()
	replay.Jar.SetCookies(mustURL(e.ts.URL), []*http.Cookie{{Name: "portal_session", Value: old}})
	if p := e.get(replay, "/"); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session cookie after logout: status %d", p.StatusCode)
	}
	// A disabled user is signed out on the next request.
	c2 := e.client()
	e.login(c2, "sam@example.com")
	if err := e.st.SetUserDisabled(t.Context(), u.ID, true); err != nil {
		t.Fatal(err)
	}
	if p := e.get(c2, "/"); p.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.location(), "/login") {
		t.Fatalf("disabled user: %d -> %q", p.StatusCode, p.location())
	}
	if p := e.post(e.client(), "/login", url.Values{"email": {"sam@example.com"}, "password": {testPassword}}); p.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disabled user login: %d", p.StatusCode)
	}
}

func TestSessionRenewedOnRoleChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.createUser("staff", "sam@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "sam@example.com")
	before := sessionCookie(c, e.ts.URL).Value
	if _, err := e.st.Pool.Exec(t.Context(), "UPDATE users SET role = 'admin' WHERE id = $1", u.ID); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.get(c, "/admin/settings"); p.StatusCode != http.StatusOK {
		t.Fatalf("promoted user on settings: %d", p.StatusCode)
	}
	if after := sessionCookie(c, e.ts.URL).Value; after == before {
		t.Fatal("session token not renewed on privilege change")
	}
}

func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	e := newEnv(t, func(d *handlers.Deps) { d.Now = func() time.Time { return now } })
	e.createUser("staff", "sam@example.com")
	e.completeSetup()
	c := e.client()
	for range 5 {
		e.post(c, "/login", url.Values{"email": {"sam@example.com"}, "password": {"wrong password!"}})
	}
	// Even the right password is refused from this address now, for a
	// minute after the last failure, with a clear message.
	p := e.post(c, "/login", url.Values{"email": {"sam@example.com"}, "password": {testPassword}})
	if p.StatusCode != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many sign-in attempts. Try again in 1 minute.") {
		t.Fatalf("throttled: %d\n%s", p.StatusCode, p.body)
	}
	if p.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	now = now.Add(61 * time.Second)
	e.login(c, "sam@example.com")
}

func TestOIDCSignInThroughRouter(t *testing.T) {
	t.Parallel()
	const tenant = "11111111-2222-4333-8444-555555555555"
	prov := oidctest.New(oidctest.Options{ClientID: "portal-app", ClientSecret: "oidc-client-secret-xyz", MultiTenant: true,
		TenantID: tenant, User: oidctest.User{Subject: "entra-sub-1", Email: "cara@customer.example", Name: "Cara"}})
	defer prov.Close()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	cust := e.createUser("customer", "cara@customer.example")
	e.completeSetup()
	admin := e.client()
	e.login(admin, "admin@example.com")
	p := e.post(admin, "/admin/settings/oidc", url.Values{"oidc_enabled": {"on"}, "oidc_issuer": {prov.Issuer()},
		"oidc_client_id": {"portal-app"}, "oidc_client_secret": {"oidc-client-secret-xyz"}, "oidc_allowed_tenants": {tenant}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("save oidc: %d\n%s", p.StatusCode, p.body)
	}

	signIn := func(c *http.Client) page { return e.oidcSignIn(c, prov, "/my/subscriptions") }

	if p := e.get(e.client(), "/login"); !hasTestID(p.body, "login-oidc") {
		t.Fatal("no OIDC button on the login page")
	}
	c := e.client()
	p = signIn(c)
	if p.StatusCode != http.StatusSeeOther || p.location() != "/my/subscriptions" {
		t.Fatalf("callback: %d -> %q\n%s", p.StatusCode, p.location(), p.body)
	}
	if p := e.get(c, "/my/subscriptions"); p.StatusCode != http.StatusOK || !strings.Contains(p.body, "Cara") && !strings.Contains(p.body, "cara") {
		t.Fatalf("customer page after OIDC: %d", p.StatusCode)
	}
	linked, _ := e.st.UserByID(t.Context(), cust.ID)
	if linked.OidcSubject == nil || *linked.OidcSubject != "entra-sub-1" || *linked.OidcIssuer != prov.TokenIssuer() {
		t.Fatalf("identity not linked: %+v", linked)
	}

	for _, tc := range []struct {
		name    string
		prepare func()
		want    string
	}{
		{"bad state", func() { prov.WrongStateNext("forged-state") }, "state does not match"},
		{"bad nonce", func() { prov.TamperNext(func(c oidctest.Claims) { c["nonce"] = "replayed" }) }, "nonce does not match"},
		{"expired token", func() {
			prov.TamperNext(func(c oidctest.Claims) { c["exp"] = time.Now().Add(-time.Hour).Unix() })
		}, "could not be verified"},
		{"wrong audience", func() { prov.TamperNext(func(c oidctest.Claims) { c["aud"] = "another-app" }) }, "could not be verified"},
		{"other tenant's issuer", func() {
			prov.TamperNext(func(c oidctest.Claims) { c["iss"] = prov.URL + "/99999999-2222-4333-8444-555555555555/v2.0" })
		}, "issuer does not match"},
		{"unknown user", func() {
			prov.TamperNext(func(c oidctest.Claims) { c["sub"] = "stranger"; c["email"] = "stranger@customer.example" })
		}, "no portal account for stranger@customer.example"},
	} {
		c := e.client()
		tc.prepare()
		p := signIn(c)
		if p.StatusCode != http.StatusForbidden || !hasTestID(p.body, "signin-refused") || !strings.Contains(p.body, tc.want) {
			t.Errorf("%s: status %d, want 403 with %q\n%s", tc.name, p.StatusCode, tc.want, p.body)
			continue
		}
		if p := e.get(c, "/my/subscriptions"); p.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: signed in anyway (%d)", tc.name, p.StatusCode)
		}
	}
	// An email the provider does not vouch for does not link an account.
	e.createUser("staff", "sly@customer.example")
	prov.TamperNext(func(c oidctest.Claims) {
		c["sub"] = "sly"
		c["email"] = "sly@customer.example"
		delete(c, "email_verified")
	})
	if p := signIn(e.client()); p.StatusCode != http.StatusForbidden || !strings.Contains(p.body, "did not confirm this email") {
		t.Errorf("unverified email linked: %d", p.StatusCode)
	}
	// A customer's users map to the customer by Entra tenant.
	if _, err := e.st.Pool.Exec(t.Context(), `INSERT INTO customers (id, tenant_id, company_name) VALUES ('6f0a7a3e-0000-4000-8000-0000000000c1', $1, 'Customer Co')`, tenant); err != nil {
		t.Fatal(err)
	}
	// Only once staff enabled the customer's view for its tenant.
	prov.TamperNext(func(c oidctest.Claims) {
		c["sub"] = "dave-sub"
		c["email"] = "dave@customer.example"
		c["name"] = "Dave"
	})
	if p := signIn(e.client()); p.StatusCode != http.StatusForbidden {
		t.Fatalf("tenant sign-in before staff enabled it: %d", p.StatusCode)
	}
	if err := e.st.BindCustomerTenant(t.Context(), tenant, uuid.MustParse("6f0a7a3e-0000-4000-8000-0000000000c1")); err != nil {
		t.Fatal(err)
	}
	prov.TamperNext(func(c oidctest.Claims) {
		c["sub"] = "dave-sub"
		c["email"] = "dave@customer.example"
		c["name"] = "Dave"
	})
	c3 := e.client()
	if p := signIn(c3); p.StatusCode != http.StatusSeeOther || p.location() != "/my/subscriptions" {
		t.Fatalf("tenant-mapped sign-in: %d -> %q\n%s", p.StatusCode, p.location(), p.body)
	}
	dave, err := e.st.UserByEmail(t.Context(), "dave@customer.example")
	if err != nil || dave.Role != "customer" || dave.CustomerID == nil || dave.CustomerID.String() != "6f0a7a3e-0000-4000-8000-0000000000c1" ||
		dave.CustomerVia == nil || *dave.CustomerVia != "tenant" || dave.OidcSubject == nil || *dave.OidcSubject != "dave-sub" {
		t.Fatalf("tenant-mapped user: %+v, %v", dave, err)
	}
	// A callback without a started sign-in is refused.
	if p := e.get(e.client(), "/auth/oidc/callback?state=x&code=y"); p.StatusCode != http.StatusForbidden {
		t.Errorf("unsolicited callback: %d", p.StatusCode)
	}
	if strings.Contains(e.logs.String(), "oidc-client-secret-xyz") {
		t.Error("OIDC secret in the log")
	}
}

// oidcSignIn follows the whole dance: portal -> provider -> callback, and
// returns the callback's answer.
func (e *env) oidcSignIn(c *http.Client, prov *oidctest.Provider, next string) page {
	e.t.Helper()
	p := e.get(c, "/auth/oidc/start?next="+url.QueryEscape(next))
	if p.StatusCode != http.StatusFound || !strings.HasPrefix(p.location(), prov.URL+"/authorize") {
		e.t.Fatalf("start: %d -> %q", p.StatusCode, p.location())
	}
	loc, _ := url.Parse(p.location())
	if loc.Query().Get("code_challenge_method") != "S256" || loc.Query().Get("nonce") == "" || loc.Query().Get("state") == "" {
		e.t.Fatalf("authorize URL lacks PKCE/nonce/state: %s", loc)
	}
	resp, err := c.Get(p.location())
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	cb := resp.Header.Get("Location")
	if !strings.HasPrefix(cb, e.ts.URL+"/auth/oidc/callback?") {
		e.t.Fatalf("provider redirected to %q", cb)
	}
	return e.get(c, strings.TrimPrefix(cb, e.ts.URL))
}

func TestOIDCFromEnvironment(t *testing.T) {
	t.Parallel()
	prov := oidctest.New(oidctest.Options{ClientID: "env-app", ClientSecret: "env-secret-123",
		User: oidctest.User{Subject: "s-9", Email: "sam@example.com", Name: "Sam"}})
	defer prov.Close()
	e := newEnv(t, func(d *handlers.Deps) {
		d.OIDC = handlers.OIDCConfig{Issuer: prov.Issuer(), ClientID: "env-app", ClientSecret: "env-secret-123"}
	})
	e.createUser("admin", "admin@example.com")
	e.createUser("staff", "sam@example.com")
	e.completeSetup()
	if p := e.get(e.client(), "/login"); !hasTestID(p.body, "login-oidc") || !strings.Contains(p.body, "single sign-on") {
		t.Fatal("no OIDC button with the environment's provider")
	}
	c := e.client()
	if p := e.oidcSignIn(c, prov, "/catalog"); p.StatusCode != http.StatusSeeOther || p.location() != "/catalog" {
		t.Fatalf("callback: %d -> %q\n%s", p.StatusCode, p.location(), p.body)
	}
	if p := e.get(c, "/catalog"); p.StatusCode != http.StatusOK {
		t.Fatalf("signed in staff on catalog: %d", p.StatusCode)
	}
	admin := e.client()
	e.login(admin, "admin@example.com")
	if p := e.get(admin, "/admin/settings"); !hasTestID(p.body, "oidc-from-env") || strings.Contains(p.body, "env-secret-123") {
		t.Fatal("settings page does not say OIDC comes from the environment (or shows its secret)")
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
