package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// tenv is a sandbox served over real HTTP with tokens from its endpoint:
// an app-only token and an app+user token of the MFA admin (redeemed from a
// refresh token, which rolls on every redeem).
type tenv struct {
	t         testing.TB
	sb        *sandbox.Sandbox
	srv       *httptest.Server
	token     string // app-only
	userToken string // app+user (admin@sandbox.test, MFA)
	refresh   string // the admin's current refresh token
}

func newEnv(t testing.TB, opts sandbox.Options) *tenv {
	t.Helper()
	if opts.Seed == 0 {
		opts.Seed = 42
	}
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() {
		sb.Close()
		srv.Close()
	})
	e := &tenv{t: t, sb: sb, srv: srv}
	e.token = e.fetchToken()
	e.connectAdmin()
	return e
}

// connectAdmin gives the env the MFA admin's refresh token (as after a
// consent) and redeems it for an app+user access token.
func (e *tenv) connectAdmin() {
	e.t.Helper()
	rt, err := e.sb.IssueRefreshToken("admin@sandbox.test")
	if err != nil {
		e.t.Fatal(err)
	}
	e.refresh = rt
	e.userToken = e.fetchUserToken()
}

// fetchUserToken redeems (and rolls) the admin's refresh token.
func (e *tenv) fetchUserToken() string {
	e.t.Helper()
	c := e.sb.Credentials()
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret},
		"refresh_token": {e.refresh}, "resource": {"https://api.partnercenter.microsoft.com"}}
	resp, err := http.PostForm(e.srv.URL+"/"+c.TenantID+"/oauth2/token", form)
	if err != nil {
		e.t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 || tok.AccessToken == "" || tok.RefreshToken == "" {
		e.t.Fatalf("refresh token grant: status %d err %v", resp.StatusCode, err)
	}
	e.refresh = tok.RefreshToken
	return tok.AccessToken
}

// tokenFor picks the credential PC requires for the request, as the
// client does: app+user for the App+User-only operations (agreements,
// agreement metadata, subscribedskus, indirect resellers, a customer's
// resellers, MPA status), app-only otherwise.
func (e *tenv) tokenFor(path string) string {
	p, _, _ := strings.Cut(path, "?")
	if p == "/v1/agreements" || p == "/v1/relationships" || strings.HasPrefix(p, "/v1/compliance/") ||
		strings.HasPrefix(p, "/v1/customers/") && (strings.HasSuffix(p, "/agreements") || strings.HasSuffix(p, "/subscribedskus") || strings.HasSuffix(p, "/relationships")) {
		return e.userToken
	}
	return e.token
}

func (e *tenv) fetchToken() string {
	e.t.Helper()
	c := e.sb.Credentials()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret},
		"resource": {"https://api.partnercenter.microsoft.com"}}
	resp, err := http.PostForm(e.srv.URL+"/"+c.TenantID+"/oauth2/token", form)
	if err != nil {
		e.t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   string `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 || tok.AccessToken == "" {
		e.t.Fatalf("token: status %d err %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// res is a decoded response.
type res struct {
	status int
	header http.Header
	raw    []byte
	obj    map[string]any
}

func (r res) str(path string) string {
	v := dig(r.obj, path)
	s, _ := v.(string)
	return s
}

func (r res) num(path string) int {
	f, _ := dig(r.obj, path).(float64)
	return int(f)
}

func (r res) items() []map[string]any {
	list, _ := r.obj["items"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		m, _ := it.(map[string]any)
		out = append(out, m)
	}
	return out
}

// dig follows a dotted path through maps and numeric list indexes.
func dig(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[p]
		case []any:
			i := 0
			for _, ch := range p {
				i = i*10 + int(ch-'0')
			}
			if i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

// do sends a request with the bearer token; hdr is key, value pairs.
func (e *tenv) do(method, path string, body any, hdr ...string) res {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.tokenFor(path))
	req.Header.Set("Accept", "application/json")
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1]) // may override Authorization
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := res{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.obj)
	}
	return r
}

// want fails unless r has status and (for errors) PC code.
func want(t testing.TB, r res, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.raw)
	}
	if code != "" && r.str("code") != code {
		t.Fatalf("code = %q, want %q; body %s", r.str("code"), code, r.raw)
	}
}

// newCustomer creates a customer (with MCA when mca) and returns its id.
func (e *tenv) newCustomer(prefix string, mca bool) string {
	e.t.Helper()
	r := e.do("POST", "/v1/customers", map[string]any{
		"companyProfile": map[string]any{"domain": prefix + ".onmicrosoft.com"},
		"billingProfile": map[string]any{"email": "a@" + prefix + ".example", "culture": "en-US", "language": "en",
			"companyName": prefix + " Corp", "defaultAddress": map[string]any{"country": "US", "city": "Redmond",
				"addressLine1": "1 Way", "postalCode": "98052", "state": "WA", "firstName": "A", "lastName": "B"}},
	})
	want(e.t, r, 201, "")
	id := r.str("id")
	if mca {
		e.acceptMCA(id)
	}
	return id
}

func (e *tenv) acceptMCA(id string) {
	e.t.Helper()
	r := e.do("POST", "/v1/customers/"+id+"/agreements", map[string]any{
		"primaryContact": map[string]any{"firstName": "T", "lastName": "C", "email": "t@c.example"},
		"templateId":     sandbox.MCATemplateID, "dateAgreed": "2026-01-01T00:00:00Z", "type": "MicrosoftCustomerAgreement"})
	want(e.t, r, 201, "")
}

// order creates a legacy or catalog-item order and returns the response.
func (e *tenv) order(cid string, lines ...map[string]any) res {
	e.t.Helper()
	for i, l := range lines {
		l["lineItemNumber"] = i
	}
	return e.do("POST", "/v1/customers/"+cid+"/orders", map[string]any{"billingCycle": "monthly", "lineItems": lines})
}

// settle advances past the order delay so pending work completes.
func (e *tenv) settle() { e.sb.Advance(10 * time.Second) }

func li(offer string, qty int, kv ...any) map[string]any {
	m := map[string]any{"offerId": offer, "quantity": qty}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// offerID finds a legacy offer id by name through the API.
func (e *tenv) offerID(name string) string {
	e.t.Helper()
	r := e.do("GET", "/v1/offers?country=US", nil, "X-Locale", "en-US")
	want(e.t, r, 200, "")
	for _, it := range r.items() {
		if it["name"] == name {
			return it["id"].(string)
		}
	}
	e.t.Fatalf("offer %q not in catalog", name)
	return ""
}

// sub fetches a subscription.
func (e *tenv) sub(cid, sid string) res {
	e.t.Helper()
	r := e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+sid, nil)
	want(e.t, r, 200, "")
	return r
}

// patchSub sends the whole subscription with changes applied.
func (e *tenv) patchSub(cid, sid string, changes map[string]any, hdr ...string) res {
	e.t.Helper()
	cur := e.sub(cid, sid).obj
	for k, v := range changes {
		cur[k] = v
	}
	return e.do("PATCH", "/v1/customers/"+cid+"/subscriptions/"+sid, cur, hdr...)
}

// buyNCE checks out a cart with one NCE line and returns the subscription id.
func (e *tenv) buyNCE(cid, catalogItem string, qty int, term, cycle string) string {
	e.t.Helper()
	r := e.do("POST", "/v1/customers/"+cid+"/carts", map[string]any{"lineItems": []any{map[string]any{
		"id": 0, "catalogItemId": catalogItem, "quantity": qty, "termDuration": term, "billingCycle": cycle}}})
	want(e.t, r, 201, "")
	r = e.do("POST", "/v1/customers/"+cid+"/carts/"+r.str("id")+"/checkout", nil)
	want(e.t, r, 201, "")
	sid, _ := dig(r.obj, "orders.0.lineItems.0.subscriptionId").(string)
	if sid == "" {
		e.t.Fatalf("checkout gave no subscription: %s", r.raw)
	}
	e.settle()
	return sid
}

// advance moves the sandbox clock and fetches fresh tokens (tokens last 1 h).
func (e *tenv) advance(d time.Duration) {
	e.sb.Advance(d)
	e.token = e.fetchToken()
	if d >= sandbox.DefaultRefreshTokenLifetime {
		// The refresh token expired from inactivity: the admin reconnects.
		e.connectAdmin()
		return
	}
	e.userToken = e.fetchUserToken()
}

func newServer(t testing.TB, sb *sandbox.Sandbox) *httptest.Server {
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	return srv
}
