package pccclient_test

import (
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// noRedirect is an HTTP client that returns redirects instead of following them.
var noRedirect = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// signIn opens authURL (the sandbox's sign-in page), submits the form as a
// browser would and returns the redirect the page answers with (or the
// page itself when it does not redirect).
func signIn(t *testing.T, authURL, user, password, action string) (*url.URL, string) {
	t.Helper()
	resp, err := noRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusFound {
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return loc, ""
	}
	if resp.StatusCode != 200 || !strings.Contains(string(page), "<form") {
		t.Fatalf("sign-in page: %d %s", resp.StatusCode, page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(string(page), "<script") || strings.Contains(string(page), "style=") {
		t.Errorf("sign-in page must work under a strict CSP without inline script or style; CSP %q", csp)
	}
	form := url.Values{"username": {user}, "password": {password}, "action": {action}}
	for _, m := range hiddenRE.FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	u, _ := url.Parse(authURL)
	resp, err = noRedirect.PostForm(u.Scheme+"://"+u.Host+u.Path, form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, string(body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc, ""
}

// consent runs the whole authorization-code flow for user and returns the grant.
func consent(t *testing.T, e *env, user, password string) pccclient.Grant {
	t.Helper()
	verifier, challenge := pccclient.NewPKCE()
	const redirect = "https://portal.example/settings/partner-center/callback"
	loc, page := signIn(t, e.c.AuthorizeURL(pccclient.AuthCodeRequest{RedirectURI: redirect, State: "st-1", CodeChallenge: challenge, LoginHint: user}), user, password, "signin")
	if loc == nil {
		t.Fatalf("sign-in did not redirect: %s", page)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != redirect || loc.Query().Get("state") != "st-1" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect = %s, want %s with code and state", loc, redirect)
	}
	return must(e.c.ExchangeCode(ctxT(t), loc.Query().Get("code"), verifier, redirect))(t)
}

func oauthErr(err error) (string, string) {
	var te *pccclient.TokenError
	if !errors.As(err, &te) {
		return "", ""
	}
	return te.OAuthError, te.Description
}

func TestConsentAuthorizationCodeFlowOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) { c.UserTokens = nil })
	ctx := ctxT(t)

	g := consent(t, e, "admin@sandbox.test", "sandbox-admin")
	if g.User != "admin@sandbox.test" || !g.MFA || g.RefreshToken == "" || !g.AccessExpires.After(e.clock.Now()) {
		t.Fatalf("grant = %+v, want the MFA admin with a refresh token", g)
	}
	// The refresh token works: a client with it stored can accept an MCA.
	store := pccclient.NewMemoryTokenStore(g.RefreshToken)
	c2 := newClient(t, e, store)
	cu := newCustomer(t, e, "consent")
	if _, err := pccclient.Collect(c2.ListAgreements(ctx, cu.ID, "")); err != nil {
		t.Fatalf("ListAgreements with the consented admin: %v", err)
	}
	if store.Token() == g.RefreshToken {
		t.Error("the refresh token did not roll on redeem")
	}

	// Without MFA the consent succeeds but says so.
	if g := consent(t, e, "nomfa@sandbox.test", "sandbox-nomfa"); g.MFA || g.User != "nomfa@sandbox.test" {
		t.Errorf("non-MFA grant = %+v", g)
	}

	// PKCE: the wrong verifier is refused, and the code can then still be
	// redeemed once with the right one, but not twice.
	verifier, challenge := pccclient.NewPKCE()
	const redirect = "http://127.0.0.1:9/callback"
	loc, _ := signIn(t, e.c.AuthorizeURL(pccclient.AuthCodeRequest{RedirectURI: redirect, State: "s2", CodeChallenge: challenge}), "admin@sandbox.test", "sandbox-admin", "signin")
	code := loc.Query().Get("code")
	other, _ := pccclient.NewPKCE()
	_, err := e.c.ExchangeCode(ctx, code, other, redirect)
	if oe, desc := oauthErr(err); oe != "invalid_grant" || !strings.Contains(desc, "AADSTS501481") {
		t.Fatalf("wrong verifier: %v, want invalid_grant AADSTS501481", err)
	}
	if _, err := e.c.ExchangeCode(ctx, code, verifier, "http://127.0.0.1:9/other"); err == nil {
		t.Fatal("a different redirect_uri was accepted")
	}
	must(e.c.ExchangeCode(ctx, code, verifier, redirect))(t)
	_, err = e.c.ExchangeCode(ctx, code, verifier, redirect)
	if oe, desc := oauthErr(err); oe != "invalid_grant" || !strings.Contains(desc, "AADSTS54005") {
		t.Fatalf("reused code: %v, want invalid_grant AADSTS54005", err)
	}

	// Wrong password stays on the page; cancel and missing PKCE go back with an error.
	if loc, page := signIn(t, e.c.AuthorizeURL(pccclient.AuthCodeRequest{RedirectURI: redirect, State: "s3", CodeChallenge: challenge}), "admin@sandbox.test", "wrong", "signin"); loc != nil || !strings.Contains(page, "incorrect") {
		t.Errorf("wrong password: redirect %v", loc)
	}
	loc, _ = signIn(t, e.c.AuthorizeURL(pccclient.AuthCodeRequest{RedirectURI: redirect, State: "s4", CodeChallenge: challenge}), "admin@sandbox.test", "", "cancel")
	if loc == nil || loc.Query().Get("error") != "access_denied" || loc.Query().Get("state") != "s4" || loc.Query().Get("code") != "" {
		t.Errorf("cancel: %v, want error=access_denied with state", loc)
	}
	loc, _ = signIn(t, e.c.AuthorizeURL(pccclient.AuthCodeRequest{RedirectURI: redirect, State: "s5"}), "admin@sandbox.test", "sandbox-admin", "signin")
	if loc == nil || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("code") != "" {
		t.Errorf("no code_challenge: %v, want error=invalid_request", loc)
	}
}

// newClient is a second client on e's sandbox with its own token caches.
func newClient(t *testing.T, e *env, users pccclient.RefreshTokenStore) *pccclient.Client {
	t.Helper()
	cred := e.sb.Credentials()
	c, err := pccclient.New(pccclient.Config{
		PartnerTenantID: cred.TenantID, ClientID: cred.ClientID, ClientSecret: cred.ClientSecret,
		BaseURL: e.url, TokenURL: e.url + "/" + cred.TenantID + "/oauth2/token",
		HTTPClient: http.DefaultClient, Clock: e.clock, RateLimits: unlimited(), UserTokens: users,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// redeem posts a refresh_token grant directly and reports the OAuth error, if any.
func redeem(t *testing.T, e *env, rt string) (string, string) {
	t.Helper()
	cred := e.sb.Credentials()
	resp, err := http.PostForm(e.url+"/"+cred.TenantID+"/oauth2/v2.0/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {cred.ClientID}, "client_secret": {cred.ClientSecret}, "refresh_token": {rt},
		"scope": {sandbox.Resource + "/user_impersonation offline_access"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		RefreshToken string `json:"refresh_token"`
		Error        string `json:"error"`
		Description  string `json:"error_description"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode == 200 {
		return body.RefreshToken, ""
	}
	return "", body.Error + " " + body.Description
}

func TestRollingRefreshTokenTwoClientsOneStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	cu := seededCustomer(t, e)
	initial := e.users.Token()
	// Two clients (two replicas) share one store; both need an app+user
	// token at the same moment.
	a, b := newClient(t, e, e.users), newClient(t, e, e.users)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, c := range []*pccclient.Client{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = pccclient.Collect(c.ListSubscribedSKUs(ctx, cu.ID))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("client %d: %v", i, err)
		}
	}
	stored := e.users.Token()
	if stored == "" || stored == initial {
		t.Fatalf("stored token %q: want a rolled token", stored)
	}
	if _, oe := redeem(t, e, initial); !strings.HasPrefix(oe, "invalid_grant") {
		t.Errorf("the initial token still redeems (%q): it should be spent", oe)
	}
	// Exactly one valid token: the stored one redeems (and rolls again).
	if next, oe := redeem(t, e, stored); next == "" {
		t.Errorf("the stored token does not redeem: %s", oe)
	}
}

func TestRollingWithoutSharedLockGivesClearError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	cu := seededCustomer(t, e)
	// Two stores holding the same token (what a portal without a lock
	// spanning replicas would have): the second redeem finds it spent.
	a := newClient(t, e, pccclient.NewMemoryTokenStore(e.users.Token()))
	b := newClient(t, e, pccclient.NewMemoryTokenStore(e.users.Token()))
	if _, err := pccclient.Collect(a.ListSubscribedSKUs(ctx, cu.ID)); err != nil {
		t.Fatal(err)
	}
	_, err := pccclient.Collect(b.ListSubscribedSKUs(ctx, cu.ID))
	var ce *pccclient.ConsentError
	if !errors.As(err, &ce) || ce.Reason != pccclient.Expired || ce.Op != "list-subscribed-skus" {
		t.Fatalf("second client: %v, want ConsentError Expired", err)
	}
	if oe, desc := oauthErr(err); oe != "invalid_grant" || !strings.Contains(desc, "AADSTS70000") {
		t.Errorf("cause = %q %q, want invalid_grant AADSTS70000", oe, desc)
	}
	if !pccclient.IsConsentRequired(err) || pccclient.ConsentReasonOf(err) != pccclient.Expired {
		t.Error("helpers disagree")
	}
}

func TestSpentOrRevokedRefreshTokenIsConsentExpired(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	cu := seededCustomer(t, e)
	spent := e.users.Token()
	if next, oe := redeem(t, e, spent); next == "" {
		t.Fatal(oe)
	}
	before := e.sb.Calls(sandbox.OpCreateAgreement)
	_, err := e.c.CreateAgreement(ctx, pccclient.NewRequestID(), cu.ID, pccclient.Agreement{
		PrimaryContact: &pccclient.Contact{FirstName: "A", LastName: "B", Email: "a@b.example"}, TemplateID: sandbox.MCATemplateID, DateAgreed: time.Now()})
	var ce *pccclient.ConsentError
	if !errors.As(err, &ce) || ce.Reason != pccclient.Expired || ce.Op != "create-agreement" {
		t.Fatalf("CreateAgreement with a spent refresh token: %v, want ConsentError Expired", err)
	}
	if n := e.sb.Calls(sandbox.OpCreateAgreement) - before; n != 0 {
		t.Errorf("%d calls reached PC without a usable credential", n)
	}
	// The failure is remembered for a while (no token request per call)...
	e.users.Set(must(e.sb.IssueRefreshToken("admin@sandbox.test"))(t))
	tokens := e.sb.Calls(sandbox.OpToken)
	if _, err := pccclient.Collect(e.c.ListAgreements(ctx, cu.ID, "")); pccclient.ConsentReasonOf(err) != pccclient.Expired {
		t.Fatalf("within the failure TTL: %v", err)
	}
	if n := e.sb.Calls(sandbox.OpToken) - tokens; n != 0 {
		t.Errorf("%d token requests for a remembered failure", n)
	}
	// ...until the portal says the admin reconnected, or the TTL passes.
	e.c.ForgetUserToken()
	if _, err := pccclient.Collect(e.c.ListAgreements(ctx, cu.ID, "")); err != nil {
		t.Fatalf("after reconnect: %v", err)
	}

	// Revocation: the cached access token keeps working until it expires
	// (as in Entra), then the redeem is refused.
	e2 := newEnv(t, sandbox.Options{}, nil)
	cu2 := seededCustomer(t, e2)
	if _, err := pccclient.Collect(e2.c.ListAgreements(ctx, cu2.ID, "")); err != nil {
		t.Fatal(err)
	}
	if n := e2.sb.RevokeUserTokens("admin@sandbox.test"); n != 1 {
		t.Fatalf("revoked %d tokens, want 1", n)
	}
	if _, err := pccclient.Collect(e2.c.ListAgreements(ctx, cu2.ID, "")); err != nil {
		t.Fatalf("cached access token after revocation: %v", err)
	}
	e2.sb.Advance(2 * time.Hour) // the sandbox expires the access token; the client's clock has not moved
	_, err = pccclient.Collect(e2.c.ListAgreements(ctx, cu2.ID, ""))
	if oe, desc := oauthErr(err); pccclient.ConsentReasonOf(err) != pccclient.Expired || oe != "invalid_grant" || !strings.Contains(desc, "AADSTS50173") {
		t.Fatalf("after revocation: %v, want ConsentError Expired from AADSTS50173", err)
	}
	// App-only operations are unaffected.
	if _, err := e2.c.GetCustomer(ctx, cu2.ID); err != nil {
		t.Errorf("app-only read after revocation: %v", err)
	}
}

func TestAppOnlyOnAppUserOperationIsConsentNotConnected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		store pccclient.RefreshTokenStore
	}{{"no store", nil}, {"empty store", pccclient.NewMemoryTokenStore("")}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) { c.UserTokens = tc.store })
			ctx := ctxT(t)
			cu := seededCustomer(t, e) // app-only operations work
			_, err := pccclient.Collect(e.c.ListSubscribedSKUs(ctx, cu.ID))
			var ce *pccclient.ConsentError
			if !errors.As(err, &ce) || ce.Reason != pccclient.NotConnected || ce.Op != "list-subscribed-skus" {
				t.Fatalf("ListSubscribedSKUs app-only: %v, want ConsentError NotConnected", err)
			}
			var pe *pccclient.Error
			if !errors.As(err, &pe) || pe.HTTPStatus != 401 || pe.Code != pccclient.CodeAccessDenied || !strings.Contains(pe.Description, "App+User") {
				t.Fatalf("cause = %v, want PC's 401 code 400 naming App+User", err)
			}
			if !strings.Contains(err.Error(), "partner admin") {
				t.Errorf("message %q does not say what is missing", err)
			}
			// PC's verdict, not the client's guess: with the sandbox relaxed
			// the same call succeeds app-only.
			e.sb.SetAllowAppOnlyEverywhere(true)
			if _, err := pccclient.Collect(e.c.ListSubscribedSKUs(ctx, cu.ID)); err != nil {
				t.Errorf("relaxed sandbox: %v", err)
			}
		})
	}
}

func TestNonMFAUserIsConsentMFARequired(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	rt := must(e.sb.IssueRefreshToken("nomfa@sandbox.test"))(t)
	e.users.Set(rt)
	ctx := ctxT(t)
	cu := seededCustomer(t, e)
	_, err := pccclient.Collect(e.c.ListAgreements(ctx, cu.ID, ""))
	var ce *pccclient.ConsentError
	if !errors.As(err, &ce) || ce.Reason != pccclient.MFARequired {
		t.Fatalf("non-MFA admin: %v, want ConsentError MFARequired", err)
	}
	if user, mfa, _, ok := e.c.UserInfo(); !ok || user != "nomfa@sandbox.test" || mfa {
		t.Errorf("UserInfo = %q %v %v", user, mfa, ok)
	}
	if p := e.c.Probe(ctx, pccclient.AppUser); p.OK || p.MFA || pccclient.ConsentReasonOf(p.Err) != pccclient.MFARequired {
		t.Errorf("Probe(AppUser) = %+v, want MFA refusal", p)
	}
}

func TestProbeAndUserInfo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	if _, _, _, ok := e.c.UserInfo(); ok {
		t.Error("UserInfo before any app+user call")
	}
	if p := e.c.Probe(ctx, pccclient.AppOnly); !p.OK || p.Err != nil {
		t.Errorf("Probe(AppOnly) = %+v", p)
	}
	p := e.c.Probe(ctx, pccclient.AppUser)
	if !p.OK || p.User != "admin@sandbox.test" || !p.MFA {
		t.Errorf("Probe(AppUser) = %+v", p)
	}
	if _, _, exp, ok := e.c.UserInfo(); !ok || !exp.After(e.clock.Now()) {
		t.Errorf("UserInfo expiry %v", exp)
	}
	none := newEnv(t, sandbox.Options{}, func(c *pccclient.Config) { c.UserTokens = nil })
	if p := none.c.Probe(ctx, pccclient.AppUser); p.OK || pccclient.ConsentReasonOf(p.Err) != pccclient.NotConnected {
		t.Errorf("Probe(AppUser) without a store = %+v", p)
	}
	if pccclient.RequiredCredential("CreateAgreement") != pccclient.AppUser || pccclient.RequiredCredential("ListSubscribedSkus") != pccclient.AppUser ||
		pccclient.RequiredCredential("list-agreements") != pccclient.AppUser || pccclient.RequiredCredential("ListAgreementMetadata") != pccclient.AppUser || pccclient.RequiredCredential("create-customer") != pccclient.AppOnly {
		t.Error("RequiredCredential table")
	}
	// The client's table and the sandbox's agree.
	sbOps := map[string]bool{}
	for _, op := range sandbox.AppUserOperations() {
		sbOps[op] = true
		if pccclient.RequiredCredential(op) != pccclient.AppUser {
			t.Errorf("sandbox refuses app-only on %s but the client would send app-only", op)
		}
	}
	for _, op := range pccclient.AppUserOperations() {
		if !sbOps[op] {
			t.Errorf("client sends app+user for %s, which the sandbox also accepts app-only", op)
		}
	}
}

func TestReadAfterCreateDelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{ReadAfterCreateDelay: 90 * time.Second}, nil)
	ctx := ctxT(t)
	cu := newCustomer(t, e, "fresh")
	if _, err := e.c.GetCustomer(ctx, cu.ID); !pccclient.IsNotFound(err) || !pccclient.HasCode(err, "60003") {
		t.Fatalf("GetCustomer right after create: %v, want 404 60003", err)
	}
	reqID := pccclient.NewRequestID()
	ag := pccclient.Agreement{PrimaryContact: &pccclient.Contact{FirstName: "A", LastName: "B", Email: "a@b.example"},
		TemplateID: sandbox.MCATemplateID, DateAgreed: e.sb.Now().UTC().Truncate(time.Second)}
	if _, err := e.c.CreateAgreement(ctx, reqID, cu.ID, ag); !pccclient.IsNotFound(err) {
		t.Fatalf("CreateAgreement right after create: %v, want 404", err)
	}
	e.sb.Advance(91 * time.Second)
	if _, err := e.c.GetCustomer(ctx, cu.ID); err != nil {
		t.Fatalf("GetCustomer after the delay: %v", err)
	}
	// The outbox retries with the same MS-RequestId: the 404 was not kept.
	if _, err := e.c.CreateAgreement(ctx, reqID, cu.ID, ag); err != nil {
		t.Fatalf("CreateAgreement retry after the delay: %v", err)
	}
}

func TestRelationshipRemovedAndNoDelegatedAdmin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	all := must(pccclient.Collect(e.c.ListCustomers(ctx, pccclient.ListCustomersOptions{})))(t)
	gone, noDAP := all[0], all[1]
	if err := e.sb.RemoveRelationship(gone.ID); err != nil {
		t.Fatal(err)
	}
	_, err := pccclient.Collect(e.c.ListSubscriptions(ctx, gone.ID))
	if !pccclient.IsNoRelationship(err) || !pccclient.IsForbidden(err) || pccclient.IsConsentRequired(err) {
		t.Fatalf("ListSubscriptions after removal: %v, want 403 20002", err)
	}
	if _, err := e.c.GetCustomer(ctx, gone.ID); !pccclient.IsNoRelationship(err) {
		t.Errorf("GetCustomer after removal: %v", err)
	}
	again := must(pccclient.Collect(e.c.ListCustomers(ctx, pccclient.ListCustomersOptions{})))(t)
	if len(again) != len(all) {
		t.Errorf("customer list has %d customers after removal, want %d (PC keeps listing it)", len(again), len(all))
	}
	if _, err := pccclient.Collect(e.c.ListSubscriptions(ctx, noDAP.ID)); err != nil {
		t.Fatalf("other customer: %v", err)
	}

	if err := e.sb.SetDelegatedAdmin(noDAP.ID, false); err != nil {
		t.Fatal(err)
	}
	_, err = pccclient.Collect(e.c.ListSubscribedSKUs(ctx, noDAP.ID))
	if !pccclient.IsNoDelegatedAdmin(err) || pccclient.IsConsentRequired(err) || pccclient.IsNoRelationship(err) {
		t.Fatalf("ListSubscribedSKUs without delegated admin: %v, want 403 2032", err)
	}
	if _, err := pccclient.Collect(e.c.ListSubscriptions(ctx, noDAP.ID)); err != nil {
		t.Errorf("subscriptions need no delegated admin: %v", err)
	}
	if err := e.sb.SetDelegatedAdmin(noDAP.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := pccclient.Collect(e.c.ListSubscribedSKUs(ctx, noDAP.ID)); err != nil {
		t.Errorf("delegated admin restored: %v", err)
	}
}

func TestUnknownSubscriptionStatusRoundTrips(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	cu := seededCustomer(t, e)
	subs := must(pccclient.Collect(e.c.ListSubscriptions(ctx, cu.ID)))(t)
	if len(subs) < 4 {
		t.Fatalf("seeded customer has %d subscriptions", len(subs))
	}
	statuses := []string{"expired", "disabled", "deleted", "quarantinedByFutureFeature"}
	for i, st := range statuses {
		if err := e.sb.SetSubscriptionStatus(cu.ID, subs[i].ID, st); err != nil {
			t.Fatal(err)
		}
	}
	got := must(pccclient.Collect(e.c.ListSubscriptions(ctx, cu.ID)))(t)
	byID := map[string]pccclient.Subscription{}
	for _, s := range got {
		byID[s.ID] = s
	}
	for i, st := range statuses {
		s := byID[subs[i].ID]
		if string(s.Status) != st {
			t.Errorf("status %q came back as %q", st, s.Status)
		}
		b, err := json.Marshal(s)
		if err != nil || !strings.Contains(string(b), `"status":"`+st+`"`) {
			t.Errorf("re-encoded %q: %s %v", st, b, err)
		}
	}
	unknown := byID[subs[3].ID]
	if unknown.Status.Is(pccclient.SubscriptionActive) {
		t.Error("unknown status compares as active")
	}
	_, err := e.c.SetSubscriptionFriendlyName(ctx, pccclient.NewRequestID(), cu.ID, unknown.ID, "renamed")
	if !pccclient.IsValidation(err) || !pccclient.HasCode(err, "800040") {
		t.Errorf("PATCH of a subscription in an unknown state: %v, want 400 800040", err)
	}
}
