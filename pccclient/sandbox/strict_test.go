package sandbox_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// admin posts to a /_sandbox endpoint and returns the decoded body.
func (e *tenv) admin(path, body string) (int, map[string]any) {
	e.t.Helper()
	resp, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// redeem posts a refresh_token grant; it returns the new refresh and
// access tokens or the OAuth error and description.
func (e *tenv) redeem(rt string) (next, access, oauthErr string) {
	e.t.Helper()
	c := e.sb.Credentials()
	resp, err := http.PostForm(e.srv.URL+"/"+c.TenantID+"/oauth2/v2.0/token", url.Values{"grant_type": {"refresh_token"},
		"client_id": {c.ClientID}, "client_secret": {c.ClientSecret}, "refresh_token": {rt}, "scope": {sandbox.Resource + "/user_impersonation offline_access"}})
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b struct {
		AccessToken, RefreshToken, Error string
		Desc                             string `json:"error_description"`
		Codes                            []int  `json:"error_codes"`
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &b)
	var t2 struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	_ = json.Unmarshal(raw, &t2)
	if resp.StatusCode == 200 {
		return t2.RefreshToken, t2.AccessToken, ""
	}
	return "", "", b.Error + " " + b.Desc
}

func claims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not JWT-shaped", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTokensCarryIdentityClaims(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	c := e.sb.Credentials()
	app := claims(t, e.token)
	if app["idtyp"] != "app" || app["upn"] != nil || app["aud"] != sandbox.Resource || app["tid"] != c.TenantID || app["appid"] != c.ClientID {
		t.Errorf("app-only claims %v", app)
	}
	user := claims(t, e.userToken)
	amr, _ := json.Marshal(user["amr"])
	if user["idtyp"] != "user" || user["upn"] != "admin@sandbox.test" || string(amr) != `["pwd","mfa"]` {
		t.Errorf("user claims %v", user)
	}
	if exp, iat := user["exp"].(float64), user["iat"].(float64); exp-iat != 3600 || int64(iat) != e.sb.Now().Unix() {
		t.Errorf("iat %v exp %v, want now and now+1h on the sandbox clock", iat, exp)
	}
	rt, _ := e.sb.IssueRefreshToken("nomfa@sandbox.test")
	_, at, oe := e.redeem(rt)
	if oe != "" {
		t.Fatal(oe)
	}
	amr, _ = json.Marshal(claims(t, at)["amr"])
	if string(amr) != `["pwd"]` {
		t.Errorf("non-MFA amr %s", amr)
	}
}

func TestAppUserOnlyOperationsRefuseAppOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("strict", true)
	appOnly := "Bearer " + e.token
	for _, path := range []string{"/v1/customers/" + cid + "/agreements", "/v1/customers/" + cid + "/subscribedskus"} {
		r := e.do("GET", path, nil, "Authorization", appOnly)
		want(t, r, 401, "400")
		if !strings.Contains(r.str("description"), "App+User") {
			t.Errorf("%s: description %q does not say why", path, r.str("description"))
		}
		want(t, e.do("GET", path, nil), 200, "") // the admin's token
	}
	agree := map[string]any{"primaryContact": map[string]any{"firstName": "T", "lastName": "C", "email": "t@c.example"},
		"templateId": sandbox.MCATemplateID, "dateAgreed": "2026-01-01T00:00:00Z", "type": "MicrosoftCustomerAgreement"}
	want(t, e.do("POST", "/v1/customers/"+cid+"/agreements", agree, "Authorization", appOnly), 401, "400")
	// Everything else takes app-only tokens.
	want(t, e.do("GET", "/v1/customers/"+cid+"/subscriptions", nil, "Authorization", appOnly), 200, "")

	// The strictness switch, over HTTP.
	if st, out := e.admin("/_sandbox/options", `{"allowAppOnlyEverywhere":true}`); st != 200 || out["allowAppOnlyEverywhere"] != true {
		t.Fatalf("options: %d %v", st, out)
	}
	want(t, e.do("GET", "/v1/customers/"+cid+"/agreements", nil, "Authorization", appOnly), 200, "")
	e.admin("/_sandbox/options", `{"allowAppOnlyEverywhere":false}`)
	want(t, e.do("GET", "/v1/customers/"+cid+"/agreements", nil, "Authorization", appOnly), 401, "400")
}

func TestNonMFAUserTokenRefusedEverywhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	st, out := e.admin("/_sandbox/user-token", `{"user":"nomfa@sandbox.test"}`)
	if st != 200 || out["access_token"] == "" || out["refresh_token"] == "" {
		t.Fatalf("user-token: %d %v", st, out)
	}
	tok := "Bearer " + out["access_token"].(string)
	for _, path := range []string{"/v1/customers", "/v1/offers?country=US"} {
		r := e.do("GET", path, nil, "Authorization", tok)
		want(t, r, 401, "400")
		if !strings.Contains(r.str("description"), "multi-factor") {
			t.Errorf("%s: %q", path, r.str("description"))
		}
	}
	if st, _ := e.admin("/_sandbox/user-token", `{"user":"nobody@sandbox.test"}`); st != 404 {
		t.Errorf("unknown user: %d", st)
	}
}

func TestRefreshTokensRollExpireAndRevoke(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{RefreshTokenLifetime: time.Hour})
	rt0, _ := e.sb.IssueRefreshToken("admin@sandbox.test")
	rt1, _, oe := e.redeem(rt0)
	if oe != "" || rt1 == "" || rt1 == rt0 {
		t.Fatalf("redeem: %q %q", rt1, oe)
	}
	if _, _, oe := e.redeem(rt0); !strings.HasPrefix(oe, "invalid_grant AADSTS70000") {
		t.Errorf("spent token: %q, want invalid_grant AADSTS70000", oe)
	}
	if _, _, oe := e.redeem("sbx-rt.never-issued"); !strings.HasPrefix(oe, "invalid_grant AADSTS9002313") {
		t.Errorf("unknown token: %q", oe)
	}
	// Sliding lifetime: each redeem starts a new hour.
	e.sb.Advance(50 * time.Minute)
	rt2, _, oe := e.redeem(rt1)
	if oe != "" {
		t.Fatalf("redeem within the lifetime: %s", oe)
	}
	e.sb.Advance(50 * time.Minute)
	rt3, _, oe := e.redeem(rt2)
	if oe != "" {
		t.Fatalf("redeem 100 min after issue but 50 min after the last redeem: %s", oe)
	}
	e.sb.Advance(61 * time.Minute)
	if _, _, oe := e.redeem(rt3); !strings.HasPrefix(oe, "invalid_grant AADSTS700082") || !strings.Contains(oe, "inactive for 0.01:00:00") {
		t.Errorf("expired token: %q, want invalid_grant AADSTS700082", oe)
	}

	// Revocation over HTTP.
	a, _ := e.sb.IssueRefreshToken("admin@sandbox.test")
	b, _ := e.sb.IssueRefreshToken("nomfa@sandbox.test")
	if st, out := e.admin("/_sandbox/users/admin@sandbox.test/revoke", ``); st != 200 || out["revoked"] != float64(1) {
		t.Fatalf("revoke: %d %v", st, out)
	}
	if _, _, oe := e.redeem(a); !strings.HasPrefix(oe, "invalid_grant AADSTS50173") {
		t.Errorf("revoked token: %q", oe)
	}
	if _, _, oe := e.redeem(b); oe != "" {
		t.Errorf("another user's token was revoked too: %s", oe)
	}
}

func TestAuthorizePageRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	c := e.sb.Credentials()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string, q url.Values) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get(e.srv.URL + path + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	ok := url.Values{"client_id": {c.ClientID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:1/cb"},
		"scope": {sandbox.Resource + "/user_impersonation offline_access"}, "state": {"x"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	for _, p := range []string{"/" + c.TenantID + "/oauth2/v2.0/authorize", "/" + c.TenantID + "/oauth2/authorize"} {
		if resp, page := get(p, ok); resp.StatusCode != 200 || !strings.Contains(page, `name="password"`) || !strings.Contains(page, "admin@sandbox.test") {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
	path := "/" + c.TenantID + "/oauth2/v2.0/authorize"
	mod := func(k, v string) url.Values {
		q := url.Values{}
		for kk, vv := range ok {
			q[kk] = vv
		}
		if v == "" {
			q.Del(k)
		} else {
			q.Set(k, v)
		}
		return q
	}
	if resp, page := get(path, mod("client_id", "someone-else")); resp.StatusCode != 400 || !strings.Contains(page, "AADSTS700016") {
		t.Errorf("unknown client: %d %s", resp.StatusCode, page)
	}
	if resp, _ := get(path, mod("redirect_uri", "javascript:alert(1)")); resp.StatusCode != 400 {
		t.Errorf("bad redirect_uri: %d", resp.StatusCode)
	}
	if resp, _ := get("/wrong-tenant/oauth2/v2.0/authorize", ok); resp.StatusCode != 400 {
		t.Errorf("wrong tenant: %d", resp.StatusCode)
	}
	for k, v := range map[string]string{"code_challenge_method": "plain", "code_challenge": "", "response_type": "token"} {
		resp, _ := get(path, mod(k, v))
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 302 || loc.Query().Get("error") == "" || loc.Query().Get("state") != "x" {
			t.Errorf("%s=%q: %d %s, want a redirect with error and state", k, v, resp.StatusCode, loc)
		}
	}
}

func TestReadAfterCreateDelayOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	if st, out := e.admin("/_sandbox/options", `{"readAfterCreateDelaySeconds":60}`); st != 200 || out["readAfterCreateDelaySeconds"] != float64(60) {
		t.Fatalf("options: %d %v", st, out)
	}
	cid := e.newCustomer("late", false)
	want(t, e.do("GET", "/v1/customers/"+cid, nil), 404, "60003")
	want(t, e.do("GET", "/v1/customers/"+cid+"/subscriptions", nil), 404, "60003")
	agree := map[string]any{"primaryContact": map[string]any{"firstName": "T", "lastName": "C", "email": "t@c.example"},
		"templateId": sandbox.MCATemplateID, "dateAgreed": "2026-01-01T00:00:00Z", "type": "MicrosoftCustomerAgreement"}
	const reqID = "7d1c3a5e-1111-4c4c-9d9d-000000000001"
	want(t, e.do("POST", "/v1/customers/"+cid+"/agreements", agree, "MS-RequestId", reqID), 404, "60003")
	e.sb.Advance(59 * time.Second)
	want(t, e.do("GET", "/v1/customers/"+cid, nil), 404, "60003")
	e.sb.Advance(time.Second)
	want(t, e.do("GET", "/v1/customers/"+cid, nil), 200, "")
	// A retry with the same MS-RequestId is a fresh attempt, not a replay of the 404.
	want(t, e.do("POST", "/v1/customers/"+cid+"/agreements", agree, "MS-RequestId", reqID), 201, "")
	// Customers created earlier (seeded or imported) are not affected.
	e.admin("/_sandbox/options", `{"readAfterCreateDelaySeconds":0}`)
}

func TestRelationshipAndDelegatedAdminOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true})
	gone := e.newCustomer("gone", true)
	kept := e.newCustomer("kept", true)
	if st, _ := e.admin("/_sandbox/customers/"+gone+"/relationship/remove", ``); st != 200 {
		t.Fatalf("remove: %d", st)
	}
	for _, p := range []string{"", "/subscriptions", "/orders", "/agreements", "/subscribedskus"} {
		r := e.do("GET", "/v1/customers/"+gone+p, nil)
		want(t, r, 403, "20002")
		if !strings.Contains(r.str("description"), "no commerce relationship") {
			t.Errorf("%s: %q", p, r.str("description"))
		}
	}
	r := e.do("GET", "/v1/customers", nil)
	want(t, r, 200, "")
	if n := len(r.items()); n != 2 {
		t.Errorf("customer list has %d customers, want both", n)
	}
	want(t, e.do("GET", "/v1/customers/"+kept+"/subscriptions", nil), 200, "")
	if st, _ := e.admin("/_sandbox/customers/00000000-0000-0000-0000-000000000000/relationship/remove", ``); st != 404 {
		t.Errorf("unknown customer: %d", st)
	}

	if st, _ := e.admin("/_sandbox/customers/"+kept+"/delegated-admin", `{"enabled":false}`); st != 200 {
		t.Fatal(st)
	}
	want(t, e.do("GET", "/v1/customers/"+kept+"/subscribedskus", nil), 403, "2032")
	want(t, e.do("GET", "/v1/customers/"+kept+"/subscriptions", nil), 200, "")
	want(t, e.do("GET", "/v1/customers/"+kept+"/agreements", nil), 200, "")
	e.admin("/_sandbox/customers/"+kept+"/delegated-admin", `{"enabled":true}`)
	want(t, e.do("GET", "/v1/customers/"+kept+"/subscribedskus", nil), 200, "")
}

func TestSubscriptionStatusesOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{LegacyPurchases: true, NoSeed: true})
	cid := e.newCustomer("states", true)
	offer := e.offerID("Visio Plan 2")
	var sids []string
	for range 3 {
		r := e.order(cid, li(offer, 1))
		want(t, r, 201, "")
		sids = append(sids, dig(r.obj, "lineItems.0.subscriptionId").(string))
	}
	e.settle()
	for i, st := range []string{"disabled", "deleted", "somethingNew"} {
		if code, out := e.admin("/_sandbox/customers/"+cid+"/subscriptions/"+sids[i]+"/status", `{"status":"`+st+`"}`); code != 200 {
			t.Fatalf("status %s: %d %v", st, code, out)
		}
		if got := e.sub(cid, sids[i]).str("status"); got != st {
			t.Errorf("status = %q, want %q", got, st)
		}
	}
	want(t, e.patchSub(cid, sids[0], map[string]any{"quantity": 2}), 400, "800040")
	want(t, e.patchSub(cid, sids[1], map[string]any{"quantity": 2}), 400, "2011")
	want(t, e.patchSub(cid, sids[2], map[string]any{"friendlyName": "x"}), 400, "800040")
	if code, _ := e.admin("/_sandbox/customers/"+cid+"/subscriptions/"+sids[0]+"/status", `{"status":""}`); code != 400 {
		t.Errorf("empty status: %d", code)
	}
	// Time passing (renewals, expiry) leaves unknown states alone.
	e.advance(400 * 24 * time.Hour)
	if got := e.sub(cid, sids[2]).str("status"); got != "somethingNew" {
		t.Errorf("after a year: %q", got)
	}
	want(t, e.do("GET", "/v1/customers/"+cid+"/subscribedskus", nil), 200, "")
	want(t, e.do("GET", "/v1/customers/"+cid+"/entitlements", nil), 200, "")
}
