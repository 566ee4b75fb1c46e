package sandbox_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// signInEnv is an OIDC client (the portal's own, go-oidc underneath) for
// the sandbox's Entra sign-in at authority.
type signInEnv struct {
	*tenv
	oidc   *auth.OIDC
	client *http.Client
}

func newSignInEnv(t *testing.T, e *tenv, authority string) *signInEnv {
	t.Helper()
	c := e.sb.Credentials()
	o, err := auth.NewOIDC(context.Background(), auth.OIDCConfig{Issuer: e.srv.URL + "/" + authority + "/v2.0",
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: "http://127.0.0.1:1/auth/oidc/callback", Now: e.sb.Now})
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &signInEnv{tenv: e, oidc: o,
		client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn runs the authorization-code flow as a browser would: open the
// sign-in page, post the account, follow the redirect back with the code.
// It returns the verified identity, or the page's text when the sandbox
// kept the browser on its page.
func (s *signInEnv) signIn(t *testing.T, upn, password string) (auth.Identity, string, error) {
	t.Helper()
	start, pending := s.oidc.Begin("/")
	resp, err := s.client.Get(start)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), `name="password"`) {
		t.Fatalf("sign-in page: %d %s", resp.StatusCode, page)
	}
	u, _ := url.Parse(start)
	form := u.Query()
	form.Set("username", upn)
	form.Set("password", password)
	form.Set("action", "signin")
	resp, err = s.client.PostForm(s.srv.URL+u.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return auth.Identity{}, string(body), nil
	}
	back, _ := url.Parse(resp.Header.Get("Location"))
	q := back.Query()
	if e := q.Get("error"); e != "" {
		return auth.Identity{}, e + ": " + q.Get("error_description"), nil
	}
	id, err := s.oidc.Finish(context.Background(), pending, q.Get("state"), q.Get("code"))
	return id, "", err
}

func TestEntraSignInForCustomerTenants(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	tenants := map[string]string{} // domain → tenant id
	for _, it := range e.do("GET", "/v1/customers?size=500", nil).items() {
		tenants[dig(it, "companyProfile.domain").(string)] = dig(it, "companyProfile.tenantId").(string)
	}
	fabrikam := tenants["fabrikamsbx.onmicrosoft.com"]
	if fabrikam == "" {
		t.Fatalf("no seeded Fabrikam among %v", tenants)
	}
	s := newSignInEnv(t, e, "organizations")

	// A seeded customer's admin: the ID token (verified by go-oidc against
	// the published keys) names the customer's tenant.
	id, refused, err := s.signIn(t, "admin@fabrikamsbx.onmicrosoft.com", sandbox.CustomerAdminPassword)
	if err != nil || refused != "" {
		t.Fatalf("customer admin sign-in: %v %s", err, refused)
	}
	if id.TenantID != fabrikam || id.Email != "admin@fabrikamsbx.onmicrosoft.com" || !id.EmailVerified || id.Subject == "" ||
		id.Issuer != e.srv.URL+"/"+fabrikam+"/v2.0" {
		t.Errorf("identity = %+v, want Fabrikam's tenant %s", id, fabrikam)
	}
	// The same user signs in as the same subject; a partner user is in
	// the partner's tenant.
	again, _, err := s.signIn(t, "ADMIN@fabrikamsbx.onmicrosoft.com", sandbox.CustomerAdminPassword)
	if err != nil || again.Subject != id.Subject {
		t.Errorf("second sign-in: %+v %v, want subject %s", again, err, id.Subject)
	}
	partner, _, err := s.signIn(t, "admin@sandbox.test", "sandbox-admin")
	if err != nil || partner.TenantID != e.sb.Credentials().TenantID {
		t.Errorf("partner user: %+v %v", partner, err)
	}

	// A customer the API created signs in with the one-time password PC
	// returned, not the demo one.
	r := e.do("POST", "/v1/customers", map[string]any{
		"companyProfile": map[string]any{"domain": "newco.onmicrosoft.com"},
		"billingProfile": map[string]any{"email": "a@newco.example", "culture": "en-US", "language": "en", "companyName": "NewCo",
			"defaultAddress": map[string]any{"country": "US", "city": "Redmond", "addressLine1": "1 Way", "postalCode": "98052", "state": "WA"}},
	})
	want(t, r, 201, "")
	otp := r.str("userCredentials.password")
	if _, refused, _ := s.signIn(t, "admin@newco.onmicrosoft.com", sandbox.CustomerAdminPassword); !strings.Contains(refused, "incorrect") {
		t.Errorf("new customer with the demo password: %q, want refused", refused)
	}
	if id, refused, err := s.signIn(t, "admin@newco.onmicrosoft.com", otp); err != nil || id.TenantID != r.str("id") {
		t.Errorf("new customer with its one-time password: %+v %q %v", id, refused, err)
	}

	for _, c := range []struct{ upn, password string }{
		{"admin@fabrikamsbx.onmicrosoft.com", "wrong"},
		{"someone@fabrikamsbx.onmicrosoft.com", sandbox.CustomerAdminPassword},
		{"admin@nowhere.onmicrosoft.com", sandbox.CustomerAdminPassword},
	} {
		if _, refused, err := s.signIn(t, c.upn, c.password); err != nil || !strings.Contains(refused, "Your account or password is incorrect") {
			t.Errorf("%s/%s: %q %v, want the page's refusal", c.upn, c.password, refused, err)
		}
	}

	// A tenant's own authority signs in only its users.
	own := newSignInEnv(t, e, fabrikam)
	if id, _, err := own.signIn(t, "admin@fabrikamsbx.onmicrosoft.com", sandbox.CustomerAdminPassword); err != nil || id.TenantID != fabrikam {
		t.Errorf("own authority: %+v %v", id, err)
	}
	if _, refused, _ := own.signIn(t, "admin@sandbox.test", "sandbox-admin"); !strings.Contains(refused, "AADSTS50020") {
		t.Errorf("partner user on Fabrikam's authority: %q, want AADSTS50020", refused)
	}
}

func TestEntraSignInRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	s := newSignInEnv(t, e, "organizations")

	// A code is good once, and only with its PKCE verifier.
	start, pending := s.oidc.Begin("/")
	u, _ := url.Parse(start)
	form := u.Query()
	form.Set("username", "admin@contososbx.onmicrosoft.com")
	form.Set("password", sandbox.CustomerAdminPassword)
	form.Set("action", "signin")
	resp, err := s.client.PostForm(e.srv.URL+u.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	code, state := back.Query().Get("code"), back.Query().Get("state")
	if code == "" {
		t.Fatalf("no code: %s", back)
	}
	forged := pending
	forged.Verifier = "not-the-verifier-not-the-verifier-not-the-verifier"
	if _, err := s.oidc.Finish(context.Background(), forged, state, code); err == nil || !strings.Contains(err.Error(), "AADSTS501481") {
		t.Errorf("wrong verifier: %v, want AADSTS501481", err)
	}
	if _, err := s.oidc.Finish(context.Background(), pending, state, code); err != nil {
		t.Errorf("code with its verifier: %v", err)
	}
	if _, err := s.oidc.Finish(context.Background(), pending, state, code); err == nil || !strings.Contains(err.Error(), "AADSTS54005") {
		t.Errorf("code redeemed twice: %v, want AADSTS54005 (already redeemed)", err)
	}
	// The nonce is echoed: a pending sign-in with another nonce refuses
	// the token.
	start, pending = s.oidc.Begin("/")
	u, _ = url.Parse(start)
	form = u.Query()
	form.Set("username", "admin@contososbx.onmicrosoft.com")
	form.Set("password", sandbox.CustomerAdminPassword)
	form.Set("action", "signin")
	resp, err = s.client.PostForm(e.srv.URL+u.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, _ = url.Parse(resp.Header.Get("Location"))
	pending.Nonce = "another"
	if _, err := s.oidc.Finish(context.Background(), pending, back.Query().Get("state"), back.Query().Get("code")); !errors.Is(err, auth.ErrOIDCNonce) {
		t.Errorf("other nonce: %v, want ErrOIDCNonce", err)
	}

	// Without a nonce Entra refuses the request; unknown tenants have no
	// discovery.
	q := u.Query()
	q.Del("nonce")
	resp, err = s.client.Get(e.srv.URL + u.Path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, _ := url.Parse(resp.Header.Get("Location")); resp.StatusCode != 302 || loc.Query().Get("error") != "invalid_request" {
		t.Errorf("no nonce: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = http.Get(e.srv.URL + "/00000000-0000-0000-0000-000000000bad/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("discovery of an unknown tenant: %d, want 400", resp.StatusCode)
	}
	// A partner admin's consent still goes through the consent page, not
	// the sign-in: its page asks to accept.
	consent := url.Values{"client_id": {e.sb.Credentials().ClientID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:1/cb"},
		"scope": {sandbox.Resource + "/user_impersonation offline_access openid profile"}, "state": {"x"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	resp, err = http.Get(e.srv.URL + "/" + e.sb.Credentials().TenantID + "/oauth2/v2.0/authorize?" + consent.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Sign in and accept") || strings.Contains(string(page), "contososbx") {
		t.Errorf("consent page changed: %s", page)
	}
}
